"""Stage 4 — render: pure functions from a ResolvedDeployment to Kubernetes objects.

One module per target; :data:`TARGETS` picks the workload renderer by the
deployment's target (``compiler.targets``: "How to add a target"), and every
renderer in :data:`EXTRAS` (RBAC, monitoring, …) adds the objects around it.
Objects of a whole environment (namespaces, profiles, gateways, …) are
environment outputs: ``compiler.render.environment`` ("How to add an
environment output").
"""

from __future__ import annotations

from collections.abc import Callable

from compiler.objects import K8sObject
from compiler.render import kserve, kuadrant, llmd, monitoring, rbac
from compiler.resolve.records import ResolvedDeployment

Renderer = Callable[[ResolvedDeployment], list[K8sObject]]

TARGETS: dict[str, Renderer] = {
    "kserve": kserve.render,
    "llm-d": llmd.render,
}
EXTRAS: list[Renderer] = [rbac.render, kuadrant.render, monitoring.render]


def render(rd: ResolvedDeployment) -> list[K8sObject]:
    objects = TARGETS[rd.target](rd)
    for extra in EXTRAS:
        objects.extend(extra(rd))
    return objects
