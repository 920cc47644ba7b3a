"""PromQL for a monitored model, built from the metric tables (compiler/metrics.py).

Every expression aggregates ``by (namespace)`` so a rule keeps the namespace label
whether or not the rule evaluator enforces one, and every selector carries the
model's namespace and the runtime's model matcher, so a rule sees only its model.
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.metrics import ResourceMetrics, RuntimeMetrics
from compiler.objectives import Objective, decimal

RATE = "5m"  # the dashboard's request-rate interval (odh-model-controller RequestRateInterval)


@dataclass(frozen=True)
class Scope:
    """Where a model's series live: its namespace and how its pods are named."""

    namespace: str
    name: str
    pods: str  # matchers on the pod label that pick the model's pods, e.g. pod=~"m-predictor-.*"

    def matchers(self, model: str) -> str:
        """``namespace="ns",<model matcher>`` with the model name filled in."""
        return f'namespace="{self.namespace}",{model.replace("{name}", self.name)}'

    @property
    def pod_matchers(self) -> str:
        return f'namespace="{self.namespace}",{self.pods}'


def select(selector: str, matchers: str, suffix: str = "") -> str:
    """``metric{own}`` with ``matchers`` put first and ``suffix`` (``_sum``…) on the name."""
    head, brace, rest = selector.partition("{")
    own = rest[:-1] if brace else ""
    inner = ",".join(part for part in (matchers, own) if part)
    return f"{head}{suffix}{{{inner}}}"


def _sum(expr: str) -> str:
    return f"sum by (namespace) ({expr})"


def _rate(expr: str, window: str = RATE) -> str:
    return f"rate({expr}[{window}])"


def _scaled(expr: str, factor: str) -> str:
    return expr if factor == "1" else f"({expr}) * {factor}"


def requests(table: RuntimeMetrics, scope: Scope, outcome: str) -> str:
    selector = table.requests.success if outcome == "success" else table.requests.failure
    return _sum(_rate(select(selector, scope.matchers(table.model))))


def scheduler_requests(table: RuntimeMetrics, scope: Scope, outcome: str) -> str:
    """Requests the llm-d scheduler routed for the model: all of them, or the failed."""
    assert table.scheduler is not None
    selector = table.scheduler.total if outcome == "all" else table.scheduler.failure
    return _sum(_rate(select(selector, scope.matchers(table.model))))


def mean_latency(table: RuntimeMetrics, scope: Scope) -> str:
    where = scope.matchers(table.model)
    mean = table.latency.mean
    ratio = (f"{_sum(_rate(select(mean, where, '_sum')))} / "
             f"{_sum(_rate(select(mean, where, '_count')))}")
    return _scaled(ratio, table.latency.seconds)


def percentile(table: RuntimeMetrics, scope: Scope, objective: Objective) -> str:
    histogram = table.latency.histogram
    assert histogram is not None  # resolve drops latency objectives without a histogram
    buckets = _rate(select(histogram, scope.matchers(table.model), "_bucket"))
    expr = f"histogram_quantile({decimal(objective.quantile)}, sum by (namespace, le) ({buckets}))"
    return _scaled(expr, table.latency.seconds)


def error_ratio(table: RuntimeMetrics, scope: Scope, window: str) -> str:
    where = scope.matchers(table.model)
    return (f"{_sum(_rate(select(table.requests.failure, where), window))} / "
            f"{_sum(_rate(select(table.requests.total, where), window))}")


def utilisation(res: ResourceMetrics, scope: Scope, resource: str) -> str:
    """Use of CPU or memory against the limit, summed over the model's pods — the
    dashboard's own CPU_USAGE / MEMORY_USAGE query on OpenShift."""
    where = scope.pod_matchers
    if resource == "cpu":
        used = select(res.cpu, where)
        used = _rate(used) if res.cpu_rate else used
        limit = res.cpu_limit
    else:
        used, limit = select(res.memory, where), res.memory_limit
    return f"{_sum(used)} / {_sum(select(limit, where))}"
