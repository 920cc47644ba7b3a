"""Environment output ``namespaces``: with ``manageNamespaces: true``, every model namespace.

Each is labelled so that the dashboard lists it as a project on the KServe
platform (``modelmesh-enabled: "false"``, what the dashboard writes for a
single-model serving project), and with the Kueue label when one of its models
uses a profile that schedules through a queue.
"""

from __future__ import annotations

from collections.abc import Sequence

from compiler import vocabulary as V
from compiler.objects import K8sObject
from compiler.render.common import DASHBOARD_LABEL, SYNC_WAVE
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import Environment

KUEUE_MANAGED = V.KUEUE_MANAGED


def render(env: Environment, deployments: Sequence[ResolvedDeployment]) -> list[K8sObject]:
    if not env.manage_namespaces:
        return []
    queued: dict[str, bool] = {}
    for rd in deployments:
        scheduling = rd.profile.scheduling or {}
        queued[rd.key.namespace] = (queued.get(rd.key.namespace, False)
                                    or scheduling.get("type") == "Queue")
    dashboard = env.release.dashboard_labels
    # Kueue enabled in the dashboard (disableKueue: false): it labels every project.
    return [_namespace(name, queued[name] or env.kueue_enabled, dashboard,
                       env.namespace_names.get(name))
            for name in sorted(queued)]


def _namespace(name: str, queued: bool, dashboard: bool, display: str | None) -> K8sObject:
    if not dashboard:  # no OpenShift AI dashboard to list the project for
        return {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "annotations": {SYNC_WAVE: "-2"}}}
    labels = {DASHBOARD_LABEL: "true", V.MODELMESH_ENABLED: "false"}
    if queued:
        labels[KUEUE_MANAGED] = "true"
    # wave -2: everything else in the namespace (wave -1 and 0) needs it first
    annotations = {SYNC_WAVE: "-2"}
    if display:
        annotations[V.DISPLAY_NAME] = display  # the dashboard's project name
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": dict(sorted(labels.items())),
                         "annotations": dict(sorted(annotations.items()))}}
