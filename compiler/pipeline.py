"""The whole pipeline in one place: load → validate → resolve → render → verify.

Commands call these functions; each stage stays in its own module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.errors import UsageError
from compiler.objects import object_key
from compiler.overlay import EnvRender, ModelRender
from compiler.render import render
from compiler.render.environment import once, render_environment, shared_by_models
from compiler.repo import Repo, load_repo, model_key, models_folder_state
from compiler.resolve import Resolver, quota_needs
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import Environment, ModelKey
from compiler.validate import default_validator


@dataclass(frozen=True)
class Compiled:
    repo: Repo
    deployments: dict[str, list[ResolvedDeployment]]  # by environment name
    load_diagnostics: list[Diagnostic]
    resolve_diagnostics: list[Diagnostic]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.load_diagnostics + self.resolve_diagnostics


@dataclass(frozen=True)
class Outcome:
    """What a command gets from :func:`run`: the compiled repo, the renders when asked
    for, and whether the command must stop and report (any error so far)."""

    compiled: Compiled
    environment: str | None  # the one environment the command asked about, if any
    renders: tuple[EnvRender, ...] = ()
    verify_diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.compiled.diagnostics + self.verify_diagnostics

    @property
    def stopped(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def run(root: Path, *, environment: str | None = None, one_environment: bool = False,
        only_models: Sequence[Path] | None = None, allow_empty: bool = False,
        render: bool = False, model: ModelKey | None = None,
        progress: Callable[[str], None] | None = None) -> Outcome:
    """The commands' shared ladder: load and resolve; for a command about one
    environment (``one_environment``; ``environment`` None means the base one) that
    environment must exist, unless the files failed to load (a broken environment file
    is reported, not called unknown); stop on any error; then render and verify when
    asked, and stop on a failed verification."""
    chosen = [environment] if environment is not None else None
    compiled = load_and_resolve(root, only_models=only_models, env_names=chosen,
                                allow_empty=allow_empty)
    name = environment
    if one_environment:
        if any(d.is_error for d in compiled.load_diagnostics):
            return Outcome(compiled, name)
        name = environment or base_environment(compiled.repo)
        require_environment(compiled.repo, name)
    outcome = Outcome(compiled, name)
    if outcome.stopped or not render:
        return outcome
    renders, verify_diags = render_all(compiled, model=model, progress=progress)
    return Outcome(compiled, name, renders, verify_diags)


def require_environment(repo: Repo, name: str) -> Environment:
    """The environment a command names; an unknown one is a usage error."""
    env = repo.environment(name)
    if env is None:
        known = ", ".join(e.name for e in repo.environments) or "none"
        raise UsageError(f"no environment '{name}' (known: {known})")
    return env


def load_and_resolve(root: Path, *, only_models: Sequence[Path] | None = None,
                     env_names: Sequence[str] | None = None,
                     allow_empty: bool = False) -> Compiled:
    repo, load_diags = load_repo(root, default_validator(), only_models)
    if repo.focus is not None:
        load_diags = _for_quota(repo, load_diags)
    if not repo.environments and not any(d.file.startswith("environments/") for d in load_diags):
        load_diags.append(_no_environments(repo))
    resolver = Resolver(repo)
    deployments: dict[str, list[ResolvedDeployment]] = {}
    per_env: dict[Diagnostic, list[Environment]] = {}
    chosen = _chosen(repo, env_names)
    for env in chosen:
        rds, diags = resolver.environment(env)
        deployments[env.name] = rds
        for diag in diags:
            per_env.setdefault(diag, []).append(env)
    resolve_diags = [_in_environments(d, envs, len(chosen)) for d, envs in per_env.items()]
    if not allow_empty:
        resolve_diags += _empty_environments(repo, chosen, deployments,
                                             load_diags + resolve_diags)
    return Compiled(repo, deployments, load_diags, resolve_diags)


def _for_quota(repo: Repo, diags: list[Diagnostic]) -> list[Diagnostic]:
    """A model read only for its namespace's quota (Repo.focus) is not what was asked
    about: its warnings are left out, and its errors say why they are shown (the quota
    cannot be counted without it)."""
    out = []
    for diag in diags:
        key = model_key(repo.root, repo.root / diag.file)
        if key is None or repo.focus is None or key in repo.focus:
            out.append(diag)
        elif diag.is_error:
            out.append(replace(diag, message=f"{diag.message}{quota_needs(key)}"))
    return out


def _empty_environments(repo: Repo, chosen: Sequence[Environment],
                        deployments: dict[str, list[ResolvedDeployment]],
                        diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """An environment that renders no model is an error unless asked for: under Argo CD
    an empty render with exit 0 prunes every model of the environment.

    When model files exist but failed, their own errors say why; without any model
    file, or with every model fine and none here, this is the only message."""
    failed = any(d.is_error for d in diags)
    # check FILES resolves only the models it was given (none, for a deleted spec):
    # whether the environment still renders a model is known from the files on disk
    partial = repo.focus is not None
    out = []
    for env in chosen:
        if deployments.get(env.name) or (repo.model_keys and (failed or partial)):
            continue
        state = models_folder_state(repo.root) if not repo.model_keys else \
            f"none of the {len(repo.model_keys)} models applies to it"
        out.append(env.doc.diag((), f"environment '{env.name}' renders no model: {state}",
                                "repo.empty",
                                hint="add models/<namespace>/<name>.yaml, or pass "
                                     "--allow-empty if an empty environment is intended"))
    return out


def _in_environments(diag: Diagnostic, envs: list[Environment], total: int) -> Diagnostic:
    """Say which environments a problem occurs in, unless it is all of them or the
    diagnostic already points into the environment's own file."""
    if len(envs) == total or any(diag.file == e.doc.file for e in envs):
        return diag
    names = ", ".join(e.name for e in envs)
    where = f"environment {names}" if len(envs) == 1 else f"environments {names}"
    return replace(diag, message=f"{diag.message} (in {where})")


def render_all(compiled: Compiled, *, verify: bool = True, model: ModelKey | None = None,
               progress: Callable[[str], None] | None = None,
               ) -> tuple[tuple[EnvRender, ...], list[Diagnostic]]:
    """Render every resolved deployment and every environment output; verify each
    object against the target's schemas."""
    envs, diags = [], []
    verifiers: dict[str, Any] = {}  # one per release: building a CRD validator is costly
    for env in compiled.repo.environments:
        if env.name not in compiled.deployments:
            continue
        if progress is not None:
            progress(f"rendering environment {env.name} "
                     f"({len(compiled.deployments[env.name])} models)")
        release = env.release.key
        if verify and release not in verifiers:
            verifiers[release] = _verifier(env)
        rendered, problems = _render_environment(env, compiled.deployments[env.name], model)
        diags += problems
        verifier = verifiers.get(release)
        if verifier is not None:
            for m in rendered.models:
                for obj in m.objects:
                    diags.extend(_located(verifier.check(obj, file=m.source), obj))
            for obj in rendered.platform:
                diags.extend(_located(verifier.check(obj, file=env.doc.file), obj))
        envs.append(rendered)
    return tuple(envs), diags


def _render_environment(env: Environment, deployments: list[ResolvedDeployment],
                        model: ModelKey | None) -> tuple[EnvRender, list[Diagnostic]]:
    """One environment's per-model and environment-level objects, each object once."""
    models = [(rd, render(rd)) for rd in deployments if model is None or rd.key == model]
    shared, copies = shared_by_models([(rd.source, objects) for rd, objects in models])
    produced = copies + (render_environment(env, deployments) if model is None else [])
    platform, diags = once(produced)
    renders = tuple(ModelRender(rd.key, rd.source,
                                tuple(o for o in objects if object_key(o) not in shared))
                    for rd, objects in models)
    return EnvRender(env.name, env.doc.file, renders, tuple(p.obj for p in platform)), diags


def base_environment(repo: Repo) -> str:
    wanted = repo.settings.base_environment
    names = [e.name for e in repo.environments]
    if wanted in names or not names:
        return wanted or ""
    return names[0]


def _chosen(repo: Repo, env_names: Sequence[str] | None) -> list[Environment]:
    if env_names is None:
        return list(repo.environments)
    return [e for e in repo.environments if e.name in env_names]


def _verifier(env: Environment):  # type: ignore[no-untyped-def]
    from compiler.verify import Verifier  # the CRD schemas load only when output is made

    return Verifier(crd_set=env.release.crd_sets)


def _located(diags: list[Diagnostic], obj: Mapping[str, Any]) -> list[Diagnostic]:
    # An emitted object that fails its schema is reported against the spec that
    # produced it, naming the object, since the object itself is not a source file.
    meta = obj.get("metadata", {})
    name = f"{obj.get('kind')} {meta.get('namespace')}/{meta.get('name')}"
    return [Diagnostic(d.file, 1, 1, d.path, f"generated {name}: {d.message}", d.rule,
                       d.severity, d.hint) for d in diags]


def _no_environments(repo: Repo) -> Diagnostic:
    doc = repo.settings.doc
    file = doc.file if doc is not None else "inferc.yaml"
    return Diagnostic(file, 1, 1, "$", "the repo has no environments; add "
                      "environments/<name>.yaml", "repo.no-environments")
