"""``inferc explain``: why a model resolved the way it did in one environment.

Shows the runtime chosen and every template considered with the reason it was
kept or dropped, the hardware profile and the resources it produced, and for
every resolved value the layer that set it with its file:line. A model that does
not resolve (a :class:`Partial`) is shown as far as it got: the templates with
why each was dropped, the profile if it resolved, the layered values as written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.diagnostics import Diagnostic, count_errors
from compiler.render import monitoring
from compiler.report import json_items
from compiler.resolve import Partial, resolver_for
from compiler.resolve.layers import field_label, parents
from compiler.resolve.records import (
    Considered,
    EnvVar,
    Rate,
    ResolvedDeployment,
    Resources,
    RuntimeChoice,
)
from compiler.resolve.runtime import untyped_devices
from compiler.spec import Environment, HardwareProfile
from compiler.targets import DEFAULT_TARGET
from compiler.text import table

_FLAG = {True: "true", False: "false", None: ""}
_FIELD_ORDER = ("modelType", "modelFormat", "storage", "hardwareProfile", "runtime", "replicas",
                "scaling", "strategy", "resources", "args", "env", "access", "aiAsset", "stopped",
                "timeout", "protocolVersion", "mlserver", "monitoring")


@dataclass(frozen=True)
class Row:
    field: str
    value: str
    layer: str
    location: str


def value_rows(rd: ResolvedDeployment) -> list[Row]:
    shown = _display_values(rd)
    blocks = parents(rd.origins)  # a block (access, resources, …) is shown by its keys
    keys = sorted((k for k in rd.origins if k != "name" and k not in blocks), key=_order)
    return [Row(field_label(k), shown.get(k, ""), rd.origins[k].layer, rd.origins[k].location)
            for k in keys]


def as_text(rd: ResolvedDeployment, diagnostics: Sequence[Diagnostic] = ()) -> str:
    env = rd.environment
    lines = [f"model {rd.key} in environment {env.name} ({env.release.display_name})", ""]
    lines += resolver_for(rd.target).explain_text(rd)
    lines += _profile_lines(rd.profile, env, rd.resources)
    lines += [""] + _monitoring_lines(rd) + ["", "values:"]
    lines += table([("field", "value", "layer", "source")] +
                   [(r.field, r.value, r.layer, r.location) for r in value_rows(rd)])
    return "\n".join(lines + _caveats(rd) + _errors_follow(diagnostics)) + "\n"


def _errors_follow(diagnostics: Sequence[Diagnostic]) -> list[str]:
    errors = count_errors(diagnostics)
    if not errors:
        return []
    return ["", f"{errors} error{'s' * (errors != 1)} in this environment, reported after "
                "this explanation"]


def _caveats(rd: ResolvedDeployment) -> list[str]:
    """What a dashboard edit of this model would change (README: Autoscaling and
    dashboard edits): the wizard knows one replica count and no rollout parameters."""
    out = []
    if rd.target == "kserve" and not rd.scaling.fixed:
        out.append(f"note: autoscaled {rd.scaling.min_replicas}..{rd.scaling.max_replicas}; a "
                   "dashboard edit would collapse minReplicas/maxReplicas to one number")
    strategy = getattr(rd.workload, "strategy", None)
    if rd.target == "kserve" and strategy is not None and (
            strategy.max_surge is not None or strategy.max_unavailable is not None):
        out.append("note: a dashboard edit would drop the rollingUpdate parameters "
                   "(maxSurge/maxUnavailable)")
    return [""] + out if out else []


def as_json(rd: ResolvedDeployment, diagnostics: Sequence[Diagnostic] = ()) -> str:
    body: dict[str, Any] = {
        "model": str(rd.key),
        "environment": rd.environment.name,
        "platform": {"name": rd.environment.platform, "version": rd.environment.version},
        **resolver_for(rd.target).explain_json(rd),
        "hardwareProfile": _profile_json(rd.profile, rd.environment),
        "resources": {"requests": dict(rd.resources.requests),
                      "limits": dict(rd.resources.limits)},
        "monitoring": _monitoring_json(rd),
        "values": [{"field": r.field, "value": r.value, "layer": r.layer,
                    "source": r.location} for r in value_rows(rd)],
        "resolved": True,
        "diagnostics": json_items(diagnostics),
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _profile_json(profile: HardwareProfile, env: Environment) -> dict[str, Any]:
    return {"name": profile.name, "namespace": profile.namespace or env.dashboard_namespace,
            "displayName": profile.display_name, "source": profile.doc.file,
            "accelerator": profile.accelerator}


# ------------------------------------------------------- a model that does not resolve


def partial_text(found: Partial) -> str:
    """What could be resolved, in the order of a full explanation; the errors follow
    (the CLI prints them after this text)."""
    env = found.environment
    lines = [f"model {found.key} in environment {env.name} ({env.release.display_name}) "
             "does not resolve; what could be resolved is shown, the errors follow", ""]
    lines += _partial_runtime(found)
    if found.profile is None:
        lines.append("hardware profile: in error")
    else:
        lines += _profile_lines(found.profile, env, found.resources)
    lines += ["", "values:"]
    lines += table([("field", "value", "layer", "source")] +
                   [(r.field, r.value, r.layer, r.location) for r in partial_rows(found)])
    return "\n".join(lines) + "\n"


def partial_json(found: Partial, diagnostics: Sequence[Diagnostic]) -> str:
    considered = _candidates(found)
    env = found.environment
    resources = found.resources
    body: dict[str, Any] = {
        "model": str(found.key),
        "environment": env.name,
        "platform": {"name": env.platform, "version": env.version},
        "target": found.target,
        "runtime": None if considered is None else {
            "requested": found.values.get("runtime"),
            "considered": [{"template": c.template.name, "kept": c.kept,
                            "reason": _reason(c)} for c in considered]},
        "hardwareProfile": (None if found.profile is None else
                            _profile_json(found.profile, env)),
        "resources": None if resources is None else {
            "requests": dict(resources.requests), "limits": dict(resources.limits)},
        "values": [{"field": r.field, "value": r.value, "layer": r.layer,
                    "source": r.location} for r in partial_rows(found)],
        "resolved": False,
        "diagnostics": json_items(diagnostics),
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _candidates(found: Partial) -> tuple[Considered, ...] | None:
    chosen = getattr(found.workload, "runtime", None)
    if isinstance(chosen, RuntimeChoice):  # selection worked; something else failed
        return chosen.considered
    if found.selection is None:
        return None
    return resolver_for(found.target).candidates(found.selection)


def _partial_runtime(found: Partial) -> list[str]:
    considered = _candidates(found)
    if considered is None:
        return [f"runtime: not chosen: {_why_not(found)}", ""]
    asked = found.values.get("runtime", "auto")
    kserve = found.environment.release.selection == "kserve"
    chosen = getattr(found.workload, "runtime", None)
    if isinstance(chosen, RuntimeChoice):  # the table selection made
        how = ("chosen automatically" if chosen.mode == "auto" else
               f"named in spec.runtime ({found.origins['runtime'].location})")
        head = f"{chosen.template.name}, {how}; why each {{noun}} was kept or dropped:"
    elif asked == "auto":
        head = "none chosen; each {noun} in scope and why auto-selection keeps or drops it:"
    else:
        head = (f"'{asked}' (spec.runtime, {found.origins['runtime'].location}) cannot be "
                "used; each {noun} in scope and why auto-selection would keep or drop it:")
    noun = "runtime" if kserve else "template"
    rows = [(noun, "result", "reason")] + [
        (c.template.name, "kept" if c.kept else "dropped", _reason(c)) for c in considered]
    return [f"runtime: {head.format(noun=noun)}"] + table(rows) + [""]


def _why_not(found: Partial) -> str:
    if found.profile is None:
        return "selection matches on the hardware profile, which is in error"
    if found.selection is None:
        return f"target {found.target} cannot be used here (see the errors)"
    if found.target == DEFAULT_TARGET:
        return "selection matches on the model format, which is in error"
    return f"the {found.target} workload is in error (see the errors)"


def _reason(c: Considered) -> str:
    # KServe's candidates carry their rank only once one is selected
    return c.reason or "a candidate"


def partial_rows(found: Partial) -> list[Row]:
    blocks = parents(found.origins)
    keys = sorted((k for k in found.origins if k != "name" and k not in blocks), key=_order)
    computed = {}
    if found.resources is not None:  # the profile's defaults included
        computed.update({f"resources.requests.{k}": v for k, v in found.resources.requests})
        computed.update({f"resources.limits.{k}": v for k, v in found.resources.limits})
    return [Row(field_label(k), computed.get(k) or _raw(found.values, k),
                found.origins[k].layer, found.origins[k].location) for k in keys]


def _raw(values: Mapping[str, Any], key: str) -> str:
    """A layered value as written (nothing could resolve it further)."""
    if key.startswith("env."):
        entry = next((e for e in values.get("env", ()) if e.get("name") == key[4:]), None)
        if entry is None:
            return ""
        ref = entry.get("valueFrom")
        return str(entry.get("value", "")) if ref is None else _reference(
            EnvVar(entry["name"], "", ref))
    node: Any = values
    for part in key.split(".", 2) if key.startswith("resources.") else key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return ""
        node = node[part]
    return _shown(key, node)


def _shown(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return _FLAG[value]
    if isinstance(value, Mapping):
        if key == "modelFormat":
            return ":".join(str(value[k]) for k in ("name", "version") if k in value)
        if key == "scaling":
            return f"{value.get('minReplicas', '')}..{value.get('maxReplicas', '')}"
        if key == "strategy":
            return str(value.get("type", ""))
        if key == "storage" and "uri" in value:
            return str(value["uri"])
        return ", ".join(f"{k}: {_shown(k, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_shown(key, v) for v in value)
    return str(value)


def _profile_lines(profile: HardwareProfile, env: Environment,
                   resources: Resources | None) -> list[str]:
    rows = _resource_rows(resources) if resources is not None else [
        "  resources: in error"]
    if profile.none:
        return ["hardware profile: none (hardwareProfile: none): the resources are exactly "
                "the spec's and no profile annotation is written"] + rows
    accelerator = profile.accelerator or "none (CPU only)"
    wizard = env.release.selection != "kserve"
    # A device without resourceType (the CRD allows it) is no accelerator to the wizard:
    # say so, since it is what makes a GPU profile's auto-selection ambiguous.
    untyped = untyped_devices(profile) if wizard and profile.accelerator is None else []
    if untyped:
        accelerator = f"none ({', '.join(untyped)} has no resourceType: Accelerator)"
    where = (f"in namespace {profile.namespace or env.dashboard_namespace}"
             if env.release.dashboard_labels else "rendered into the model by inferc")
    lines = [f"hardware profile: {profile.name} ({profile.display_name}) {where}, "
             f"accelerator {accelerator}", f"  from {profile.doc.file}"]
    if untyped:
        lines.append("  note: as in the wizard, only an identifier with resourceType: "
                     "Accelerator is the accelerator, so runtime auto-selection treats this "
                     "profile as CPU-only; for runtime: auto, add resourceType: Accelerator "
                     f"to {', '.join(untyped)} in the profile")
    return lines + rows


def _resource_rows(resources: Resources) -> list[str]:
    limits = dict(resources.limits)
    rows = [("resource", "request", "limit")] + [
        (name, request, limits.get(name, "")) for name, request in resources.requests]
    return table(rows)


def _monitoring_lines(rd: ResolvedDeployment) -> list[str]:
    found = monitoring.summary(rd)
    if found is None:
        return ["monitoring: off"]
    table_note = (f"metric names from the {found.runtime} table" if found.runtime else
                  "no metric table for this runtime: CPU and memory only")
    created = ", ".join(found.platform_creates) or "nothing"
    return [f"monitoring: on ({table_note})",
            f"  scrape objects the platform creates: {created}"
            + (f" ({found.platform_by})" if found.platform_creates else ""),
            f"  objects inferc emits: {', '.join(found.inferc_emits)}",
            f"  recording rules: {', '.join(found.records)}",
            f"  alerts: {', '.join(found.alerts) or 'none (no objectives)'}"]


def _monitoring_json(rd: ResolvedDeployment) -> dict[str, Any] | None:
    found = monitoring.summary(rd)
    if found is None:
        return None
    return {"platformCreates": list(found.platform_creates), "platformController":
            found.platform_by if found.platform_creates else None,
            "infercEmits": list(found.inferc_emits), "recordingRules": list(found.records),
            "alerts": list(found.alerts), "metricTable": found.runtime,
            "objectives": list(found.objectives)}


def _order(key: str) -> tuple[int, str]:
    head = key.split(".", 1)[0]
    return (_FIELD_ORDER.index(head) if head in _FIELD_ORDER else len(_FIELD_ORDER), key)


def _display_values(rd: ResolvedDeployment) -> dict[str, str]:
    shown = {
        "modelType": rd.model_type,
        "storage": rd.storage.uri,
        "hardwareProfile": rd.profile.name,
        "replicas": str(rd.scaling.max_replicas),
        "scaling": f"{rd.scaling.min_replicas}..{rd.scaling.max_replicas}",
        "args": " ".join(rd.args),
        **resolver_for(rd.target).explain_values(rd),
    }
    access = rd.access
    shown.update({
        "access.external": _FLAG[access.external], "access.public": _FLAG[access.public],
        "access.tokens": ", ".join(t.display for t in access.tokens),
        "access.auth": _FLAG[access.auth],
        "access.rateLimits.requests": _rates(access.rate_limits.requests),
        "access.rateLimits.tokens": _rates(access.rate_limits.tokens),
        "aiAsset.useCase": access.ai_asset_use_case or "", "stopped": _FLAG[access.stopped],
        "timeout": "" if access.timeout is None else str(access.timeout),
    })
    watch = rd.monitoring
    shown["monitoring.enabled"] = _FLAG[watch is not None]
    if watch is not None:
        shown["monitoring.objectives"] = "; ".join(o.text for o in watch.objectives)
    shown.update({f"env.{e.name}": e.value if e.value_from is None else _reference(e)
                  for e in rd.env})
    shown.update({f"resources.requests.{k}": v for k, v in rd.resources.requests})
    shown.update({f"resources.limits.{k}": v for k, v in rd.resources.limits})
    return shown


def _rates(rates: Sequence[Rate]) -> str:
    return ", ".join(f"{r.limit}/{r.window}" for r in rates)


def _reference(var: EnvVar) -> str:
    """``from Secret hf-token key token``: where a referenced value comes from."""
    assert var.value_from is not None
    kind, ref = next(iter(var.value_from.items()))
    if kind == "fieldRef":
        return f"from the pod's {ref.get('fieldPath')}"
    noun = "Secret" if kind == "secretKeyRef" else "ConfigMap"
    return f"from {noun} {ref.get('name')} key {ref.get('key')}"
