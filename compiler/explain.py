"""``inferc explain``: why a model resolved the way it did in one environment.

Shows the runtime chosen and every template considered with the reason it was
kept or dropped, the hardware profile and the resources it produced, and for
every resolved value the layer that set it with its file:line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler.render import monitoring
from compiler.resolve import resolver_for
from compiler.resolve.layers import field_label, parents
from compiler.resolve.records import EnvVar, Rate, ResolvedDeployment
from compiler.resolve.runtime import untyped_devices
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


def as_text(rd: ResolvedDeployment) -> str:
    env = rd.environment
    lines = [f"model {rd.key} in environment {env.name} ({env.release.display_name})", ""]
    lines += resolver_for(rd.target).explain_text(rd) + _profile_lines(rd)
    lines += [""] + _monitoring_lines(rd) + ["", "values:"]
    lines += table([("field", "value", "layer", "source")] +
                   [(r.field, r.value, r.layer, r.location) for r in value_rows(rd)])
    return "\n".join(lines + _caveats(rd)) + "\n"


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


def as_json(rd: ResolvedDeployment) -> str:
    body: dict[str, Any] = {
        "model": str(rd.key),
        "environment": rd.environment.name,
        "platform": {"name": rd.environment.platform, "version": rd.environment.version},
        **resolver_for(rd.target).explain_json(rd),
        "hardwareProfile": {"name": rd.profile.name, "namespace": rd.profile_namespace,
                            "displayName": rd.profile.display_name,
                            "source": rd.profile.doc.file,
                            "accelerator": rd.profile.accelerator},
        "resources": {"requests": dict(rd.resources.requests),
                      "limits": dict(rd.resources.limits)},
        "monitoring": _monitoring_json(rd),
        "values": [{"field": r.field, "value": r.value, "layer": r.layer,
                    "source": r.location} for r in value_rows(rd)],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _profile_lines(rd: ResolvedDeployment) -> list[str]:
    profile = rd.profile
    if profile.none:
        return ["hardware profile: none (hardwareProfile: none): the resources are exactly "
                "the spec's and no profile annotation is written"] + _resource_rows(rd)
    accelerator = profile.accelerator or "none (CPU only)"
    wizard = rd.environment.release.selection != "kserve"
    # A device without resourceType (the CRD allows it) is no accelerator to the wizard:
    # say so, since it is what makes a GPU profile's auto-selection ambiguous.
    untyped = untyped_devices(profile) if wizard and profile.accelerator is None else []
    if untyped:
        accelerator = f"none ({', '.join(untyped)} has no resourceType: Accelerator)"
    where = (f"in namespace {rd.profile_namespace}" if rd.environment.release.dashboard_labels
             else "rendered into the model by inferc")
    lines = [f"hardware profile: {profile.name} ({profile.display_name}) {where}, "
             f"accelerator {accelerator}", f"  from {profile.doc.file}"]
    if untyped:
        lines.append("  note: as in the wizard, only an identifier with resourceType: "
                     "Accelerator is the accelerator, so runtime auto-selection treats this "
                     "profile as CPU-only; for runtime: auto, add resourceType: Accelerator "
                     f"to {', '.join(untyped)} in the profile")
    return lines + _resource_rows(rd)


def _resource_rows(rd: ResolvedDeployment) -> list[str]:
    limits = dict(rd.resources.limits)
    rows = [("resource", "request", "limit")] + [
        (name, request, limits.get(name, "")) for name, request in rd.resources.requests]
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
