"""Deployment strategy and scaling (documentation §2.2; platform-facts §3.5).

``replicas`` is what the wizard writes (minReplicas = maxReplicas); ``scaling``
gives autoscaling bounds instead. Whichever the higher layer sets wins; both in
one layer is an error. RollingUpdate may carry maxSurge/maxUnavailable;
Recreate takes neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.resolve import layers as L
from compiler.resolve.records import Scaling, Strategy

_RANK = {L.BUILTIN: 0, L.REPO_PRESET: 0, L.ENV_DEFAULT: 1, L.SPEC: 2, L.ENV_OVERRIDE: 3}


def resolve(values: Mapping[str, Any], origins: Mapping[str, L.Origin],
            ) -> tuple[Scaling, Strategy, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    scaling = _scaling(values, origins, diags)
    raw = values.get("strategy", {"type": "RollingUpdate"})
    strategy = Strategy(raw["type"], raw.get("maxSurge"), raw.get("maxUnavailable"))
    if strategy.type == "Recreate" and (strategy.max_surge is not None
                                        or strategy.max_unavailable is not None):
        diags.append(origins["strategy"].diag(
            "Recreate stops every pod before starting new ones; maxSurge and maxUnavailable "
            "apply to RollingUpdate only", "strategy.recreate-params"))
    if _is_zero(strategy.max_surge) and _is_zero(strategy.max_unavailable):
        diags.append(origins["strategy"].diag(
            "maxSurge and maxUnavailable cannot both be 0: the rollout could never progress",
            "strategy.stuck"))
    return scaling, strategy, diags


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
