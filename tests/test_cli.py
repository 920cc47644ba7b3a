"""One CLI: every command finds the config repo the same way, names files relative to
the current directory, and says in one stderr line that it succeeded."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, copy_repo, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose config repo lives in deploy/, as in many application repos."""
    copy_repo(EXAMPLE, tmp_path / "deploy")
    return tmp_path


def break_profile(repo: Path) -> None:
    spec = repo / "models" / "llm" / "granite-8b.yaml"
    spec.write_text(spec.read_text().replace("hardwareProfile: nvidia-gpu",
                                             "hardwareProfile: tpu-v5"))


PROBLEM = ("15:20: error: spec.hardwareProfile: no hardware profile 'tpu-v5' [profile.unknown]")


def test_diagnostics_name_files_from_the_current_directory(project: Path) -> None:
    break_profile(project / "deploy")
    result = run_cli("check", "--repo", "deploy", cwd=project)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"deploy/models/llm/granite-8b.yaml:{PROBLEM}"


def test_github_annotations_name_the_subfolder(project: Path) -> None:
    break_profile(project / "deploy")
    result = run_cli("check", "deploy", "--format", "github", cwd=project)
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "::error file=deploy/models/llm/granite-8b.yaml,line=15,col=20,"
        "title=inferc profile.unknown::spec.hardwareProfile: no hardware profile 'tpu-v5'")


def test_paths_outside_the_current_directory_are_absolute(project: Path, tmp_path: Path) -> None:
    break_profile(project / "deploy")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("build", project / "deploy", "-o", tmp_path / "out", cwd=elsewhere)
    assert result.exit_code == 1
    spec = (project / "deploy" / "models" / "llm" / "granite-8b.yaml").as_posix()
    assert result.stderr.splitlines()[0] == f"{spec}:{PROBLEM}"


@pytest.mark.parametrize("args", [
    ["check"], ["build", "--check"], ["render", "--env", "prod"],
    ["explain", "llm/granite-8b", "--env", "prod"], ["catalog"],
])
def test_every_command_finds_the_repo_upward(project: Path, args: list[str]) -> None:
    repo = project / "deploy"
    assert run_cli("build", cwd=repo).exit_code == 0  # so that build --check has a tree
    result = run_cli(*args, cwd=repo / "models" / "llm")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("inferc: "), result.stderr


def test_check_takes_a_directory(project: Path) -> None:
    whole = run_cli("check", "deploy", cwd=project)
    assert (whole.exit_code, whole.stdout) == (0, "")
    assert whole.stderr == "inferc: checked 4 models in 2 environments: no errors\n"
    folder = run_cli("check", "deploy/models/llm", cwd=project)
    assert folder.exit_code == 0, folder.stdout
    assert folder.stderr == "inferc: checked 1 model: no errors\n"
    break_profile(project / "deploy")
    assert run_cli("check", "deploy/models/vision", cwd=project).exit_code == 0
    broken = run_cli("check", "deploy/models/llm", cwd=project)
    assert broken.stdout.splitlines()[0] == f"deploy/models/llm/granite-8b.yaml:{PROBLEM}"


def test_two_different_repos_is_a_usage_error(project: Path) -> None:
    result = run_cli("build", "deploy", "--repo", "deploy/models", cwd=project)
    assert result.exit_code == 2
    assert "two config repos given" in result.stderr


def test_success_lines(project: Path) -> None:
    repo = project / "deploy"
    build = run_cli("build", cwd=repo)
    assert (build.exit_code, build.stdout) == (0, "")
    files = len([p for p in (repo / "out").rglob("*") if p.is_file()]) - 1  # not the marker
    assert build.stderr == f"inferc: wrote {files} files to out\n"
    again = run_cli("build", "--check", cwd=repo)
    assert again.stderr == f"inferc: out is up to date ({files} files)\n"
    render = run_cli("render", "--env", "dev", cwd=repo)
    count = render.stdout.count("\nkind: ") + render.stdout.startswith("kind: ")
    assert render.stderr == f"inferc: rendered {count} objects for environment dev\n"
    verify = run_cli("verify", "--platform", "rhoai-3.3",
                     *sorted((repo / "out" / "base").rglob("[!k]*.yaml")), cwd=repo)
    assert verify.exit_code == 0, verify.stdout
    assert verify.stdout == ""
    assert verify.stderr.startswith("inferc: verified ") and verify.stderr.endswith(
        " files against rhoai-3.3: no errors\n")


def test_no_progress_when_not_on_a_terminal(project: Path) -> None:
    """CliRunner's stderr is not a terminal: only the success line appears."""
    result = run_cli("build", cwd=project / "deploy")
    assert result.stderr.count("\n") == 1 and "\r" not in result.stderr


def test_catalog_lists_templates_profiles_and_releases(project: Path) -> None:
    repo = project / "deploy"
    env = repo / "environments" / "dev.yaml"
    env.write_text(env.read_text().replace(
        "spec:\n", "spec:\n  dashboardConfig:\n    templateDisablement: [vllm-rocm-runtime]\n", 1))
    text = run_cli("catalog", "--env", "dev", cwd=repo)
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "environment dev (release rhoai-3.3)"
    assert ("  vllm-rocm-runtime-template  (ServingRuntime vllm-rocm-runtime; built-in rhoai-3.3)"
            "  [disabled in environment 'dev' (dashboardConfig.templateDisablement)]") in lines
    assert ("  vllm-multinode-runtime-template  (ServingRuntime vllm-multinode-runtime; built-in "
            "rhoai-3.3)  [hidden from the wizard: label opendatahub.io/dashboard: \"false\"]"
            ) in lines
    assert "    nvidia.com/gpu (Accelerator): min 1, default 1, max 8" in lines
    assert "  rhoai-3.3  (this environment)" in lines
    data = json.loads(run_cli("catalog", "--env", "dev", "--format", "json", cwd=repo).stdout)
    ovms = next(t for t in data["templates"] if t["runtime"] == "kserve-ovms")
    assert ovms["formats"][:2] == ["openvino_ir:opset13", "onnx:1"]
    assert ovms["accelerators"] == ["nvidia.com/gpu"] and ovms["usable"] is True


def test_catalog_unknown_environment(project: Path) -> None:
    result = run_cli("catalog", "--env", "stage", cwd=project / "deploy")
    assert result.exit_code == 2
    assert result.stderr == "inferc: error: no environment 'stage' (known: dev, prod)\n"


def test_not_a_config_repo_names_the_start(tmp_path: Path) -> None:
    shutil.rmtree(tmp_path, ignore_errors=True)
    tmp_path.mkdir()
    result = run_cli("check", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no inferc.yaml in" in result.stderr


@pytest.mark.parametrize("args", [
    ["check"], ["build", "-o", "out2"], ["build", "--check"],
    ["render", "--env", "prod"], ["explain", "llm/granite-8b", "--env", "prod"], ["catalog"],
])
def test_every_command_takes_repo(project: Path, args: list[str]) -> None:
    """--repo from anywhere, with the same answer as from inside the repo."""
    assert run_cli("build", cwd=project / "deploy").exit_code == 0
    result = run_cli(*args[:1], "--repo", "deploy", *args[1:], cwd=project)
    assert result.exit_code == 0, result.stderr
    inside = run_cli(*args, cwd=project / "deploy")
    assert result.stdout == inside.stdout


@pytest.mark.parametrize("args, line", [
    (["check"], "inferc: checked # models in 2 environments: no errors"),
    (["build"], "inferc: wrote # files to out"),
    (["build", "--check"], "inferc: out is up to date (# files)"),
    (["render", "--env", "prod"], "inferc: rendered # objects for environment prod"),
    (["explain", "llm/granite-8b", "--env", "prod"],
     "inferc: explained llm/granite-8b in environment prod"),
    (["explain", "llm/granite-8b", "--env", "prod", "--format", "json"],
     "inferc: explained llm/granite-8b in environment prod"),
    (["catalog"], "inferc: listed # runtime templates and # hardware profiles for environment "
                  "prod"),
    (["schema"], "inferc: kinds listed; inferc schema KIND prints one"),
    (["schema", "Environment"], "inferc: printed the JSON Schema of Environment"),
    (["verify", "out/base/llm/granite-8b/inferenceservice-granite-8b.yaml"],
     "inferc: verified 1 file against upstream: no errors"),
    (["init", "fresh"], "inferc: created a config repo in fresh (# files); try: inferc build "
                        "fresh"),
])
def test_every_succeeding_command_says_so_in_one_stderr_line(
        project: Path, args: list[str], line: str) -> None:
    repo = project / "deploy"
    assert run_cli("build", cwd=repo).exit_code == 0
    result = run_cli(*args, cwd=repo)
    assert result.exit_code == 0, result.stderr
    # counts follow the example repo and the shipped presets, which other work changes
    assert re.fullmatch(re.escape(line).replace(r"\#", r"\d+") + "\n", result.stderr), \
        result.stderr


def test_progress_on_a_terminal(project: Path) -> None:
    """Progress lines on a terminal, each overwriting the last, then the success line."""
    leader, follower = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "compiler", "build"], cwd=project / "deploy",
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower,
                          check=False, timeout=120)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other end is closed and drained
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert (proc.returncode, proc.stdout) == (0, b"")
    text = seen.decode()
    assert re.search(r"\r\x1b\[Krendering environment dev \(\d+ models\)", text)
    assert re.search(r"\r\x1b\[Krendering environment prod \(\d+ models\)", text)
    assert re.search(r"\r\x1b\[Kinferc: wrote \d+ files to out\r\n$", text)  # the pty's newline
