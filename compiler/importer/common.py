"""Fields every model kind reads alike: names shown, hardware profile and resources,
environment variables, stop, AI asset and the model location."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler import vocabulary as V
from compiler.errors import InputError
from compiler.importer.objects import ClusterObject
from compiler.importer.records import Context
from compiler.quantity import parse
from compiler.spec import NO_PROFILE

SCHEMES = ("oci", "hf", "https", "s3", "pvc")  # what a spec's storage.uri takes


def metadata(obj: ClusterObject) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": obj.name, "namespace": obj.namespace}
    annotations = obj.annotations()
    display = annotations.get(V.DISPLAY_NAME)
    if display is not None and display != obj.name:
        meta["displayName"] = display
    if annotations.get(V.DESCRIPTION):
        meta["description"] = annotations[V.DESCRIPTION]
    return meta


def implied_replicas(ctx: Context) -> int:
    """The replica count a spec that says none gets in the round trip's environment:
    its ``defaults.replicas``, else one. A spec leaves out only a count equal to it,
    so an environment that defaults to 3 still gets a model that runs 1."""
    value = ctx.environment.defaults.get("replicas", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def document(obj: ClusterObject, spec: Mapping[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "inferc.dev/v1alpha1", "kind": "ModelDeployment",
            "metadata": metadata(obj), "spec": dict(spec)}


def hardware(obj: ClusterObject, resources: Any, ctx: Context) -> dict[str, Any]:
    """``hardwareProfile`` from the dashboard's annotation (``none`` without one) and the
    resources that differ from the profile's defaults (requests = limits = defaultCount)."""
    name = obj.annotations().get(V.HARDWARE_PROFILE_NAME) or NO_PROFILE
    out: dict[str, Any] = {"hardwareProfile": name}
    requests = _quantities(resources, "requests")
    limits = _quantities(resources, "limits")
    profile = ctx.profile(name) if name != NO_PROFILE else None
    defaults = {i.identifier: i.default_count for i in profile.identifiers} if profile else {}
    for key, default in defaults.items():
        # a profile default the object keeps needs no word in the spec
        if _same(requests.get(key), default) and _same(limits.get(key), default):
            requests.pop(key)
            limits.pop(key)
    kept = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    if kept:
        out["resources"] = kept
    return out


def _quantities(resources: Any, which: str) -> dict[str, Any]:
    found = resources.get(which) if isinstance(resources, dict) else None
    return dict(found) if isinstance(found, dict) else {}


def _same(value: Any, default: str) -> bool:
    if value is None:
        return False
    try:
        return parse(value).value == parse(default).value
    except (InputError, TypeError):
        return False


def switches(obj: ClusterObject) -> dict[str, Any]:
    """Stop and AI asset, as the dashboard writes them."""
    out: dict[str, Any] = {}
    annotations, labels = obj.annotations(), obj.labels()
    if annotations.get(V.STOP) == "true":
        out["stopped"] = True
    if labels.get(V.GENAI_ASSET) == "true":
        use_case = annotations.get(V.GENAI_USE_CASE)
        out["aiAsset"] = {"useCase": use_case} if use_case else {}
    return out


def scheme(uri: str) -> str:
    return uri.partition("://")[0] if "://" in uri else ""
