"""Stage 4 — render: pure functions from a ResolvedDeployment to Kubernetes objects.

One module per target; ``TARGETS`` picks the workload renderer by the
deployment's target, and every renderer in ``EXTRAS`` (RBAC, monitoring, …)
adds the objects around it. A new capability is a new module in these tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from compiler.render import kserve, kuadrant, llmd, rbac
from compiler.resolve.records import ResolvedDeployment

K8sObject = dict[str, Any]
Renderer = Callable[[ResolvedDeployment], list[K8sObject]]

def _llmd(rd: ResolvedDeployment) -> list[K8sObject]:
    assert rd.llmd is not None
    return llmd.render(rd, rd.llmd)


TARGETS: Mapping[str, Renderer] = {
    "kserve": kserve.render,
    "llm-d": _llmd,
}
EXTRAS: tuple[Renderer, ...] = (rbac.render, kuadrant.render)


def render(rd: ResolvedDeployment) -> list[K8sObject]:
    objects = TARGETS[rd.target](rd)
    for extra in EXTRAS:
        objects.extend(extra(rd))
    return objects
