"""Kubernetes objects as inferc passes them around: plain dicts, at the edge of the pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

K8sObject = dict[str, Any]  # one object a renderer makes
ObjectKey = tuple[str, str, str, str]  # API group, kind, namespace ("" if cluster-scoped), name


def object_key(obj: Mapping[str, Any]) -> ObjectKey:
    """What makes two objects the same object to the API server (the version does not)."""
    meta = obj["metadata"]
    group = obj["apiVersion"].rpartition("/")[0]
    return (group, obj["kind"], meta.get("namespace", ""), meta["name"])


def describe(obj: Mapping[str, Any]) -> str:
    """``Kind namespace/name`` (``Kind name`` when cluster-scoped), for messages."""
    meta = obj.get("metadata", {})
    where = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind')} {where}{meta.get('name')}"


def plain_copy(value: Any) -> Any:
    """A deep copy of plain data (dicts, lists, scalars); copy.deepcopy is several
    times slower for it, and render copies a runtime template per model."""
    if isinstance(value, dict):
        return {k: plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_copy(v) for v in value]
    return value
