"""Platform releases as data (presets/platforms/): the files, the record, the lookups."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

from compiler.platforms import all_platforms, by_key, platform_for, releases_of
from compiler.resources import schemas_dir


def test_every_release_file_loads_and_is_named_for_its_release() -> None:
    keys = [p.key for p in all_platforms()]
    assert keys == ["kserve-0.20", "openshift-ai-3.3", "openshift-ai-3.4", "openshift-ai-3.5"]


def test_environment_schema_offers_exactly_the_shipped_releases() -> None:
    schema = json.loads((schemas_dir() / "environment.schema.json").read_text())
    platform = schema["properties"]["spec"]["properties"]["platform"]
    offered = {(b["if"]["properties"]["name"]["const"], v)
               for b in platform["allOf"] for v in b["then"]["properties"]["version"]["enum"]}
    assert offered == {(p.name, p.version) for p in all_platforms()}


def test_first_release_with_a_feature_is_read_from_the_files() -> None:
    rhoai_33 = platform_for("openshift-ai", "3.3")
    assert rhoai_33.first_with("modelRouteTimeout") is rhoai_33  # the 3.3 timeout backport
    first = rhoai_33.first_with("llmdInlineSchedulerConfig")
    assert first is not None and first.display_name == "OpenShift AI 3.4"
    assert platform_for("kserve", "0.20").first_with("tokenAuthentication") is None
    assert [p.version for p in releases_of("openshift-ai")] == ["3.3", "3.4", "3.5"]


def test_kserve_default_deployment_mode_comes_from_the_release_configmap() -> None:
    # inferenceservice-config at v0.20.0 says "Serverless", which KServe reads as Knative.
    kserve = platform_for("kserve", "0.20")
    assert (kserve.default_mode, kserve.raw_mode) == ("Knative", "Standard")
    # OpenShift AI 3.3 still stores RawDeployment; 3.4 renamed it Standard, as upstream did.
    assert platform_for("openshift-ai", "3.3").raw_mode == "RawDeployment"
    assert platform_for("openshift-ai", "3.5").default_mode == "Standard"


def test_old_crd_set_names_are_aliases() -> None:
    found = by_key("rhoai-3.4")
    assert found is not None and found.key == "openshift-ai-3.4"
    assert by_key("kserve-0.20") is platform_for("kserve", "0.20")


def test_verify_accepts_platform_names_and_aliases(tmp_path: Path) -> None:
    manifest = tmp_path / "sa.yaml"
    manifest.write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: b}\n")
    for name in ("openshift-ai-3.4", "rhoai-3.4", "kserve-0.20", "upstream"):
        result = run_cli("verify", "--platform", name, manifest)
        assert result.exit_code == 0, (name, result.stdout, result.stderr)
    bad = run_cli("verify", "--platform", "rhoai-9.9", manifest)
    assert bad.exit_code == 2
    assert "known: kserve-0.20, odh-release-v0.17" in bad.stderr


def test_kserve_release_lacks_llmd_rollout_strategy() -> None:
    # The release's own LLMInferenceService CRD has no spec.rolloutStrategy (added on
    # master after v0.20.0); the platform file records it and the vendored schema agrees.
    assert platform_for("kserve", "0.20").has("llmdRolloutStrategy") is False
    index = json.loads((schemas_dir() / "crds" / "index.json").read_text())
    rel = index["kserve-0.20"]["serving.kserve.io/v1alpha2/LLMInferenceService"]
    schema = json.loads((schemas_dir() / "crds" / rel).read_text())
    assert "rolloutStrategy" not in schema["properties"]["spec"]["properties"]


def test_kserve_release_crd_set_rejects_what_only_master_has() -> None:
    from compiler.verify import Verifier

    llmisvc = {"apiVersion": "serving.kserve.io/v1alpha2", "kind": "LLMInferenceService",
               "metadata": {"name": "m", "namespace": "n"},
               "spec": {"model": {"uri": "hf://a/b"},
                        "rolloutStrategy": {"maxSurge": 0, "maxUnavailable": 1}}}
    release = Verifier(platform_for("kserve", "0.20").crd_sets).check(llmisvc, file="m.yaml")
    assert [(d.path, d.rule) for d in release] == [("spec.rolloutStrategy", "verify.unknown-field")]
    assert Verifier("upstream").check(llmisvc, file="m.yaml") == []  # master's CRD has it


def test_a_feature_a_release_lacks_names_the_first_release_that_has_it() -> None:
    from compiler.load import load_bytes
    from compiler.resolve.features import require
    from compiler.resolve.layers import SPEC, Origin

    doc = load_bytes(b"spec:\n  scheduler: {inline: {}}\n", "models/m.yaml").documents[0]
    origin = Origin(SPEC, doc, ("spec", "scheduler"))
    older, newer = platform_for("openshift-ai", "3.3"), platform_for("openshift-ai", "3.4")
    assert require(newer, "llmdInlineSchedulerConfig", "x", origin, "r") == []
    [diag] = require(older, "llmdInlineSchedulerConfig", "an inline scheduler configuration",
                     origin, "llmd.scheduler-config")
    assert (diag.file, diag.line, diag.col, diag.rule) == ("models/m.yaml", 2, 14,
                                                           "llmd.scheduler-config")
    assert diag.message == ("an inline scheduler configuration needs OpenShift AI 3.4 or "
                            "later; this environment targets 3.3")
    [never] = require(platform_for("kserve", "0.20"), "aiAsset", "an AI asset", origin, "r",
                      instead="remove it")
    assert (never.message, never.hint) == ("an AI asset does not exist on KServe 0.20",
                                           "remove it")
