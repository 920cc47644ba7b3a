"""The Lua health checks in argocd/health/, run as Argo CD runs them (Lua 5.1, the
object as a global ``obj``), against Argo CD's own test data and Kuadrant status shapes.

Also checks that argocd/argocd-cm.yaml embeds each script byte for byte, so the file a
team applies is the file tested here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

lupa = pytest.importorskip("lupa.lua51")  # Argo CD's gopher-lua implements Lua 5.1

HEALTH = ROOT / "argocd" / "health"
DATA = Path(__file__).parent / "argocd" / "health"
# Argo CD reports a resource pending deletion itself, before any Lua check runs
HANDLED_BY_ARGO = {"testdata/terminating.yaml"}

CHECKS = {  # test-data folder → script
    "serving.kserve.io/InferenceService": "inferenceservice.lua",
    "serving.kserve.io/LLMInferenceService": "llminferenceservice.lua",
    "kuadrant.io": "kuadrant-policy.lua",
}


def to_lua(runtime: Any, value: Any) -> Any:
    """JSON-shaped data as Argo CD hands it to Lua: maps and 1-based arrays as tables."""
    if isinstance(value, dict):
        return runtime.table_from({k: to_lua(runtime, v) for k, v in value.items()})
    if isinstance(value, list):
        return runtime.table_from([to_lua(runtime, v) for v in value])
    return value


def health(script: str, obj: dict[str, Any]) -> dict[str, str]:
    runtime = lupa.LuaRuntime(unpack_returned_tuples=True)
    runtime.globals().obj = to_lua(runtime, obj)
    result = runtime.execute(script)
    return {"status": result["status"], "message": result["message"]}


def cases() -> list[tuple[str, str, dict[str, str]]]:
    found = []
    for folder in CHECKS:
        spec = yaml.safe_load((DATA / folder / "health_test.yaml").read_text())
        found += [(folder, t["inputPath"], t["healthStatus"]) for t in spec["tests"]
                  if t["inputPath"] not in HANDLED_BY_ARGO]
    return found


@pytest.mark.parametrize("folder, input_path, expected", cases(),
                         ids=[f"{c[0]}:{c[1]}" for c in cases()])
def test_health_check(folder: str, input_path: str, expected: dict[str, str]) -> None:
    script = (HEALTH / CHECKS[folder]).read_text()
    obj = yaml.safe_load((DATA / folder / input_path).read_text())
    got = health(script, obj)
    if folder == "serving.kserve.io/InferenceService" and expected["status"] != "Suspended" \
            and expected["status"] != "Healthy":
        # Argo CD 3.3's messages number every condition; ours name them. The verdict is
        # what must agree with Argo CD 3.3 (the release that judges a stopped model right).
        assert got["status"] == expected["status"], got
        assert got["message"], got
    else:
        assert got == expected


def test_isvc_false_condition_without_rollout_is_degraded() -> None:
    """Where Argo CD 3.3 keeps a raw-deployment model with PredictorReady=False in
    Progressing forever (argoproj/argo-cd#25263's sibling complaint), ours says Degraded."""
    obj = {"metadata": {"generation": 1}, "status": {"conditions": [
        {"type": "PredictorReady", "status": "False", "reason": "MinimumReplicasUnavailable"},
        {"type": "Ready", "status": "False"}]}}
    assert health((HEALTH / "inferenceservice.lua").read_text(), obj) == {
        "status": "Degraded",
        "message": "PredictorReady is False (MinimumReplicasUnavailable); Ready is False"}


def test_lua_51_semantics() -> None:
    """The runtime is Lua 5.1 (goto and integer division do not exist there)."""
    runtime = lupa.LuaRuntime()
    assert runtime.eval("_VERSION") == "Lua 5.1"


def test_argocd_cm_embeds_the_tested_scripts() -> None:
    cm = yaml.safe_load((ROOT / "argocd" / "argocd-cm.yaml").read_text())
    data = cm["data"]
    expected = {
        "resource.customizations.health.kuadrant.io_AuthPolicy": "kuadrant-policy.lua",
        "resource.customizations.health.kuadrant.io_RateLimitPolicy": "kuadrant-policy.lua",
        "resource.customizations.health.kuadrant.io_TokenRateLimitPolicy": "kuadrant-policy.lua",
        "resource.customizations.health.serving.kserve.io_LLMInferenceService":
            "llminferenceservice.lua",
    }
    for key, script in expected.items():
        assert data[key] == (HEALTH / script).read_text(), key
    # InferenceService: only for Argo CD < 3.3, shipped as a separate patch
    older = yaml.safe_load((ROOT / "argocd" / "argocd-cm-before-3.3.yaml").read_text())
    assert older["data"]["resource.customizations.health.serving.kserve.io_InferenceService"] \
        == (HEALTH / "inferenceservice.lua").read_text()


# Fixtures whose status the API server would not store as written. Argo CD's
# stale_condition.yaml gives each condition an observedGeneration, which the KServe
# controller's conditions (Knative duckv1) do not have: the CRD prunes it. Our check reads
# it only when present, so that case proves nothing wrong, but it is no real shape.
NOT_STORED = {"serving.kserve.io/LLMInferenceService:testdata/stale_condition.yaml"}


def _status_validators(api_version: str, kind: str) -> list[tuple[str, Any]]:
    """A closed validator of ``status`` for each platform release serving the kind."""
    import json

    import jsonschema_rs

    from compiler.platforms import all_platforms
    from compiler.resources import schemas_dir
    from compiler.verify import close_schema

    index = json.loads((schemas_dir() / "crds" / "index.json").read_text())
    found: dict[str, str] = {}
    for platform in all_platforms():
        entry = next((index[s][f"{api_version}/{kind}"] for s in platform.crd_sets
                      if f"{api_version}/{kind}" in index[s]), None)
        if entry is not None and entry not in found.values():
            found[platform.key] = entry
    return [(key, jsonschema_rs.Draft4Validator(close_schema(json.loads(
        (schemas_dir() / "crds" / entry).read_text())["properties"]["status"])))
        for key, entry in sorted(found.items())]


@pytest.mark.parametrize("folder, input_path, expected", cases(),
                         ids=[f"{c[0]}:{c[1]}" for c in cases()])
def test_fixture_status_is_what_the_controller_can_store(
        folder: str, input_path: str, expected: dict[str, str]) -> None:
    """Each test object's status passes the status schema of the CRDs of every release
    inferc targets that serves it: the shapes the checks are judged on are real ones."""
    obj = yaml.safe_load((DATA / folder / input_path).read_text())
    validators = _status_validators(obj["apiVersion"], obj["kind"])
    assert validators, (obj["apiVersion"], obj["kind"])
    refused = {key for key, v in validators if not v.is_valid(obj.get("status", {}))}
    assert bool(refused) == (f"{folder}:{input_path}" in NOT_STORED), refused
