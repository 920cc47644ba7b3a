"""Environment output ``hardware-profiles``: with ``manageHardwareProfiles: true``, every
hardware profile a model of the environment uses, as an
``infrastructure.opendatahub.io/v1`` HardwareProfile (global ones in the
dashboard namespace), in sync wave -1: the admission webhook rejects a model
whose profile does not exist yet.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from compiler.objects import K8sObject
from compiler.render.common import SYNC_WAVE
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import Environment, HardwareProfile


def render(env: Environment, deployments: Sequence[ResolvedDeployment]) -> list[K8sObject]:
    if not env.manage_profiles:
        return []
    used = {(rd.profile_namespace, rd.profile.name): rd.profile for rd in deployments
            if not rd.profile.none}
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
