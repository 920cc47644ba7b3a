"""Quota headroom (the documentation on deployment strategies, DESIGN rule 2).

For every namespace quota an environment declares, the peak of the pods inferc
renders must fit: every model's steady state plus the surge of its rolling
update. The surge is ``maxSurge`` (Kubernetes' default 25%) of the replicas,
rounded up as Kubernetes does, so one replica peaks at two pods — the
documentation's "about 200%". Recreate never surges (it stops pods first).
Autoscaled models count at their maximum; stopped models count nothing.

Concurrency: by default every model is assumed to roll at once, because one
Argo CD sync applies every change together; an environment can say
``quotaRollouts: one-at-a-time`` when it rolls models out one by one, and then
only the largest surge counts. Only the model container is counted; sidecars
and init containers the platform adds are not.

An exceeded quota is reported on the environment's quota line and on the spec of
every model that pushes the namespace over: a model without which the peak would
fit. That is order-free (no "last model added" exists in a Git tree) and names the
spec a commit changed when that change alone broke the quota; when no single model
is to blame (the namespace was over before), only the environment is reported.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from compiler.diagnostics import Diagnostic
from compiler.quantity import canonical, parse
from compiler.resolve import layers as L
from compiler.resolve.records import PodGroup, ResolvedDeployment
from compiler.spec import Environment, ModelKey
from compiler.targets import facts


@dataclass(frozen=True)
class Load:
    """One model's share of one quota key."""

    model: str
    pods: int
    surge_pods: int
    per_pod: Decimal
    switchable: bool = True  # a strategy choice can turn its surge off (not llm-d's)

    @property
    def steady(self) -> Decimal:
        return self.per_pod * self.pods

    @property
    def surge(self) -> Decimal:
        return self.per_pod * self.surge_pods


def check(env: Environment, deployments: Sequence[ResolvedDeployment], *,
          namespaces: Collection[str] | None = None,
          blame: Collection[ModelKey] | None = None) -> list[Diagnostic]:
    """Every quota of ``env`` against its models' peak. ``namespaces``: only those whose
    every model is in ``deployments`` (None: all); ``blame``: the models whose specs may
    carry the error (None: all; check FILES reports only the changed specs)."""
    one_at_a_time = env.quota_rollouts == "one-at-a-time"
    out = []
    for namespace, keys in sorted(env.quotas.items()):
        if namespaces is not None and namespace not in namespaces:
            continue
        models = sorted((rd for rd in deployments if rd.key.namespace == namespace
                         and not rd.access.stopped), key=lambda r: r.key)
        for key, limit in keys.items():
            loads = {rd.key: _loads(rd, key) for rd in models}
            flat = [load for group in loads.values() for load in group]
            show = _Show(limit.format == "binary" or key.endswith("memory"))
            problem = _exceeded(key, limit.value, flat, one_at_a_time, show)
            if problem is None:
                continue
            message, hint = problem
            out.append(env.doc.diag(("spec", "quotas", namespace, key), message,
                                    "quota.exceeded", hint=hint))
            peak = _peak(flat, one_at_a_time)
            for rd in models:
                without = _peak([x for k, g in loads.items() if k != rd.key for x in g],
                                one_at_a_time)
                if without <= limit.value and (blame is None or rd.key in blame):
                    out.append(_on_spec(rd, namespace, key, (peak, without, limit.value),
                                        hint, show))
    return out


def _on_spec(rd: ResolvedDeployment, namespace: str, key: str,
             amounts: tuple[Decimal, Decimal, Decimal], hint: str, _q: _Show) -> Diagnostic:
    peak, without, limit = amounts
    origin = _relevant(rd, key)
    return origin.diag(f"this model pushes namespace '{namespace}' over its quota "
                       f"{key} {_q(limit)}: the peak is {_q(peak)} with it, {_q(without)} "
                       "without it", "quota.exceeded", hint=hint)


def _relevant(rd: ResolvedDeployment, key: str) -> L.Origin:
    """The line of the model's own files that sets its share: the resource, else the
    replicas, else the hardware profile that supplies the amount, else the spec."""
    if key == "pods":
        candidates = ["scaling", "replicas"]
    else:
        section, _, resource = key.partition(".") if "." in key else ("requests", "", key)
        candidates = [f"resources.{section}.{resource}", "scaling", "replicas"]
    own = (L.SPEC, L.ENV_OVERRIDE)
    for name in [*candidates, "hardwareProfile"]:
        origin = rd.origins.get(name)
        if origin is not None and origin.layer in own:
            return origin
    spec = rd.origins["name"]
    return L.Origin(L.SPEC, spec.doc, ("spec",), at_key=True)


def _loads(rd: ResolvedDeployment, key: str) -> list[Load]:
    """One load per pod group the target's quota check counts."""
    target = facts(rd.target)
    groups = [g for g in rd.pod_groups if g.role in target.pod_roles]
    return [Load(str(rd.key) if g.role == "main" else f"{rd.key} {g.role}", g.pods,
                 g.surge_pods, _per_pod(g, key), target.strategy_choice) for g in groups]


def _per_pod(group: PodGroup, key: str) -> Decimal:
    if key == "pods":
        return Decimal(1)
    section, _, resource = key.partition(".") if "." in key else ("requests", "", key)
    resources = group.resources
    values = dict(resources.requests if section == "requests" else resources.limits)
    return parse(values[resource]).value if resource in values else Decimal(0)


def _peak(loads: Sequence[Load], one_at_a_time: bool) -> Decimal:
    steady = sum((x.steady for x in loads), Decimal(0))
    surges = [x.surge for x in loads]
    return steady + (max(surges, default=Decimal(0)) if one_at_a_time else sum(surges, Decimal(0)))


@dataclass(frozen=True)
class _Show:
    """Writes amounts the way the quota is written: bytes in binary units."""

    binary: bool

    def __call__(self, value: Decimal) -> str:
        if self.binary and value >= 1024 and value % 1024 == 0:
            return canonical(f"{value / 1024:f}Ki")
        return canonical(format(value, "f"))


def _exceeded(key: str, limit: Decimal, loads: list[Load], one_at_a_time: bool,
              _q: _Show) -> tuple[str, str] | None:
    peak = _peak(loads, one_at_a_time)
    if peak <= limit:
        return None
    counted = [x for x in loads if x.per_pod]
    steady = sum((x.steady for x in counted), Decimal(0))
    surge = peak - steady
    which = "the largest rolling-update surge" if one_at_a_time else "rolling-update surge"
    message = (f"peak {_q(peak)} exceeds the quota {_q(limit)} by {_q(peak - limit)}: "
               f"steady state {_q(steady)} ({_list(counted, 'steady', _q)}) plus {which} "
               f"{_q(surge)} ({_list([x for x in counted if x.surge], 'surge', _q)})")
    return message, _hint(key, limit, loads, one_at_a_time, steady, _q)


def _hint(key: str, limit: Decimal, loads: list[Load], one_at_a_time: bool,
          steady: Decimal, _q: _Show) -> str:
    if steady > limit:
        return (f"the steady state alone exceeds the quota; lower replicas or "
                f"{key.partition('.')[2] or key} per pod, or raise the quota")
    switched: list[Load] = []
    remaining = sorted(loads, key=_switch_order)
    while _peak(remaining, one_at_a_time) > limit:
        if not remaining[0].switchable or not remaining[0].surge:
            return ("llm-d models take no strategy: their controller's surge stays; raise the "
                    "quota, or lower replicas")
        switched.append(remaining[0])
        remaining = remaining[1:] + [Load(remaining[0].model, remaining[0].pods, 0,
                                          remaining[0].per_pod, remaining[0].switchable)]
        remaining.sort(key=_switch_order)
    names = " and ".join(x.model for x in sorted(switched, key=lambda x: x.model))
    return (f"with strategy: {{type: Recreate}} for {names} it fits (peak "
            f"{_q(_peak(remaining, one_at_a_time))}); Recreate means downtime while pods restart")


def _switch_order(load: Load) -> tuple[bool, Decimal, str]:
    return (not load.switchable, -load.surge, load.model)


def _list(loads: Sequence[Load], what: str, _q: _Show) -> str:
    parts = []
    for x in loads:
        if what == "steady":
            parts.append(f"{x.model}: {x.pods} × {_q(x.per_pod)}")
        else:
            parts.append(f"{x.model}: +{x.surge_pods} × {_q(x.per_pod)}")
    return ", ".join(parts)



@dataclass(frozen=True)
class Usage:
    """One namespace quota key of an environment and the peak its models reach (the numbers
    :func:`check` compares), for ``inferc diff``'s headroom flag."""

    namespace: str
    key: str
    limit: Decimal
    peak: Decimal
    largest_pod: Decimal  # the most one pod of any counted model takes
    binary: bool  # amounts are bytes, shown in binary units as the quota is written

    @property
    def headroom(self) -> Decimal:
        return self.limit - self.peak

    def show(self, value: Decimal) -> str:
        return _Show(self.binary)(value)


def usage(env: Environment, deployments: Sequence[ResolvedDeployment]) -> list[Usage]:
    """Every quota key of ``env`` with its peak, computed as :func:`check` does."""
    one_at_a_time = env.quota_rollouts == "one-at-a-time"
    out = []
    for namespace, keys in sorted(env.quotas.items()):
        models = sorted((rd for rd in deployments if rd.key.namespace == namespace
                         and not rd.access.stopped), key=lambda r: r.key)
        for key, limit in sorted(keys.items()):
            loads = [load for rd in models for load in _loads(rd, key)]
            out.append(Usage(namespace, key, limit.value, _peak(loads, one_at_a_time),
                             max((x.per_pod for x in loads), default=Decimal(0)),
                             limit.format == "binary" or key.endswith("memory")))
    return out
