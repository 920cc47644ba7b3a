"""Commands as library functions: options record in, CommandResult out.

No printing and no exiting here; the CLI turns a CommandResult into output and
an exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compiler import emit, pipeline
from compiler.diagnostics import Diagnostic, sort_diagnostics
from compiler.errors import ExitCode, UsageError, exit_code_for
from compiler.order import kustomize_order
from compiler.overlay import build_tree, header
from compiler.repo import find_root, model_files, model_key
from compiler.spec import ModelKey
from compiler.yamlio import dump_all


@dataclass(frozen=True)
class CommandResult:
    diagnostics: list[Diagnostic]
    output: str = ""  # the command's product on stdout (render's YAML stream)
    messages: list[str] = field(default_factory=list)  # progress or drift lines for stderr
    drift: bool = False

    @property
    def exit_code(self) -> ExitCode:
        return exit_code_for(errors=sum(d.is_error for d in self.diagnostics), drift=self.drift)


@dataclass(frozen=True)
class CheckOptions:
    paths: tuple[Path, ...]
    repo: Path


@dataclass(frozen=True)
class BuildOptions:
    repo: Path
    out: Path | None
    check: bool


@dataclass(frozen=True)
class RenderOptions:
    repo: Path
    env: str
    model: str | None


@dataclass(frozen=True)
class ExplainOptions:
    repo: Path
    model: str
    env: str | None
    fmt: str  # "text" | "json"


@dataclass(frozen=True)
class VerifyOptions:
    paths: tuple[Path, ...]
    crd_set: str
    ignore_missing: bool


def check(opts: CheckOptions) -> CommandResult:
    if not opts.paths:
        compiled = pipeline.load_and_resolve(find_root(opts.repo))
        return CommandResult(sort_diagnostics(compiled.diagnostics))
    groups: dict[Path, list[Path]] = {}
    for path in (p.resolve() for p in opts.paths):  # pre-commit passes relative paths
        groups.setdefault(find_root(path.parent), []).append(path)
    diags: list[Diagnostic] = []
    for root, paths in groups.items():  # a monorepo may hold several config repos
        diags += _check_files(root, paths)
    return CommandResult(sort_diagnostics(diags))


def _check_files(root: Path, paths: list[Path]) -> list[Diagnostic]:
    given = {_display(root, p) for p in paths}
    models = [p for p in paths if _display(root, p).startswith("models/")]
    only = models if len(models) == len(paths) else None
    compiled = pipeline.load_and_resolve(root, only_models=only)
    kept = [d for d in compiled.load_diagnostics if d.file in given]
    return kept + compiled.resolve_diagnostics


def build(opts: BuildOptions) -> CommandResult:
    root = find_root(opts.repo)
    compiled = pipeline.load_and_resolve(root)
    out = opts.out if opts.out is not None else root / compiled.repo.settings.output
    if any(d.is_error for d in compiled.diagnostics):
        return CommandResult(sort_diagnostics(compiled.diagnostics))
    renders, verify_diags = pipeline.render_all(compiled)
    diags = sort_diagnostics(compiled.diagnostics + verify_diags)
    if any(d.is_error for d in diags):
        return CommandResult(diags)
    files = build_tree(renders, pipeline.base_environment(compiled.repo))
    if opts.check:
        found = emit.drift(out, files)
        lines = ([f"would add {p}" for p in found.added] +
                 [f"would remove {p}" for p in found.removed] +
                 [f"would change {p}" for p in found.changed])
        return CommandResult(diags, messages=lines, drift=bool(found))
    emit.guard_output(out, root)
    emit.write_tree(out, files)
    return CommandResult(diags, messages=[f"wrote {len(files)} files to {out}"])


def render(opts: RenderOptions) -> CommandResult:
    root = find_root(opts.repo)
    compiled = pipeline.load_and_resolve(root, env_names=[opts.env])
    if any(d.is_error for d in compiled.load_diagnostics):
        return CommandResult(sort_diagnostics(compiled.diagnostics))
    env = compiled.repo.environment(opts.env)
    if env is None:
        known = ", ".join(e.name for e in compiled.repo.environments) or "none"
        raise UsageError(f"no environment '{opts.env}' (known: {known})")
    if any(d.is_error for d in compiled.diagnostics):
        return CommandResult(sort_diagnostics(compiled.diagnostics))
    model = _model_key(opts.model) if opts.model else None
    renders, verify_diags = pipeline.render_all(compiled, model=model)
    if any(d.is_error for d in verify_diags):
        return CommandResult(sort_diagnostics(verify_diags))
    if model is not None and not any(m.models for m in renders):
        raise UsageError(f"no model '{opts.model}' in {root / 'models'}")
    objects = [o for r in renders for o in r.platform] + [
        o for r in renders for m in r.models for o in m.objects]
    stream = dump_all(kustomize_order(objects), header(env.doc.file))
    return CommandResult(sort_diagnostics(verify_diags), output=stream)


def explain(opts: ExplainOptions) -> CommandResult:
    from compiler import explain as explaining

    root = find_root(opts.repo)
    key = _model_key(opts.model)
    path = next((p for p in model_files(root) if model_key(root, p) == key), None)
    if path is None:
        raise UsageError(f"no model '{opts.model}' (expected {root}/models/{key.namespace}/"
                         f"{key.name}.yaml)")
    compiled = pipeline.load_and_resolve(root, only_models=[path],
                                         env_names=[opts.env] if opts.env else None)
    if any(d.is_error for d in compiled.load_diagnostics):
        return CommandResult(sort_diagnostics(compiled.diagnostics))
    env_name = opts.env or pipeline.base_environment(compiled.repo)
    if compiled.repo.environment(env_name) is None:
        known = ", ".join(e.name for e in compiled.repo.environments) or "none"
        raise UsageError(f"no environment '{env_name}' (known: {known})")
    if any(d.is_error for d in compiled.diagnostics):
        return CommandResult(sort_diagnostics(compiled.diagnostics))
    rd = next(r for r in compiled.deployments[env_name] if r.key == key)
    text = explaining.as_json(rd) if opts.fmt == "json" else explaining.as_text(rd)
    return CommandResult(sort_diagnostics(compiled.diagnostics), output=text)


def verify(opts: VerifyOptions) -> CommandResult:
    from compiler.platforms import all_platforms, by_key
    from compiler.verify import crd_sets, verify_files

    release = by_key(opts.crd_set)  # a platform release (kserve-0.20, rhoai-3.4, …)
    if release is None and opts.crd_set not in crd_sets():
        known = sorted({p.key for p in all_platforms()} | set(crd_sets()))
        raise UsageError(f"unknown --platform '{opts.crd_set}' (known: {', '.join(known)})")
    sets = release.crd_sets if release is not None else opts.crd_set
    displays = [str(p) for p in opts.paths]
    diags = verify_files(list(opts.paths), displays, crd_set=sets,
                         ignore_missing=opts.ignore_missing)
    return CommandResult(sort_diagnostics(diags))


def _display(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _model_key(text: str) -> ModelKey:
    namespace, sep, name = text.partition("/")
    if not sep or not namespace or not name:
        raise UsageError(f"--model takes NAMESPACE/NAME, not '{text}'")
    return ModelKey(namespace, name)


__all__: Sequence[str] = ["CommandResult", "build", "check", "explain", "render", "verify"]
