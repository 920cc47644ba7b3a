"""Kuadrant's RateLimitPolicy and TokenRateLimitPolicy → an llm-d model's ``access.rateLimits``.

inferc writes one policy of each kind per llm-d model, on the HTTPRoute KServe
creates for it (``<model>-kserve-route``). A policy in the input that targets that
route is read back into the spec and becomes one of the objects the round trip
must reproduce: whatever else it holds (``when`` conditions, counters, a limit
named other than ``requests``/``tokens``, a second limit) is then reported with
its path as a field the spec cannot express, never dropped.
"""

from __future__ import annotations

from typing import Any

from compiler.importer.objects import ClusterObject
from compiler.importer.records import Context, nested
from compiler.resolve.llmd import SUFFIXES

# kind → the key of access.rateLimits it stands for
KINDS = {"RateLimitPolicy": "requests", "TokenRateLimitPolicy": "tokens"}


def rate_limits(llmisvc: ClusterObject, ctx: Context,
                ) -> tuple[dict[str, Any], tuple[ClusterObject, ...]]:
    """The model's ``rateLimits`` block and the policies it was read from."""
    route = f"{llmisvc.name}{SUFFIXES['route']}"
    found: dict[str, Any] = {}
    policies: list[ClusterObject] = []
    for obj in ctx.objects:
        key = KINDS.get(obj.kind)
        if key is None or key in found or obj.namespace != llmisvc.namespace \
                or not _targets(obj, route):
            continue
        rates = _rates(obj)
        if rates:
            found[key] = rates
            policies.append(obj)
    return found, tuple(policies)


def _targets(policy: ClusterObject, route: str) -> bool:
    ref = nested(policy.data, "spec", "targetRef")
    return isinstance(ref, dict) and ref.get("kind") == "HTTPRoute" and ref.get("name") == route


def _rates(policy: ClusterObject) -> list[dict[str, Any]]:
    """The rates of the policy's first limit, whatever its name (the round trip
    reports a name or a second limit the spec would not write)."""
    limits = nested(policy.data, "spec", "limits")
    if not isinstance(limits, dict) or not limits:
        return []
    rates = nested(next(iter(limits.values())), "rates")
    if not isinstance(rates, list):
        return []
    return [{"limit": r["limit"], "window": r["window"]} for r in rates
            if isinstance(r, dict) and "limit" in r and "window" in r]
