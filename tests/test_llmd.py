"""llm-d target: scheduler configuration against each scheduler's registry, explain, release
facts. Output shapes are in the golden cases llmd-patterns and llmd-routing; exact errors in
tests/cases/invalid/llmd-*."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import copy_repo, run_cli

from compiler.diagnostics import Diagnostic, DocPath, Severity
from compiler.resolve import epp

GOLDEN = Path(__file__).parent / "cases" / "golden"
EXPLAIN = Path(__file__).parent / "cases" / "explain" / "llmd"
PLATFORMS = [("openshift-ai", "3.3"), ("openshift-ai", "3.4"), ("openshift-ai", "3.5"),
             ("kserve", "0.20")]


def _problems(config: dict[str, Any], sched: epp.Scheduler) -> list[str]:
    found: list[str] = []

    def report(path: DocPath, message: str, rule: str, hint: str | None, *,
               severity: Severity = Severity.ERROR) -> Diagnostic:
        found.append(f"{'.'.join(map(str, path))}: {message}")
        return Diagnostic("x", 1, 1, "", message, rule, severity)

    epp.check(config, sched, report)
    return found


@pytest.mark.parametrize("platform, release", PLATFORMS)
def test_every_release_names_a_vendored_scheduler(platform: str, release: str) -> None:
    facts = epp.platform_scheduler(platform, release)
    assert facts is not None
    sched, pod = facts
    assert "single-profile-handler" in sched.plugins and sched.api_versions
    assert pod.replicas == 1 and "cpu" in pod.requests


@pytest.mark.parametrize("platform, release", PLATFORMS)
def test_configs_inferc_writes_pass_their_own_scheduler(platform: str, release: str) -> None:
    facts = epp.platform_scheduler(platform, release)
    assert facts is not None
    sched = facts[0]
    approx = epp.prefix_cache(sched, {"prefix-cache-scorer": 5})
    precise = epp.precise_prefix_cache(sched, epp.DEFAULT_WEIGHTS, block_size=64, model_name="m",
                                       tokenizer="org/m", workload_url="https://m:8000")
    assert _problems(approx, sched) == []
    assert _problems(precise, sched) == []
    assert approx["apiVersion"] == sched.api_version


def test_v0_9_splits_the_precise_scorer_and_v0_7_does_not() -> None:
    new, old = epp.scheduler("rhoai-3.5"), epp.scheduler("rhoai-3.4")
    kwargs: dict[str, Any] = dict(block_size=32, model_name="m", tokenizer="org/m",
                                  workload_url="https://m:8000")
    types_new = [p["type"] for p in epp.precise_prefix_cache(new, {}, **kwargs)["plugins"]]
    types_old = [p["type"] for p in epp.precise_prefix_cache(old, {}, **kwargs)["plugins"]]
    assert "precise-prefix-cache-producer" in types_new and "token-producer" in types_new
    assert "precise-prefix-cache-scorer" in types_old
    assert "precise-prefix-cache-producer" not in types_old


def test_older_scheduler_keys_fail_on_a_newer_one() -> None:
    """A v0.7 config (prefix-cache-scorer parameters, top-level data) breaks v0.9+."""
    config = {"apiVersion": "llm-d.ai/v1alpha1", "kind": "EndpointPickerConfig",
              "data": {"sources": []},
              "plugins": [{"type": "prefix-cache-scorer", "parameters": {"blockSizeTokens": 64}}],
              "schedulingProfiles": [{"name": "default",
                                      "plugins": [{"pluginRef": "prefix-cache-scorer"}]}]}
    assert _problems(config, epp.scheduler("v0.9")) == [
        "data: scheduler v0.9 does not accept the top-level key 'data' and would refuse to start",
        "plugins.0.parameters.blockSizeTokens: plugin 'prefix-cache-scorer' of scheduler v0.9 has "
        "no parameter 'blockSizeTokens' (the scheduler refuses to start on unknown parameters)"]
    # v0.7 reads the old apiVersion only, and ignores unknown parameters rather than failing
    assert _problems(config, epp.scheduler("v0.7")) == [
        "apiVersion: scheduler v0.7 reads apiVersion inference.networking.x-k8s.io/v1alpha1, "
        "not 'llm-d.ai/v1alpha1'"]


def test_integer_weights_on_old_schedulers() -> None:
    config = {"apiVersion": "inference.networking.x-k8s.io/v1alpha1",
              "kind": "EndpointPickerConfig",
              "plugins": [{"type": "queue-scorer"}],
              "schedulingProfiles": [{"name": "default",
                                      "plugins": [{"pluginRef": "queue-scorer", "weight": 1.5}]}]}
    assert _problems(config, epp.scheduler("rhoai-3.3")) == [
        "schedulingProfiles.0.plugins.0.weight: scheduler rhoai-3.3 reads integer weights"]
    assert _problems(config, epp.scheduler("rhoai-3.4")) == []


def _llm_d(stream: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in yaml.safe_load_all(stream)
            if d and d["kind"] == "LLMInferenceService"}


def test_each_release_gets_the_version_its_dashboard_writes(tmp_path: Path) -> None:
    repo = copy_repo(GOLDEN / "llmd-patterns" / "repo", tmp_path / "repo")
    versions = {}
    for env in ("rhoai-33", "rhoai-35"):
        result = run_cli("render", "--env", env, cwd=repo)
        assert result.exit_code == 0, result.stderr
        versions[env] = {d["apiVersion"] for d in _llm_d(result.stdout).values()}
    assert versions == {"rhoai-33": {"serving.kserve.io/v1alpha1"},
                        "rhoai-35": {"serving.kserve.io/v1alpha2"}}


def test_worker_and_prefill_pods_get_the_profile_scheduling(tmp_path: Path) -> None:
    """The hardware-profile webhook reaches spec.template only (DESIGN rule 6)."""
    repo = copy_repo(GOLDEN / "llmd-patterns" / "repo", tmp_path / "repo")
    result = run_cli("render", "--env", "rhoai-35", cwd=repo)
    objects = _llm_d(result.stdout)
    toleration = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    wide, pd = objects["deepseek-wide"]["spec"], objects["granite-pd"]["spec"]
    assert wide["worker"]["tolerations"] == toleration
    assert pd["prefill"]["template"]["tolerations"] == toleration
    assert "tolerations" not in wide["template"]  # left to the webhook, as the wizard does


def test_quota_counts_every_llm_d_pod(tmp_path: Path) -> None:
    repo = copy_repo(GOLDEN / "llmd-patterns" / "repo", tmp_path / "repo")
    result = run_cli("explain", "llm/deepseek-wide", "--env", "rhoai-35", "--format", "json",
                     cwd=repo)
    roles = {r["role"]: (r["pods"], r["surge"]) for r in
             json.loads(result.stdout)["target"]["podRoles"]}
    # 16 data-parallel ranks at 8 per pod: a leader and one worker per replica; the
    # LeaderWorkerSet does not surge, the scheduler Deployment does
    assert roles == {"main": (1, 0), "worker": (1, 0), "scheduler": (1, 1)}


@pytest.mark.parametrize("model, env", [("granite-pd", "rhoai-35"), ("deepseek-wide", "rhoai-33")])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_explain_llm_d(model: str, env: str, fmt: str, tmp_path: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    repo = copy_repo(GOLDEN / "llmd-patterns" / "repo", tmp_path / "repo")
    result = run_cli("explain", f"llm/{model}", "--env", env, "--format", fmt, cwd=repo)
    assert result.exit_code == 0, result.stderr
    snapshot.snapshot_dir = EXPLAIN
    snapshot.assert_match(result.stdout, f"{model}-{env}.{'txt' if fmt == 'text' else 'json'}")


def test_explain_shows_the_scheduler_configuration(tmp_path: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    repo = copy_repo(GOLDEN / "llmd-routing" / "repo", tmp_path / "repo")
    result = run_cli("explain", "llm/qwen-precise", "--env", "rhoai-34", cwd=repo)
    assert result.exit_code == 0, result.stderr
    snapshot.snapshot_dir = EXPLAIN
    snapshot.assert_match(result.stdout, "qwen-precise-rhoai-34.txt")


def test_stop_then_start_where_the_crd_has_a_rollout_strategy(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """No release inferc targets has spec.rolloutStrategy yet (KServe added it after 0.20); a
    release whose platform file turns llmdRolloutStrategy on gets stop-then-start and no surge,
    valid against the CRD that has the field (KServe's default branch, set ``upstream``)."""
    from dataclasses import replace

    from compiler.pipeline import load_and_resolve, render_all
    from compiler.resolve import llmd
    from compiler.verify import Verifier

    real = llmd.release
    monkeypatch.setattr(llmd, "release", lambda env: replace(real(env), rollout_strategy=True))
    repo = copy_repo(GOLDEN / "llmd-patterns" / "repo", tmp_path / "repo")
    compiled = load_and_resolve(repo, env_names=["rhoai-35"])
    assert not [d for d in compiled.diagnostics if d.is_error]
    envs, _ = render_all(compiled, verify=False)
    objects = {o["metadata"]["name"]: o for m in envs[0].models for o in m.objects
               if o["kind"] == "LLMInferenceService"}
    pd = objects["granite-pd"]
    assert pd["spec"]["rolloutStrategy"] == {"maxSurge": 0, "maxUnavailable": "100%"}
    assert pd["spec"]["prefill"]["rolloutStrategy"] == {"maxSurge": 0, "maxUnavailable": "100%"}
    assert Verifier(crd_set="upstream").check(pd, file="x") == []
    rd = next(r for r in compiled.deployments["rhoai-35"] if r.key.name == "granite-pd")
    assert {g.role: g.surge_pods for g in rd.pod_groups} == {"main": 0, "prefill": 0,
                                                            "scheduler": 0}


def test_kserve_only_fields_are_errors_on_llm_d(tmp_path: Path) -> None:
    repo = copy_repo(GOLDEN / "llmd-patterns" / "repo", tmp_path / "repo")
    path = repo / "models" / "llm" / "granite-direct.yaml"
    path.write_text(path.read_text().replace(
        "  runtime: llm-d\n",
        "  runtime: llm-d\n  scaling: {minReplicas: 1, maxReplicas: 3}\n  timeout: 30\n"))
    result = run_cli("check", cwd=repo)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if "error: " in line]
    assert lines == [
        "models/llm/granite-direct.yaml:13:12: error: spec.scaling: inferc writes llm-d models "
        "with a fixed replica count; autoscaling of LLMInferenceService is not modelled "
        "[llmd.scaling]",
        "models/llm/granite-direct.yaml:14:12: error: spec.timeout: the model route timeout is a "
        "field of KServe InferenceServices; an llm-d model is reached through the inference "
        "gateway's HTTPRoute [llmd.timeout]"]


def test_environment_defaults_and_overrides_set_llm_d_settings(tmp_path: Path) -> None:
    """``llmd`` in an environment's defaults reaches that environment's llm-d models (and
    no KServe model); an override merges per key with the rest of the block."""
    from conftest import EXAMPLE

    repo = copy_repo(EXAMPLE, tmp_path / "repo")
    prod = repo / "environments" / "prod.yaml"
    prod.write_text(prod.read_text().replace('version: "3.3"', 'version: "3.5"'))
    before = {env: run_cli("render", "--env", env, cwd=repo).stdout for env in ("dev", "prod")}
    prod.write_text(prod.read_text().replace(
        "  defaults:\n    replicas: 3\n",
        "  defaults:\n    replicas: 3\n    llmd:\n      router:\n        routing: prefix-cache\n")
        + "  overrides:\n    assistants/granite-llmd:\n      llmd:\n        router:\n"
          "          weights: {prefix-cache-scorer: 5}\n")
    after = run_cli("render", "--env", "prod", cwd=repo)
    assert after.exit_code == 0, after.stderr
    assert run_cli("render", "--env", "dev", cwd=repo).stdout == before["dev"]
    old, new = (list(yaml.safe_load_all(t)) for t in (before["prod"], after.stdout))
    assert [d for d in new if d["kind"] != "LLMInferenceService"] == [
        d for d in old if d["kind"] != "LLMInferenceService"]  # KServe models untouched
    assert _llm_d(before["prod"])["granite-llmd"]["spec"]["router"]["scheduler"] == {}
    inline = _llm_d(after.stdout)["granite-llmd"]["spec"]["router"]["scheduler"]["config"]["inline"]
    weights = {p["pluginRef"]: p.get("weight") for p in inline["schedulingProfiles"][0]["plugins"]}
    assert weights["prefix-cache-scorer"] == 5 and weights["queue-scorer"] == 2
    explained = run_cli("explain", "assistants/granite-llmd", "--env", "prod", cwd=repo).stdout
    rows = {line.split()[0]: line for line in explained.splitlines() if "spec.llmd" in line}
    assert "environment default" in rows["spec.llmd.router.routing"]
    assert "environment override" in rows["spec.llmd.router.weights.prefix-cache-scorer"]
    kserve = run_cli("explain", "llm/granite-8b", "--env", "prod", cwd=repo).stdout
    assert "llmd" not in kserve


@pytest.mark.parametrize("case, model, env, section", [
    ("llmd-edge", "llm/chat", "kserve", [
        "gateway: kserve/kserve-ingress-gateway (spec.gateway); route chat-kserve-route",
        "  trusted namespaces: llm; llm is trusted",
        "  Kuadrant: installed",
        "  authentication: tokens default-name; AuthPolicy by inferc",
        "  rate limits: requests 60/1m, 2000/1h (RateLimitPolicy); tokens 500000/24h "
        "(TokenRateLimitPolicy), by inferc"]),
    ("llmd-edge", "llm/demo", "rhoai-35", [
        "gateway: openshift-ingress/openshift-ai-inference (OpenShift AI 3.5 default); route "
        "demo-kserve-route",
        "  trusted namespaces: llm, research; llm is trusted",
        "  Kuadrant: installed",
        "  authentication: none (public)",
        "  rate limits: requests 10/1m (RateLimitPolicy), by inferc"]),
    ("llmd-edge", "llm/demo", "kserve", [
        "gateway: kserve/kserve-ingress-gateway (spec.gateway); route demo-kserve-route",
        "  trusted namespaces: llm; llm is trusted",
        "  Kuadrant: installed",
        "  authentication: none (public); AuthPolicy (anonymous) by inferc",
        "  rate limits: requests 10/1m (RateLimitPolicy), by inferc"]),
    ("llmd-upstream", "llm/granite-direct", "kserve", [
        "gateway: kserve/kserve-ingress-gateway (spec.gateway); route granite-direct-kserve-route",
        "  trusted namespaces: llm; llm is trusted",
        "  Kuadrant: not installed",
        "  authentication: none (public)",
        "  rate limits: none"]),
])
def test_explain_shows_the_gateway_trust_and_policies(
        case: str, model: str, env: str, section: list[str]) -> None:
    """Where an llm-d model is reached: the shared gateway, whether its namespace is
    trusted there, Kuadrant, and who writes which policy (the platform or inferc) — as
    render writes them."""
    repo = GOLDEN / case / "repo"
    text = run_cli("explain", model, "--env", env, cwd=repo).stdout.splitlines()
    start = next(i for i, line in enumerate(text) if line.startswith("gateway: "))
    assert text[start:start + len(section)] == section
    edge = json.loads(run_cli("explain", model, "--env", env, "--format", "json",
                              cwd=repo).stdout)["target"]["edge"]
    stream = run_cli("render", "--env", env, cwd=repo).stdout
    kinds = {(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(stream) if d}
    name = model.split("/")[1]
    assert ((("AuthPolicy", f"{name}-kserve-route-authn") in kinds)
            == (edge["authentication"]["authPolicyBy"] == "inferc"))
    assert (("RateLimitPolicy", f"{name}-rate-limit") in kinds) == bool(
        edge["rateLimits"]["requests"])


def test_nested_parameter_keys_belong_to_known_parameters() -> None:
    """schedulers.json's nested keys hang under parameters the same version accepts."""
    for version in epp._data()["schedulers"]:
        sched = epp.scheduler(version)
        for plugin, nested in sched.nested.items():
            assert set(nested) <= sched.parameters[plugin], (version, plugin)
        for plugin, rejected in sched.rejected.items():
            assert {k.split(".")[0] for k in rejected} <= sched.parameters[plugin]


def test_nested_parameters_on_a_lenient_scheduler_are_ignored_keys() -> None:
    """Before v0.9 the scheduler ignores unknown keys: still reported, saying so."""
    sched = epp.scheduler("rhoai-3.3")
    config = {"apiVersion": sched.api_version, "kind": epp.KIND, "plugins": [
        {"type": "precise-prefix-cache-scorer", "parameters": {
            "indexerConfig": {"tokenProcessorConfig": {}, "tokenizerPoolConfig": {}},
            "kvEventsConfig": {"zmqEndpoint": "tcp://*:5557"}}}]}
    assert _problems(config, sched) == [
        "plugins.0.parameters.indexerConfig.tokenizerPoolConfig: plugin "
        "'precise-prefix-cache-scorer' of scheduler rhoai-3.3 has no parameter "
        "'indexerConfig.tokenizerPoolConfig' (the scheduler ignores unknown parameters)"]
