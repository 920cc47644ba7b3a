"""Cluster-level objects of one environment, when the environment manages them.

With ``manageHardwareProfiles: true`` every hardware profile a model uses is
emitted as an ``infrastructure.opendatahub.io/v1`` HardwareProfile (global ones
into the dashboard namespace) in sync wave -1: the admission webhook rejects a
model whose profile does not exist yet. With ``manageNamespaces: true`` every
model namespace is emitted with the labels
the dashboard needs to list it as a project on the KServe platform
(platform-facts §3.2: ``modelmesh-enabled: "false"``), and with the Kueue
label when one of its models uses a profile that schedules through a queue.
With ``managePlatform: true`` the llm-d set-up of ``compiler.render.bootstrap``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from compiler.render import bootstrap
from compiler.render.common import DASHBOARD_LABEL, SYNC_WAVE
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import Environment, HardwareProfile

K8sObject = dict[str, Any]
KUEUE_MANAGED = "kueue.openshift.io/managed"


def render_environment(env: Environment, deployments: Sequence[ResolvedDeployment],
                       ) -> list[K8sObject]:
    return (_namespaces(env, deployments) + _profiles(env, deployments)
            + bootstrap.render_environment(env, deployments))


def _profiles(env: Environment, deployments: Sequence[ResolvedDeployment]) -> list[K8sObject]:
    if not env.manage_profiles:
        return []
    used = {(rd.profile_namespace, rd.profile.name): rd.profile for rd in deployments}
    return [_profile(namespace, profile) for (namespace, _), profile in sorted(used.items())]


def _profile(namespace: str, profile: HardwareProfile) -> K8sObject:
    source = profile.doc.data
    annotations = dict(source["metadata"].get("annotations", {}))
    annotations[SYNC_WAVE] = "-1"
    meta: K8sObject = {"name": profile.name, "namespace": namespace,
                       "annotations": dict(sorted(annotations.items()))}
    if source["metadata"].get("labels"):
        meta["labels"] = dict(sorted(source["metadata"]["labels"].items()))
    return {"apiVersion": "infrastructure.opendatahub.io/v1", "kind": "HardwareProfile",
            "metadata": meta, "spec": copy.deepcopy(source["spec"])}


def _namespaces(env: Environment, deployments: Sequence[ResolvedDeployment],
                ) -> list[K8sObject]:
    if not env.manage_namespaces:
        return []
    queued: dict[str, bool] = {}
    for rd in deployments:
        scheduling = rd.profile.scheduling or {}
        queued[rd.key.namespace] = (queued.get(rd.key.namespace, False)
                                    or scheduling.get("type") == "Queue")
    dashboard = env.release.dashboard_labels
    return [_namespace(name, queued[name], dashboard) for name in sorted(queued)]


def _namespace(name: str, queued: bool, dashboard: bool) -> K8sObject:
    if not dashboard:  # no OpenShift AI dashboard to list the project for
        return {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "annotations": {SYNC_WAVE: "-2"}}}
    labels = {DASHBOARD_LABEL: "true", "modelmesh-enabled": "false"}
    if queued:
        labels[KUEUE_MANAGED] = "true"
    # wave -2: everything else in the namespace (wave -1 and 0) needs it first
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": dict(sorted(labels.items())),
                         "annotations": {SYNC_WAVE: "-2"}}}
