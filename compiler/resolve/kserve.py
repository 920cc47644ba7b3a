"""KServe target, resolve side: runtime selection, model format, strategy, MLServer settings.

Produces a :class:`KServeWorkload`, which ``compiler.render.kserve`` turns into a
ServingRuntime and an InferenceService.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler import vocabulary as V
from compiler.catalog import ModelFormat, RuntimeTemplate
from compiler.cluster_runtimes import platform_runtimes
from compiler.diagnostics import Diagnostic
from compiler.platforms import normalise_mode
from compiler.repo import Repo
from compiler.resolve import kserve_selection, mlserver, rollout, runtime, runtime_args
from compiler.resolve.layers import Origin
from compiler.resolve.records import (
    Considered,
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
from compiler.text import did_you_mean, table


@dataclass(frozen=True)
class KServeWorkload(Workload):
    runtime: RuntimeChoice
    model_format: ModelFormat
    strategy: Strategy
    extra_env: tuple[EnvVar, ...]  # what the runtime needs beyond the user's env (MLServer)
    protocol: str | None = None  # spec.protocolVersion; None: KServe's default (v1)
    # The format selection matched on, when it differs from the written one: the
    # wizard's matching needs a version, so a spec's bare name implies the only one
    # the templates list; the InferenceService still says what the spec says.
    matched_format: ModelFormat | None = None

    def pod_groups(self, scaling: Scaling, resources: Resources) -> tuple[PodGroup, ...]:
        replicas = scaling.max_replicas
        return (PodGroup("main", replicas, rollout.surge_pods(self.strategy, replicas),
                         resources),)


def resolve(inp: TargetInput) -> tuple[KServeWorkload | None, list[Diagnostic]]:
    model, env, values, origins = inp.model, inp.env, inp.values, inp.origins
    templates = runtime.in_scope(platform_runtimes(env.release), inp.repo.templates,
                                 model.key.namespace, env.dashboard_namespace)
    try:
        if env.release.selection == "kserve":
            choice, fmt = _kserve_selection(inp, templates)
            matched = fmt
        else:
            choice, matched = _dashboard_selection(inp, templates)
            # Written exactly as the spec gives it (the documentation's CLI example writes
            # {name: onnx}); only a generative model without one gets the forced vLLM.
            fmt = _format(values) or matched
    except runtime.SelectionError as exc:
        return None, [exc.diagnostic]
    strategy, diags = rollout.strategy(values, origins)
    extra_env, problems = mlserver.apply(model.key, values, origins, choice.template, env)
    problems += runtime_args.check(choice.template, values.get("args", ()),
                                   origins.get("args"), inp.repo.root)
    protocol = values.get("protocolVersion")
    problems += _protocol(protocol, choice.template, origins)
    return (KServeWorkload(choice, fmt, strategy, tuple(extra_env), protocol,
                           matched if matched != fmt else None),
            diags + problems)


def _protocol(protocol: str | None, template: RuntimeTemplate,
              origins: Mapping[str, Origin]) -> list[Diagnostic]:
    """KServe rejects a named runtime that does not list the model's protocol version
    (IsProtocolVersionSupported; a runtime listing none supports every protocol)."""
    listed = template.serving_runtime["spec"].get("protocolVersions") or []
    if protocol is None or not listed or protocol in listed:
        return []
    return [origins["protocolVersion"].diag(
        f"runtime '{template.name}' does not support protocol {protocol} (it lists "
        f"{', '.join(listed)})", "runtime.protocol",
        hint=f"set protocolVersion to one of {', '.join(listed)}, or choose another runtime")]


def _dashboard_selection(inp: TargetInput, templates: list[RuntimeTemplate],
                         ) -> tuple[RuntimeChoice, ModelFormat]:
    """The OpenShift AI wizard's choice (compiler.resolve.runtime)."""
    request = _dashboard_request(inp, templates)
    origin = runtime_origin(inp.origins["runtime"], inp.model)
    return runtime.select(request, templates, origin), request.fmt


def _dashboard_request(inp: TargetInput, templates: list[RuntimeTemplate]) -> runtime.Request:
    values, origins, env = inp.values, inp.origins, inp.env
    model_type = values["modelType"]
    given, generative = _format(values), env.release.generative_format
    if model_type == "generative" and given is not None and given != generative:
        # The wizard forces vLLM for every generative model; another value would be
        # silently replaced, so say so instead.
        shown = f"{given.name}:{given.version}" if given.version else given.name
        raise runtime.SelectionError(origins["modelFormat"].diag(
            f"generative models on {env.release.display_name} are served as format "
            f"{generative.name}; '{shown}' is not used", "runtime.generative-format",
            hint=f"drop modelFormat, or write modelFormat: {{name: {generative.name}}}"))
    fmt = runtime.resolve_format(model_type, given, templates,
                                 origins.get("modelFormat", origins["modelType"]))
    return runtime.Request(values["runtime"], model_type, fmt, inp.profile, env.name,
                           env.disabled_templates)


def _kserve_selection(inp: TargetInput, templates: list[RuntimeTemplate],
                      ) -> tuple[RuntimeChoice, ModelFormat]:
    """Upstream KServe's own choice (compiler.resolve.kserve_selection)."""
    request = _kserve_request(inp)
    origin = runtime_origin(inp.origins["runtime"], inp.model)
    return kserve_selection.select(request, templates, origin), request.fmt


def _kserve_request(inp: TargetInput) -> kserve_selection.Request:
    values, origins, env = inp.values, inp.origins, inp.env
    fmt = kserve_selection.model_format(
        values["modelType"], _format(values), env.release.generative_format,
        origins.get("modelFormat", origins["modelType"]))
    protocol = values.get("protocolVersion") or kserve_selection.DEFAULT_PROTOCOL
    return kserve_selection.Request(values["runtime"], fmt, protocol, env.name,
                                    env.disabled_templates)


def candidates(inp: TargetInput) -> tuple[Considered, ...] | None:
    """For explain of a model whose selection failed: every template in scope and why
    auto-selection keeps or drops it (None when the model format, which selection
    matches on, is itself in error)."""
    templates = runtime.in_scope(platform_runtimes(inp.env.release), inp.repo.templates,
                                 inp.model.key.namespace, inp.env.dashboard_namespace)
    try:
        if inp.env.release.selection == "kserve":
            return kserve_selection.consider(_kserve_request(inp), templates)
        return runtime.consider(_dashboard_request(inp, templates), templates)
    except runtime.SelectionError:
        return None


def check_environment(env: Environment, repo: Repo) -> list[Diagnostic]:
    """Every template an environment disables exists (a typo would disable nothing)."""
    templates = (*platform_runtimes(env.release), *repo.templates)
    names = sorted({t.runtime_name for t in templates})
    out = []
    for index, name in enumerate(env.disabled_templates):
        if any(name in (t.name, t.runtime_name) for t in templates):
            continue
        out.append(env.doc.diag(("spec", "dashboardConfig", "templateDisablement", index),
                                f"no runtime template '{name}' in {env.release.display_name} or "
                                "presets/runtimes/", "env.unknown-template",
                                hint=did_you_mean(name, names)))
    return out


def _format(values: Any) -> ModelFormat | None:
    fmt = values.get("modelFormat")
    return ModelFormat(fmt["name"], fmt.get("version")) if fmt else None


# ------------------------------------------------------------------ explain


def explain_text(rd: ResolvedDeployment) -> list[str]:
    choice = rd.workload_as(KServeWorkload).runtime
    kserve = rd.environment.release.selection == "kserve"
    protocol = rd.workload_as(KServeWorkload).protocol or kserve_selection.DEFAULT_PROTOCOL
    auto = ("chosen as KServe would choose it (enabled, single-node, format listed with "
            f"autoSelect, protocol {protocol}, highest priority) and written to "
            "predictor.model.runtime" if kserve else "chosen automatically")
    how = (auto if choice.mode == "auto" else
           f"named in spec.runtime ({rd.origins['runtime'].layer}, "
           f"{rd.origins['runtime'].location})")
    name = (choice.template.name if choice.template.name == choice.template.display_name
            else f"{choice.template.name} ({choice.template.display_name})")
    lines = [f"runtime: {name}, {how}", f"  from {choice.template.source}"]
    rows = [("runtime" if kserve else "template", "result", "reason")] + [
        (c.template.name, "kept" if c.kept else "dropped", c.reason) for c in choice.considered]
    return lines + table(rows) + [""] + _mode_lines(rd)


def _mode_lines(rd: ResolvedDeployment) -> list[str]:
    """Why the deploymentMode annotation is (not) written, where the platform is not
    OpenShift AI (whose wizard never writes it)."""
    env = rd.environment
    release = env.release
    if release.dashboard_labels:
        return []
    source = ("spec.platform.defaultDeploymentMode" if env.deployment_mode
              else f"{release.display_name}'s inferenceservice-config")
    default = env.default_deployment_mode
    if normalise_mode(default) == normalise_mode(release.raw_mode):
        return [f"deployment mode: {release.raw_mode}, the cluster's default ({source}); "
                "no annotation", ""]
    return [f"deployment mode: {release.raw_mode}, written as {V.DEPLOYMENT_MODE} "
            f"because the cluster's default is {default} ({source})", ""]


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
    fmt, matched = workload.model_format, workload.matched_format
    shown = f"{fmt.name}:{fmt.version}" if fmt.version else fmt.name
    if matched is not None:
        shown += f" (matched as {matched.name}:{matched.version})"
    return {
        "modelFormat": shown,
        "runtime": "auto" if workload.runtime.mode == "auto" else workload.runtime.template.name,
        "strategy": workload.strategy.type,
        "protocolVersion": workload.protocol or "",
    }


TARGET = TargetResolver(resolve=resolve, check_environment=check_environment,
                        explain_text=explain_text, explain_json=explain_json,
                        explain_values=explain_values, candidates=candidates)
