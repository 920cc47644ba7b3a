"""The round trip, field for field: an imported object against what its spec renders.

Every difference is either one of inferc's documented representation differences
(README: "Where inferc writes a different but equivalent representation"), named
in the report with its reason, or something the spec language cannot express,
reported at the input's own line. Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from compiler import vocabulary as V
from compiler.diagnostics import Diagnostic, DocPath, Severity, format_path, show_value
from compiler.errors import InputError
from compiler.importer import cluster
from compiler.importer.kserve import FRAMEWORKS
from compiler.importer.objects import ClusterObject
from compiler.importer.records import nested
from compiler.quantity import parse
from compiler.spec import Environment

RULE = "import.inexpressible"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Difference:
    path: DocPath  # in the imported object (its own indices)
    cluster: Any  # MISSING: only rendered
    rendered: Any  # MISSING: only in the cluster


@dataclass(frozen=True)
class Facts:
    """What classifying a difference may depend on."""

    kind: str
    environment: Environment
    annotations: Mapping[str, str]  # the imported object's
    has_profile: bool


Explain = Callable[[Difference, Facts], str | None]


def compare(source: ClusterObject, rendered: Mapping[str, Any], env: Environment,
            *, lossy: bool) -> tuple[list[str], list[Diagnostic]]:
    """Notes for documented differences; diagnostics for everything else."""
    data, _ = cluster.strip(source.kind, source.data)
    data = _current_form(source.kind, data)
    annotations = source.annotations()
    facts = Facts(source.kind, env, annotations,
                  V.HARDWARE_PROFILE_NAME in annotations)
    notes, diags = [], []
    for diff in differences(data, dict(rendered)):
        reason = next((r for rule in EXPLAINED if (r := rule(diff, facts)) is not None), None)
        if reason is not None:
            notes.append(f"{source.ref}: {format_path(diff.path)}: {reason}")
        else:
            diags.append(source.diag(diff.path, f"{source.ref}: {_describe(diff)}", RULE,
                                     severity=Severity.WARNING if lossy else Severity.ERROR,
                                     hint=_hint(source.kind, diff.path)))
    return notes, diags


def _describe(diff: Difference) -> str:
    if diff.rendered is MISSING:
        return (f"{show_value(diff.cluster)} cannot be expressed in a spec; the imported spec "
                "would not write it")
    if diff.cluster is MISSING:
        return (f"the imported spec renders {show_value(diff.rendered)} here, which the cluster "
                "object does not have")
    return (f"the cluster has {show_value(diff.cluster)}, the imported spec renders "
            f"{show_value(diff.rendered)}")


# Where a difference comes from something other than the spec, say where to look.
_HINTS: tuple[tuple[DocPath, str], ...] = (
    (("spec", "router", "gateway"), "the gateway is the environment's: spec.gateway in "
                                    "environments/<env>.yaml (none: the platform's default)"),
    (("spec", "model", "name"), "inferc serves an LLMInferenceService's model under the "
                                "object's own name"),
    (("metadata", "annotations", V.DEPLOYMENT_MODE), "inferc deploys raw; an environment says "
                                                      "which mode its cluster defaults to in "
                                                      "spec.platform.defaultDeploymentMode"),
)


def _hint(kind: str, path: DocPath) -> str | None:
    if kind == "ServingRuntime" and path[:1] == ("spec",):
        return ("the cluster's copy differs from the template the target release ships: the "
                "specs would move the model onto the release's runtime; --lossy accepts that, "
                "or keep the old runtime as a preset in presets/runtimes/ and name it")
    return next((hint for prefix, hint in _HINTS if path[:len(prefix)] == prefix), None)


def _current_form(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """KServe's framework shorthand (``predictor.sklearn``) in its current form
    (``predictor.model`` with ``modelFormat``), which is what inferc writes."""
    predictor = nested(data, "spec", "predictor") if kind == "InferenceService" else None
    if not isinstance(predictor, dict) or "model" in predictor:
        return data
    for framework in FRAMEWORKS:
        if isinstance(predictor.get(framework), dict):
            body = predictor.pop(framework)
            predictor["model"] = {"modelFormat": {"name": framework}, **body}
            break
    return data


# ---------------------------------------------------------------------------- diffing


def differences(cluster_side: Any, rendered: Any, path: DocPath = ()) -> list[Difference]:
    # a mapping only one side has is compared key by key, so each key is explained alone
    if cluster_side is MISSING and isinstance(rendered, dict):
        cluster_side = {}
    if rendered is MISSING and isinstance(cluster_side, dict):
        rendered = {}
    if isinstance(cluster_side, dict) and isinstance(rendered, dict):
        out = []
        for key in [*cluster_side, *(k for k in rendered if k not in cluster_side)]:
            a, b = cluster_side.get(key, MISSING), rendered.get(key, MISSING)
            if _empty(a) and _empty(b):
                continue
            out += differences(a, b, (*path, key))
        return out
    if isinstance(cluster_side, list) and isinstance(rendered, list):
        return _lists(cluster_side, rendered, path)
    if _same(cluster_side, rendered, path):
        return []
    return [Difference(path, cluster_side, rendered)]


def _empty(value: Any) -> bool:
    return value is MISSING or value is None or value == {} or value == []


def _lists(a: list[Any], b: list[Any], path: DocPath) -> list[Difference]:
    keyed_a, keyed_b = _by_name(a), _by_name(b)
    if keyed_a is not None and keyed_b is not None:
        out = []
        for name, (index, item) in keyed_a.items():
            other = keyed_b.get(name)
            out += differences(item, other[1] if other else MISSING, (*path, index))
        out += [Difference(path, MISSING, item) for name, (_, item) in keyed_b.items()
                if name not in keyed_a]
        return out
    if len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, (*path, i))]
    return [Difference(path, a, b)]


def _by_name(items: list[Any]) -> dict[str, tuple[int, Any]] | None:
    """Items keyed by ``name`` (containers, env, ports…) when each has a distinct one:
    compared by name, as Kubernetes merges them, not by position."""
    if not items or not all(isinstance(i, dict) and isinstance(i.get("name"), str)
                            for i in items):
        return None
    keyed = {i["name"]: (n, i) for n, i in enumerate(items)}
    return keyed if len(keyed) == len(items) else None


def _same(a: Any, b: Any, path: DocPath) -> bool:
    if a == b and type(a) is type(b):
        return True
    if _empty(a) and _empty(b):
        return True
    if any(p in ("requests", "limits") for p in path) and not isinstance(a, bool) \
            and isinstance(a, (str, int, float)) and isinstance(b, (str, int, float)):
        try:  # quantities: the API server's "4" is the spec's 4
            return parse(a).value == parse(b).value
        except (InputError, TypeError):
            return False
    return False


# -------------------------------------------------- documented representation differences


def _annotation(diff: Difference) -> str | None:
    if len(diff.path) == 3 and diff.path[:2] == ("metadata", "annotations"):
        return str(diff.path[2])
    return None


def _label(diff: Difference) -> str | None:
    if len(diff.path) == 3 and diff.path[:2] == ("metadata", "labels"):
        return str(diff.path[2])
    return None


def _profile_version(diff: Difference, facts: Facts) -> str | None:
    if _annotation(diff) == V.HARDWARE_PROFILE_VERSION:
        return ("not written: the profile's resourceVersion is cluster state; the webhook finds "
                "the profile by name and namespace")
    return None


def _sync_wave(diff: Difference, facts: Facts) -> str | None:
    if _annotation(diff) == V.SYNC_WAVE and diff.cluster is MISSING:
        return ("added: Argo CD sync wave, so the runtime and token objects exist before the "
                "model is admitted")
    return None


_SCHEDULING = {"InferenceService": ("spec", "predictor"), "LLMInferenceService": ("spec", "template")}


def _profile_webhook(diff: Difference, facts: Facts) -> str | None:
    if not facts.has_profile or not facts.environment.release.runs("hardwareProfileWebhook"):
        return None
    base = _SCHEDULING.get(facts.kind)
    scheduling = base is not None and diff.path[:2] == base and len(diff.path) >= 3 \
        and diff.path[2] in ("nodeSelector", "tolerations")
    if (scheduling or _label(diff) == V.QUEUE_NAME) and diff.rendered is MISSING:
        return "not written: the hardware-profile webhook applies it from the profile"
    return None


def _connection_webhook(diff: Difference, facts: Facts) -> str | None:
    connection = facts.annotations.get(V.CONNECTIONS)
    if connection is None or diff.rendered is not MISSING:
        return None
    path = diff.path
    by_webhook = (
        path[:4] == ("spec", "predictor", "model", "storage")
        or (path == ("spec", "predictor", "model", "storageUri")
            and V.CONNECTION_PATH in facts.annotations)
        or (path[-1:] == ("serviceAccountName",) and diff.cluster == f"{connection}-sa")
        or (len(path) >= 2 and path[-2] == "imagePullSecrets"
            and diff.cluster == {"name": connection}))
    if by_webhook:
        return f"not written: the connections webhook fills it from connection '{connection}'"
    return None


def _uri_connection(diff: Difference, facts: Facts) -> str | None:
    if _annotation(diff) == V.CONNECTIONS and diff.rendered is MISSING:
        return ("not written: the location goes straight into the storage URI instead of the "
                "wizard's hidden URI connection Secret (same model, no connection shown)")
    return None


def _stop_false(diff: Difference, facts: Facts) -> str | None:
    if _annotation(diff) == V.STOP and diff.cluster == "false" and diff.rendered is MISSING:
        return ("not written: the model runs; without the annotation the dashboard's "
                "Stop/Start keeps working")
    return None


def _deployment_mode(diff: Difference, facts: Facts) -> str | None:
    env = facts.environment
    raw = env.default_deployment_mode == env.release.raw_mode
    if _annotation(diff) == V.DEPLOYMENT_MODE and diff.rendered is MISSING and raw \
            and diff.cluster in (env.release.raw_mode, "RawDeployment", "Standard"):
        return "not written: raw deployment is the platform's default (the wizard writes none)"
    return None


# Values the wizard writes that mean what their absence means on the cluster.
_DEFAULTS: Mapping[DocPath, Any] = {
    ("spec", "predictor", "minReplicas"): 1,
    ("spec", "predictor", "maxReplicas"): 1,
    ("spec", "predictor", "deploymentStrategy", "type"): "RollingUpdate",
    ("metadata", "annotations", V.ENABLE_AUTH): "false",
    ("metadata", "annotations", V.DESCRIPTION): "",
    ("metadata", "labels", V.DASHBOARD): "true",
}


def _wizard_defaults(diff: Difference, facts: Facts) -> str | None:
    if diff.cluster is not MISSING:
        return None
    if _DEFAULTS.get(diff.path, MISSING) == diff.rendered:
        return "added: as the dashboard's wizard writes it; the same as its absence"
    if _annotation(diff) in (V.DISPLAY_NAME, V.MODEL_TYPE):
        return "added: as the dashboard's wizard writes it (shown by the dashboard only)"
    return None


def _runtime_named(diff: Difference, facts: Facts) -> str | None:
    if diff.path == ("spec", "predictor", "model", "runtime") and diff.cluster is MISSING:
        return ("added: the runtime KServe selects for the model (runtime: auto), named so the "
                "choice is in Git")
    return None


def _container_name(diff: Difference, facts: Facts) -> str | None:
    if diff.path == ("spec", "predictor", "model", "name") and diff.rendered is MISSING \
            and diff.cluster in ("", "kserve-container"):
        return "not written: KServe's defaulting fills in the model container's name"
    return None


def _namespace(diff: Difference, facts: Facts) -> str | None:
    if diff.path == ("metadata", "namespace") and diff.cluster is MISSING:
        return "added: the input names no namespace; imported into it as kubectl would apply it"
    return None


EXPLAINED: tuple[Explain, ...] = (_profile_version, _sync_wave, _profile_webhook,
                                  _connection_webhook, _uri_connection, _stop_false,
                                  _deployment_mode, _wizard_defaults, _runtime_named,
                                  _container_name,
                                  _namespace)
