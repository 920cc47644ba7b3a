"""What OpenShift AI's controllers and webhooks do for an InferenceService, rendered by
inferc on a platform where they do not run (upstream KServe; presets/platforms/).

* **Hardware profile** (no profile webhook): the profile's node scheduling goes to
  ``spec.predictor.nodeSelector``/``tolerations``, a queue-scheduled profile's queue to
  the ``kueue.x-k8s.io/queue-name`` label (KServe copies the InferenceService's labels
  onto the predictor Deployment and its pods); no profile objects or annotations.
* **S3** (no connections webhook): ``storageUri: s3://…`` plus KServe's own
  ``serving.kserve.io/storageSecretName`` annotation naming the connection Secret. KServe
  0.20's storage initializer reads that Secret first (before the service account's
  secrets: ``CreateSecretVolumeAndEnvFromServiceAccount``, enabled by
  ``credentials.storageSecretNameAnnotation`` in the release's inferenceservice-config),
  so no extra ServiceAccount is needed. A private OCI connection becomes an image pull
  secret, as the connections webhook would append it.
* **Exposure** (no odh-model-controller Route): KServe exposes every InferenceService
  through the cluster's ingress unless it is labelled
  ``networking.kserve.io/visibility: cluster-local``; inferc writes that label for every
  model that does not ask for ``external: true`` (secure by default).
* **Deployment mode**: inferc deploys raw; where the environment's default mode is not
  raw, the annotation carries the exact value the release stores (DESIGN rule 8).
"""

from __future__ import annotations

import copy
from typing import Any

from compiler import vocabulary as V
from compiler.platforms import normalise_mode
from compiler.resolve.records import ResolvedDeployment

DEPLOYMENT_MODE = V.DEPLOYMENT_MODE
STORAGE_SECRET = V.STORAGE_SECRET
VISIBILITY = V.VISIBILITY
QUEUE_LABEL = V.QUEUE_NAME


def deployment_mode(rd: ResolvedDeployment) -> dict[str, str]:
    release = rd.environment.release
    if normalise_mode(rd.environment.default_deployment_mode) == normalise_mode(release.raw_mode):
        return {}
    return {DEPLOYMENT_MODE: release.raw_mode}


def storage_annotations(rd: ResolvedDeployment) -> dict[str, str]:
    storage = rd.storage
    if storage.scheme == "s3" and storage.connection is not None:
        return {STORAGE_SECRET: storage.connection}
    return {}


def pull_secrets(rd: ResolvedDeployment) -> list[str]:
    storage = rd.storage
    extra = [storage.connection] if storage.scheme == "oci" and storage.connection else []
    return [*storage.pull_secrets, *extra]


def labels(rd: ResolvedDeployment) -> dict[str, str]:
    out = {} if rd.access.external else {VISIBILITY: "cluster-local"}
    queue = _queue(rd)
    if queue is not None:
        out[QUEUE_LABEL] = queue
    return out


def scheduling(rd: ResolvedDeployment) -> dict[str, Any]:
    """nodeSelector and tolerations of a node-scheduled profile, as the webhook merges
    them into a predictor that has none of its own."""
    sched = rd.profile.scheduling or {}
    node = (sched.get("node") or {}) if sched.get("type", "Node") == "Node" else {}
    out: dict[str, Any] = {}
    if node.get("nodeSelector"):
        out["nodeSelector"] = dict(sorted(node["nodeSelector"].items()))
    if node.get("tolerations"):
        out["tolerations"] = copy.deepcopy(list(node["tolerations"]))
    return out


def _queue(rd: ResolvedDeployment) -> str | None:
    sched = rd.profile.scheduling or {}
    kueue = sched.get("kueue") or {}
    queue = kueue.get("localQueueName")
    return queue if isinstance(queue, str) and sched.get("type") == "Queue" else None
