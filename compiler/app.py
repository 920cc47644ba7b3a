"""Commands as library functions: options record in, CommandResult out.

No printing and no exiting here; the CLI turns a CommandResult into output and
an exit code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from compiler import argocd, emit, pipeline
from compiler.diagnostics import Diagnostic, format_path, sort_diagnostics
from compiler.errors import ExitCode, UsageError, exit_code_for
from compiler.order import kustomize_order
from compiler.overlay import EnvRender, K8sObject, build_tree, header
from compiler.paths import locate, rebase, shown, shown_path
from compiler.repo import Repo, find_root, is_config_file, model_files, model_key
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import ModelKey
from compiler.yamlio import dump_all

if TYPE_CHECKING:  # diff's modules load only when the command runs
    from compiler.diff import Revision, Side

# Called with a short line while a long command runs; the CLI passes one only on a terminal.
Progress = Callable[[str], None]


@dataclass(frozen=True)
class CommandResult:
    diagnostics: list[Diagnostic]
    output: str = ""  # the command's product on stdout (render's YAML stream)
    messages: list[str] = field(default_factory=list)  # progress or drift lines for stderr
    drift: bool = False
    done: str = ""  # the one line saying it succeeded (stderr, only when the exit code is 0)
    failed: bool = False  # the output itself reports errors (diff of a revision that fails)

    @property
    def exit_code(self) -> ExitCode:
        errors = sum(d.is_error for d in self.diagnostics) + self.failed
        return exit_code_for(errors=errors, drift=self.drift)


@dataclass(frozen=True)
class CheckOptions:
    paths: tuple[Path, ...]  # files or folders; empty = the whole repo
    repo: Path | None  # None = found upward from the current directory
    allow_empty: bool = False  # an environment without models is not an error
    # files of no config repo (or not of --repo) are skipped, not an error: pre-commit
    # passes every changed file that looks like a spec, also in a monorepo's other folders
    skip_outside: bool = False


@dataclass(frozen=True)
class BuildOptions:
    repo: Path | None
    out: Path | None
    check: bool
    progress: Progress | None = None
    allow_empty: bool = False
    wait: float = emit.LOCK_WAIT  # seconds to wait for another build writing the same folder
    notify: Progress | None = None  # hears a line when the build has to wait


@dataclass(frozen=True)
class RenderOptions:
    repo: Path | None
    env: str | None
    model: str | None
    namespace: str | None = None
    objects: str = "all"  # "all" | "models" | "platform" (cluster-level objects)
    allow_empty: bool = False


@dataclass(frozen=True)
class ExplainOptions:
    repo: Path | None
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
        root = locate(opts.repo)
        compiled = pipeline.load_and_resolve(root, allow_empty=opts.allow_empty)
        return _checked(rebase(root, _verified(compiled)),
                        f"{_count(len(compiled.repo.models), 'model')} in "
                        f"{_count(len(compiled.repo.environments), 'environment')}")
    groups: dict[Path, list[Path]] = {}
    whole: set[Path] = set()
    wanted = locate(opts.repo) if opts.repo is not None else None
    skipped = 0
    for given in opts.paths:
        path = given.resolve()  # pre-commit passes relative paths
        owner = _repo_of(given, path if path.is_dir() else path.parent, wanted,
                         opts.skip_outside)
        if owner is None:
            skipped += 1
            continue
        root = owner
        if path.is_dir():
            if path == root:  # `check DIR` of a config repo checks all of it
                whole.add(root)
                continue
            files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")
                           and p.is_file())
            groups.setdefault(root, []).extend(files)
        else:  # a file, or one a commit deletes (its folder may be gone too)
            if not os.path.lexists(path) and not is_config_file(_display(root, path)):
                raise UsageError(f"no such file: {shown_path(given)}")
            groups.setdefault(root, []).append(path)
    if not groups and not whole:
        return CommandResult([], done=f"inferc: checked nothing: {_count(skipped, 'file')} "
                                      "outside the config repo skipped")
    diags: list[Diagnostic] = []
    said: list[str] = []
    for root in sorted(whole):
        compiled = pipeline.load_and_resolve(root, allow_empty=opts.allow_empty)
        diags += rebase(root, _verified(compiled))
        said.append(f"{_count(len(compiled.repo.models), 'model')} in "
                    f"{_count(len(compiled.repo.environments), 'environment')}")
    for root in (r for r in groups if r not in whole):  # a monorepo may hold several
        found, summary = _check_files(root, groups[root], opts.allow_empty)
        diags += rebase(root, found)
        said.append(summary)
    return _checked(diags, "; ".join(said))


def _repo_of(given: Path, folder: Path, wanted: Path | None, skip: bool) -> Path | None:
    """The config repo a checked path belongs to; None when it is to be skipped.
    With --repo, a path of another repo is as foreign as one of no repo."""
    try:
        root = find_root(folder)
    except UsageError:
        if skip:
            return None
        raise
    if wanted is not None and root != wanted:
        if skip:
            return None
        raise UsageError(f"{shown_path(given)} is not in the config repo {shown_path(wanted)}")
    return root


def _checked(diags: list[Diagnostic], what: str) -> CommandResult:
    return CommandResult(sort_diagnostics(diags), done=f"inferc: checked {what}: no errors")


def _check_files(root: Path, paths: list[Path], allow_empty: bool,
                 ) -> tuple[list[Diagnostic], str]:
    """The given files' problems, and those their change causes elsewhere: a changed or
    deleted spec is resolved in every environment with the other models of its
    namespace when a quota covers it (Repo.focus); any other file (an environment,
    a preset, inferc.yaml) can change every model, so the whole repo is resolved."""
    given = {_display(root, p): p for p in paths}
    models = [p for name, p in given.items() if name.startswith("models/")]
    only = models if len(models) == len(paths) else None
    compiled = pipeline.load_and_resolve(root, only_models=only, allow_empty=allow_empty)
    repo = compiled.repo
    kept = [d for d in compiled.load_diagnostics if d.file in given or _caused(repo, d)]
    found = kept + compiled.resolve_diagnostics + _output_problems(compiled)
    if only is None:
        return found, _count(len(repo.models), "model")
    gone = [p for p in only if not os.path.lexists(p)]
    asked = [m for m in repo.models if repo.focus is None or m.key in repo.focus]
    summary = _count(len(asked), "model") + (f" ({len(gone)} deleted)" if gone else "")
    if len(repo.models) > len(asked):
        summary += (f", counting {_count(len(repo.models) - len(asked), 'other model')} "
                    "of the same namespace toward its quota")
    return found, summary


def _caused(repo: Repo, diag: Diagnostic) -> bool:
    """Whether check FILES reports a load problem outside the given files: another
    model of a quota-checked namespace (pipeline._for_quota says why), or an
    environment override left pointing at a deleted model."""
    if repo.focus is None:
        return False
    key = model_key(repo.root, repo.root / diag.file)
    if key is not None:
        return repo.complete is not None and key.namespace in repo.complete
    return diag.rule == "env.unknown-model" and any(
        diag.path == format_path(("spec", "overrides", str(k))) for k in repo.focus)


def _verified(compiled: pipeline.Compiled) -> list[Diagnostic]:
    return compiled.diagnostics + _output_problems(compiled)


def _output_problems(compiled: pipeline.Compiled) -> list[Diagnostic]:
    """Rendering and verifying the output when the input is clean: check must fail for
    everything build and render reject (a runtime template's container that the
    ServingRuntime schema refuses, say)."""
    if any(d.is_error for d in compiled.diagnostics):
        return []
    renders, diags = pipeline.render_all(compiled)
    return diags + argocd.verify(compiled.repo, argocd.objects(compiled.repo, renders))


def build(opts: BuildOptions) -> CommandResult:
    root = locate(opts.repo)
    outcome = pipeline.run(root, allow_empty=opts.allow_empty, render=True,
                           progress=opts.progress)
    compiled = outcome.compiled
    out = opts.out if opts.out is not None else root / compiled.repo.settings.output
    diags = sort_diagnostics(rebase(root, outcome.diagnostics))
    if outcome.stopped:
        return CommandResult(diags)
    applications = argocd.objects(compiled.repo, outcome.renders)
    refused = rebase(root, argocd.verify(compiled.repo, applications))
    if refused:
        return CommandResult(sort_diagnostics(diags + refused))
    files = build_tree(outcome.renders, pipeline.base_environment(compiled.repo))
    files.update(argocd.files(compiled.repo, applications))
    if opts.check:
        found = emit.drift(out, files, repo_root=root)
        lines = ([f"would add {shown_path(out / p)}" for p in found.added] +
                 [f"would remove {shown_path(out / p)}" for p in found.removed] +
                 [f"would change {shown_path(out / p)}" for p in found.changed])
        return CommandResult(diags, messages=lines, drift=bool(found),
                             done=f"inferc: {shown_path(out)} is up to date "
                                  f"({_count(len(files), 'file')})")
    emit.write_tree(out, files, repo_root=root, wait=opts.wait, on_wait=opts.notify)
    return CommandResult(diags, done=f"inferc: wrote {_count(len(files), 'file')} to "
                                     f"{shown_path(out)}")


def render(opts: RenderOptions) -> CommandResult:
    root = locate(opts.repo)
    if not opts.env:
        raise UsageError("no environment given: pass --env ENV (under the Argo CD plugin, set "
                         "the plugin env INFERC_ENVIRONMENT)")
    model = _model_key(opts.model) if opts.model else None
    outcome = pipeline.run(root, environment=opts.env, one_environment=True,
                           allow_empty=opts.allow_empty, render=True, model=model)
    if outcome.stopped:
        # verification problems alone when resolving succeeded: only they stopped it
        shown = (outcome.verify_diagnostics if outcome.renders else outcome.diagnostics)
        return CommandResult(sort_diagnostics(rebase(root, shown)))
    env = pipeline.require_environment(outcome.compiled.repo, opts.env)
    renders, verify_diags = outcome.renders, outcome.verify_diagnostics
    if model is not None and not any(m.models for m in renders):
        raise UsageError(f"no model '{opts.model}' in {shown_path(root / 'models')}")
    objects = _selected(renders, opts.namespace, opts.objects)
    if not objects and (opts.namespace is not None or opts.objects != "all"):
        # an empty stream would make Argo CD prune everything (argoproj/argo-cd#15339)
        what = (f"models in namespace '{opts.namespace}'" if opts.namespace is not None else
                "cluster-level objects" if opts.objects == "platform" else "models")
        raise UsageError(f"no {what} in environment '{opts.env}': refusing to print an "
                         "empty stream")
    stream = dump_all(kustomize_order(objects), header(env.doc.file))
    return CommandResult(sort_diagnostics(rebase(root, verify_diags)), output=stream,
                         done=f"inferc: rendered {_count(len(objects), 'object')} for "
                              f"environment {opts.env}")


def _selected(renders: Sequence[EnvRender], namespace: str | None,
              objects: str) -> list[K8sObject]:
    """The objects of one environment: cluster-level ones, then the models' (all, or one
    namespace's — a per-namespace Application leaves platform objects to its own)."""
    with_platform = namespace is None and objects in ("all", "platform")
    platform = [o for r in renders for o in r.platform] if with_platform else []
    if objects == "platform":
        return platform
    return platform + [o for r in renders for m in r.models
                       if namespace is None or m.key.namespace == namespace
                       for o in m.objects]


def explain(opts: ExplainOptions) -> CommandResult:
    """The model's resolution in one environment, as far as it goes: a model that does
    not resolve is explained up to where it stops, and its errors follow (exit 1)."""
    from compiler import explain as explaining
    from compiler.resolve import Resolver

    root = locate(opts.repo)
    key = _model_key(opts.model, "explain")
    path = next((p for p in model_files(root) if model_key(root, p) == key), None)
    if path is None:
        raise UsageError(f"no model '{opts.model}' (expected "
                         f"{shown_path(root / 'models' / key.namespace / key.name)}.yaml)")
    outcome = pipeline.run(root, environment=opts.env, one_environment=True,
                           only_models=[path])
    compiled = outcome.compiled
    diags = sort_diagnostics(rebase(root, compiled.diagnostics))
    within = sort_diagnostics(compiled.diagnostics)  # JSON: repo-relative, as its sources
    model = next((m for m in compiled.repo.models if m.key == key), None)
    failed = any(d.is_error for d in compiled.load_diagnostics)
    if model is None or (failed and opts.env is not None
                         and compiled.repo.environment(opts.env) is None):
        return CommandResult(diags)  # nothing to explain: its spec or environment is broken
    env_name = _explained_environment(compiled.repo, opts.env)
    env = pipeline.require_environment(compiled.repo, env_name)
    rd = next((r for r in compiled.deployments[env_name] if r.key == key), None)
    done = f"inferc: explained {key} in environment {env_name}"
    if rd is not None:
        text = (explaining.as_json(rd, within) if opts.fmt == "json"
                else explaining.as_text(rd, diags))
        return CommandResult(diags, output=text, done=done)
    found, _ = Resolver(compiled.repo).attempt(model, env)
    assert not isinstance(found, ResolvedDeployment)  # it did not resolve in the pipeline
    text = (explaining.partial_json(found, within) if opts.fmt == "json"
            else explaining.partial_text(found))
    return CommandResult(diags, output=text)


def _explained_environment(repo: Repo, asked: str | None) -> str:
    """A model resolves differently per environment, so with several the user says
    which; a repo with one environment needs no --env."""
    if asked is not None:
        return asked
    names = [e.name for e in repo.environments]
    if len(names) > 1:
        raise UsageError(f"the repo has {len(names)} environments ({', '.join(names)}); "
                         "pass --env ENV to say which one to explain the model in")
    return pipeline.base_environment(repo)


@dataclass(frozen=True)
class InitOptions:
    folder: Path


def init(opts: InitOptions) -> CommandResult:
    from compiler import scaffold

    files = scaffold.scaffold_files()
    scaffold.write(opts.folder, files)
    where = shown_path(opts.folder)
    return CommandResult([], done=f"inferc: created a config repo in {where} "
                                  f"({_count(len(files), 'file')}); try: inferc build {where}")


@dataclass(frozen=True)
class SchemaOptions:
    kind: str | None


def schema(opts: SchemaOptions) -> CommandResult:
    from compiler import schemas

    if opts.kind is None:
        text = "".join(f"{k}\n" for k in schemas.kinds())
        return CommandResult([], output=text, done="inferc: kinds listed; inferc schema KIND "
                                                   "prints one")
    return CommandResult([], output=schemas.dumps(schemas.bundle(opts.kind)),
                         done=f"inferc: printed the JSON Schema of {opts.kind}")


@dataclass(frozen=True)
class CatalogOptions:
    repo: Path | None
    env: str | None
    fmt: str  # "text" | "json"


def catalog(opts: CatalogOptions) -> CommandResult:
    from compiler import inventory

    root = locate(opts.repo)
    compiled = pipeline.load_and_resolve(root, env_names=[])
    env_name = opts.env or pipeline.base_environment(compiled.repo)
    env = pipeline.require_environment(compiled.repo, env_name)
    found = inventory.inventory(compiled.repo, env)
    text = inventory.as_json(found) if opts.fmt == "json" else inventory.as_text(found)
    # the repo's own problems do not stop the listing, but they are shown
    return CommandResult(sort_diagnostics(rebase(root, compiled.load_diagnostics)), output=text,
                         done=f"inferc: listed {_count(len(found.templates), 'runtime template')}"
                              f" and {_count(len(found.profiles), 'hardware profile')} for "
                              f"environment {env_name}")


def verify(opts: VerifyOptions) -> CommandResult:
    from compiler.platforms import all_platforms, by_key
    from compiler.verify import STDIN, crd_sets, verify_manifests

    release = by_key(opts.crd_set)  # a platform release (kserve-0.20, rhoai-3.4, …)
    if release is None and opts.crd_set not in crd_sets():
        known = sorted({p.key for p in all_platforms()} | set(crd_sets()))
        raise UsageError(f"unknown --platform '{opts.crd_set}' (known: {', '.join(known)})")
    sets = release.crd_sets if release is not None else opts.crd_set
    displays = ["<stdin>" if p == STDIN else str(p) for p in opts.paths]
    verified = verify_manifests(list(opts.paths), displays, crd_set=sets,
                                ignore_missing=opts.ignore_missing)
    # kustomize's files are not cluster objects: say what was (not) verified about them
    note = (f" ({_count(verified.kustomize_files, 'kustomize file')} checked as such; what "
            "an overlay builds: kubectl kustomize DIR | inferc verify -)"
            if verified.kustomize_files else "")
    return CommandResult(sort_diagnostics(verified.diagnostics),
                         done=f"inferc: verified {_count(len(opts.paths), 'file')} against "
                              f"{opts.crd_set}: no errors{note}")


@dataclass(frozen=True)
class ImportOptions:
    files: tuple[Path, ...]
    repo: Path | None
    env: str | None
    force: bool  # replace existing specs and presets
    lossy: bool  # write even when a field cannot be expressed (reported as warnings)


def import_(opts: ImportOptions) -> CommandResult:
    from compiler.importer.run import adopt

    root = locate(opts.repo)
    done = adopt(root, opts.files, opts.env, force=opts.force, lossy=opts.lossy)
    written = [shown_path(root / rel) for rel in done.written]
    return CommandResult(
        sort_diagnostics(done.diagnostics),
        messages=[f"inferc: import: {n}" for n in done.notes] +
                 [f"inferc: wrote {rel}" for rel in written],
        done=f"inferc: imported {_count(done.models, 'model')} ({_count(len(written), 'file')})"
             f"; inferc render --env {done.environment} reproduces the imported objects "
             "apart from the differences listed")


@dataclass(frozen=True)
class DiffOptions:
    repo: Path | None
    base: str  # a git revision
    head: str | None  # None: the working tree, as `git diff REF`
    fmt: str  # compiler.report.DIFF_FORMATS
    exit_code: bool = False  # exit 1 when anything changed, as `git diff --exit-code`
    allow_empty: bool = False
    progress: Progress | None = None


def diff(opts: DiffOptions) -> CommandResult:
    """Compile two revisions of the config repo and compare what they render."""
    import tempfile

    from compiler import diff_report, gitrev
    from compiler.diff import Side, compare

    root = locate(opts.repo)
    git = gitrev.open_repo(root)
    commits = (gitrev.resolve(git, opts.base),
               gitrev.resolve(git, opts.head) if opts.head is not None else None)
    sides = (Side("base", opts.base, commits[0].sha),
             Side("head", opts.head, commits[1].sha if commits[1] is not None else None))
    with tempfile.TemporaryDirectory(prefix="inferc-diff-") as tmp:
        revisions, failures = [], []
        for side, commit in zip(sides, commits, strict=True):
            folder = root
            if commit is not None:
                folder = Path(tmp) / side.name
                folder.mkdir(mode=0o700)
                _say(opts.progress, f"reading the {side.name} revision {side.label}")
                gitrev.extract(git, commit, folder)
            compiled = _compiled_revision(side, folder, opts)
            if isinstance(compiled, list):  # the revision does not compile
                failures.append(diff_report.Failure(side, tuple(sort_diagnostics(
                    rebase(root, compiled)))))
            else:
                revisions.append(compiled)
        if failures:
            return CommandResult([], output=diff_report.render_failures(
                failures, *sides, opts.fmt), failed=True)
        _say(opts.progress, "comparing")
        found = compare(revisions[0], revisions[1])
    flags, changed = len(found.flags), sum(e.changes for e in found.environments)
    summary = (f"{_count(changed, 'object')} changed, {_count(flags, 'risk flag')}"
               if found.changed else "no changes")
    return CommandResult([], output=diff_report.render(found, opts.fmt,
                                                       lambda f: shown(root, f)),
                         drift=opts.exit_code and found.changed,
                         done=f"inferc: compared {sides[0].label} with {sides[1].label}: "
                              f"{summary}")


def _compiled_revision(side: Side, folder: Path,
                       opts: DiffOptions) -> Revision | list[Diagnostic]:
    """One revision through the whole pipeline, as build runs it; its diagnostics when it
    does not compile."""
    from compiler.diff import Revision

    _say(opts.progress, f"compiling the {side.name} revision {side.label}")
    outcome = pipeline.run(folder, allow_empty=opts.allow_empty, render=True,
                           progress=opts.progress)
    if outcome.stopped:
        return outcome.diagnostics
    compiled = outcome.compiled
    return Revision(side, folder, outcome.renders, compiled.deployments,
                    {e.name: e for e in compiled.repo.environments})


def _say(progress: Progress | None, line: str) -> None:
    if progress is not None:
        progress(line)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _display(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _model_key(text: str, what: str = "--model") -> ModelKey:
    """``NAMESPACE/NAME`` from the command line; ``what`` is how the user gave it."""
    namespace, sep, name = text.partition("/")
    # one separator, no "." or ".." part: a key names models/NAMESPACE/NAME.yaml, no other path
    if not sep or "/" in name or any(p in ("", ".", "..") for p in (namespace, name)):
        raise UsageError(f"{what} takes NAMESPACE/NAME, not '{text}'")
    return ModelKey(namespace, name)


__all__: Sequence[str] = ["CommandResult", "build", "catalog", "check", "diff", "explain",
                          "import_", "init", "render", "schema", "verify"]
