"""Monitoring objects of one model: a PrometheusRule, and a scrape configuration only
where the platform creates none (the documentation on model monitoring; never both).

Recording rules give the documentation's four metrics — request rate by outcome,
average response time, CPU and memory utilisation against the limit — under names
shared by every model (``inferc:model_*``, told apart by ``namespace`` and ``model``).
An error-ratio objective adds the SRE workbook's multi-window, multi-burn-rate alerts
(chapter 5, "Alerting on SLOs", table 5-8): page when 2% of the budget burns in an hour
or 5% in six hours, open a ticket when 10% burns in three days, each confirmed by a
short window so an alert stops soon after the errors do. A latency objective adds one
alert on the percentile. No objective, no alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from compiler import vocabulary as V
from compiler.metrics import Endpoint, Monitoring
from compiler.objectives import ERRORS, Objective, decimal
from compiler.objects import K8sObject
from compiler.render import promql
from compiler.render.common import metadata
from compiler.resolve.records import ResolvedDeployment

API = "monitoring.coreos.com/v1"
MANAGED_BY = {V.MANAGED_BY: "inferc"}
# Suffixes no platform controller uses (theirs: <isvc>-metrics, kserve-llm-isvc-*,
# <gateway>-metrics), so inferc's objects can never take a controller's name.
RULE_SUFFIX = "-inferc-rules"
SCRAPE_SUFFIX = "-inferc-scrape"

REQUESTS = "inferc:model_requests:rate5m"
SCHEDULER_REQUESTS = "inferc:model_scheduler_requests:rate5m"
RESPONSE_TIME = "inferc:model_response_time_seconds:mean5m"
CPU = "inferc:model_cpu_utilisation:ratio"
MEMORY = "inferc:model_memory_utilisation:ratio"
ERROR_RATIO = "inferc:model_request_errors:ratio_rate{window}"


@dataclass(frozen=True)
class BurnTier:
    """One row of the workbook's table: this share of the budget burnt within ``long``."""

    budget_share: Fraction
    long: str
    long_hours: int
    short: str
    severity: str
    wait: str  # the alert's ``for:``: long enough to skip one bad scrape, short for a page


BURN_TIERS = (
    BurnTier(Fraction(2, 100), "1h", 1, "5m", "critical", "2m"),
    BurnTier(Fraction(5, 100), "6h", 6, "30m", "critical", "15m"),
    BurnTier(Fraction(10, 100), "3d", 72, "6h", "warning", "1h"),
)
LATENCY_WAIT = "10m"
# The pods whose CPU and memory count: KServe's predictor; llm-d's workload pods (decode,
# prefill, multi-node), not its scheduler (names from kmeta.ChildName in the llmisvc controller).
POD_NAMES = {
    "kserve": 'pod=~"{name}-predictor-.*"',
    "llm-d": 'pod=~"{name}-kserve-.*",pod!~"{name}-kserve-router-scheduler-.*"',
}
# The llm-d controller's pod labels and its engine monitor's relabelling
# (red-hat-data-services/kserve pkg/controller/v1alpha2/llmisvc/monitoring.go), copied so
# that inferc's series carry the same llm_isvc_* labels as the controller's would.
LLMD_COMPONENTS = ("llminferenceservice-workload", "llminferenceservice-workload-prefill",
                   "llminferenceservice-workload-worker", "llminferenceservice-workload-leader",
                   "llminferenceservice-workload-leader-prefill",
                   "llminferenceservice-workload-worker-prefill")
LLMD_RELABEL = (
    {"action": "replace", "sourceLabels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
     "targetLabel": "llm_isvc_name"},
    {"action": "replace", "sourceLabels": ["__meta_kubernetes_pod_label_llm_d_ai_role"],
     "targetLabel": "llm_isvc_role"},
    {"action": "replace",
     "sourceLabels": ["__meta_kubernetes_pod_label_app_kubernetes_io_component"],
     "regex": "llminferenceservice-(.*)", "replacement": "$1", "targetLabel": "llm_isvc_component"},
)


def render(rd: ResolvedDeployment) -> list[K8sObject]:
    mon = rd.monitoring
    if mon is None:
        return []
    scope = promql.Scope(rd.key.namespace, rd.key.name,
                         POD_NAMES[mon.target].replace("{name}", rd.key.name))
    objects = [prometheus_rule(rd, mon, scope)]
    if mon.endpoint is not None:
        monitor = pod_monitor if mon.target == "kserve" else llmd_pod_monitor
        objects.append(monitor(rd, mon, mon.endpoint))
    return objects


def prometheus_rule(rd: ResolvedDeployment, mon: Monitoring, scope: promql.Scope) -> K8sObject:
    groups = [{"name": f"inferc.{rd.key.name}.metrics", "rules": _recording(mon, scope)}]
    objective_rules = [rule for o in mon.objectives for rule in _objective(mon, scope, o)]
    if objective_rules:
        groups.append({"name": f"inferc.{rd.key.name}.objectives", "rules": objective_rules})
    labels = {**MANAGED_BY, **dict(mon.rule_labels)}
    return {"apiVersion": API, "kind": "PrometheusRule",
            "metadata": metadata(rd.key.name + RULE_SUFFIX, rd.key.namespace, labels=labels),
            "spec": {"groups": groups}}


def _record(name: str, expr: str, model: str, **labels: str) -> K8sObject:
    return {"record": name, "expr": expr, "labels": {"model": model, **labels}}


def _recording(mon: Monitoring, scope: promql.Scope) -> list[K8sObject]:
    rules = []
    table, name = mon.runtime, scope.name
    if table is not None:
        rules += [_record(REQUESTS, promql.requests(table, scope, outcome), name, outcome=outcome)
                  for outcome in ("success", "failure")]
        rules.append(_record(RESPONSE_TIME, promql.mean_latency(table, scope), name))
        if table.scheduler is not None and mon.scheduler_scraped:
            rules += [_record(SCHEDULER_REQUESTS, promql.scheduler_requests(table, scope, outcome),
                              name, outcome=outcome) for outcome in ("all", "failure")]
    res = mon.platform.resources
    rules.append(_record(CPU, promql.utilisation(res, scope, "cpu"), name))
    rules.append(_record(MEMORY, promql.utilisation(res, scope, "memory"), name))
    return rules


def _objective(mon: Monitoring, scope: promql.Scope, objective: Objective) -> list[K8sObject]:
    table = mon.runtime
    assert table is not None  # resolve keeps objectives only for runtimes with a table
    if objective.kind == ERRORS:
        windows = sorted({w for t in BURN_TIERS for w in (t.long, t.short)}, key=_seconds)
        records = [_record(ERROR_RATIO.format(window=w), promql.error_ratio(table, scope, w),
                           scope.name) for w in windows]
        return records + [_burn_alert(scope, objective, tier) for tier in BURN_TIERS]
    record = f"inferc:model_response_time_seconds:{objective.percentile_label}_rate5m"
    return [_record(record, promql.percentile(table, scope, objective), scope.name),
            _latency_alert(scope, objective, record)]


def _burn_alert(scope: promql.Scope, objective: Objective, tier: BurnTier) -> K8sObject:
    # The burn rate that spends budget_share of the budget within the long window,
    # for this objective's window (14.4, 6 and 1 for the workbook's 30 days).
    burn = tier.budget_share * objective.window_days * 24 / tier.long_hours
    threshold = decimal(burn * objective.budget)
    where = _model_matchers(scope)
    expr = " and ".join(f"{ERROR_RATIO.format(window=w)}{{{where}}} > {threshold}"
                        for w in (tier.long, tier.short))
    return {
        "alert": "InfercModelErrorBudgetBurn",
        "expr": expr,
        "for": tier.wait,
        "labels": {"model": scope.name, "severity": tier.severity, "long_window": tier.long},
        "annotations": {
            "summary": f"{scope.namespace}/{scope.name} spends its error budget "
                       f"{decimal(burn)}x as fast as the objective allows",
            "description": f"Objective '{objective.text}': at this error rate "
                           f"{decimal(tier.budget_share * 100)}% of the "
                           f"{objective.window_days}-day error budget is spent within "
                           f"{tier.long}.",
        },
    }


def _latency_alert(scope: promql.Scope, objective: Objective, record: str) -> K8sObject:
    limit = decimal(objective.threshold_seconds)
    return {
        "alert": "InfercModelLatencyHigh",
        "expr": f"{record}{{{_model_matchers(scope)}}} > {limit}",
        "for": LATENCY_WAIT,
        "labels": {"model": scope.name, "severity": "warning"},
        "annotations": {
            "summary": f"{scope.namespace}/{scope.name} {objective.percentile_label} latency is "
                       f"above {limit}s",
            "description": f"Objective '{objective.text}' has not held for {LATENCY_WAIT}.",
        },
    }


def _model_matchers(scope: promql.Scope) -> str:
    return f'namespace="{scope.namespace}",model="{scope.name}"'


def _seconds(window: str) -> int:
    unit = {"m": 60, "h": 3600, "d": 86400}[window[-1]]
    return int(window[:-1]) * unit


def pod_monitor(rd: ResolvedDeployment, mon: Monitoring, endpoint: Endpoint) -> K8sObject:
    """Scrapes the runtime container of this model's predictor pods on the runtime's own
    metrics port. The port is set on the address rather than matched against the pod's
    declared ports: upstream runtimes declare none, and MLServer's 8082 is never declared."""
    labels = {**MANAGED_BY, **dict(mon.monitor_labels)}
    return {
        "apiVersion": API, "kind": "PodMonitor",
        "metadata": metadata(rd.key.name + SCRAPE_SUFFIX, rd.key.namespace, labels=labels),
        "spec": {
            "selector": {"matchLabels": {V.COMPONENT: "predictor",
                                         V.ISVC_POD: rd.key.name}},
            "podMetricsEndpoints": [{
                "path": endpoint.path,
                "scheme": "http",
                "relabelings": [
                    {"action": "keep", "sourceLabels": ["__meta_kubernetes_pod_container_name"],
                     "regex": "kserve-container"},
                    {"action": "replace", "sourceLabels": ["__address__"],
                     "regex": "([^:]+)(?::\\d+)?", "replacement": f"$1:{endpoint.port}",
                     "targetLabel": "__address__"},
                ],
            }],
        },
    }


def llmd_pod_monitor(rd: ResolvedDeployment, mon: Monitoring, endpoint: Endpoint) -> K8sObject:
    """Scrapes the vLLM engine of this model's workload pods the way the platform
    controller's per-namespace monitor would, where that monitor does not exist."""
    labels = {**MANAGED_BY, **dict(mon.monitor_labels)}
    scrape: K8sObject = {"path": endpoint.path, "scheme": endpoint.scheme,
                         "targetPort": endpoint.port}
    if endpoint.scheme == "https":  # the engine's certificate is the service CA's
        scrape["tlsConfig"] = {"insecureSkipVerify": True}
    scrape["relabelings"] = [dict(r) for r in LLMD_RELABEL]
    return {
        "apiVersion": API, "kind": "PodMonitor",
        "metadata": metadata(rd.key.name + SCRAPE_SUFFIX, rd.key.namespace, labels=labels),
        "spec": {
            "selector": {
                "matchLabels": {V.APP_NAME: rd.key.name,
                                V.APP_PART_OF: "llminferenceservice"},
                "matchExpressions": [{"key": V.APP_COMPONENT, "operator": "In",
                                      "values": list(LLMD_COMPONENTS)}],
            },
            "podMetricsEndpoints": [scrape],
        },
    }


@dataclass(frozen=True)
class Summary:
    """What ``inferc explain`` says about a model's monitoring."""

    platform_creates: tuple[str, ...]  # "Kind name" objects the platform's controller makes
    platform_by: str
    inferc_emits: tuple[str, ...]  # "Kind name" objects in inferc's output
    records: tuple[str, ...]
    alerts: tuple[str, ...]
    runtime: str | None  # the metric table, None: CPU and memory only
    objectives: tuple[str, ...]


def summary(rd: ResolvedDeployment) -> Summary | None:
    """Which scrape objects the platform creates for the model and which inferc does."""
    if rd.monitoring is None:
        return None
    objects = render(rd)
    rules = [r for g in objects[0]["spec"]["groups"] for r in g["rules"]]
    return Summary(
        platform_creates=rd.monitoring.controller_creates, platform_by=rd.monitoring.controller,
        inferc_emits=tuple(f"{o['kind']} {o['metadata']['name']}" for o in objects),
        records=tuple(dict.fromkeys(r["record"] for r in rules if "record" in r)),
        alerts=tuple(f"{r['alert']} ({r['labels']['severity']})" for r in rules if "alert" in r),
        runtime=rd.monitoring.runtime.name if rd.monitoring.runtime else None,
        objectives=tuple(o.text for o in rd.monitoring.objectives))
