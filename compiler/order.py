"""Object order of ``kustomize build`` (its default "legacy" sort), so that
``inferc render`` prints objects in the same sequence as kustomize does."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# kustomize api/resid/gvk.go: orderFirst / orderLast
_FIRST = ("Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
          "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
          "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
          "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
          "StatefulSet", "CronJob", "PodDisruptionBudget")
_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
_RANK = {kind: i for i, kind in enumerate(_FIRST)} | {
    kind: len(_FIRST) + 1 + i for i, kind in enumerate(_LAST)}


def sort_key(obj: Mapping[str, Any]) -> tuple[int, str, str, str]:
    kind = obj["kind"]
    group, _, version = obj["apiVersion"].rpartition("/")
    gvk = f"{group or '~G'}_{version or '~V'}_{kind or '~K'}"
    meta = obj.get("metadata", {})
    return (_RANK.get(kind, len(_FIRST)), gvk, meta.get("namespace", ""), meta.get("name", ""))


def kustomize_order(objects: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(objects, key=sort_key)
