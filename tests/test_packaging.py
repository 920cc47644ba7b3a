"""The wheel carries everything inferc reads at run time (schemas, presets, the
``environments/`` templates ``init`` scaffolds from), and inferc run from the wheel alone,
away from this checkout, initialises and builds a config repo."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

_RUN_FROM = """\
import sys
sys.path.insert(0, sys.argv[1])  # the unpacked wheel, ahead of this checkout's editable install
sys.argv = ["inferc", *sys.argv[2:]]
import compiler, compiler.resources
assert compiler.__file__.startswith(sys.path[0]), compiler.__file__
assert compiler.resources.data_root().name == "_data", compiler.resources.data_root()
from compiler.cli import main
main()
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dest), str(ROOT)], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (built,) = dest.glob("inferc-*.whl")
    return built


def test_wheel_carries_the_data_init_and_build_read(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"compiler/_data/environments/{p.name}" for p in (ROOT / "environments").glob("*.yaml")}
    assert shipped and shipped <= names
    for folder in ("schemas", "presets"):
        files = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()}
        assert {f"compiler/_data/{f}" for f in files} <= names, folder
    assert "compiler/_data/schemas/crds/upstream/argoproj.io_v1alpha1_Application.json" in names


def test_init_then_build_from_the_wheel_alone(wheel: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def inferc(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", _RUN_FROM, str(unpacked), *args],
                              cwd=tmp_path, env=env, capture_output=True, text=True,
                              check=False, timeout=300)

    init = inferc("init", "x")
    assert (init.returncode, init.stderr) == (
        0, "inferc: created a config repo in x (9 files); try: inferc build x\n")
    for template in sorted((ROOT / "environments").glob("*.yaml")):  # init's templates
        scaffolded = (tmp_path / "x" / "environments" / template.name).read_text()
        assert scaffolded == ("# yaml-language-server: $schema=../.schemas/"
                              "environment.schema.json\n" + template.read_text())
    build = inferc("build", "x")
    assert (build.returncode, build.stderr) == (0, "inferc: wrote 8 files to x/out\n")
