"""Cluster-level objects of one environment, when the environment manages them.

With ``manageNamespaces: true`` every model namespace is emitted with the labels
the dashboard needs to list it as a project on the KServe platform
(platform-facts §3.2: ``modelmesh-enabled: "false"``), and with the Kueue
label when one of its models uses a profile that schedules through a queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compiler.render.common import DASHBOARD_LABEL
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import Environment

K8sObject = dict[str, Any]
KUEUE_MANAGED = "kueue.openshift.io/managed"


def render_environment(env: Environment, deployments: Sequence[ResolvedDeployment],
                       ) -> list[K8sObject]:
    if not env.manage_namespaces:
        return []
    queued: dict[str, bool] = {}
    for rd in deployments:
        scheduling = rd.profile.scheduling or {}
        queued[rd.key.namespace] = (queued.get(rd.key.namespace, False)
                                    or scheduling.get("type") == "Queue")
    return [_namespace(name, queued[name]) for name in sorted(queued)]


def _namespace(name: str, queued: bool) -> K8sObject:
    labels = {DASHBOARD_LABEL: "true", "modelmesh-enabled": "false"}
    if queued:
        labels[KUEUE_MANAGED] = "true"
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": dict(sorted(labels.items()))}}
