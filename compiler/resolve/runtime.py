"""Runtime selection as the OpenShift AI wizard does it
(the dashboard's runtime auto-selection, DESIGN rule 1).

``runtime: <name>`` takes that template if it serves the model; ``auto`` keeps
templates that serve the model type, list the exact format name and version,
and recommend the hardware profile's first accelerator (skipped for CPU-only
profiles). Exactly one survivor wins; anything else is an error that says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compiler.catalog import ModelFormat, RuntimeTemplate
from compiler.diagnostics import Diagnostic
from compiler.errors import InfercError
from compiler.resolve.layers import Origin
from compiler.resolve.records import Considered, RuntimeChoice
from compiler.spec import HardwareProfile

GENERATIVE_FORMAT = ModelFormat("vLLM", None)  # the wizard forces this for generative models


class SelectionError(InfercError):
    """Selection failed; the diagnostic says why. Caught by the KServe resolver."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def in_scope(builtin: Sequence[RuntimeTemplate], repo: Sequence[RuntimeTemplate],
             namespace: str, dashboard: str | None = None) -> list[RuntimeTemplate]:
    """Built-in, then repo-global, then project-scoped; a later one wins a name clash
    (compared by ServingRuntime name, as the dashboard does). A Template copied from
    the dashboard namespace (``dashboard``) is global, as it is on the cluster."""
    chosen: dict[str, RuntimeTemplate] = {}
    for template in (*builtin, *(t for t in repo if t.namespace in (None, dashboard)),
                     *(t for t in repo if t.namespace == namespace != dashboard)):
        chosen[template.runtime_name] = template
    return list(chosen.values())


def is_disabled(template: RuntimeTemplate, disabled: Sequence[str]) -> bool:
    return template.runtime_name in disabled or template.name in disabled


def resolve_format(model_type: str, fmt: ModelFormat | None, templates: Iterable[RuntimeTemplate],
                   origin: Origin) -> ModelFormat:
    """The format to match on: generative is vLLM; a predictive version may be implied."""
    if model_type == "generative":
        return GENERATIVE_FORMAT
    if fmt is None:
        raise SelectionError(origin.diag(
            "a predictive model needs spec.modelFormat; select a model format first",
            "runtime.format-required", hint="for example modelFormat: {name: onnx, version: '1'}"))
    if fmt.version is not None:
        return fmt
    versions = sorted({f.version for t in templates if serves_type(t, model_type)
                       for f in t.formats if f.name == fmt.name and f.version is not None})
    if len(versions) > 1:
        raise SelectionError(origin.diag(
            f"format '{fmt.name}' has several versions ({', '.join(versions)}); say which",
            "runtime.format-version", hint=f"set modelFormat.version to one of {', '.join(versions)}"))
    return ModelFormat(fmt.name, versions[0]) if versions else fmt


def serves_type(template: RuntimeTemplate, model_type: str) -> bool:
    return not template.model_types or model_type in template.model_types


@dataclass(frozen=True)
class Request:
    """What selection needs to know about the model and its environment."""

    name: str  # "auto" or a template name
    model_type: str
    fmt: ModelFormat
    profile: HardwareProfile
    environment: str
    disabled: tuple[str, ...]


def select(req: Request, templates: Sequence[RuntimeTemplate], origin: Origin) -> RuntimeChoice:
    if req.name != "auto":
        return _explicit(req, templates, origin)
    considered = consider(req, templates)
    kept = [c.template for c in considered if c.kept]
    if len(kept) == 1:
        return RuntimeChoice(kept[0], "auto", considered)
    raise SelectionError(_auto_failure(kept, list(considered), req, origin))


def consider(req: Request, templates: Sequence[RuntimeTemplate]) -> tuple[Considered, ...]:
    """Each template in scope, kept or dropped by auto-selection, with why."""
    return tuple(_consider(t, req) for t in templates)


def _consider(template: RuntimeTemplate, req: Request) -> Considered:
    fmt, model_type = req.fmt, req.model_type
    if is_disabled(template, req.disabled):
        return Considered(template, False, f"disabled in environment '{req.environment}'")
    if not template.listed:
        return Considered(template, False, "hidden from the wizard (not offered for auto-selection)")
    if not serves_type(template, model_type):
        return Considered(template, False, f"serves {'/'.join(template.model_types)} models only")
    if fmt not in template.formats:
        return Considered(template, False, f"does not list format {_show(fmt)}")
    accelerator = req.profile.accelerator
    if accelerator is not None and accelerator not in template.accelerators:
        wanted = ", ".join(template.accelerators) or "no accelerator"
        return Considered(template, False, f"recommends {wanted}, not {accelerator}")
    reason = "matches" if accelerator else f"matches ({_unfiltered(req.profile)})"
    return Considered(template, True, reason)


def untyped_devices(profile: HardwareProfile) -> list[str]:
    """Device identifiers (a domain-qualified name such as nvidia.com/gpu) that carry no
    resourceType: the CRD allows it, and the wizard then treats the profile as CPU-only."""
    return [i.identifier for i in profile.identifiers
            if i.resource_type is None and "/" in i.identifier]


def _unfiltered(profile: HardwareProfile) -> str:
    untyped = untyped_devices(profile)
    if untyped:
        return (f"{', '.join(untyped)} has no resourceType: Accelerator, so the profile counts "
                "as CPU-only and the accelerator is not filtered")
    return "CPU-only profile: accelerator not filtered"


def _explicit(req: Request, templates: Sequence[RuntimeTemplate], origin: Origin) -> RuntimeChoice:
    name, model_type, fmt = req.name, req.model_type, req.fmt
    found = next((t for t in templates if name in (t.name, t.runtime_name)), None)
    fitting = [t.name for t in templates if serves_type(t, model_type) and fmt in t.formats and t.listed
               and not is_disabled(t, req.disabled)]
    hint = f"templates that serve it: {', '.join(fitting)}" if fitting else None
    if found is None:
        raise SelectionError(origin.diag(f"no runtime template '{name}' in scope",
                                         "runtime.unknown", hint=hint))
    if not found.listed:
        # multi-node needs a workerSpec on the model and fast-N an admin's acceptance;
        # neither is modelled yet, so deploying them would be silently wrong.
        raise SelectionError(origin.diag(
            f"runtime '{name}' is hidden from the OpenShift AI wizard (multi-node or an "
            "unsupported variant), and inferc cannot deploy it yet", "runtime.hidden", hint=hint))
    if is_disabled(found, req.disabled):
        raise SelectionError(origin.diag(
            f"runtime '{name}' is disabled in environment '{req.environment}' "
            "(dashboardConfig.templateDisablement)", "runtime.disabled", hint=hint))
    if not serves_type(found, model_type) or fmt not in found.formats:
        raise SelectionError(origin.diag(
            f"runtime '{name}' does not serve {model_type} models in format {_show(fmt)}",
            "runtime.incompatible", hint=hint))
    return RuntimeChoice(found, "explicit", (Considered(found, True, "named in spec.runtime"),))


def _auto_failure(kept: list[RuntimeTemplate], considered: list[Considered], req: Request,
                  origin: Origin) -> Diagnostic:
    model_type, fmt, profile = req.model_type, req.fmt, req.profile
    where = f"{model_type} model in format {_show(fmt)} on hardware profile '{profile.name}'"
    if kept:
        names = ", ".join(t.name for t in kept)
        untyped = untyped_devices(profile)
        why = (f"; {untyped[0]} in the profile has no resourceType, so, as in the wizard, "
               "it does not count as the accelerator" if untyped else "")
        return origin.diag(f"runtime auto-selection is ambiguous for this {where}: "
                           f"{len(kept)} templates match ({names}){why}", "runtime.ambiguous",
                           hint=(f"add resourceType: Accelerator to {untyped[0]} in hardware "
                                 f"profile '{profile.name}', or set spec.runtime to one of "
                                 "them") if untyped else "set spec.runtime to one of them")
    near = [f"{c.template.name} ({c.reason})" for c in considered
            if c.template.listed and serves_type(c.template, model_type)]
    ask = "set spec.runtime to a template that serves it, or choose another hardware profile"
    return origin.diag(f"no runtime template serves this {where}", "runtime.none",
                       hint=(f"{ask}; near misses: " + "; ".join(near)) if near else
                       "add a runtime template to presets/runtimes/")


def _show(fmt: ModelFormat) -> str:
    return f"{fmt.name}:{fmt.version}" if fmt.version else fmt.name
