"""KServe target, resolve side: runtime selection, model format, strategy, MLServer settings.

Produces a :class:`KServeWorkload`, which ``compiler.render.kserve`` turns into a
ServingRuntime and an InferenceService.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from compiler.catalog import ModelFormat, RuntimeTemplate, load_builtin_templates
from compiler.diagnostics import Diagnostic
from compiler.repo import Repo
from compiler.resolve import mlserver, rollout, runtime
from compiler.resolve.records import (
    EnvVar,
    PodGroup,
    ResolvedDeployment,
    Resources,
    RuntimeChoice,
    Scaling,
    Strategy,
    Workload,
)
from compiler.resolve.targets import TargetInput, TargetResolver, runtime_origin
from compiler.spec import Environment
from compiler.text import table


@dataclass(frozen=True)
class KServeWorkload(Workload):
    runtime: RuntimeChoice
    model_format: ModelFormat
    strategy: Strategy
    extra_env: tuple[EnvVar, ...]  # what the runtime needs beyond the user's env (MLServer)

    def pod_groups(self, scaling: Scaling, resources: Resources) -> tuple[PodGroup, ...]:
        replicas = scaling.max_replicas
        return (PodGroup("main", replicas, rollout.surge_pods(self.strategy, replicas),
                         resources),)


def resolve(inp: TargetInput) -> tuple[KServeWorkload | None, list[Diagnostic]]:
    model, env, values, origins = inp.model, inp.env, inp.values, inp.origins
    builtin = load_builtin_templates(env.release.runtime_catalog)
    templates = runtime.in_scope(builtin, inp.repo.templates, model.key.namespace)
    model_type = values["modelType"]
    try:
        fmt = runtime.resolve_format(model_type, _format(values), templates,
                                     origins.get("modelFormat", origins["modelType"]))
        request = runtime.Request(values["runtime"], model_type, fmt, inp.profile, env.name,
                                  env.disabled_templates)
        choice = runtime.select(request, templates, runtime_origin(origins["runtime"], model))
    except runtime.SelectionError as exc:
        return None, [exc.diagnostic]
    strategy, diags = rollout.strategy(values, origins)
    extra_env, problems = mlserver.apply(model.key, values, origins, choice.template, env)
    return KServeWorkload(choice, fmt, strategy, tuple(extra_env)), diags + problems


def check_environment(env: Environment, repo: Repo) -> list[Diagnostic]:
    """Every template an environment disables exists (a typo would disable nothing)."""
    templates: tuple[RuntimeTemplate, ...] = (*load_builtin_templates(env.release.runtime_catalog),
                                              *repo.templates)
    names = sorted({t.runtime_name for t in templates})
    out = []
    for index, name in enumerate(env.disabled_templates):
        if any(name in (t.name, t.runtime_name) for t in templates):
            continue
        near = difflib.get_close_matches(name, names, n=1)
        out.append(env.doc.diag(("spec", "dashboardConfig", "templateDisablement", index),
                                f"no runtime template '{name}' in {env.release.display_name} or "
                                "presets/runtimes/", "env.unknown-template",
                                hint=f"did you mean '{near[0]}'?" if near else None))
    return out


def _format(values: Any) -> ModelFormat | None:
    fmt = values.get("modelFormat")
    return ModelFormat(fmt["name"], fmt.get("version")) if fmt else None


# ------------------------------------------------------------------ explain


def explain_text(rd: ResolvedDeployment) -> list[str]:
    choice = rd.workload_as(KServeWorkload).runtime
    how = ("chosen automatically" if choice.mode == "auto" else
           f"named in spec.runtime ({rd.origins['runtime'].layer}, "
           f"{rd.origins['runtime'].location})")
    lines = [f"runtime: {choice.template.name} ({choice.template.display_name}), {how}",
             f"  from {choice.template.source}"]
    rows = [("template", "result", "reason")] + [
        (c.template.name, "kept" if c.kept else "dropped", c.reason) for c in choice.considered]
    return lines + table(rows) + [""]


def explain_json(rd: ResolvedDeployment) -> dict[str, Any]:
    choice = rd.workload_as(KServeWorkload).runtime
    return {"runtime": {
        "template": choice.template.name,
        "servingRuntime": choice.template.runtime_name,
        "displayName": choice.template.display_name,
        "source": choice.template.source,
        "selection": choice.mode,
        "considered": [{"template": c.template.name, "kept": c.kept, "reason": c.reason}
                       for c in choice.considered],
    }}


def explain_values(rd: ResolvedDeployment) -> dict[str, str]:
    workload = rd.workload_as(KServeWorkload)
    fmt = workload.model_format
    return {
        "modelFormat": f"{fmt.name}:{fmt.version}" if fmt.version else fmt.name,
        "runtime": "auto" if workload.runtime.mode == "auto" else workload.runtime.template.name,
        "strategy": workload.strategy.type,
    }


TARGET = TargetResolver(resolve=resolve, check_environment=check_environment,
                        explain_text=explain_text, explain_json=explain_json,
                        explain_values=explain_values)
