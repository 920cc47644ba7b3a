"""The shipped ``.pre-commit-hooks.yaml``, run unchanged by the real pre-commit.

pre-commit installs this project into its own virtual environment (language:
python) and runs the hooks on the staged files of a temporary git repo holding
a config repo. ``pre-commit try-repo`` proves the hooks work straight from a
checkout; real ``git commit``s through ``pre-commit install`` prove the
passing and failing commits.

Installing the environment takes 30-100 s (the Kubernetes schemas are large).
``try-repo`` always installs into a fresh temporary store (pre-commit's
``try_repo`` ignores PRE_COMMIT_HOME), so it runs once per session; the
commits use a PRE_COMMIT_HOME in a cache folder and a snapshot commit whose id
depends only on the project's files, so their environment is installed once
per change of the project, not per run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, run_cli

FIXED_DATE = "2026-01-01T00:00:00+00:00"
GIT_ENV = {"GIT_AUTHOR_NAME": "inferc tests", "GIT_AUTHOR_EMAIL": "tests@inferc.invalid",
           "GIT_COMMITTER_NAME": "inferc tests", "GIT_COMMITTER_EMAIL": "tests@inferc.invalid",
           "GIT_AUTHOR_DATE": FIXED_DATE, "GIT_COMMITTER_DATE": FIXED_DATE,
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, **GIT_ENV})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    # one cache per checkout: several worktrees may run their suites at once
    return base / "inferc-tests" / hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]


@pytest.fixture(scope="session")
def hook_repo() -> tuple[Path, Path]:
    """(snapshot of this project as a git repo, PRE_COMMIT_HOME)."""
    cache = _cache()
    snapshot = cache / "project"
    shutil.rmtree(snapshot, ignore_errors=True)
    snapshot.mkdir(parents=True)
    files = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    # what an install needs; tests and benchmarks are left out so that editing them
    # does not change the snapshot's commit id (and reinstall the environment)
    for rel in (f for f in files if f and not f.startswith(("tests/", "benchmarks/"))):
        src = ROOT / rel
        if src.is_file():
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, snapshot / rel)
    git(snapshot, "init", "-q", "-b", "main")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot, cache / "pre-commit-home"


def try_repo(config_repo: Path, hook_repo: tuple[Path, Path]) -> tuple[int, str]:
    snapshot, home = hook_repo
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(snapshot),
                           "--color", "never"], cwd=config_repo, capture_output=True,
                          text=True, check=False, env=env)
    return proc.returncode, _hook_output(proc.stdout + proc.stderr)


def _hook_output(text: str) -> str:
    """What the hooks said: after try-repo's config echo, without install notices."""
    lines = text.splitlines(keepends=True)
    rulers = [i for i, line in enumerate(lines) if line.startswith("=" * 20)]
    body = lines[rulers[-1] + 1:] if len(rulers) >= 3 else lines
    return "".join(line for line in body if not line.startswith("[INFO]"))


@pytest.fixture
def config_repo(tmp_path: Path, hook_repo: tuple[Path, Path]) -> Path:
    """A git repo holding a config repo and its committed, up-to-date output, with
    this project's hooks installed as a config repo's team would."""
    repo = tmp_path / "config"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("out"))
    assert run_cli("build", cwd=repo).exit_code == 0
    snapshot = hook_repo[0]
    rev = git(snapshot, "rev-parse", "HEAD").strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {snapshot}\n  rev: {rev}\n"
        "  hooks:\n  - id: inferc-check\n  - id: inferc-build-check\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    _pre_commit(repo, hook_repo[1], "install")
    return repo


def _pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd,
                          capture_output=True, text=True, check=False, env=env)


def commit(repo: Path, home: Path, message: str) -> tuple[int, str]:
    """``git commit`` of everything, through the installed pre-commit hook."""
    git(repo, "add", "-A")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    proc = subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, capture_output=True,
                          text=True, check=False, env=env)
    lines = (proc.stdout + proc.stderr).splitlines(keepends=True)
    return proc.returncode, "".join(line for line in lines if not line.startswith("[INFO]"))


def test_hooks_file_declares_both_hooks() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: inferc-check\n" in text and "- id: inferc-build-check\n" in text
    assert text.count("language: python") == 2


PROBLEM = ("models/llm/granite-8b.yaml:15:20: error: spec.hardwareProfile: no hardware "
           "profile 'tpu-v5' [profile.unknown]\n"
           "  hint: known profiles: amd-gpu, default-profile, ibm-spyre-pf, ibm-spyre-vf, "
           "intel-gaudi, nvidia-gpu\n"
           "1 error in 1 file\n")
BOTH_FAIL = (
    "inferc build --check.....................................................Failed\n"
    "- hook id: inferc-build-check\n"
    "- exit code: 1\n\n" + PROBLEM + "\n"
    "inferc check.............................................................Failed\n"
    "- hook id: inferc-check\n"
    "- exit code: 1\n\n" + PROBLEM + "\n")


def unknown_profile(repo: Path) -> None:
    spec = repo / "models" / "llm" / "granite-8b.yaml"
    spec.write_text(spec.read_text().replace("hardwareProfile: nvidia-gpu",
                                             "hardwareProfile: tpu-v5"))


# try-repo reinstalls the project (30-100 s) on every run; it always runs in CI and
# when asked, while the cached commit tests below run everywhere.
TRY_REPO = pytest.mark.skipif(
    os.environ.get("CI") != "true" and not os.environ.get("INFERC_TEST_TRY_REPO"),
    reason="pre-commit try-repo reinstalls the project every run; set INFERC_TEST_TRY_REPO=1 "
           "(always on under CI=true)")


@TRY_REPO
def test_try_repo_runs_the_shipped_hooks(config_repo: Path, hook_repo: tuple[Path, Path]) -> None:
    unknown_profile(config_repo)
    git(config_repo, "add", "-A")
    code, output = try_repo(config_repo, hook_repo)
    assert (code, output) == (1, BOTH_FAIL), output


@TRY_REPO
def test_try_repo_passes_a_good_change(config_repo: Path, hook_repo: tuple[Path, Path]) -> None:
    spec = config_repo / "models" / "llm" / "granite-8b.yaml"
    spec.write_text(spec.read_text().replace("memory: 24Gi", "memory: 32Gi"))
    assert run_cli("build", cwd=config_repo).exit_code == 0
    git(config_repo, "add", "-A")
    code, output = try_repo(config_repo, hook_repo)
    assert (code, output) == (0, (
        "inferc build --check.....................................................Passed\n"
        "inferc check.............................................................Passed\n")
    ), output


def test_passing_commit(config_repo: Path, hook_repo: tuple[Path, Path]) -> None:
    spec = config_repo / "models" / "llm" / "granite-8b.yaml"
    spec.write_text(spec.read_text().replace("memory: 24Gi", "memory: 32Gi"))
    assert run_cli("build", cwd=config_repo).exit_code == 0  # the output follows the spec
    code, output = commit(config_repo, hook_repo[1], "more memory")
    assert (code, output) == (0, (
        "inferc check.............................................................Passed\n"
        "inferc build --check.....................................................Passed\n")
    ), output
    assert git(config_repo, "status", "--porcelain") == ""


def test_failing_commit(config_repo: Path, hook_repo: tuple[Path, Path]) -> None:
    unknown_profile(config_repo)
    code, output = commit(config_repo, hook_repo[1], "a profile that does not exist")
    assert code == 1
    assert output == (
        "inferc check.............................................................Failed\n"
        "- hook id: inferc-check\n"
        "- exit code: 1\n\n" + PROBLEM + "\n"
        "inferc build --check.....................................................Failed\n"
        "- hook id: inferc-build-check\n"
        "- exit code: 1\n\n" + PROBLEM + "\n"), output  # hooks run in config order
    assert git(config_repo, "log", "--format=%s") == "initial\n"  # nothing was committed


def test_stale_output_fails_the_build_hook(config_repo: Path,
                                           hook_repo: tuple[Path, Path]) -> None:
    spec = config_repo / "models" / "vision" / "mobilenet.yaml"
    spec.write_text(spec.read_text().replace("displayName: MobileNet v2-7",
                                             "displayName: MobileNet v2-7 (vision)"))
    code, output = commit(config_repo, hook_repo[1], "output not rebuilt")
    assert code == 1
    assert output == (
        "inferc check.............................................................Passed\n"
        "inferc build --check.....................................................Failed\n"
        "- hook id: inferc-build-check\n- exit code: 1\n\n"
        "would change out/base/vision/mobilenet/inferenceservice-mobilenet.yaml\n\n"), output


def test_commit_that_pushes_a_namespace_over_its_quota(config_repo: Path,
                                                       hook_repo: tuple[Path, Path]) -> None:
    """A new spec alone is valid, but prod allows namespace llm 4 GPUs and granite-8b
    already takes them: inferc-check resolves the namespace's other models, so the
    commit stops at the hook, the error on the new spec and on the quota line."""
    source = config_repo / "models" / "llm" / "granite-8b.yaml"
    (config_repo / "models" / "llm" / "granite-2b.yaml").write_text(
        source.read_text().replace("name: granite-8b", "name: granite-2b"))
    code, output = commit(config_repo, hook_repo[1], "a second granite")
    assert code == 1
    quota = ('environments/prod.yaml:13:32: error: spec.quotas.llm["requests.nvidia.com/gpu"]: '
             "peak 8 exceeds the quota 4 by 4: steady state 6 (llm/granite-2b: 3 × 1, "
             "llm/granite-8b: 3 × 1) plus rolling-update surge 2 (llm/granite-2b: +1 × 1, "
             "llm/granite-8b: +1 × 1) [quota.exceeded]\n"
             "  hint: the steady state alone exceeds the quota; lower replicas or "
             "nvidia.com/gpu per pod, or raise the quota\n")

    def pushed(name: str) -> str:
        return (f"models/llm/{name}.yaml:15:20: error: spec.hardwareProfile: this model pushes "
                "namespace 'llm' over its quota requests.nvidia.com/gpu 4: the peak is 8 with "
                "it, 4 without it (in environment prod) [quota.exceeded]\n"
                "  hint: the steady state alone exceeds the quota; lower replicas or "
                "nvidia.com/gpu per pod, or raise the quota\n")

    assert output == (
        "inferc check.............................................................Failed\n"
        "- hook id: inferc-check\n"
        "- exit code: 1\n\n" + quota + pushed("granite-2b") + "2 errors in 2 files\n\n"
        "inferc build --check.....................................................Failed\n"
        "- hook id: inferc-build-check\n"
        "- exit code: 1\n\n" + quota + pushed("granite-2b") + pushed("granite-8b") +
        "3 errors in 3 files\n\n"), output
    assert git(config_repo, "log", "--format=%s") == "initial\n"  # nothing was committed


def test_monorepo_commit_skips_yaml_outside_the_config_repo(
        tmp_path: Path, hook_repo: tuple[Path, Path]) -> None:
    """The config repo in deploy/ of a bigger repo: a changed k8s/environments/prod.yaml
    matches the hook's ``files`` pattern but is nobody's spec; the commit passes."""
    top = tmp_path / "mono"
    repo = top / "deploy"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("out"))
    assert run_cli("build", cwd=repo).exit_code == 0
    other = top / "k8s" / "environments" / "prod.yaml"
    other.parent.mkdir(parents=True)
    other.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    snapshot = hook_repo[0]
    rev = git(snapshot, "rev-parse", "HEAD").strip()
    (top / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {snapshot}\n  rev: {rev}\n  hooks:\n  - id: inferc-check\n"
        "  - id: inferc-build-check\n    args: [--repo, deploy]\n")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "initial")
    _pre_commit(top, hook_repo[1], "install")
    other.write_text(other.read_text().replace("name: a", "name: b"))
    spec = repo / "models" / "llm" / "granite-8b.yaml"
    spec.write_text(spec.read_text().replace("memory: 24Gi", "memory: 32Gi"))
    assert run_cli("build", cwd=repo).exit_code == 0
    code, output = commit(top, hook_repo[1], "both folders")
    assert (code, output) == (0, (
        "inferc check.............................................................Passed\n"
        "inferc build --check.....................................................Passed\n")
    ), output
