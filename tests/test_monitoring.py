"""Monitoring: metric tables against the controller's own dashboard queries, every
emitted PromQL expression parsed (promql-parser) and built only from table names,
burn-rate arithmetic, warnings, and "never both" for scrape configurations.

The dashboard queries are the odh-model-controller source vendored under
``tests/monitoring/odh-model-controller/`` (see its PROVENANCE.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser as pp
import pytest
import yaml
from conftest import run_cli
from test_golden import CASES

from compiler import metrics
from compiler.objectives import LATENCY, parse
from compiler.platforms import Platform, by_key, platform_for
from compiler.render import monitoring as mon
from compiler.render import promql

HERE = Path(__file__).parent
VENDORED = HERE / "monitoring" / "odh-model-controller"
GOLDEN = HERE / "cases" / "golden"
BRANCHES = sorted(p.stem for p in VENDORED.glob("rhoai-*.yaml"))  # rhoai-3.3 …
NS, NAME = "team", "chat"
# utils.SubstituteVariablesInQueries with constants.go's intervals (same on all branches)
SUBSTITUTE = {"${NAMESPACE}": NS, "${MODEL_NAME}": NAME, "${RATE_INTERVAL}": "1m",
              "${REQUEST_RATE_INTERVAL}": "5m", "${KV_CACHE_SAMPLING_RATE}": "24h"}
SUFFIXES = ("_bucket", "_sum", "_count")

Selector = tuple[str, frozenset[tuple[str, str, str]]]


# --- helpers ------------------------------------------------------------------------------


def platform(branch: str) -> Platform:
    found = by_key(branch)  # the odh-model-controller branch is the platform's alias
    assert found is not None, branch
    return found


def extract(branch: str) -> dict[str, Any]:
    """The controller's query strings and runtime → constant map for one branch."""
    data: dict[str, Any] = yaml.safe_load((VENDORED / f"{branch}.yaml").read_text("utf-8"))
    return data


def dashboard(branch: str) -> dict[str, dict[str, list[str]]]:
    """Constant name → panel type → queries, placeholders substituted as the controller does."""
    out: dict[str, dict[str, list[str]]] = {}
    for const, panels in extract(branch)["queries"].items():
        out[const] = {}
        for panel, queries in panels.items():
            subbed = []
            for query in queries:
                for key, value in SUBSTITUTE.items():
                    query = query.replace(key, value)
                subbed.append(query)
            out[const][panel] = subbed
    return out


def supported(branch: str) -> dict[str, str]:
    """getMetricsData: kserve-runtime annotation value → the constant the dashboard shows."""
    return dict(extract(branch)["runtimes"])


def selectors(expr: str) -> set[Selector]:
    """Every vector selector: (metric family, matchers), the metric name's histogram or
    summary suffix dropped so ``x_sum`` and ``x_bucket`` compare as ``x``."""
    found: set[Selector] = set()

    def visit(node: Any) -> None:
        if isinstance(node, pp.VectorSelector):
            name = node.name or ""
            for suffix in SUFFIXES:
                name = name.removesuffix(suffix)
            found.add((name, frozenset((m.name, str(m.op), m.value)
                                       for m in node.matchers.matchers)))

    pp.walk(pp.parse(expr), visit)
    return found


def without_namespace(found: set[Selector]) -> set[Selector]:
    return {(name, frozenset(m for m in ms if m[0] != "namespace")) for name, ms in found}


def metric_names(expr: str) -> set[str]:
    """Metric names an expression reads, including those behind a ``__name__`` regex."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, pp.VectorSelector):
            if node.name:
                names.add(node.name)
            for m in node.matchers.matchers:
                if m.name == "__name__":
                    names.update(m.value.split("|"))

    pp.walk(pp.parse(expr), visit)
    return names


def table_names(metrics_: dict[str, str]) -> set[str]:
    out = set()
    for name, kind in metrics_.items():
        out.add(name)
        if kind in ("histogram", "summary"):
            out.update(name + s for s in SUFFIXES if not (kind == "summary" and s == "_bucket"))
    return out


def scope() -> promql.Scope:
    return promql.Scope(NS, NAME, f'pod=~"{NAME}-predictor-.*"')


def tables_with_dashboards() -> Iterator[tuple[str, metrics.RuntimeMetrics]]:
    for branch in BRANCHES:
        for table in metrics.runtime_tables(platform(branch).key):
            if table.dashboard is not None:
                yield branch, table


# --- the tables against the controller's dashboard ---------------------------------------


@pytest.mark.parametrize("branch", BRANCHES)
def test_dashboard_constants_match_the_tables(branch: str) -> None:
    """A table names the dashboard constant exactly when the release's controller shows
    that runtime's metrics (``supported: "true"``)."""
    shown = supported(branch)
    tables = metrics.runtime_tables(platform(branch).key)
    assert {t.name for t in tables} >= {"vllm", "ovms", "mlserver"}
    for table in tables:
        annotation = next(e["match"].get("kserveRuntime") for e in metrics._tables()["runtimes"]
                          if e["name"] == table.name)
        assert table.dashboard == shown.get(annotation), (branch, table.name)
        if table.dashboard:
            assert table.dashboard in dashboard(branch)


@pytest.mark.parametrize(("branch", "table"), list(tables_with_dashboards()),
                         ids=lambda v: v if isinstance(v, str) else v.name)
def test_recording_rules_agree_with_dashboard_queries(branch: str,
                                                      table: metrics.RuntimeMetrics) -> None:
    """Each recording rule reads the same series, with the same matchers, as the panel of
    the dashboard that shows that metric (the namespace matcher aside: inferc always has it)."""
    panels = dashboard(branch)[table.dashboard or ""]
    res = metrics.platform_scrape(platform(branch))
    ours = {
        "success": promql.requests(table, scope(), "success"),
        "failure": promql.requests(table, scope(), "failure"),
        "mean": promql.mean_latency(table, scope()),
        "cpu": promql.utilisation(res.resources, scope(), "cpu"),
        "memory": promql.utilisation(res.resources, scope(), "memory"),
    }
    success, failure = panels["REQUEST_COUNT"]
    assert without_namespace(selectors(ours["success"])) == without_namespace(selectors(success))
    assert without_namespace(selectors(ours["failure"])) == without_namespace(selectors(failure))
    latency = set().union(*(without_namespace(selectors(q)) for q in panels["MEAN_LATENCY"]))
    assert without_namespace(selectors(ours["mean"])) <= latency
    objective = parse("p95 latency under 1s", 0)
    assert without_namespace(selectors(promql.percentile(table, scope(), objective))) <= latency
    # CPU and memory: the dashboard's own series, matcher for matcher
    assert selectors(ours["cpu"]) == selectors(panels["CPU_USAGE"][0])
    assert selectors(ours["memory"]) == selectors(panels["MEMORY_USAGE"][0])
    for expr in ours.values():
        assert all(("namespace", "MatchOp.Equal", NS) in ms for _, ms in selectors(expr)), expr


def test_every_release_with_a_dashboard_is_checked() -> None:
    checked = {(r, t.name) for r, t in tables_with_dashboards()}
    assert {("rhoai-3.3", "vllm"), ("rhoai-3.3", "ovms"), ("rhoai-3.4", "mlserver"),
            ("rhoai-3.5", "mlserver"), ("rhoai-3.5", "vllm")} <= checked
    assert ("rhoai-3.3", "mlserver") not in checked  # 3.3's controller does not show MLServer


# --- every emitted expression ---------------------------------------------------------------


def golden_streams() -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    for case, repo in sorted(CASES.items()):
        for stream in sorted((GOLDEN / case / "expected").glob("render-*.yaml")):
            env = stream.stem.removeprefix("render-")
            spec = yaml.safe_load((repo / "environments" / f"{env}.yaml").read_text())
            release = platform_for(spec["spec"]["platform"]["name"],
                                   spec["spec"]["platform"]["version"]).key
            yield case, release, [d for d in yaml.safe_load_all(stream.read_text()) if d]


def runtime_of(objects: list[dict[str, Any]], namespace: str, model: str,
               release: str) -> metrics.RuntimeMetrics | None:
    """The table for the model's runtime: llm-d's engine, a ServingRuntime copied next to
    it (OpenShift AI), or the ClusterServingRuntime its InferenceService names (upstream)."""
    mine = {o["kind"]: o for o in objects
            if (o["metadata"].get("namespace"), o["metadata"]["name"]) == (namespace, model)}
    if "LLMInferenceService" in mine:
        return metrics.llmd_table(release)
    if "ServingRuntime" in mine:
        annotations = mine["ServingRuntime"]["spec"].get("annotations", {})
        return metrics.runtime_for(release, annotations.get("opendatahub.io/kserve-runtime"),
                                   model)
    return metrics.runtime_for(release, None,
                               mine["InferenceService"]["spec"]["predictor"]["model"]["runtime"])


def emitted_rules() -> Iterator[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    for case, release, objects in golden_streams():
        for obj in objects:
            if obj["kind"] == "PrometheusRule":
                yield case, release, obj, objects


def test_goldens_emit_rules() -> None:
    assert len(EMITTED) >= 11


EMITTED = list(emitted_rules())


@pytest.mark.parametrize(("case", "release", "rule", "objects"), EMITTED,
                         ids=[f"{c}-{r}-{o['metadata']['name']}" for c, r, o, _ in EMITTED])
def test_every_expression_parses_and_uses_table_names(case: str, release: str,
                                                      rule: dict[str, Any],
                                                      objects: list[dict[str, Any]]) -> None:
    meta = rule["metadata"]
    model = meta["name"].removesuffix(mon.RULE_SUFFIX)
    table = runtime_of(objects, meta["namespace"], model, release)
    scrape = metrics.platform_scrape(platform_for(*release.rsplit("-", 1)))
    recorded = {r["record"] for g in rule["spec"]["groups"] for r in g["rules"] if "record" in r}
    allowed = table_names(dict(scrape.resources.metrics)) | recorded
    if table is not None:
        allowed |= table_names(dict(table.metrics))
    for group in rule["spec"]["groups"]:
        for entry in group["rules"]:
            unknown = metric_names(entry["expr"]) - allowed
            assert not unknown, (case, entry["expr"])
            assert entry["labels"]["model"] == model
            if "alert" in entry:
                assert entry["labels"]["severity"] in ("critical", "warning")
                assert re.fullmatch(r"\d+[mh]", entry["for"])


# --- alerts ---------------------------------------------------------------------------------


def alerts(rule: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]


def rules_of(case: str, env: str) -> dict[str, dict[str, Any]]:
    stream = (GOLDEN / case / "expected" / f"render-{env}.yaml").read_text()
    return {d["metadata"]["name"].removesuffix(mon.RULE_SUFFIX): d
            for d in yaml.safe_load_all(stream) if d and d["kind"] == "PrometheusRule"}


def test_burn_rate_thresholds_are_the_workbooks() -> None:
    """99.9% over 30 days: burn rates 14.4 (1h/5m), 6 (6h/30m) and 1 (3d/6h) times the
    0.1% budget (SRE workbook, table 5-8)."""
    granite = alerts(rules_of("monitoring-rhoai", "prod")["granite-8b"])
    burns = [(a["labels"]["long_window"], a["labels"]["severity"], a["for"],
              a["expr"].rpartition(" > ")[2]) for a in granite if "long_window" in a["labels"]]
    assert burns == [("1h", "critical", "2m", "0.0144"), ("6h", "critical", "15m", "0.006"),
                     ("3d", "warning", "1h", "0.001")]
    latency = [a for a in granite if a["alert"] == "InfercModelLatencyHigh"]
    assert [a["expr"].rpartition(" > ")[2] for a in latency] == ["2"]


def test_no_objective_no_alert() -> None:
    assert alerts(rules_of("monitoring-rhoai", "prod")["credit-scorer"]) == []


def test_latency_in_microseconds_is_scaled_to_seconds() -> None:
    """OVMS's histogram counts microseconds: 250ms is compared as 0.25 after scaling."""
    rule = rules_of("monitoring-rhoai", "prod")["mobilenet"]
    (alert,) = alerts(rule)
    assert alert["expr"].endswith(" > 0.25")
    record = next(r for g in rule["spec"]["groups"] for r in g["rules"]
                  if r.get("record") == "inferc:model_response_time_seconds:p99_rate5m")
    assert record["expr"].endswith(" * 0.000001")


def test_objective_kinds() -> None:
    assert parse("p99.9 latency under 250ms", 0).kind == LATENCY
    assert parse("p99.9 latency under 250ms", 0).percentile_label == "p99_9"


# --- scrape: never both ----------------------------------------------------------------------


def test_openshift_ai_scrapes_inference_services_itself() -> None:
    """On OpenShift AI odh-model-controller creates `<isvc>-metrics`: inferc emits no
    ServiceMonitor or PodMonitor there, only rules."""
    for _, release, objects in golden_streams():
        if release.startswith("openshift-ai-"):
            assert not [o for o in objects if o["kind"] == "ServiceMonitor"
                        or (o["kind"] == "PodMonitor" and "serving.kserve.io/inferenceservice"
                            in o["spec"]["selector"].get("matchLabels", {}))]


def monitors_of(case: str, env: str) -> dict[str, dict[str, Any]]:
    stream = (GOLDEN / case / "expected" / f"render-{env}.yaml").read_text()
    return {d["metadata"]["name"].removesuffix(mon.SCRAPE_SUFFIX): d
            for d in yaml.safe_load_all(stream) if d and d["kind"] == "PodMonitor"}


def test_upstream_kserve_gets_one_pod_monitor_per_monitored_model() -> None:
    """Upstream KServe scrapes nothing itself: one PodMonitor per model, selecting only that
    model's predictor pods, on the runtime's real metrics port."""
    monitors = monitors_of("monitoring-upstream", "prod")
    assert sorted(monitors) == sorted(rules_of("monitoring-upstream", "prod"))
    ports = {}
    for model, monitor in monitors.items():
        spec = monitor["spec"]
        assert spec["selector"] == {"matchLabels": {
            "component": "predictor", "serving.kserve.io/inferenceservice": model}}
        (endpoint,) = spec["podMetricsEndpoints"]
        ports[model] = endpoint["relabelings"][-1]["replacement"]
        assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    # vLLM and the sklearn server on the serving port; MLServer on its metrics port
    assert ports == {"qwen-chat": "$1:8080", "iris": "$1:8080", "scorer": "$1:8082"}


def test_upstream_resources_use_kubernetes_series() -> None:
    rule = rules_of("monitoring-upstream", "prod")["iris"]
    records = {r["record"]: r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]}
    assert "container_cpu_usage_seconds_total" in records[mon.CPU]
    assert mon.REQUESTS not in records  # no metric table for KServe's sklearn server


def test_environment_without_monitoring_emits_nothing() -> None:
    assert rules_of("monitoring-rhoai", "dev") == {}
    assert "granite-tiny" not in rules_of("monitoring-rhoai", "prod")  # turned off by the spec


def test_rule_labels_come_from_the_environment() -> None:
    rule = rules_of("monitoring-rhoai", "prod")["granite-8b"]
    assert rule["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "inferc",
                                          "team": "ml-platform"}


# --- warnings -------------------------------------------------------------------------------


def test_dashboard_settings_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN / "monitoring-rhoai" / "repo")  # paths print relative to here
    result = run_cli("check")
    assert result.exit_code == 0
    assert result.stdout == (
        "environments/stage.yaml:15:34: warning: spec.dashboardConfig.dashboardConfig."
        "disablePerformanceMetrics: disablePerformanceMetrics is true: the dashboard shows no "
        "metrics for the 4 monitored models (llm/granite-8b, risk/credit-scorer, risk/fraud, …); "
        "inferc's rules and alerts still work [monitoring.dashboard-metrics]\n"
        "  hint: the documentation (§2.7.1) requires false to view model metrics\n"
        "0 errors, 1 warning in 1 file\n")


# --- explain --------------------------------------------------------------------------------


def monitoring_section(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("monitoring:"))
    return lines[start:lines.index("", start)]


def test_explain_names_who_scrapes_on_openshift_ai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN / "monitoring-rhoai" / "repo")
    result = run_cli("explain", "vision/mobilenet", "--env", "prod")
    assert result.exit_code == 0, result.stderr
    assert monitoring_section(result.stdout) == [
        "monitoring: on (metric names from the ovms table)",
        "  scrape objects the platform creates: Service mobilenet-metrics, "
        "ServiceMonitor mobilenet-metrics (odh-model-controller)",
        "  objects inferc emits: PrometheusRule mobilenet-inferc-rules",
        "  recording rules: inferc:model_requests:rate5m, "
        "inferc:model_response_time_seconds:mean5m, inferc:model_cpu_utilisation:ratio, "
        "inferc:model_memory_utilisation:ratio, inferc:model_response_time_seconds:p99_rate5m",
        "  alerts: InfercModelLatencyHigh (warning)",
    ]
    off = run_cli("explain", "vision/mobilenet", "--env", "dev")
    assert monitoring_section(off.stdout) == ["monitoring: off"]


def test_explain_names_who_scrapes_upstream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN / "monitoring-upstream" / "repo")
    result = run_cli("explain", "fraud/iris", "--env", "prod", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["monitoring"] == {
        "platformCreates": [], "platformController": None,
        "infercEmits": ["PrometheusRule iris-inferc-rules", "PodMonitor iris-inferc-scrape"],
        "recordingRules": ["inferc:model_cpu_utilisation:ratio",
                           "inferc:model_memory_utilisation:ratio"],
        "alerts": [], "metricTable": None, "objectives": []}


def test_monitoring_asked_for_without_user_workload_monitoring(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that asks for monitoring where no Prometheus watches its namespace gets a
    located warning and no monitoring objects; the build still succeeds."""
    repo = tmp_path / "repo"
    (repo / "models" / "vision").mkdir(parents=True)
    (repo / "environments").mkdir()
    (repo / "inferc.yaml").write_text("apiVersion: inferc.dev/v1alpha1\nkind: Repository\n"
                                      "spec: {}\n")
    (repo / "models" / "vision" / "mobilenet.yaml").write_text(
        (GOLDEN / "monitoring-rhoai" / "repo" / "models" / "vision" / "mobilenet.yaml")
        .read_text().replace("  monitoring:\n", "  monitoring:\n    enabled: true\n"))
    (repo / "environments" / "dev.yaml").write_text(
        "apiVersion: inferc.dev/v1alpha1\nkind: Environment\nmetadata: {name: dev}\nspec:\n"
        "  platform: {name: openshift-ai, version: \"3.4\"}\n"
        "  monitoring: {userWorkloadMonitoring: false}\n")
    monkeypatch.chdir(repo)
    result = run_cli("check")
    assert result.exit_code == 0
    assert result.stdout == (
        "models/vision/mobilenet.yaml:16:14: warning: spec.monitoring.enabled: user-workload "
        "monitoring is off in this environment (spec.monitoring.userWorkloadMonitoring): no "
        "monitoring objects are emitted [monitoring.unavailable]\n"
        "0 errors, 1 warning in 1 file\n")
    rendered = run_cli("render", "--env", "dev")
    assert "PrometheusRule" not in rendered.stdout and "kind: InferenceService" in rendered.stdout


def test_llmd_golden_scrapes_only_where_the_controller_does_not() -> None:
    """OpenShift AI 3.3: the controller's monitors (kserve_ names); 3.5 with the controller's
    monitoring turned off: inferc's engine PodMonitor over https; KServe 0.20: inferc's
    PodMonitors for both targets, the engine's over http."""
    assert monitors_of("monitoring-llmd", "rhoai-33") == {}
    rhoai35 = monitors_of("monitoring-llmd", "rhoai-35")
    assert sorted(rhoai35) == ["granite-router"]
    (engine,) = rhoai35["granite-router"]["spec"]["podMetricsEndpoints"]
    assert (engine["scheme"], engine["targetPort"], engine["tlsConfig"]) == (
        "https", 8000, {"insecureSkipVerify": True})
    upstream = monitors_of("monitoring-llmd", "kserve")
    assert sorted(upstream) == ["granite-chat", "granite-router"]
    assert upstream["granite-router"]["spec"]["podMetricsEndpoints"][0]["scheme"] == "http"
    renamed = rules_of("monitoring-llmd", "rhoai-33")["granite-router"]
    exprs = [r["expr"] for g in renamed["spec"]["groups"] for r in g["rules"]]
    assert any("kserve_vllm:request_success_total" in e for e in exprs)
    assert any("kserve_inference_objective_request_error_total" in e for e in exprs)
    assert all('llm_isvc_name="granite-router"' in e for e in exprs if "request" in e
               and not e.startswith("inferc:"))
    cpu = next(r["expr"] for g in renamed["spec"]["groups"] for r in g["rules"]
               if r.get("record") == mon.CPU)
    assert ('pod=~"granite-router-kserve-.*",pod!~"granite-router-kserve-router-scheduler-.*"'
            in cpu)
    # where inferc scrapes the engines, the scheduler's series are not there to record
    assert not any("inference_objective" in r["expr"] for g in
                   rules_of("monitoring-llmd", "kserve")["granite-router"]["spec"]["groups"]
                   for r in g["rules"])


def test_explain_llmd_names_the_controllers_monitors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN / "monitoring-llmd" / "repo")
    lines = {env: monitoring_section(run_cli("explain", "llm/granite-router", "--env",
                                             env).stdout)[1:3]
             for env in ("rhoai-33", "rhoai-35")}
    assert lines == {
        "rhoai-33": ["  scrape objects the platform creates: PodMonitor "
                     "kserve-llm-isvc-vllm-engine, ServiceMonitor kserve-llm-isvc-scheduler "
                     "(the KServe LLMInferenceService controller, once per namespace)",
                     "  objects inferc emits: PrometheusRule granite-router-inferc-rules"],
        # the engines' monitor is off; 3.5's odh-model-controller still scrapes the Gateway
        "rhoai-35": ["  scrape objects the platform creates: PodMonitor "
                     "openshift-ai-inference-metrics in openshift-ingress (odh-model-controller, "
                     "for each Gateway an LLMInferenceService uses)",
                     "  objects inferc emits: PrometheusRule granite-router-inferc-rules, "
                     "PodMonitor granite-router-inferc-scrape"]}
