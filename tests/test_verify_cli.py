"""``inferc verify`` end to end: known-bad manifests are reported with located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

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
