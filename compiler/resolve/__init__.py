"""Stage 3 — resolve: layers, presets and platform rules → ResolvedDeployment per (model, env)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from compiler.catalog import ModelFormat, RuntimeTemplate
from compiler.cluster_runtimes import platform_runtimes
from compiler.diagnostics import Diagnostic
from compiler.load import Document, load_path
from compiler.repo import Repo
from compiler.resolve import (
    access,
    gateway,
    kserve_selection,
    llmd,
    mlserver,
    platform_rules,
    quota,
    resources,
    rollout,
    runtime,
    storage,
)
from compiler.resolve import layers as L
from compiler.resolve.records import EnvVar, ResolvedDeployment, RuntimeChoice
from compiler.resolve.rules import check_all
from compiler.resources import presets_dir
from compiler.spec import Environment, HardwareProfile, ModelSpec

__all__ = ["ResolvedDeployment", "Resolver"]


@dataclass
class Resolver:
    repo: Repo

    @cached_property
    def _defaults(self) -> Document:
        result = load_path(presets_dir() / "model-defaults.yaml",
                           "<inferc>/presets/model-defaults.yaml")
        return result.documents[0]

    def environment(self, env: Environment,
                    ) -> tuple[list[ResolvedDeployment], list[Diagnostic]]:
        out: list[ResolvedDeployment] = []
        diags: list[Diagnostic] = []
        builtin = platform_runtimes(env.release)
        diags.extend(platform_rules.check_environment(env))
        diags.extend(_unknown_disabled(env, (*builtin, *self.repo.templates)))
        for model in self.repo.models:
            try:
                rd, problems = self.deployment(model, env, builtin)
            except runtime.SelectionError as exc:
                diags.append(exc.diagnostic)
                continue
            diags.extend(problems)
            if rd is not None:
                out.append(rd)
        diags.extend(gateway.check(env, out))
        if not self.repo.partial:  # quotas need every model
            diags.extend(quota.check(env, out))
        return out, diags

    def deployment(self, model: ModelSpec, env: Environment,
                   builtin: tuple[RuntimeTemplate, ...],
                   ) -> tuple[ResolvedDeployment | None, list[Diagnostic]]:
        values, origins = L.merge(self._layers(model, env))
        origins["name"] = L.Origin(L.SPEC, model.doc, ("metadata", "name"))
        profile = self._profile(values["hardwareProfile"], model, env, origins["hardwareProfile"])
        if isinstance(profile, Diagnostic):
            return None, [profile]
        choice, fmt = self._runtime(model, env, values, origins, profile, builtin)
        target = "llm-d" if choice.template is runtime.LLMD_TEMPLATE else "kserve"
        location, diags = storage.resolve(values["storage"], origins)
        res, more = resources.compute(profile, values.get("resources", {}), origins)
        _profile_origins(profile, origins)
        extra_env, problems = ([], []) if target == "llm-d" else mlserver.apply(
            model.key, values, origins, choice.template, env)
        if target == "kserve" and "llmd" in values:
            problems.append(origins["llmd"].diag(
                f"this model resolves to KServe in environment '{env.name}' "
                f"(runtime {choice.template.name}); the llmd block applies to llm-d only",
                "llmd.not-llmd", hint="set runtime: llm-d, or remove the llmd block"))
        reach, exposure = access.resolve(values, origins, values["modelType"], env.release,
                                         target)
        scaling, strategy, rolling = rollout.resolve(values, origins)
        diags += more + problems + exposure + rolling
        if location is None:
            return None, diags
        rd = ResolvedDeployment(
            key=model.key, environment=env, source=model.file, display_name=model.display_name,
            description=model.description, model_type=values["modelType"], model_format=fmt,
            storage=location, profile=profile, runtime=choice, scaling=scaling, strategy=strategy,
            resources=res, args=tuple(values.get("args", ())),
            env=_env_vars(values) + tuple(extra_env), origins=origins, access=reach,
            target=target)
        if target == "llm-d":
            workload, llmd_diags = llmd.resolve(llmd.Inputs(
                model.key, env, values, origins, profile, res, rd.args, rd.env, location.uri,
                scaling.max_replicas))
            diags += llmd_diags
            if workload is None:
                return None, diags
            return replace(rd, llmd=workload), diags
        return rd, diags + check_all(rd)

    def _runtime(self, model: ModelSpec, env: Environment, values: Mapping[str, Any],
                 origins: Mapping[str, L.Origin], profile: HardwareProfile,
                 builtin: tuple[RuntimeTemplate, ...]) -> tuple[RuntimeChoice, ModelFormat]:
        model_type = values["modelType"]
        llmd_choice = runtime.llmd_choice(values["runtime"], model_type, env.llmd_default, env.name,
                                          _runtime_origin(origins["runtime"], model))
        if llmd_choice is not None:
            return llmd_choice, runtime.GENERATIVE_FORMAT
        templates = runtime.in_scope(builtin, self.repo.templates, model.key.namespace)
        if env.release.selection == "kserve":
            return self._kserve_runtime(model, env, values, origins, templates)
        fmt = runtime.resolve_format(model_type, _format(values), templates,
                                     origins.get("modelFormat", origins["modelType"]))
        request = runtime.Request(values["runtime"], model_type, fmt, profile, env.name,
                                  env.disabled_templates, env.llmd_default)
        return runtime.select(request, templates, _runtime_origin(origins["runtime"], model)), fmt

    def _kserve_runtime(self, model: ModelSpec, env: Environment, values: Mapping[str, Any],
                        origins: Mapping[str, L.Origin], templates: list[RuntimeTemplate],
                        ) -> tuple[RuntimeChoice, ModelFormat]:
        generative = env.release.generative_format
        fmt = kserve_selection.model_format(
            values["modelType"], _format(values), ModelFormat(generative.name, generative.version),
            origins.get("modelFormat", origins["modelType"]))
        request = kserve_selection.Request(values["runtime"], fmt, kserve_selection.DEFAULT_PROTOCOL,
                                           env.name, env.disabled_templates)
        origin = _runtime_origin(origins["runtime"], model)
        return kserve_selection.select(request, templates, origin), fmt

    def _layers(self, model: ModelSpec, env: Environment) -> list[L.Layer]:
        spec_env = env.doc.data["spec"]
        ref = str(model.key)
        return [
            L.Layer(L.BUILTIN, self._defaults, ("spec",), self._defaults.data["spec"]),
            L.Layer(L.ENV_DEFAULT, env.doc, ("spec", "defaults"), spec_env.get("defaults", {})),
            L.Layer(L.SPEC, model.doc, ("spec",), model.spec),
            L.Layer(L.ENV_OVERRIDE, env.doc, ("spec", "overrides", ref),
                    spec_env.get("overrides", {}).get(ref, {})),
        ]

    def _profile(self, name: str, model: ModelSpec, env: Environment,
                 origin: L.Origin) -> HardwareProfile | Diagnostic:
        found = _profiles_for(self.repo.profiles, model.key.namespace, env.dashboard_namespace)
        if name in found:
            return found[name]
        near = difflib.get_close_matches(name, found, n=1)
        return origin.diag(f"no hardware profile '{name}'", "profile.unknown",
                           hint=f"did you mean '{near[0]}'?" if near else
                           f"known profiles: {', '.join(sorted(found))}")


def _unknown_disabled(env: Environment, templates: tuple[RuntimeTemplate, ...]) -> list[Diagnostic]:
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


def _profile_origins(profile: HardwareProfile, origins: dict[str, L.Origin]) -> None:
    """Resources nobody overrode come from the profile's defaultCount (explain shows where)."""
    layer = L.BUILTIN if profile.builtin else L.REPO_PRESET
    for ident in profile.identifiers:
        default = L.Origin(layer, profile.doc, ("spec", "identifiers", ident.index, "defaultCount"))
        request = origins.setdefault(f"resources.requests.{ident.identifier}", default)
        origins.setdefault(f"resources.limits.{ident.identifier}", request)


def _profiles_for(profiles: tuple[HardwareProfile, ...], namespace: str,
                  dashboard: str) -> Mapping[str, HardwareProfile]:
    """Repo profiles override built-ins; a project-scoped one only in its namespace.
    A profile copied from the cluster's dashboard namespace is global."""
    out: dict[str, HardwareProfile] = {}
    for profile in profiles:
        if profile.namespace in (None, dashboard, namespace):
            out[profile.name] = profile
    return out


def _env_vars(values: Mapping[str, Any]) -> tuple[EnvVar, ...]:
    return tuple(EnvVar(e["name"], e.get("value", ""), e.get("valueFrom"))
                 for e in values.get("env", ()))


def _format(values: Mapping[str, Any]) -> ModelFormat | None:
    fmt = values.get("modelFormat")
    return ModelFormat(fmt["name"], fmt.get("version")) if fmt else None


def _runtime_origin(origin: L.Origin, model: ModelSpec) -> L.Origin:
    # An implicit 'auto' comes from the built-in defaults; point the user at the
    # spec where they would write runtime:, not at inferc's own preset file.
    if origin.layer == L.BUILTIN:
        return L.Origin(L.SPEC, model.doc, ("spec", "runtime"))
    return origin

