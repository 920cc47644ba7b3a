"""Monitoring: whether a model is monitored, its objectives, its metric table, and who
scrapes it (the documentation on model monitoring).

Never both: where the platform release's controller creates a scrape configuration for
the model (``spec.monitoring`` of ``presets/platforms/``), inferc emits none; elsewhere it emits
one that scrapes the runtime's real metrics port and path. Recording rules use the
runtime's metric names on the target release (``presets/monitoring/runtime-metrics.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from compiler import objectives as O
from compiler import vocabulary as V
from compiler.diagnostics import Diagnostic, Severity
from compiler.metrics import (
    Endpoint,
    Monitoring,
    PlatformScrape,
    RuntimeMetrics,
    llmd_table,
    platform_scrape,
    runtime_for,
    runtime_tables,
)
from compiler.resolve.gateway import edge
from compiler.resolve.kserve import KServeWorkload
from compiler.resolve.layers import Origin
from compiler.resolve.records import Workload
from compiler.spec import Environment

KSERVE_RUNTIME = V.KSERVE_RUNTIME  # what odh-model-controller keys its queries on
_PORT_KEYS = (V.PROMETHEUS_PORT, V.KSERVE_PROMETHEUS_PORT)  # RHOAI, upstream KServe
_PATH_KEYS = (V.PROMETHEUS_PATH, V.KSERVE_PROMETHEUS_PATH)
LLMD = "llm-d"
_SWITCH = ("spec", "monitoring", "llmdControllerMonitors")


def resolve(name: str, values: Mapping[str, Any], origins: Mapping[str, Origin],
            env: Environment, target: str, workload: Workload,
            ) -> tuple[Monitoring | None, list[Diagnostic]]:
    """The model's monitoring in ``env``; None when it is not monitored there."""
    block = values.get("monitoring", {})
    parsed, diags = _objectives(block.get("objectives", ()), origins.get("monitoring.objectives"))
    if not block.get("enabled", False):
        # Objectives with nobody saying on or off look like a forgotten switch; an
        # explicit "off" (say, a development environment) is respected silently.
        if parsed and "monitoring.enabled" not in origins:
            diags.append(origins["monitoring.objectives"].diag(
                "objectives have no effect while monitoring is off", "monitoring.off",
                hint="set monitoring.enabled: true", severity=Severity.WARNING))
        return None, diags
    where = origins["monitoring.enabled"]
    if not env.monitoring.user_workload:
        diags.append(where.diag("user-workload monitoring is off in this environment (spec."
                                "monitoring.userWorkloadMonitoring): no monitoring objects are "
                                "emitted", "monitoring.unavailable", severity=Severity.WARNING))
        return None, diags
    platform = platform_scrape(env.release)
    if target == LLMD:
        return _llmd(parsed, env, platform, origins, diags)
    if not isinstance(workload, KServeWorkload):
        diags.append(where.diag(f"inferc does not monitor {target} models yet: no monitoring "
                                "objects are emitted", "monitoring.unavailable",
                                severity=Severity.WARNING))
        return None, diags
    return _kserve(name, parsed, env, platform, workload, origins, diags)


def _kserve(name: str, parsed: list[O.Objective], env: Environment, platform: PlatformScrape,
            workload: KServeWorkload, origins: Mapping[str, Origin], diags: list[Diagnostic],
            ) -> tuple[Monitoring | None, list[Diagnostic]]:
    """An InferenceService: its runtime's series; odh-model-controller's ServiceMonitor
    scrapes them where the platform runs it, else inferc's PodMonitor."""
    template = workload.runtime.template
    annotations = template.serving_runtime.get("spec", {}).get("annotations", {})
    table = runtime_for(platform.release, annotations.get(KSERVE_RUNTIME), template.runtime_name)
    tables = ", ".join(t.name for t in runtime_tables(platform.release) if t.target == "kserve")
    diags += _supported(parsed, table, template.runtime_name, origins.get("monitoring.objectives"),
                        f"{tables} on {env.release.display_name}")
    controller = platform.kserve
    endpoint = None
    if not platform.scrapes_inference_services:
        endpoint = _endpoint(annotations, table)
        if endpoint is None:
            diags.append(origins["monitoring.enabled"].diag(
                f"model '{name}': runtime '{template.runtime_name}' declares no metrics port "
                f"({' or '.join(_PORT_KEYS)}): inferc emits rules but cannot scrape it",
                "monitoring.no-metrics-port", severity=Severity.WARNING,
                hint="give the runtime's spec.annotations the port (and the path, if it is "
                     "not /metrics) its metrics are served on"))
    return Monitoring(
        target="kserve", objectives=tuple(p for p in parsed if _fits(p, table)), runtime=table,
        platform=platform,
        controller_creates=tuple(c.replace("{name}", name) for c in controller.creates
                                 if controller.runs),
        controller=controller.by, endpoint=endpoint, rule_labels=env.monitoring.rule_labels,
        monitor_labels=env.monitoring.monitor_labels), diags


def _llmd(parsed: list[O.Objective], env: Environment, platform: PlatformScrape,
          origins: Mapping[str, Origin], diags: list[Diagnostic],
          ) -> tuple[Monitoring | None, list[Diagnostic]]:
    """An llm-d model: the engine's series; the controller's per-namespace monitors
    scrape them unless the environment says they are turned off."""
    controller, release = platform.llmd, env.release.display_name
    scrapes = controller.runs and bool(controller.creates)
    wanted = env.monitoring.llmd_controller_monitors
    if wanted is False and scrapes and controller.disable_switch is None:
        diags.append(env.doc.diag(_SWITCH, f"{release}'s llm-d controller always creates its "
                                  "monitors: it has no switch to turn them off",
                                  "monitoring.llmd-controller"))
    elif wanted is True and not scrapes:
        diags.append(env.doc.diag(_SWITCH, f"{release}'s llm-d controller creates no monitors",
                                  "monitoring.llmd-controller",
                                  hint="leave llmdControllerMonitors out: inferc emits the "
                                       "engine's PodMonitor itself"))
    elif wanted is False:
        scrapes = False
    table = llmd_table(platform.release)
    known = f"{table.name if table else 'none'} on {release}"
    diags += _supported(parsed, table, LLMD, origins.get("monitoring.objectives"), known)
    endpoint = None
    if not scrapes and table is not None and table.metrics_port is not None:
        endpoint = Endpoint(table.metrics_port, "/metrics", table.scheme)
    creates, by = (controller.creates, [controller.by]) if scrapes else ((), [])
    gateway, ingress = platform.gateway, edge(env).gateway
    if gateway is not None and gateway.runs and ingress is not None:  # the model's Gateway
        creates += tuple(f"{c.replace('{gateway}', ingress.name)} in {ingress.namespace}"
                         for c in gateway.creates)
        by.append(gateway.by)
    return Monitoring(
        target=LLMD, objectives=tuple(p for p in parsed if _fits(p, table)), runtime=table,
        platform=platform, controller_creates=creates, controller="; ".join(by),
        endpoint=endpoint, rule_labels=env.monitoring.rule_labels,
        monitor_labels=env.monitoring.monitor_labels, scheduler_scraped=scrapes), diags


def _objectives(texts: Sequence[str], origin: Origin | None,
                ) -> tuple[list[O.Objective], list[Diagnostic]]:
    parsed: list[O.Objective] = []
    diags: list[Diagnostic] = []
    seen_errors = False
    for index, text in enumerate(texts):
        assert origin is not None  # texts came from a layer, which recorded its origin
        at = Origin(origin.layer, origin.doc, (*origin.path, index))
        try:
            objective = O.parse(text, index)
        except O.ObjectiveError as exc:
            diags.append(at.diag(str(exc), "monitoring.objective"))
            continue
        if objective.kind == O.ERRORS and seen_errors:
            diags.append(at.diag("only one error-ratio objective per model: its burn-rate alerts "
                                 "would contradict the other's", "monitoring.objective"))
            continue
        seen_errors = seen_errors or objective.kind == O.ERRORS
        parsed.append(objective)
    return parsed, diags


def _fits(objective: O.Objective, table: RuntimeMetrics | None) -> bool:
    if table is None:
        return False
    return objective.kind == O.ERRORS or table.latency.histogram is not None


def _supported(parsed: list[O.Objective], table: RuntimeMetrics | None, runtime: str,
               origin: Origin | None, known: str) -> list[Diagnostic]:
    out = []
    for objective in parsed:
        if _fits(objective, table):
            continue
        assert origin is not None
        at = Origin(origin.layer, origin.doc, (*origin.path, objective.index))
        what = (f"inferc has no metric table for runtime '{runtime}'"
                if table is None else f"runtime '{runtime}' exposes no latency histogram")
        out.append(at.diag(f"objective '{objective.text}' cannot be measured: {what}",
                           "monitoring.objective-unsupported",
                           hint=f"runtimes with metric tables: {known}"))
    return out


def _endpoint(annotations: Mapping[str, str], table: RuntimeMetrics | None) -> Endpoint | None:
    port = table.metrics_port if table is not None and table.metrics_port else next(
        (int(annotations[k]) for k in _PORT_KEYS if k in annotations), None)
    path = next((annotations[k] for k in _PATH_KEYS if k in annotations), "/metrics")
    return Endpoint(port, path) if port is not None else None


def dashboard_warnings(env: Environment, monitored: Sequence[tuple[str, str]],
                       ) -> list[Diagnostic]:
    """A located warning for each OdhDashboardConfig flag that hides the metrics of models
    that ask for monitoring (the monitoring prerequisites of the documentation). ``monitored`` holds
    (model, target); disableKServeMetrics concerns InferenceServices only."""
    out = []
    for flag in env.monitoring.metrics_hidden_by:
        names = sorted(key for key, target in monitored
                       if flag != "disableKServeMetrics" or target == "kserve")
        if not names:
            continue
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        out.append(env.doc.diag(
            ("spec", "dashboardConfig", "dashboardConfig", flag),
            f"{flag} is true: the dashboard shows no metrics for the {len(names)} monitored "
            f"model{'s' * (len(names) != 1)} ({shown}); inferc's rules and alerts still work",
            "monitoring.dashboard-metrics", severity=Severity.WARNING,
            hint="the documentation (§2.7.1) requires false to view model metrics"))
    return out
