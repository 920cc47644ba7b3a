"""``inferc check FILES`` (what the pre-commit hook runs) resolves a changed spec with
the other models of its namespace when an environment sets a quota there, so the
quota problem a commit causes is reported before the commit, as build reports it.

The example repo's prod environment allows namespace ``llm`` 4 GPUs: granite-8b's 3
replicas plus its one surge pod. Everything runs through the CLI, from the repo.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE, copy_repo, run_cli

QUOTA = ('environments/prod.yaml:13:32: error: spec.quotas.llm["requests.nvidia.com/gpu"]: '
         "peak 8 exceeds the quota 4 by 4: steady state 6 (llm/granite-2b: 3 × 1, "
         "llm/granite-8b: 3 × 1) plus rolling-update surge 2 (llm/granite-2b: +1 × 1, "
         "llm/granite-8b: +1 × 1) [quota.exceeded]\n"
         "  hint: the steady state alone exceeds the quota; lower replicas or nvidia.com/gpu "
         "per pod, or raise the quota\n")


def pushed(name: str, line: str) -> str:
    return (f"models/llm/{name}.yaml:{line}: error: spec.hardwareProfile: this model pushes "
            "namespace 'llm' over its quota requests.nvidia.com/gpu 4: the peak is 8 with it, "
            "4 without it (in environment prod) [quota.exceeded]\n"
            "  hint: the steady state alone exceeds the quota; lower replicas or "
            "nvidia.com/gpu per pod, or raise the quota\n")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(EXAMPLE, tmp_path / "repo")


def add_granite_2b(repo: Path) -> Path:
    """A second GPU model in namespace llm: 3 more GPUs and one more surge pod in prod."""
    spec = repo / "models" / "llm" / "granite-2b.yaml"
    text = (repo / "models" / "llm" / "granite-8b.yaml").read_text()
    spec.write_text(text.replace("name: granite-8b", "name: granite-2b"))
    return spec


def add_cpu_model(repo: Path, namespace: str) -> Path:
    """A CPU-only model (no GPU) in ``namespace``: it fits any GPU quota."""
    spec = repo / "models" / namespace / "tiny.yaml"
    text = (repo / "models" / "vision" / "mobilenet.yaml").read_text()
    spec.write_text(text.replace("name: mobilenet", "name: tiny")
                    .replace("namespace: vision", f"namespace: {namespace}"))
    return spec


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_new_spec_that_pushes_the_namespace_over_its_quota(repo: Path) -> None:
    add_granite_2b(repo)
    result = run_cli("check", "models/llm/granite-2b.yaml", cwd=repo)
    assert result.exit_code == 1
    assert result.stdout == QUOTA + pushed("granite-2b", "15:20") + "2 errors in 2 files\n"
    # exactly as build reports it; build also names granite-8b, the other model
    # without which the namespace would fit, which check leaves to its own commit
    built = run_cli("build", cwd=repo)
    assert built.exit_code == 1
    assert built.stderr == (QUOTA + pushed("granite-2b", "15:20") + pushed("granite-8b", "15:20")
                            + "3 errors in 3 files\n")


def test_the_spec_line_that_sets_the_amount_carries_the_error(repo: Path) -> None:
    spec = add_cpu_model(repo, "llm")
    edit(spec, "hardwareProfile: default-profile",
         "hardwareProfile: nvidia-gpu\n  replicas: 1\n  resources:\n    requests:\n"
         "      nvidia.com/gpu: 2\n      memory: 8Gi")
    result = run_cli("check", "models/llm/tiny.yaml", cwd=repo)
    assert result.exit_code == 1
    assert result.stdout == (
        'environments/prod.yaml:13:32: error: spec.quotas.llm["requests.nvidia.com/gpu"]: peak 8 '
        "exceeds the quota 4 by 4: steady state 5 (llm/granite-8b: 3 × 1, llm/tiny: 1 × 2) plus "
        "rolling-update surge 3 (llm/granite-8b: +1 × 1, llm/tiny: +1 × 2) [quota.exceeded]\n"
        "  hint: the steady state alone exceeds the quota; lower replicas or nvidia.com/gpu per "
        "pod, or raise the quota\n"
        'models/llm/tiny.yaml:21:23: error: spec.resources.requests["nvidia.com/gpu"]: this model '
        "pushes namespace 'llm' over its quota requests.nvidia.com/gpu 4: the peak is 8 with it, "
        "4 without it (in environment prod) [quota.exceeded]\n"
        "  hint: the steady state alone exceeds the quota; lower replicas or nvidia.com/gpu per "
        "pod, or raise the quota\n"
        "2 errors in 2 files\n")


def test_other_models_own_errors_are_not_the_changed_files_fault(repo: Path) -> None:
    add_cpu_model(repo, "llm")
    # granite-8b still resolves (and counts toward the quota) but has an error of its own
    edit(repo / "models" / "llm" / "granite-8b.yaml", "memory: 24Gi", "memory: 512Gi")
    result = run_cli("check", "models/llm/tiny.yaml", cwd=repo)
    assert result.exit_code == 0, result.stdout
    assert result.stderr == ("inferc: checked 1 model, counting 1 other model of the same "
                             "namespace toward its quota: no errors\n")
    own = run_cli("check", "models/llm/granite-8b.yaml", cwd=repo)
    assert own.exit_code == 1
    assert "512Gi is above the maximum 128Gi" in own.stdout


def test_another_model_that_does_not_resolve_blocks_the_quota_check(repo: Path) -> None:
    add_cpu_model(repo, "llm")
    edit(repo / "models" / "llm" / "granite-8b.yaml", "hardwareProfile: nvidia-gpu",
         "hardwareProfile: tpu-v5")
    result = run_cli("check", "models/llm/tiny.yaml", cwd=repo)
    assert result.exit_code == 1
    assert result.stdout == (
        "models/llm/granite-8b.yaml:15:20: error: spec.hardwareProfile: no hardware profile "
        "'tpu-v5' (needed for the quota check of namespace 'llm') (in environment prod) "
        "[profile.unknown]\n"
        "  hint: known profiles: amd-gpu, default-profile, ibm-spyre-pf, ibm-spyre-vf, "
        "intel-gaudi, nvidia-gpu\n"
        "1 error in 1 file\n")


def test_another_model_that_does_not_load_blocks_the_quota_check(repo: Path) -> None:
    add_cpu_model(repo, "llm")
    edit(repo / "models" / "llm" / "granite-8b.yaml", "modelType: generative",
         "modeltype: generative")
    result = run_cli("check", "models/llm/tiny.yaml", cwd=repo)
    assert result.exit_code == 1
    assert result.stdout == (
        "models/llm/granite-8b.yaml:12:3: error: spec: missing required field 'modelType' "
        "(needed for the quota check of namespace 'llm') [schema.required]\n"
        "models/llm/granite-8b.yaml:12:3: error: spec.modeltype: unknown field 'modeltype' "
        "(needed for the quota check of namespace 'llm') [schema.unknown-field]\n"
        "  hint: did you mean 'modelType'?\n"
        "2 errors in 1 file\n")


def test_a_namespace_without_quota_is_checked_alone(repo: Path) -> None:
    add_cpu_model(repo, "vision")
    edit(repo / "models" / "vision" / "mobilenet.yaml", "hardwareProfile: default-profile",
         "hardwareProfile: tpu-v5")
    result = run_cli("check", "models/vision/tiny.yaml", cwd=repo)
    assert result.exit_code == 0, result.stdout
    assert result.stderr == "inferc: checked 1 model: no errors\n"


def test_a_deleted_spec_is_checked_not_refused(repo: Path) -> None:
    add_cpu_model(repo, "llm").unlink()  # pre-commit runs on the files of the commit
    result = run_cli("check", "models/llm/tiny.yaml", cwd=repo)
    assert result.exit_code == 0, result.stdout
    assert result.stderr == ("inferc: checked 0 models (1 deleted), counting 1 other model "
                             "of the same namespace toward its quota: no errors\n")
    (repo / "models" / "llm" / "granite-8b.yaml").unlink()
    (repo / "models" / "llm").rmdir()
    gone = run_cli("check", "models/llm/granite-8b.yaml", cwd=repo)
    assert gone.exit_code == 1  # dev still overrides it
    assert gone.stdout == (
        'environments/dev.yaml:12:5: error: spec.overrides["llm/granite-8b"]: no model '
        "'llm/granite-8b' in models/ [env.unknown-model]\n"
        "1 error in 1 file\n")


def test_a_missing_file_that_is_no_config_file_is_a_usage_error(repo: Path) -> None:
    result = run_cli("check", "models/llm/deep/granite.yaml", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == "inferc: error: no such file: models/llm/deep/granite.yaml\n"


def test_files_of_no_config_repo_are_an_error_unless_skipped(tmp_path: Path) -> None:
    """A monorepo: the config repo in deploy/, other YAML beside it that pre-commit's
    ``files`` pattern also matches (k8s/environments/prod.yaml)."""
    top = tmp_path / "mono"
    copy_repo(EXAMPLE, top / "deploy")
    other = top / "k8s" / "environments" / "prod.yaml"
    other.parent.mkdir(parents=True)
    other.write_text("apiVersion: v1\nkind: ConfigMap\n")
    spec = "deploy/models/llm/granite-8b.yaml"
    refused = run_cli("check", spec, "k8s/environments/prod.yaml", cwd=top)
    assert (refused.exit_code, refused.stderr) == (2, (
        f"inferc: error: no inferc.yaml in {other.parent} or any parent folder; is this an "
        "inferc config repo?\n"))
    skipped = run_cli("check", "--skip-outside", spec, "k8s/environments/prod.yaml", cwd=top)
    assert (skipped.exit_code, skipped.stderr) == (0, "inferc: checked 1 model: no errors\n")
    alone = run_cli("check", "--skip-outside", "k8s/environments/prod.yaml", cwd=top)
    assert (alone.exit_code, alone.stderr) == (
        0, "inferc: checked nothing: 1 file outside the config repo skipped\n")


def test_a_file_of_another_repo_than_repo_is_refused(tmp_path: Path) -> None:
    copy_repo(EXAMPLE, tmp_path / "a")
    copy_repo(EXAMPLE, tmp_path / "b")
    result = run_cli("check", "--repo", "a", "b/models/llm/granite-8b.yaml", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        2, "inferc: error: b/models/llm/granite-8b.yaml is not in the config repo a\n")
