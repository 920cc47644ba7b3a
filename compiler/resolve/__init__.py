"""Stage 3 — resolve: layers, presets and platform rules → ResolvedDeployment per (model, env).

Everything every target shares is resolved here; the chosen target's resolver
(:data:`TARGETS`, see ``compiler.resolve.targets``) adds its own Workload record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from compiler import presets
from compiler.diagnostics import Diagnostic
from compiler.load import Document
from compiler.repo import Repo
from compiler.resolve import (
    access,
    gateway,
    kserve,
    llmd,
    monitoring,
    platform_rules,
    profiles,
    quota,
    resources,
    rollout,
    storage,
)
from compiler.resolve import layers as L
from compiler.resolve.records import EnvVar, ResolvedDeployment
from compiler.resolve.rules import check_all
from compiler.resolve.targets import (
    Choice,
    Partial,
    TargetInput,
    TargetResolver,
    choose,
    runtime_origin,
    unavailable,
)
from compiler.spec import (
    NO_PROFILE,
    STRATEGY_SETTING,
    Environment,
    HardwareProfile,
    ModelKey,
    ModelSpec,
    dashboard_strategy,
    no_profile,
)
from compiler.targets import DEFAULT_TARGET, TargetFacts, facts
from compiler.text import did_you_mean

__all__ = ["TARGETS", "Partial", "ResolvedDeployment", "Resolver", "quota_needs",
           "resolver_for"]

# One resolver per available target (compiler.targets: "How to add a target").
TARGETS: dict[str, TargetResolver] = {
    "kserve": kserve.TARGET,
    "llm-d": llmd.TARGET,
}


def resolver_for(target: str) -> TargetResolver:
    return TARGETS[target]


@dataclass
class Resolver:
    repo: Repo

    @cached_property
    def _defaults(self) -> Document:
        return presets.document("model-defaults.yaml", "ModelDefaults")

    def environment(self, env: Environment,
                    ) -> tuple[list[ResolvedDeployment], list[Diagnostic]]:
        """The models of ``env``, with every problem. Under check FILES (``repo.focus``)
        only the models asked about are returned and reported; the other models read
        (their namespaces', Repo.focus) count toward the quotas, and their own problems
        are reported only when they keep a model out of a quota check."""
        out: list[ResolvedDeployment] = []
        diags: list[Diagnostic] = []
        diags.extend(platform_rules.check_environment(env))
        for target in TARGETS.values():
            diags.extend(target.check_environment(env, self.repo))
        focus = self.repo.focus
        for model in self.repo.models:
            if focus is not None and model.key not in focus \
                    and model.key.namespace not in env.quotas:
                continue  # read for another environment's quota
            rd, problems = self.deployment(model, env)
            if focus is None or model.key in focus:
                diags.extend(problems)
            elif rd is None:
                diags.extend(_blocking_quota(model, env, problems))
            if rd is not None:
                out.append(rd)
        asked = out if focus is None else [rd for rd in out if rd.key in focus]
        diags.extend(gateway.check(env, asked))
        diags.extend(quota.check(env, out, namespaces=self.repo.complete, blame=focus))
        diags.extend(monitoring.dashboard_warnings(
            env, [(str(rd.key), rd.target) for rd in asked if rd.monitoring is not None]))
        return asked, diags

    def deployment(self, model: ModelSpec, env: Environment,
                   ) -> tuple[ResolvedDeployment | None, list[Diagnostic]]:
        """One model in one environment. Every problem of the model is reported: one that
        stops a part (an unknown profile, a runtime nobody can choose) does not hide the
        others (storage, resources, access, scaling)."""
        found, diags = self.attempt(model, env)
        return (found if isinstance(found, ResolvedDeployment) else None), diags

    def attempt(self, model: ModelSpec, env: Environment,
                ) -> tuple[ResolvedDeployment | Partial, list[Diagnostic]]:
        """:meth:`deployment`, keeping what could be resolved when the model cannot be."""
        values, origins = L.merge(self._layers(model, env))
        if origins["strategy"].path == STRATEGY_SETTING[:-1] + ("strategy",):
            origins["strategy"] = L.Origin(L.ENV_DEFAULT, env.doc, STRATEGY_SETTING)
        origins["name"] = L.Origin(L.SPEC, model.doc, ("metadata", "name"))
        diags: list[Diagnostic] = []
        found = self._profile(values["hardwareProfile"], model, env, origins["hardwareProfile"])
        profile = found if isinstance(found, HardwareProfile) else None
        if isinstance(found, Diagnostic):
            diags.append(found)
        else:
            diags += profiles.check(found, env, origins["hardwareProfile"])
        chosen = self._target(model, env, values, origins)
        target_name = chosen.target.name if isinstance(chosen, Choice) else DEFAULT_TARGET
        _target_defaults(facts(target_name), values, origins)
        _llmd_defaults(target_name, values, origins)
        workload, selection = None, None
        if isinstance(chosen, Diagnostic):
            diags.append(chosen)
        elif profile is not None:  # runtime selection matches on the profile's accelerator
            selection = TargetInput(model, env, values, origins, profile, self.repo)
            workload, problems = TARGETS[target_name].resolve(selection)
            diags += problems
        location, problems = storage.resolve(values["storage"], origins)
        diags += problems
        res = None
        if profile is not None:
            res, problems = resources.compute(profile, values.get("resources", {}), origins)
            _profile_origins(profile, origins)
            diags += problems
        reach, problems = access.resolve(values, origins, values["modelType"], env.release,
                                         target_name)
        diags += problems
        scaling, problems = rollout.scaling(values, origins)
        diags += problems
        if location is None or profile is None or res is None or workload is None:
            return Partial(model.key, env, values, origins, target_name, profile, res,
                           selection, workload), diags
        watch, problems = monitoring.resolve(model.key.name, values, origins, env, target_name,
                                             workload)
        rd = ResolvedDeployment(
            key=model.key, environment=env, source=model.file, display_name=model.display_name,
            description=model.description, model_type=values["modelType"], storage=location,
            profile=profile, scaling=scaling, resources=res, args=tuple(values.get("args", ())),
            env=_env_vars(values), origins=origins, access=reach, target=target_name,
            workload=workload, monitoring=watch)
        return rd, diags + problems + check_all(rd)

    def _target(self, model: ModelSpec, env: Environment, values: Mapping[str, Any],
                origins: Mapping[str, L.Origin]) -> Choice | Diagnostic:
        """The target chosen for the model in ``env``, if inferc has its modules."""
        origin = runtime_origin(origins["runtime"], model)
        chosen = choose(env, values["runtime"], values["modelType"], origin)
        if isinstance(chosen, Choice) and chosen.target.name not in TARGETS:
            return unavailable(chosen, origin)
        return chosen

    def _layers(self, model: ModelSpec, env: Environment) -> list[L.Layer]:
        ref = str(model.key)
        setting = dashboard_strategy(env)  # the wizard's default, when the cluster sets one
        return [
            L.Layer(L.BUILTIN, self._defaults, ("spec",), self._defaults.data["spec"]),
            L.Layer(L.ENV_DEFAULT, env.doc, STRATEGY_SETTING[:-1],
                    {"strategy": {"type": setting}} if setting else {}),
            L.Layer(L.ENV_DEFAULT, env.doc, ("spec", "defaults"), env.defaults),
            L.Layer(L.SPEC, model.doc, ("spec",), model.spec),
            L.Layer(L.ENV_OVERRIDE, env.doc, ("spec", "overrides", ref),
                    env.overrides.get(ref, {})),
        ]

    def _profile(self, name: str, model: ModelSpec, env: Environment,
                 origin: L.Origin) -> HardwareProfile | Diagnostic:
        if name == NO_PROFILE:
            return no_profile(origin.doc)
        found = _profiles_for(self.repo.profiles, model.key.namespace, env.dashboard_namespace)
        if name in found:
            return found[name]
        return origin.diag(f"no hardware profile '{name}'", "profile.unknown",
                           hint=did_you_mean(name, found, otherwise=f"known profiles: "
                                             f"{', '.join(sorted(found))}"))


def _blocking_quota(model: ModelSpec, env: Environment,
                    problems: list[Diagnostic]) -> list[Diagnostic]:
    """The errors of a model that was read only for its namespace's quota and does not
    resolve: the quota cannot be checked without it, so they are shown, saying why."""
    if model.key.namespace not in env.quotas:
        return []
    return [replace(d, message=d.message + quota_needs(model.key)) for d in problems
            if d.is_error]


def quota_needs(key: ModelKey) -> str:
    """Said after a problem of a model that check FILES or explain read only to count
    its namespace's quota."""
    return f" (needed for the quota check of namespace '{key.namespace}')"


def _llmd_defaults(target: str, values: dict[str, Any], origins: dict[str, L.Origin]) -> None:
    """An environment's ``defaults.llmd`` is for its llm-d models: on a model that
    resolves to another target it is dropped (the model itself did not ask for it),
    while an ``llmd`` block of the model or of its override stays, and rule
    llmd.not-llmd reports it."""
    origin = origins.get("llmd")
    if target == llmd.LLMD or origin is None or origin.layer != L.ENV_DEFAULT:
        return
    values.pop("llmd", None)
    for key in [k for k in origins if k == "llmd" or k.startswith("llmd.")]:
        del origins[key]


def _target_defaults(target: TargetFacts, values: dict[str, Any],
                     origins: dict[str, L.Origin]) -> None:
    """Built-in defaults apply only to fields the target has: the wizard's RollingUpdate
    default means nothing to a target without a strategy choice."""
    if not target.strategy_choice and "strategy" in origins \
            and origins["strategy"].layer == L.BUILTIN:
        del values["strategy"], origins["strategy"]


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
