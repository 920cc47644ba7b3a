"""``inferc verify`` end to end: known-bad manifests are reported with located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_cli

from compiler.cli import cli

HERE = Path(__file__).parent / "verify"
BAD = ["builtin-bad.yaml", "inference-criticality.yaml", "isvc-misspelled.yaml",
       "llmisvc-docs-router-template.yaml", "llmisvc-inline-string.yaml",
       "llmisvc-kvcache-misplaced.yaml", "ratelimit-window.yaml"]


def test_known_bad_manifests_through_the_cli(snapshot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(HERE)
    result = run_cli("verify", *BAD)
    assert result.exit_code == 1
    for name in BAD:
        assert f"{name}:" in result.stdout, name
    snapshot.snapshot_dir = HERE / "expected"
    snapshot.assert_match(result.stdout, "known-bad.txt")


def test_documentation_llmisvc_example_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    result = run_cli("verify", "--platform", "rhoai-3.3", "llmisvc-docs-router-template.yaml")
    assert result.exit_code == 1
    assert "spec.router.template: unknown field 'template'" in result.stdout


def test_valid_manifests_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    result = run_cli("verify", "--platform", "rhoai-3.5", "valid-openshift-ai.yaml",
                     "valid-token-auth.yaml")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


def test_missing_schema_is_an_error_unless_ignored(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("foo.yaml").write_text("apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: x\n")
    result = run_cli("verify", "foo.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "foo.yaml:2:7: error: kind: no schema for example.com/v1/Foo [verify.no-schema]")
    ignored = run_cli("verify", "--ignore-missing-schemas", "foo.yaml")
    assert (ignored.exit_code, ignored.stdout) == (0, "")


def test_unknown_platform_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    result = run_cli("verify", "--platform", "rhoai-9.9", "no-schema.yaml")
    assert result.exit_code == 2
    assert "unknown --platform 'rhoai-9.9'" in result.stderr


def test_api_server_rules_apply_to_hand_written_manifests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    result = run_cli("verify", "--platform", "rhoai-3.4", "apiserver-rejects.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:3] == [
        'apiserver-rejects.yaml:26:31: error: spec.template.spec.containers[0].resources.requests'
        '["nvidia.com/gpu"]: nvidia.com/gpu is requested without a limit; Kubernetes requires '
        'limits.nvidia.com/gpu equal to the request for a resource it cannot overcommit '
        '[verify.resources]',
        "  hint: add limits: {nvidia.com/gpu: 1}",
    ]
    assert result.stdout.splitlines()[-1] == "12 errors in 1 file"


KUSTOMIZE = ["kustomize/base/kustomization.yaml", "kustomize/base/servingruntime.yaml",
             "kustomize/overlay/kustomization.yaml",
             "kustomize/overlay/patch-servingruntime-chat.yaml",
             "kustomize/overlay/patch-replicas.yaml"]


def test_kustomize_files_are_checked_as_kustomize_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    result = run_cli("verify", *KUSTOMIZE)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "kustomize/base/kustomization.yaml:5:3: error: resources[1]: 'inferenceservice.yaml' "
        "does not exist (paths are relative to this kustomization's folder) "
        "[verify.kustomization]",
        "kustomize/overlay/kustomization.yaml:6:3: error: resources[1]: '../elsewhere' does not "
        "exist (paths are relative to this kustomization's folder) [verify.kustomization]",
        "kustomize/overlay/kustomization.yaml:10:9: error: patches[1].path: "
        "'patch-inferenceservice-chat.yaml' does not exist (paths are relative to this "
        "kustomization's folder) [verify.kustomization]",
        "kustomize/overlay/patch-servingruntime-chat.yaml:4:7: error: [1].op: op 'update' is not "
        "a JSON patch operation (add, remove, replace, move, copy, test) [verify.patch]",
        "kustomize/overlay/patch-servingruntime-chat.yaml:6:3: error: [2]: add needs 'value' "
        "[verify.patch]",
        "kustomize/overlay/patch-servingruntime-chat.yaml:7:9: error: [2].path: path must be a "
        "JSON pointer starting with '/' [verify.patch]",
        "kustomize/overlay/patch-servingruntime-chat.yaml:8:3: error: [3]: move needs 'from' "
        "[verify.patch]",
        "7 errors in 3 files",
    ]


def test_a_strategic_merge_patch_is_verified_only_as_an_object_of_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Named as a patch by a kustomization that is verified with it, it is a partial object;
    # alone, nothing says it is a patch, and it is what it looks like.
    monkeypatch.chdir(HERE)
    alone = run_cli("verify", "kustomize/overlay/patch-replicas.yaml")
    assert alone.stdout.splitlines() == [
        "kustomize/overlay/patch-replicas.yaml:7:1: error: spec: missing required field "
        "'selector' [verify.schema]",
        "kustomize/overlay/patch-replicas.yaml:7:1: error: spec: missing required field "
        "'template' [verify.schema]",
        "2 errors in 1 file",
    ]
    other = run_cli("verify", "kustomize/base/kustomization.yaml",
                    "kustomize/overlay/patch-replicas.yaml")
    assert "patch-replicas.yaml:7:1: error" in other.stdout  # base/ does not name it
    named = run_cli("verify", "kustomize/overlay/kustomization.yaml",
                    "kustomize/overlay/patch-replicas.yaml")
    assert "patch-replicas.yaml" not in named.stdout
    assert named.stdout.splitlines()[-1] == "2 errors in 1 file"


def test_the_whole_output_tree_verifies(tmp_path: Path) -> None:
    """``inferc verify $(find out -name '*.yaml')``: objects against the schemas, and the
    tree's kustomizations and JSON patches as what they are, without errors."""
    repo = Path(__file__).parent / "cases" / "golden" / "dashboard-parity" / "repo"
    out = tmp_path / "out"
    assert run_cli("build", "-o", out, cwd=repo).exit_code == 0
    files = sorted(out.rglob("*.yaml"))
    patches = [f for f in files if f.name.startswith("patch-")]
    kustomizations = [f for f in files if f.name == "kustomization.yaml"]
    assert patches and kustomizations
    result = run_cli("verify", "--platform", "openshift-ai-3.4", *files)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.splitlines()[-1] == (
        f"inferc: verified {len(files)} files against openshift-ai-3.4: no errors "
        f"({len(patches) + len(kustomizations)} kustomize files checked as such; what an "
        "overlay builds: kubectl kustomize DIR | inferc verify -)")


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    text = (HERE / "apiserver-rejects.yaml").read_text()
    result = CliRunner().invoke(cli, ["verify", "--platform", "rhoai-3.4", "-"], input=text)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "<stdin>:16:23: error: spec.strategy.rollingUpdate.maxUnavailable: maxUnavailable 150% "
        "is above 100% [verify.rollout]")


def test_a_list_of_objects_is_neither_object_nor_patch(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("list.yaml").write_text("- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n")
    result = run_cli("verify", "list.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "list.yaml:1:1: error: $: a list at the top of the document is neither a Kubernetes "
        "object nor a JSON patch (a list of operations with op and path) [verify.patch]",
        "  hint: write objects as YAML documents separated by '---'",
        "1 error in 1 file",
    ]
