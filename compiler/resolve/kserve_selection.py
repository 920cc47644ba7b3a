"""Runtime selection as upstream KServe does it (``runtime: auto`` on a ``kserve`` platform).

KServe 0.20 (``pkg/apis/serving/v1beta1/predictor_model.go``, ``GetSupportingRuntimes``;
``pkg/controller/v1beta1/inferenceservice/components/predictor.go`` takes the first):

* a runtime is a candidate when it is not ``disabled``, not ``multiModel``, not
  multi-node (no ``workerSpec``: inferc renders no ``predictor.workerSpec``), supports
  the model's protocol version (``v1`` unless set; a runtime listing none supports
  all), and lists the model's format **with** ``autoSelect: true`` — by name when the
  model gives no version, by name and version when it does;
* namespaced ServingRuntimes come before ClusterServingRuntimes; within each group the
  list is ordered by the runtime's lowest protocol version, then creation time (newest
  first), then name, and then by ``priority`` of the model's format, highest first
  (the priority of the runtime's *first* entry with that format name; a runtime
  without one comes last). ``sort.Slice`` keeps the earlier order among equal
  priorities for lists of up to 12 (insertion sort), which covers every release here;
* the first candidate wins.

inferc cannot know creation times; runtimes installed by one release apply are taken
as created together, so the name decides a tie, and ``explain`` says so. Unlike the
OpenShift AI wizard, the hardware profile's accelerator plays no part. The chosen
runtime is written explicitly to ``predictor.model.runtime`` so the choice is in Git.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler.catalog import ModelFormat, RuntimeTemplate
from compiler.diagnostics import Diagnostic
from compiler.resolve.layers import Origin
from compiler.resolve.records import Considered, RuntimeChoice
from compiler.resolve.runtime import SelectionError, is_disabled

DEFAULT_PROTOCOL = "v1"  # ModelSpec.GetProtocol when protocolVersion is unset
_PROTOCOL_RANK = {"v1": 1, "v2": 2, "grpc-v1": 3, "grpc-v2": 4}  # constants.ProtocolVersion
_UNKNOWN_RANK = 5


@dataclass(frozen=True)
class Request:
    name: str  # "auto" or a runtime name
    fmt: ModelFormat
    protocol: str
    environment: str
    disabled: tuple[str, ...]


def select(req: Request, runtimes: Sequence[RuntimeTemplate], origin: Origin) -> RuntimeChoice:
    if req.name != "auto":
        return _explicit(req, runtimes, origin)
    considered = list(consider(req, runtimes))
    kept = [c for c in considered if c.kept]
    if not kept:
        raise SelectionError(_none(req, considered, origin))
    ranked = sorted(kept, key=lambda c: _rank(c.template, req.fmt))
    winner = ranked[0].template
    explained = [_explain(c, ranked, winner, req.fmt) for c in considered]
    return RuntimeChoice(winner, "auto", tuple(explained))


def consider(req: Request, runtimes: Sequence[RuntimeTemplate]) -> tuple[Considered, ...]:
    """Each runtime in scope, a candidate or not, with why (a candidate's reason is
    its rank, given by :func:`select`)."""
    return tuple(_consider(r, req) for r in runtimes)


def _consider(runtime: RuntimeTemplate, req: Request) -> Considered:
    spec = runtime.serving_runtime["spec"]
    if is_disabled(runtime, req.disabled) or spec.get("disabled") is True:
        return Considered(runtime, False, "disabled")
    if spec.get("multiModel") is True:
        return Considered(runtime, False, "multi-model (ModelMesh) runtime")
    if spec.get("workerSpec") is not None:
        return Considered(runtime, False, "multi-node runtime (needs predictor.workerSpec)")
    protocols = spec.get("protocolVersions") or []
    if protocols and req.protocol not in protocols:
        return Considered(runtime, False, f"supports protocol {', '.join(protocols)}, "
                                          f"not {req.protocol}")
    if not _supports(spec, req.fmt, auto_only=True):
        return Considered(runtime, False, f"does not list format {_show(req.fmt)} "
                                          "with autoSelect")
    return Considered(runtime, True, "")


def _supports(spec: Any, fmt: ModelFormat, *, auto_only: bool) -> bool:
    """KServe's label match: "mt:<name>" or "mt:<name>:<version>" against the runtime's
    formats (only those with autoSelect unless the runtime is named explicitly)."""
    for entry in spec.get("supportedModelFormats") or []:
        if auto_only and entry.get("autoSelect") is not True:
            continue
        if entry.get("name") == fmt.name and fmt.version in (None, entry.get("version")):
            return True
    return False


def _priority(runtime: RuntimeTemplate, fmt: ModelFormat) -> int | None:
    for entry in runtime.serving_runtime["spec"].get("supportedModelFormats") or []:
        if entry.get("name") == fmt.name:
            value = entry.get("priority")
            return value if isinstance(value, int) else None
    return None


def _rank(runtime: RuntimeTemplate, fmt: ModelFormat) -> tuple[int, int, int, int, str]:
    protocols = runtime.serving_runtime["spec"].get("protocolVersions") or []
    lowest = min((_PROTOCOL_RANK.get(p, _UNKNOWN_RANK) for p in protocols),
                 default=_UNKNOWN_RANK)
    priority = _priority(runtime, fmt)
    return (1 if runtime.cluster_scoped else 0,
            0 if priority is not None else 1, -(priority or 0), lowest, runtime.name)


def _explain(c: Considered, ranked: list[Considered], winner: RuntimeTemplate,
             fmt: ModelFormat) -> Considered:
    if not c.kept:
        return c
    priority = _priority(c.template, fmt)
    said = f"priority {priority}" if priority is not None else "no priority"
    if c.template == winner:
        ties = [r.template.name for r in ranked[1:]
                if _rank(r.template, fmt)[:3] == _rank(winner, fmt)[:3]]
        tie = (f"; ties with {', '.join(ties)}: lower protocol version, then creation time "
               "(taken as equal), then name decide") if ties else ""
        return Considered(c.template, True, f"selected: {said}, the highest{tie}")
    return Considered(c.template, False, f"supports the model ({said}) but ranks below "
                                         f"{winner.name}")


def _explicit(req: Request, runtimes: Sequence[RuntimeTemplate], origin: Origin) -> RuntimeChoice:
    found = next((r for r in runtimes if req.name in (r.name, r.runtime_name)), None)
    fitting = [r.name for r in runtimes if _consider(r, req).kept]
    hint = f"runtimes KServe would pick from: {', '.join(fitting)}" if fitting else None
    if found is None:
        raise SelectionError(origin.diag(f"no runtime '{req.name}' in scope",
                                         "runtime.unknown", hint=hint))
    spec = found.serving_runtime["spec"]
    if is_disabled(found, req.disabled) or spec.get("disabled") is True:
        raise SelectionError(origin.diag(f"runtime '{req.name}' is disabled",
                                         "runtime.disabled", hint=hint))
    if spec.get("workerSpec") is not None:
        raise SelectionError(origin.diag(
            f"runtime '{req.name}' is multi-node and needs predictor.workerSpec, which inferc "
            "cannot render yet", "runtime.hidden", hint=hint))
    if not _supports(spec, req.fmt, auto_only=False):
        raise SelectionError(origin.diag(
            f"runtime '{req.name}' does not support format {_show(req.fmt)}",
            "runtime.incompatible", hint=hint))
    return RuntimeChoice(found, "explicit", (Considered(found, True, "named in spec.runtime"),))


def _none(req: Request, considered: list[Considered], origin: Origin) -> Diagnostic:
    near = [f"{c.template.name} ({c.reason})" for c in considered
            if any(f.name == req.fmt.name for f in c.template.formats)]
    return origin.diag(f"no runtime KServe would select serves format {_show(req.fmt)} over "
                       f"protocol {req.protocol}", "runtime.none",
                       hint=("near misses: " + "; ".join(near)) if near else
                       "set spec.runtime, or add a runtime template to presets/runtimes/")


def _show(fmt: ModelFormat) -> str:
    return f"{fmt.name}:{fmt.version}" if fmt.version else fmt.name


def model_format(model_type: str, fmt: ModelFormat | None, generative: ModelFormat,
                 origin: Origin) -> ModelFormat:
    """The format as KServe matches it: the spec's own (no version implied: KServe then
    matches on the name alone); a generative model without one gets the platform's."""
    if fmt is not None:
        return fmt
    if model_type == "generative":
        return generative
    raise SelectionError(origin.diag(
        "a predictive model needs spec.modelFormat; KServe selects its runtime by format",
        "runtime.format-required", hint="for example modelFormat: {name: sklearn, version: '1'}"))
