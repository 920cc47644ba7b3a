"""Monitoring data: the metric-name tables per runtime and release
(``presets/monitoring/runtime-metrics.yaml``), and which scrape configuration each
platform release's controllers create (``spec.monitoring`` of ``presets/platforms/``).

Both are shipped YAML; this module only types them.
Every metric a recording rule uses comes from these tables, whose entries cite
their source, so the rules follow the runtime's real names on each release.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from compiler import presets
from compiler.objectives import Objective
from compiler.platforms import Platform


@dataclass(frozen=True)
class Requests:
    success: str  # selectors, without the model's matchers
    failure: str
    total: str


@dataclass(frozen=True)
class Latency:
    mean: str  # a summary or histogram: its _sum and _count
    histogram: str | None  # a histogram: its _bucket, for percentile objectives
    seconds: str  # the factor that turns the metric's unit into seconds, as written


@dataclass(frozen=True)
class RuntimeMetrics:
    """What one serving runtime exposes on one release."""

    name: str  # vllm | ovms | mlserver
    release: str
    source: str
    metrics: Mapping[str, str]  # metric name → counter | gauge | histogram | summary
    model: str  # the matcher that picks this model's series ({name} = the model name)
    requests: Requests
    latency: Latency
    dashboard: str | None  # the odh-model-controller constant the dashboard shows, if any
    metrics_port: int | None  # overrides the runtime template's annotation
    scheduler: Requests | None = None  # llm-d: the scheduler's view (success unused)
    scheme: str = "http"  # how the metrics port is scraped
    target: str = "kserve"  # the serving target whose pods expose these series


@dataclass(frozen=True)
class ResourceMetrics:
    """CPU and memory use and limits on one platform family."""

    family: str  # openshift | kubernetes
    source: str
    metrics: Mapping[str, str]
    cpu: str
    cpu_rate: bool  # a counter of CPU seconds (rate it) or already cores
    cpu_limit: str
    memory: str
    memory_limit: str


@dataclass(frozen=True)
class ControllerScrape:
    """The scrape objects a platform controller creates for one kind of model."""

    runs: bool  # the platform file's controllers.<key>
    creates: tuple[str, ...]  # "Kind name", {name} = the model
    by: str
    source: str
    disable_switch: str | None = None
    renamed: str | None = None  # "only" | "also": series renamed kserve_<name>


@dataclass(frozen=True)
class PlatformScrape:
    release: str  # the platform key, e.g. openshift-ai-3.5
    resources: ResourceMetrics
    kserve: ControllerScrape
    llmd: ControllerScrape
    gateway: ControllerScrape | None = None  # a PodMonitor per inference Gateway

    @property
    def scrapes_inference_services(self) -> bool:
        return self.kserve.runs and bool(self.kserve.creates)


def _load(name: str) -> Any:
    return presets.document(f"monitoring/{name}", None).data


@cache
def _tables() -> Any:
    return _load("runtime-metrics.yaml")


def sources() -> Mapping[str, str]:
    return _tables()["sources"]  # type: ignore[no-any-return]


def runtime_tables(release: str) -> tuple[RuntimeMetrics, ...]:
    """Every runtime table that applies to ``release``."""
    data = _tables()
    return tuple(_runtime(entry, release, data["sources"]) for entry in data["runtimes"]
                 if release in entry["releases"])


def llmd_table(release: str) -> RuntimeMetrics | None:
    """The table of the llm-d engine on ``release``."""
    for entry in _tables()["runtimes"]:
        if release in entry["releases"] and entry["match"].get("target") == "llm-d":
            return _runtime(entry, release, _tables()["sources"])
    return None


def runtime_for(release: str, kserve_runtime: str | None,
                serving_runtime: str) -> RuntimeMetrics | None:
    """The table for a ServingRuntime, by its ``opendatahub.io/kserve-runtime``
    annotation (as odh-model-controller picks its dashboard queries) or its name."""
    for entry in _tables()["runtimes"]:
        match = entry["match"]
        if release in entry["releases"] and "target" not in match and (
                (kserve_runtime is not None and kserve_runtime == match.get("kserveRuntime"))
                or serving_runtime in match.get("servingRuntimes", ())):
            return _runtime(entry, release, _tables()["sources"])
    return None


def _runtime(entry: Mapping[str, Any], release: str, srcs: Mapping[str, str]) -> RuntimeMetrics:
    req, lat = entry["requests"], entry["latency"]
    return RuntimeMetrics(
        name=entry["name"], release=release, source=srcs[entry["source"]],
        metrics=dict(entry["metrics"]), model=entry["model"],
        requests=Requests(req["success"], req["failure"], req["total"]),
        latency=Latency(lat["mean"], lat.get("histogram"), _number(lat["seconds"])),
        dashboard=entry.get("dashboard", {}).get(release),
        metrics_port=entry.get("metricsPort"),
        scheduler=(Requests("", entry["scheduler"]["failure"], entry["scheduler"]["total"])
                   if "scheduler" in entry else None),
        scheme=entry.get("scheme", {}).get(release, "http"),
        target=entry["match"].get("target", "kserve"))


def _number(value: float) -> str:
    """A unit factor as PromQL writes it: 1, 0.000001 (never 1e-06)."""
    return format(value, "f").rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def platform_scrape(platform: Platform) -> PlatformScrape:
    """What the controllers of one platform release create (its file's spec.monitoring)."""
    data = platform.monitoring
    res = _tables()["resources"][data["resources"]]
    resources = ResourceMetrics(data["resources"], sources()[res["source"]], dict(res["metrics"]),
                                res["cpu"], res["cpuRate"], res["cpuLimit"], res["memory"],
                                res["memoryLimit"])
    return PlatformScrape(
        platform.key, resources,
        _controller(data["inferenceService"], platform.runs("isvcMetricsServiceMonitor")),
        _controller(data["llmInferenceService"], platform.runs("llmdMonitors")),
        _controller(data["gateway"], platform.runs("gatewayPodMonitor"))
        if "gateway" in data else None)


def _controller(entry: Mapping[str, Any], runs: bool) -> ControllerScrape:
    return ControllerScrape(runs, tuple(entry["creates"]), entry["by"], entry["source"],
                            entry.get("disableSwitch"), entry.get("renamed"))


# ------------------------------------------------------------------ resolved records


@dataclass(frozen=True)
class Endpoint:
    port: int
    path: str
    scheme: str = "http"


@dataclass(frozen=True)
class Monitoring:
    """A monitored model. Absent (None on the deployment) when monitoring is off."""

    target: str  # kserve | llm-d: which pods and which scrape configuration
    objectives: tuple[Objective, ...]
    runtime: RuntimeMetrics | None  # None: no table for this runtime, CPU and memory only
    platform: PlatformScrape
    controller_creates: tuple[str, ...]  # "Kind name" the platform creates for this model
    controller: str  # who creates them
    endpoint: Endpoint | None  # set when inferc emits the scrape configuration
    rule_labels: tuple[tuple[str, str], ...]
    monitor_labels: tuple[tuple[str, str], ...]
    scheduler_scraped: bool = False  # llm-d: the controller's scheduler monitor exists

    @property
    def emit_scrape(self) -> bool:
        return self.endpoint is not None
