"""Invalid inputs: each case is a small change to a shared valid repo, with the
exact diagnostics ``inferc build`` must print and a promise that nothing is written.

A case folder holds ``repo/`` (files laid over ``_base``), optionally ``delete``
(paths to remove from the base), and the golden ``expected.txt``
(update with ``pytest --snapshot-update``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_cli

CASES = Path(__file__).parent / "cases" / "invalid"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def make_repo(case: Path, dest: Path) -> Path:
    shutil.copytree(CASES / "_base", dest)
    if (case / "repo").is_dir():
        shutil.copytree(case / "repo", dest, dirs_exist_ok=True)
    if (case / "delete").is_file():
        for rel in (case / "delete").read_text().split():
            (dest / rel).unlink()
    return dest


def test_base_repo_is_valid(tmp_path: Path) -> None:
    repo = make_repo(CASES / "_base", tmp_path / "repo")
    result = run_cli("build", repo, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("name", NAMES)
def test_invalid_case(name: str, tmp_path: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    case = CASES / name
    repo = make_repo(case, tmp_path / "repo")
    out = tmp_path / "out"
    result = run_cli("build", "-o", out, cwd=repo)  # the repo is found from the cwd
    assert result.exit_code == 1, result.stderr
    assert not out.exists(), "a failed build must not write anything"
    snapshot.snapshot_dir = case
    snapshot.assert_match(result.stderr, "expected.txt")


def test_check_reports_the_same_problems_as_json(tmp_path: Path) -> None:
    repo = make_repo(CASES / "many-errors-at-once", tmp_path / "repo")
    result = run_cli("check", "--repo", repo, "--format", "json", cwd=repo)
    assert result.exit_code == 1
    assert '"errors": 4' in result.stdout, result.stdout


def test_credentials_are_never_echoed(tmp_path: Path) -> None:
    repo = make_repo(CASES / "credentials-literal", tmp_path / "repo")
    for fmt in ("text", "json", "github"):
        result = run_cli("check", "--repo", repo, "--format", fmt)
        assert result.exit_code == 1
        assert "credentials.env" in result.stdout + result.stderr
        assert "echo" not in result.stdout + result.stderr, fmt
