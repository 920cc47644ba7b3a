"""What Kubernetes makes of a container resource's name (``k8s.io/kubernetes/pkg/apis/core/
helper``): the rules a request and its limit follow depend on it. Spec resolution and
the API-server checks of ``verify`` both ask, so they ask here.
"""

from __future__ import annotations


def is_native(name: str) -> bool:
    """IsNativeResource: no domain, or a kubernetes.io one."""
    return "/" not in name or "kubernetes.io/" in name


def is_overcommittable(name: str) -> bool:
    """IsOvercommitAllowed: native resources except hugepages. The others (devices such
    as nvidia.com/gpu, and hugepages) need a limit equal to their request."""
    return is_native(name) and not name.startswith("hugepages-")


def is_extended(name: str) -> bool:
    """IsExtendedResourceName: a device plugin's resource such as nvidia.com/gpu."""
    return not is_native(name) and not name.startswith("requests.")
