"""Found by the review lane acting as a new user and as an attacker: each test is one
defect, driven through the CLI as the user met it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import run_cli
from test_diff import _GIT_ENV, History

from compiler import gitrev
from compiler.load import MAX_BYTES


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "git")


def test_scaffold_commands_run_as_written(tmp_path: Path) -> None:
    """The commands a scaffolded spec's comment suggests work when pasted in the new repo
    (init makes two environments, so explain needs --env)."""
    made = run_cli("init", tmp_path / "repo")
    assert made.exit_code == 0, made.stderr
    spec = (tmp_path / "repo" / "models" / "demo" / "mobilenet.yaml").read_text()
    commands = re.findall(r"`(inferc [^`]+)`", spec)
    assert commands == ["inferc catalog", "inferc explain demo/mobilenet --env dev"]
    for command in commands:
        run = run_cli(*shlex.split(command)[1:], cwd=tmp_path / "repo")
        assert run.exit_code == 0, (command, run.stderr)


@pytest.mark.parametrize("given", ["nope", "../x", "llm/a/b", "llm/..", "./x", "llm/"])
def test_explain_names_its_own_argument_in_a_usage_error(history: History,
                                                          given: str) -> None:
    run = run_cli("explain", given, cwd=history.config)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == f"inferc: error: explain takes NAMESPACE/NAME, not '{given}'\n"
    render = run_cli("render", "--env", "prod", "--model", given, cwd=history.config)
    assert (render.exit_code, render.stderr) == (
        2, f"inferc: error: --model takes NAMESPACE/NAME, not '{given}'\n")


def test_diff_never_reads_a_blob_over_the_size_limit(history: History,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit can hold gigabytes that compress to kilobytes: the base revision's
    oversized file is refused by its size without being read into memory."""
    big = b"a" * (MAX_BYTES + 1)
    history.write("models/llm/huge.yaml", big.decode())
    history.commit("a huge file")
    blob = history.git("rev-parse", "HEAD:models/llm/huge.yaml").strip()
    history.remove("models/llm/huge.yaml")
    asked: list[str] = []
    real = gitrev._blobs

    def recording(repo: gitrev.GitRepo, blobs: Sequence[str]) -> dict[str, bytes]:
        asked.extend(blobs)
        return real(repo, blobs)

    monkeypatch.setattr(gitrev, "_blobs", recording)
    run = history.diff("--base", "main")
    assert run.exit_code == 1
    assert run.stdout == (
        "inferc diff: the base revision (main (" + history.git("rev-parse", "--short=7",
                                                               "HEAD").strip() +
        ")) does not compile; no diff\n"
        f"models/llm/huge.yaml:1:1: error: $: file is {MAX_BYTES + 1} bytes; the limit is "
        f"{MAX_BYTES} [load.too-large]\n"
        "1 error in 1 file\n")
    assert asked and blob not in asked


def _crafted(history: History, extra: str) -> str:
    """A commit of HEAD's tree plus ``extra`` ls-tree lines (git mktree takes what git
    itself would never write)."""
    listing = history.git("ls-tree", "HEAD") + extra
    tree = subprocess.run(["git", "mktree"], cwd=history.top, capture_output=True, text=True,
                          check=True, input=listing).stdout.strip()
    return subprocess.run(["git", "commit-tree", tree, "-m", "crafted"], cwd=history.top,
                          capture_output=True, text=True, check=True,
                          env={**os.environ, **_GIT_ENV}).stdout.strip()


@pytest.mark.parametrize("name", ["inferc.yaml", "models"])
def test_diff_of_a_tree_naming_a_path_twice_is_one_line(history: History, name: str) -> None:
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=history.top,
                          capture_output=True, text=True, check=True,
                          input="x: 1\n").stdout.strip()
    crafted = _crafted(history, f"100644 blob {blob}\t{name}\n")
    run = history.diff("--base", crafted)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (f"inferc: error: the revision holds the path '{name}' twice; "
                          "refusing to read it\n")


def test_diff_of_a_crafted_link_too_long_for_any_file_system(history: History) -> None:
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=history.top,
                          capture_output=True, text=True, check=True,
                          input="a" * 5000).stdout.strip()
    crafted = _crafted(history, f"120000 blob {blob}\tlink\n")
    run = history.diff("--base", crafted)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == ("inferc: error: the revision holds a symbolic link 'link' whose "
                          "target is 5000 bytes; refusing to read it\n")


BROKEN_PROFILE = """\
apiVersion: infrastructure.opendatahub.io/v1
kind: HardwareProfile
metadata: {name: gpu-large, namespace: redhat-ods-applications}
spec:
  identifiers:
  - {identifier: cpu, displayName: CPU, resourceType: CPU, minCount: 1, defaultCount: 2, maxCount: 4}
  - identifier: [memory]
    displayName: Memory
    resourceType: Memory
    minCount: 2Gi
    defaultCount: 4Gi
    maxCount: 8Gi
---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: mobilenet
  namespace: demo
  annotations:
    opendatahub.io/hardware-profile-name: gpu-large
    opendatahub.io/hardware-profile-namespace: redhat-ods-applications
spec:
  predictor:
    minReplicas: 3
    maxReplicas: 3
    model:
      modelFormat: {name: onnx, version: "1"}
      storageUri: oci://quay.io/mlops-demo/mobilenet-v2-7:1.0
"""


def test_import_of_a_hardware_profile_breaking_its_schema_is_located(tmp_path: Path) -> None:
    """A HardwareProfile in the input is read for its defaults before the round trip
    checks it: one whose identifier is not a string crashed the importer (exit 3)."""
    assert run_cli("init", tmp_path / "repo").exit_code == 0
    (tmp_path / "cluster.yaml").write_text(BROKEN_PROFILE)
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "repo").rglob("*"))
    run = run_cli("import", "../cluster.yaml", "--force", cwd=tmp_path / "repo")
    assert run.exit_code == 1, run.stderr
    errors = [line for line in run.stderr.splitlines() if ": error: " in line]
    assert errors == [
        f"{tmp_path}/cluster.yaml:1:1: error: $: HardwareProfile redhat-ods-applications/gpu-large: in "
        "the generated presets/hardware-profiles/gpu-large.yaml: spec.identifiers[1].identifier:"
        " expected a string, found a list [schema.type]",
        f"{tmp_path}/cluster.yaml:14:1: error: $: InferenceService demo/mobilenet: in the "
        "generated models/demo/mobilenet.yaml: spec.hardwareProfile: no hardware profile "
        "'gpu-large' [profile.unknown]"]
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "repo").rglob("*")) == before


@pytest.mark.parametrize("given", ["nan", "NaN"])
def test_build_wait_refuses_nan(tmp_path: Path, given: str) -> None:
    """``nan`` passed the x>=0 range and made a waiting build wait for ever."""
    assert run_cli("init", tmp_path / "repo").exit_code == 0
    run = run_cli("build", "--wait", given, cwd=tmp_path / "repo")
    assert run.exit_code == 2
    assert f"Invalid value for '--wait': '{given}' is not a number of seconds" in run.stderr
    assert not (tmp_path / "repo" / "out").exists()
