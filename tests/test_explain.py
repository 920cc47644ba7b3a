"""``inferc explain`` of a model that does not build in an environment: everything that
could be resolved (the runtime table with why each template was dropped, the profile
and its resources, the layered values and their origins), then the errors; exit 1.

The repo ``tests/cases/explain/unresolvable/repo`` holds one model per way to fail;
its prod environment allows namespace team 2 GPUs, which chat and batch exceed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

CASE = Path(__file__).parent / "cases" / "explain" / "unresolvable"
STDERR = "--- stderr\n"  # what the terminal shows after the explanation


@pytest.mark.parametrize("model", [
    "lab/no-runtime",     # auto-selection drops every template
    "lab/named-runtime",  # spec.runtime names a template that is not in scope
    "lab/no-profile",     # an unknown hardware profile: no runtime, no resources
    "lab/bad-storage",    # the runtime is chosen, the storage URI is in error
    "lab/too-big",        # resolves, but above the profile's memory bound
    "team/chat",          # resolves, but pushes its namespace over the GPU quota
])
def test_text_shows_what_resolved_then_the_errors(model: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("explain", model, "--env", "prod", cwd=CASE / "repo")
    assert result.exit_code == 1, result.stderr
    snapshot.snapshot_dir = CASE
    snapshot.assert_match(result.stdout + STDERR + result.stderr, f"{model.split('/')[1]}.txt")


@pytest.mark.parametrize("model", ["lab/no-runtime", "lab/no-profile", "lab/too-big",
                                   "team/chat"])
def test_json_has_the_partial_resolution_and_the_diagnostics(model: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("explain", model, "--env", "prod", "--format", "json", cwd=CASE / "repo")
    assert result.exit_code == 1, result.stderr
    body = json.loads(result.stdout)
    assert body["diagnostics"] == json.loads(result.stderr)["diagnostics"]  # run from the repo
    assert any(d["severity"] == "error" for d in body["diagnostics"])
    snapshot.snapshot_dir = CASE
    snapshot.assert_match(result.stdout, f"{model.split('/')[1]}.json")


def test_a_model_that_resolves_says_so_in_json() -> None:
    result = run_cli("explain", "lab/no-runtime", "--env", "dev", "--format", "json",
                     cwd=CASE / "repo")
    assert result.exit_code == 1  # no ONNX opset 9 on 3.4 either
    assert json.loads(result.stdout)["resolved"] is False
    fine = run_cli("explain", "team/chat", "--env", "dev", "--format", "json", cwd=CASE / "repo")
    assert fine.exit_code == 0, fine.stderr  # dev sets no quota
    body = json.loads(fine.stdout)
    assert (body["resolved"], body["diagnostics"]) == (True, [])


def test_several_environments_need_env() -> None:
    result = run_cli("explain", "team/chat", cwd=CASE / "repo")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("inferc: error: the repo has 2 environments (dev, prod); pass "
                             "--env ENV to say which one to explain the model in\n")


def test_one_environment_needs_no_env(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "environments").mkdir(parents=True)
    (repo / "models" / "team").mkdir(parents=True)
    source = CASE / "repo"
    for rel in ("inferc.yaml", "environments/dev.yaml", "models/team/chat.yaml"):
        (repo / rel).write_text((source / rel).read_text())
    result = run_cli("explain", "team/chat", cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("model team/chat in environment dev (OpenShift AI 3.4)\n")
    assert result.stderr == "inferc: explained team/chat in environment dev\n"


def test_another_model_that_does_not_load_does_not_stop_the_explanation(tmp_path: Path) -> None:
    """batch is read only to count namespace team's quota: its schema error is shown,
    saying so, after chat's explanation."""
    repo = tmp_path / "repo"
    shutil.copytree(CASE / "repo", repo)
    batch = repo / "models" / "team" / "batch.yaml"
    batch.write_text(batch.read_text().replace("modelType:", "modeltype:"))
    result = run_cli("explain", "team/chat", "--env", "prod", cwd=repo)
    assert result.exit_code == 1
    assert result.stdout.startswith("model team/chat in environment prod (OpenShift AI 3.3)\n")
    assert result.stderr == (
        "models/team/batch.yaml:8:3: error: spec: missing required field 'modelType' (needed "
        "for the quota check of namespace 'team') [schema.required]\n"
        "models/team/batch.yaml:8:3: error: spec.modeltype: unknown field 'modeltype' (needed "
        "for the quota check of namespace 'team') [schema.unknown-field]\n"
        "  hint: did you mean 'modelType'?\n"
        "2 errors in 1 file\n")


def test_a_broken_environment_is_reported_not_called_unknown(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CASE / "repo", repo)
    prod = repo / "environments" / "prod.yaml"
    prod.write_text(prod.read_text().replace('version: "3.3"', 'version: "9.9"'))
    result = run_cli("explain", "team/chat", "--env", "prod", cwd=repo)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("environments/prod.yaml:8:14: error: spec.platform.version: "
                                    "'9.9'"), result.stderr
