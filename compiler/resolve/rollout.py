"""Deployment strategy and scaling (the documentation on deployment
strategies; the strategy the wizard writes).

``replicas`` is what the wizard writes (minReplicas = maxReplicas); ``scaling``
gives autoscaling bounds instead. Whichever the higher layer sets wins; both in
one layer is an error. RollingUpdate may carry maxSurge/maxUnavailable;
Recreate takes neither.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.resolve import layers as L
from compiler.resolve.records import Scaling, Strategy

DEFAULT_SURGE = "25%"  # Kubernetes' default maxSurge
_RANK = {L.BUILTIN: 0, L.REPO_PRESET: 0, L.ENV_DEFAULT: 1, L.SPEC: 2, L.ENV_OVERRIDE: 3}


def scaling(values: Mapping[str, Any], origins: Mapping[str, L.Origin],
            ) -> tuple[Scaling, list[Diagnostic]]:
    """How many pods: every target has this. Zero is not a way to stop a model: raw
    deployment never scales to zero (KServe keeps one pod, which no quota check
    counted); ``stopped: true`` is."""
    diags: list[Diagnostic] = []
    result = _scaling(values, origins, diags)
    if result.min_replicas == 0:
        pinned = "scaling" not in values or _pinned(origins)
        field = "replicas" if pinned else "scaling"
        diags.append(origins[field].diag(
            f"{'replicas' if pinned else 'minReplicas'} 0 does not stop the model: raw "
            "deployment does not scale to zero, so one pod keeps running (and the quota check "
            "would not count it)", "scaling.zero",
            hint="to stop the model, say stopped: true (what the dashboard's Stop button does)"))
    return result, diags


def _pinned(origins: Mapping[str, L.Origin]) -> bool:
    scaled, replicas = origins.get("scaling"), origins["replicas"]
    return scaled is None or _RANK[replicas.layer] > _RANK[scaled.layer]


def strategy(values: Mapping[str, Any], origins: Mapping[str, L.Origin],
             ) -> tuple[Strategy, list[Diagnostic]]:
    """The deployment strategy, for a target whose spec may choose one."""
    diags: list[Diagnostic] = []
    raw = values.get("strategy", {"type": "RollingUpdate"})
    result = Strategy(raw["type"], raw.get("maxSurge"), raw.get("maxUnavailable"))
    if result.type == "Recreate" and (result.max_surge is not None
                                      or result.max_unavailable is not None):
        diags.append(origins["strategy"].diag(
            "Recreate stops every pod before starting new ones; maxSurge and maxUnavailable "
            "apply to RollingUpdate only", "strategy.recreate-params"))
    if _is_zero(result.max_surge) and _is_zero(result.max_unavailable):
        diags.append(origins["strategy"].diag(
            "maxSurge and maxUnavailable cannot both be 0: the rollout could never progress",
            "strategy.stuck"))
    return result, diags


def surge_pods(strategy: Strategy, replicas: int) -> int:
    """Extra pods a rollout of ``replicas`` pods starts, rounded up as Kubernetes does
    (one replica with the default 25% surges to two pods); Recreate never surges."""
    if strategy.type == "Recreate" or replicas == 0:
        return 0
    surge = strategy.max_surge if strategy.max_surge is not None else DEFAULT_SURGE
    if isinstance(surge, int):
        return surge
    return math.ceil(Decimal(surge.rstrip("%")) * replicas / 100)


def _scaling(values: Mapping[str, Any], origins: Mapping[str, L.Origin],
             diags: list[Diagnostic]) -> Scaling:
    raw = values.get("scaling")
    replicas: int = values["replicas"]
    if raw is None:
        return Scaling(replicas, replicas, None, None)
    origin, rep_origin = origins["scaling"], origins["replicas"]
    if _RANK[rep_origin.layer] > _RANK[origin.layer]:
        return Scaling(replicas, replicas, None, None)  # a higher layer pinned the count
    if rep_origin.layer == origin.layer and rep_origin.doc is origin.doc:
        diags.append(rep_origin.diag("give replicas or scaling, not both", "scaling.both"))
    if raw["minReplicas"] > raw["maxReplicas"]:
        diags.append(origin.diag(f"minReplicas {raw['minReplicas']} is above maxReplicas "
                                 f"{raw['maxReplicas']}", "scaling.bounds"))
    if ("metric" in raw) != ("target" in raw):
        diags.append(origin.diag("metric and target go together", "scaling.metric"))
    return Scaling(raw["minReplicas"], raw["maxReplicas"], raw.get("metric"), raw.get("target"))


def _is_zero(value: int | str | None) -> bool:
    return value in (0, "0%")
