"""``inferc catalog``: what a spec may name in one environment.

Runtime templates in scope (both the template name and the ServingRuntime name
a spec may use, where each comes from, the formats and accelerators it serves,
and whether the wizard hides it or the environment disables it, and why),
hardware profiles with their bounds, and the platform releases inferc knows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from compiler.catalog import RuntimeTemplate, builtin_releases
from compiler.cluster_runtimes import platform_runtimes
from compiler.platforms import all_platforms
from compiler.repo import Repo
from compiler.resolve.runtime import is_disabled
from compiler.spec import Environment, HardwareProfile


@dataclass(frozen=True)
class TemplateRow:
    name: str  # the Template name
    runtime: str  # the ServingRuntime name
    display_name: str
    scope: str  # "built-in rhoai-3.3", "repo", "project <namespace>"
    model_types: tuple[str, ...]
    formats: tuple[str, ...]
    accelerators: tuple[str, ...]
    usable: bool
    why_not: str  # hidden or disabled, and why; "" when usable
    source: str
    runtime_kind: str = "ServingRuntime"  # or ClusterServingRuntime, referenced by name


@dataclass(frozen=True)
class BoundRow:
    identifier: str
    resource_type: str
    min: str
    default: str
    max: str | None


@dataclass(frozen=True)
class ProfileRow:
    name: str
    scope: str  # "global" or "project <namespace>"
    display_name: str
    scheduling: str  # "node", "queue <name>" or "none"
    bounds: tuple[BoundRow, ...]
    source: str


@dataclass(frozen=True)
class Inventory:
    environment: str
    release: str
    templates: tuple[TemplateRow, ...]
    profiles: tuple[ProfileRow, ...]
    releases: tuple[str, ...]


def inventory(repo: Repo, env: Environment) -> Inventory:
    catalog = env.release.runtime_catalog
    builtin = platform_runtimes(env.release)
    templates = tuple(_template(t, env, f"built-in {catalog}") for t in builtin) + tuple(
        _template(t, env, f"project {t.namespace}" if t.namespace else "repo")
        for t in repo.templates)
    return Inventory(env.name, catalog, templates,
                     tuple(_profile(p) for p in repo.profiles), _releases())


def _releases() -> tuple[str, ...]:
    """Every shipped runtime catalog: OpenShift AI's template folders and the upstream
    releases' ClusterServingRuntime folders."""
    return tuple(sorted(set(builtin_releases()) | {p.runtime_catalog for p in all_platforms()}))


def _template(t: RuntimeTemplate, env: Environment, scope: str) -> TemplateRow:
    why = ""
    if is_disabled(t, env.disabled_templates):
        why = (f"disabled in environment '{env.name}' "
               "(dashboardConfig.templateDisablement)")
    elif t.hidden_reason is not None:
        why = t.hidden_reason if t.cluster_scoped else f"hidden from the wizard: {t.hidden_reason}"
    formats = tuple(f"{f.name}:{f.version}" if f.version else f.name for f in t.formats)
    return TemplateRow(t.name, t.runtime_name, t.display_name, scope,
                       t.model_types or ("generative", "predictive"), formats, t.accelerators,
                       not why, why, t.source,
                       "ClusterServingRuntime" if t.cluster_scoped else "ServingRuntime")


def _profile(p: HardwareProfile) -> ProfileRow:
    scheduling = "none"
    if p.scheduling and p.scheduling.get("type") == "Queue":
        scheduling = f"queue {(p.scheduling.get('kueue') or {}).get('localQueueName', '?')}"
    elif p.scheduling:
        scheduling = "node"
    bounds = tuple(BoundRow(i.identifier, i.resource_type or "(no resourceType)", i.min_count,
                            i.default_count,
                            i.max_count) for i in p.identifiers)
    return ProfileRow(p.name, f"project {p.namespace}" if p.namespace else "global",
                      p.display_name, scheduling, bounds,
                      "built-in" if p.builtin else p.doc.file)


def as_json(inv: Inventory) -> str:
    return json.dumps(asdict(inv), indent=2, ensure_ascii=False) + "\n"


def as_text(inv: Inventory) -> str:
    lines = [f"environment {inv.environment} (release {inv.release})", "",
             "runtime templates (spec.runtime takes either name):"]
    for t in inv.templates:
        state = "" if t.usable else f"  [{t.why_not}]"
        lines.append(f"  {t.name}  ({t.runtime_kind} {t.runtime}; {t.scope}){state}")
        lines.append(f"    {t.display_name}; {'/'.join(t.model_types)}; formats: "
                     f"{', '.join(t.formats) or '-'}; accelerators: "
                     f"{', '.join(t.accelerators) or 'any (CPU)'}")
    lines += ["", "hardware profiles (spec.hardwareProfile):"]
    for p in inv.profiles:
        lines.append(f"  {p.name}  ({p.scope}; scheduling: {p.scheduling}; {p.source})")
        lines += [f"    {b.identifier} ({b.resource_type}): min {b.min}, default {b.default}, "
                  f"max {b.max if b.max is not None else 'none'}" for b in p.bounds]
    lines += ["", "platform releases (environment spec.platform.version):"]
    lines += [f"  {r}{'  (this environment)' if r == inv.release else ''}"
              for r in inv.releases]
    return "\n".join(lines) + "\n"


__all__: Sequence[str] = ["Inventory", "as_json", "as_text", "inventory"]
