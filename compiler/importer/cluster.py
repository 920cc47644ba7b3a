"""What only the cluster knows: dropped from an imported object before it is read or
compared, and named in the report (never silently)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler import vocabulary as V
from compiler.diagnostics import DocPath, format_path
from compiler.objects import plain_copy

# ObjectMeta the API server (or a controller) writes: identity, history, ownership.
_META = ("uid", "resourceVersion", "generation", "managedFields", "creationTimestamp",
         "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "ownerReferences",
         "finalizers", "generateName")
# Annotations written by clients and controllers, not by whoever declared the object.
_ANNOTATIONS = (V.LAST_APPLIED, V.ARGOCD_TRACKING, V.REGISTRY_PULL_SECRET_REF,
                V.SERVICE_ACCOUNT_UID)
# Per kind: fields a controller fills in after creation.
_BY_KIND: Mapping[str, tuple[DocPath, ...]] = {
    # the token controller writes the token, the CA and the namespace into the Secret
    "Secret": (("data",), ("stringData",)),
    # OpenShift adds its registry pull secret (<sa>-dockercfg-…) to every ServiceAccount
    "ServiceAccount": (("secrets",), ("imagePullSecrets",)),
}


def strip(kind: str, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``data`` without cluster-only fields, and the paths dropped."""
    out = plain_copy(data)
    dropped: list[str] = []
    if out.pop("status", None) is not None:
        dropped.append("status")
    meta = out.get("metadata")
    if isinstance(meta, dict):
        dropped += [f"metadata.{k}" for k in _META if meta.pop(k, None) is not None]
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            for key in _ANNOTATIONS:
                if annotations.pop(key, None) is not None:
                    dropped.append(format_path(("metadata", "annotations", key)))
            if not annotations:
                meta.pop("annotations")
    for path in _BY_KIND.get(kind, ()):
        if _pop(out, path):
            dropped.append(format_path(path))
    return out, dropped


def _pop(data: dict[str, Any], path: DocPath) -> bool:
    node: Any = data
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, dict) and node.pop(path[-1], None) is not None

