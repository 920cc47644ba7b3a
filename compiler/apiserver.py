"""What the Kubernetes API server rejects (or silently changes) beyond the OpenAPI schema.

A manifest can match every schema and still fail: apiserver validation code
(``k8s.io/kubernetes/pkg/apis/core/validation`` and ``apps/validation``) checks
relations between fields that no schema states. These are the ones a model
manifest trips over, checked on every object ``verify`` sees — inferc's own
output and hand-written manifests alike:

* an extended resource (``nvidia.com/gpu``, any name with a domain outside
  ``kubernetes.io``) and hugepages cannot be overcommitted: a request needs a
  limit and the two must be equal; extended resources come in whole units;
  every request must not exceed its limit (``ValidateResourceRequirements``);
* a rolling update with ``maxUnavailable`` above 100%, or with ``maxSurge`` and
  ``maxUnavailable`` both 0, can never progress (``ValidateRollingUpdateDeployment``);
  ``Recreate`` takes no ``rollingUpdate``;
* annotations may hold 256 KiB in total, keys and values counted
  (``ValidateAnnotationsSize``);
* a quantity is stored as a 64-bit count of its smallest unit: above
  2^63-1 the API server clamps it and below 1n rounds it up, so the cluster holds a
  different value than Git and Argo CD shows a diff forever.

Pod rules apply wherever a ``resources`` block describes a container: in Pods and
workloads the API server checks them at once, in an InferenceService or
LLMInferenceService the pod the controller makes is rejected later, which is
harder to find.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compiler.diagnostics import DocPath
from compiler.quantity import parse
from compiler.resource_names import is_extended, is_overcommittable

RULE_RESOURCES = "verify.resources"
RULE_ROLLOUT = "verify.rollout"
RULE_ANNOTATIONS = "verify.annotations-size"
RULE_QUANTITY = "verify.quantity"

MAX_ANNOTATIONS = 256 * 1024  # bytes of keys and values together (TotalAnnotationSizeLimitB)
_MAX_INT64 = Decimal(2**63 - 1)
_NANO = Decimal("1e-9")
# Kinds whose rollingUpdate is not a Deployment's (partition, no maxSurge).
_OTHER_ROLLOUTS = frozenset({"StatefulSet"})


@dataclass(frozen=True)
class Problem:
    """One rejected field: where, what, which rule; ``key`` places it at the mapping key."""

    path: DocPath
    message: str
    rule: str
    hint: str | None = None
    key: bool = False


def check(obj: Mapping[str, Any]) -> list[Problem]:
    """Every API-server problem of ``obj`` (types the schema rejects are skipped here)."""
    out = list(_annotations(obj))
    _visit(obj, (), obj.get("kind"), out)
    return out


def _visit(node: Any, path: DocPath, kind: Any, out: list[Problem]) -> None:
    """Check every mapping below ``node``, parents before children, keys in order.

    Plain recursion that appends, not a generator: every object of a build passes
    through here, and a chain of ``yield from`` costs a step per level per node.
    """
    if isinstance(node, dict):
        resources = node.get("resources")
        if isinstance(resources, dict) and ("requests" in resources or "limits" in resources):
            out.extend(_resources(resources, (*path, "resources")))
        rolling = node.get("rollingUpdate")
        if isinstance(rolling, dict) and kind not in _OTHER_ROLLOUTS:
            out.extend(_rollout(node, rolling, path))
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                _visit(value, (*path, key), kind, out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list)):
                _visit(value, (*path, index), kind, out)


# --- container resources ------------------------------------------------------------------


def _quantities(section: Any) -> dict[str, Decimal]:
    """The parseable quantities of a requests/limits map (others are schema errors)."""
    out: dict[str, Decimal] = {}
    if not isinstance(section, dict):
        return out
    for name, value in section.items():
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            try:
                out[name] = parse(value).value
            except ValueError:
                continue
    return out


def _resources(resources: Mapping[str, Any], path: DocPath) -> Iterator[Problem]:
    requests = _quantities(resources.get("requests"))
    limits = _quantities(resources.get("limits"))
    for section, values in (("requests", requests), ("limits", limits)):
        for name, amount in values.items():
            yield from _representable(resources[section][name], amount, (*path, section, name))
            if is_extended(name) and amount != amount.to_integral_value():
                yield Problem((*path, section, name),
                              f"{name} {_show(resources[section][name])} is not a whole "
                              "number; extended resources are counted in units", RULE_RESOURCES)
    for name, request in requests.items():
        limit = limits.get(name)
        where = (*path, "requests", name)
        if limit is None:
            if not is_overcommittable(name):
                yield Problem(where, f"{name} is requested without a limit; Kubernetes "
                              f"requires limits.{name} equal to the request for a resource "
                              "it cannot overcommit", RULE_RESOURCES,
                              hint=f"add limits: {{{name}: {_show(resources['requests'][name])}}}")
        elif request != limit and not is_overcommittable(name):
            yield Problem(where, f"{name} request {_show(resources['requests'][name])} must "
                          f"equal its limit {_show(resources['limits'][name])}: Kubernetes "
                          "does not overcommit this resource", RULE_RESOURCES)
        elif request > limit:
            yield Problem(where, f"{name} request {_show(resources['requests'][name])} is "
                          f"above its limit {_show(resources['limits'][name])}", RULE_RESOURCES)


def _representable(raw: Any, amount: Decimal, path: DocPath) -> Iterator[Problem]:
    if abs(amount) > _MAX_INT64:
        yield Problem(path, f"'{raw}' is larger than a Kubernetes quantity can hold "
                      "(2^63-1); the API server would store 9223372036854775807 instead",
                      RULE_QUANTITY, hint="Git and the cluster would differ forever")
    elif amount and (amount / _NANO) != (amount / _NANO).to_integral_value():
        yield Problem(path, f"'{raw}' is finer than Kubernetes' smallest unit (1n); the API "
                      "server would round it up", RULE_QUANTITY,
                      hint="Git and the cluster would differ forever")


# --- rolling updates ----------------------------------------------------------------------


def _rollout(strategy: Mapping[str, Any], rolling: Mapping[str, Any],
             path: DocPath) -> Iterator[Problem]:
    where = (*path, "rollingUpdate")
    if strategy.get("type") == "Recreate":
        yield Problem(where, "rollingUpdate may not be given when the strategy type is "
                      "Recreate", RULE_ROLLOUT, key=True)
        return
    surge, unavailable = rolling.get("maxSurge"), rolling.get("maxUnavailable")
    if _percent(unavailable) is not None and (_percent(unavailable) or 0) > 100:
        yield Problem((*where, "maxUnavailable"), f"maxUnavailable {unavailable} is above "
                      "100%", RULE_ROLLOUT)
    for name, value in (("maxSurge", surge), ("maxUnavailable", unavailable)):
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            yield Problem((*where, name), f"{name} {value} is negative", RULE_ROLLOUT)
    if _is_zero(surge) and _is_zero(unavailable):
        yield Problem(where, "maxSurge and maxUnavailable are both 0: the rollout could "
                      "never replace a pod", RULE_ROLLOUT,
                      hint="allow a surge (maxSurge: 1) or an unavailable pod "
                      "(maxUnavailable: 1)", key=True)


def _percent(value: Any) -> int | None:
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return int(value[:-1])
    return None


def _is_zero(value: Any) -> bool:
    # Kubernetes' defaults (25%/25%) apply to an absent field: absent is never zero.
    return (isinstance(value, int) and not isinstance(value, bool) and value == 0) or (
        _percent(value) == 0)


# --- annotations --------------------------------------------------------------------------


def _annotations(obj: Mapping[str, Any]) -> Iterator[Problem]:
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict):
        return
    total = sum(len(str(k).encode()) + len(v.encode()) for k, v in annotations.items()
                if isinstance(v, str))
    if total > MAX_ANNOTATIONS:
        biggest = max(annotations, key=lambda k: len(str(annotations[k])))
        yield Problem(("metadata", "annotations"), f"annotations hold {total} bytes; "
                      f"Kubernetes allows {MAX_ANNOTATIONS} (256 KiB) in total",
                      RULE_ANNOTATIONS, hint=f"the largest is '{biggest}'", key=True)


def _show(value: Any) -> str:
    return str(value)
