"""Labels and annotations OpenShift AI writes on what its wizard creates (what the wizard writes)."""

from __future__ import annotations

from typing import Any

from compiler import vocabulary as V
from compiler.resolve.records import ResolvedDeployment

DASHBOARD_LABEL = V.DASHBOARD
SYNC_WAVE = V.SYNC_WAVE


def before_model() -> dict[str, str]:
    """Argo CD applies these before the model (wave 0): admission of an
    InferenceService needs its ServingRuntime, and token Secrets need their
    ServiceAccount (Argo orders ServiceAccount before Secret within a wave)."""
    return {SYNC_WAVE: "-1"}


def metadata(name: str, namespace: str, *, labels: dict[str, str] | None = None,
             annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """ObjectMeta with labels and annotations in sorted order, as the API server returns them."""
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = dict(sorted(labels.items()))
    if annotations:
        meta["annotations"] = dict(sorted(annotations.items()))
    return meta


def hardware_profile_annotations(rd: ResolvedDeployment) -> dict[str, str]:
    # The resource-version annotation the dashboard also writes is cluster state
    # (non-deterministic); the webhook looks the profile up by name and namespace.
    # Without a profile (hardwareProfile: none) the model carries none, as the
    # documentation's CLI procedure writes it.
    if rd.profile.none:
        return {}
    return {V.HARDWARE_PROFILE_NAME: rd.profile.name,
            V.HARDWARE_PROFILE_NAMESPACE: rd.profile_namespace}
