"""Golden cases: a config repo in, the exact output tree and render streams out.

Every golden case also proves the invariants: a second build is byte-identical
and shows no drift; ``kubectl kustomize`` of each overlay equals ``inferc render``
object for object; every rendered object passes ``inferc verify``.
Update goldens with ``pytest --snapshot-update`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE, copy_repo, kustomize_build, run_cli

GOLDEN = Path(__file__).parent / "cases" / "golden"
CASES = {p.name: p / "repo" for p in sorted(GOLDEN.iterdir()) if (p / "repo").is_dir()}
CASES["example"] = EXAMPLE


def read_tree(root: Path) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in sorted(root.iterdir()):
        if path.is_dir():
            tree[path.name] = read_tree(path)
        elif not path.name.startswith("."):
            tree[path.name] = path.read_text(encoding="utf-8")
    return tree


def environments(repo: Path) -> list[str]:
    return sorted(p.stem for p in (repo / "environments").glob("*.yaml"))


@pytest.fixture(params=sorted(CASES))
def built(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path, Path]:
    repo = copy_repo(CASES[request.param], tmp_path / "repo")
    out = tmp_path / "out"
    result = run_cli("build", repo, "-o", out)
    assert result.exit_code == 0, result.stderr
    return request.param, repo, out


def test_output_tree(built: tuple[str, Path, Path], snapshot) -> None:  # type: ignore[no-untyped-def]
    name, _, out = built
    snapshot.snapshot_dir = GOLDEN / name / "expected"
    snapshot.assert_match_dir(read_tree(out), "tree")


def test_render_stream(built: tuple[str, Path, Path], snapshot) -> None:  # type: ignore[no-untyped-def]
    name, repo, _ = built
    snapshot.snapshot_dir = GOLDEN / name / "expected"
    for env in environments(repo):
        result = run_cli("render", repo, "--env", env)
        assert result.exit_code == 0, result.stderr
        snapshot.assert_match(result.stdout, f"render-{env}.yaml")


def test_build_is_idempotent(built: tuple[str, Path, Path], tmp_path: Path) -> None:
    _, repo, out = built
    again = tmp_path / "again"
    assert run_cli("build", repo, "-o", again).exit_code == 0
    assert read_tree(again) == read_tree(out)
    check = run_cli("build", repo, "-o", out, "--check")
    assert check.exit_code == 0, check.stderr


def test_kustomize_equals_render(built: tuple[str, Path, Path]) -> None:
    _, repo, out = built
    for env in environments(repo):
        expected = list(yaml.safe_load_all(kustomize_build(out / "overlays" / env)))
        rendered = list(yaml.safe_load_all(run_cli("render", repo, "--env", env).stdout))
        assert rendered == expected, env


def test_rendered_objects_verify(built: tuple[str, Path, Path], tmp_path: Path) -> None:
    _, repo, _ = built
    for env in environments(repo):
        spec = yaml.safe_load((repo / "environments" / f"{env}.yaml").read_text())["spec"]
        stream = tmp_path / f"{env}.yaml"
        stream.write_text(run_cli("render", repo, "--env", env).stdout)
        platform = f"{spec['platform']['name']}-{spec['platform']['version']}"  # a release key
        result = run_cli("verify", "--platform", platform, stream)
        assert result.exit_code == 0, result.stdout
