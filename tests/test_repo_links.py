"""Symbolic links in a config repo: never followed out of it (a pull request could
otherwise read runner files into CI logs)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import run_cli

BASE = Path(__file__).parent / "cases" / "invalid" / "_base"


def test_a_link_out_of_the_repo_is_not_read(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    outside = tmp_path / "secret.yaml"
    outside.write_text("apiVersion: inferc.dev/v1alpha1\n")
    (repo / "models" / "team" / "leak.yaml").symlink_to(outside)
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 1
    assert ("models/team/leak.yaml:1:1: error: $: symbolic link to a file outside the config "
            "repo; inferc does not follow it [repo.symlink]") in result.stdout
    assert "apiVersion" not in result.stdout
