"""Command line: parse options, call one library function, print, exit. Nothing else."""

from __future__ import annotations

import gc
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from compiler import __version__
from compiler.diagnostics import escape_controls
from compiler.emit import LOCK_WAIT
from compiler.errors import ExitCode, InfercError
from compiler.report import DIFF_FORMATS, FORMATS, render_report

_FORMAT = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
                       show_default=True, help="How to print diagnostics.")
_REPO_OPTION = click.option(
    "--repo", "repo_option", type=click.Path(file_okay=False, path_type=Path),
    help="The config repo (default: the nearest folder upward holding inferc.yaml).")
_ALLOW_EMPTY = click.option(
    "--allow-empty", is_flag=True, envvar="ARGOCD_ENV_INFERC_ALLOW_EMPTY",
    help="Accept an environment that renders no model (else an error: under Argo CD an empty "
         "render prunes every model) [env: ARGOCD_ENV_INFERC_ALLOW_EMPTY].")
_REPO_ARG = click.argument("repo", required=False,
                           type=click.Path(file_okay=False, path_type=Path))
# Argo CD hands a plugin its Application's `plugin.env` entries prefixed ARGOCD_ENV_
# (Argo CD's plugin environment), so render reads its selection from there too.
_PLUGIN_ENV = "ARGOCD_ENV_INFERC_"


def _one_repo(positional: Path | None, option: Path | None) -> Path | None:
    if positional is not None and option is not None and positional != option:
        raise click.UsageError(f"two config repos given: {positional} and --repo {option}")
    return positional if positional is not None else option


def _progress() -> Callable[[str], None] | None:
    """Progress lines on a terminal only: pipes and CI logs stay quiet."""
    if not sys.stderr.isatty():
        return None
    return lambda line: click.echo(f"\r\x1b[K{line}", err=True, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="inferc")
def cli() -> None:
    """Compile model-serving specs into Kustomize overlays for KServe and OpenShift AI.

    Every command finds the config repo from --repo (or its REPO argument), else
    from the current folder upward, as git finds .git.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_REPO_OPTION
@_ALLOW_EMPTY
@_FORMAT
@click.option("--skip-outside", is_flag=True,
              help="Skip files of no config repo (or not of --repo) instead of failing: "
                   "the pre-commit hook passes every changed file that looks like a spec.")
def check(paths: tuple[Path, ...], repo_option: Path | None, allow_empty: bool, fmt: str,
          skip_outside: bool) -> None:
    """Validate specs and resolve the models they affect (all of the repo by default).

    PATHS may be spec files (pre-commit passes the changed ones), folders inside a
    config repo, or a config repo itself.
    """
    from compiler import app

    _finish(lambda: app.check(app.CheckOptions(paths, repo_option, allow_empty, skip_outside)), fmt,
            to_stdout=True)


class _Seconds(click.FloatRange):
    """A duration: ``nan`` passes every range comparison, so it is refused by name (it
    would wait forever, never reaching the deadline); ``inf`` does wait for ever."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        seconds: float = super().convert(value, param, ctx)
        if seconds != seconds:
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


_SECONDS = _Seconds(min=0)


@cli.command()
@_REPO_ARG
@_REPO_OPTION
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: the repo's inferc.yaml spec.output, 'out').")
@click.option("--check", "check_only", is_flag=True,
              help="Compile in memory; exit 1 if the output folder differs (drift).")
@click.option("--wait", type=_SECONDS, default=LOCK_WAIT, show_default=True,
              metavar="SECONDS",
              help="How long to wait for another inferc build writing the same output folder.")
@_ALLOW_EMPTY
@_FORMAT
def build(repo: Path | None, repo_option: Path | None, out: Path | None, check_only: bool,
          wait: float, allow_empty: bool, fmt: str) -> None:
    """Compile the whole repo into base/ and overlays/<env>/."""
    from compiler import app

    _finish(lambda: app.build(app.BuildOptions(_one_repo(repo, repo_option), out, check_only,
                                               _progress(), allow_empty, wait, _notice)), fmt)


def _notice(line: str) -> None:
    """A line for the user while a command runs (terminal or not): over any progress line."""
    _clear_progress()
    click.echo(line, err=True)


@cli.command()
@_REPO_ARG
@_REPO_OPTION
@click.option("--env", "env", envvar=f"{_PLUGIN_ENV}ENVIRONMENT",
              help="The environment to render [env: ARGOCD_ENV_INFERC_ENVIRONMENT].")
@click.option("--namespace", envvar=f"{_PLUGIN_ENV}NAMESPACE",
              help="Only the models of this namespace, without cluster-level objects "
                   "[env: ARGOCD_ENV_INFERC_NAMESPACE].")
@click.option("--model", envvar=f"{_PLUGIN_ENV}MODEL",
              help="Only this model, as NAMESPACE/NAME [env: ARGOCD_ENV_INFERC_MODEL].")
@click.option("--objects", type=click.Choice(["all", "models", "platform"]), default="all",
              envvar=f"{_PLUGIN_ENV}OBJECTS", show_default=True,
              help="Models, cluster-level objects (platform/<env>/), or both "
                   "[env: ARGOCD_ENV_INFERC_OBJECTS].")
@_ALLOW_EMPTY
@_FORMAT
def render(repo: Path | None, repo_option: Path | None, env: str | None, namespace: str | None,
           model: str | None, objects: str, allow_empty: bool, fmt: str) -> None:
    """Print one environment's objects as a YAML stream (what kustomize build gives).

    This is what the Argo CD plugin runs: objects only on stdout, problems on stderr.
    """
    from compiler import app

    options = app.RenderOptions(_one_repo(repo, repo_option), env or None, model or None,
                                namespace or None, objects, allow_empty)
    _finish(lambda: app.render(options), fmt)


@cli.command()
@click.argument("model")
@_REPO_OPTION
@click.option("--env", "env", help="The environment; required when the repo has several.")
@_FORMAT
def explain(model: str, repo_option: Path | None, env: str | None, fmt: str) -> None:
    """Why MODEL (NAMESPACE/NAME) resolves as it does: runtime, profile, and each value's layer.

    A model that does not resolve is explained as far as it goes; the errors follow.
    """
    from compiler import app

    _finish(lambda: app.explain(app.ExplainOptions(repo_option, model, env, fmt)), fmt)


@cli.command()
@click.argument("folder", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Create a config repo in FOLDER (default: here) that builds at once."""
    from compiler import app

    _finish(lambda: app.init(app.InitOptions(folder)), "text")


@cli.command()
@click.argument("kind", required=False)
def schema(kind: str | None) -> None:
    """Print the JSON Schema of a document KIND (self-contained); without KIND, list kinds."""
    from compiler import app

    _finish(lambda: app.schema(app.SchemaOptions(kind)), "text")


@cli.command()
@_REPO_OPTION
@click.option("--env", "env", help="The environment; required when the repo has several.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the listing.")
def catalog(repo_option: Path | None, env: str | None, fmt: str) -> None:
    """What a spec may name in an environment: runtime templates, hardware profiles, releases."""
    from compiler import app

    _finish(lambda: app.catalog(app.CatalogOptions(repo_option, env, fmt)), "text")


@cli.command()
@_REPO_OPTION
@click.option("--base", required=True, metavar="REF",
              help="The git revision to compare from (a branch, tag or commit).")
@click.option("--head", metavar="REF",
              help="The git revision to compare to (default: the working tree as it is on "
                   "disk, as git diff REF does).")
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text",
              show_default=True,
              help="text; markdown (a pull-request comment); github (annotations on the spec "
                   "lines behind each risk flag); json (with a \"result\").")
@click.option("--exit-code", "exit_code", is_flag=True,
              help="Exit 1 when anything changed, as git diff --exit-code.")
@_ALLOW_EMPTY
def diff(repo_option: Path | None, base: str, head: str | None, fmt: str, exit_code: bool,
         allow_empty: bool) -> None:
    """Compare what two revisions of the config repo render, per environment.

    Both revisions are compiled from git objects (the working tree, index and HEAD are
    never touched; without --head the working tree is read, never written). Lists the
    objects added, removed and changed down to the field, and flags risky changes
    (auth removed, external access added, Recreate in production, a model stopped,
    more accelerators, quota headroom lost, runtime changed without a spec change,
    a rename, an llm-d scheduler change). Exit 0 unless --exit-code; 1 when a
    revision does not compile (its diagnostics are printed, and no diff).
    """
    from compiler import app

    _finish(lambda: app.diff(app.DiffOptions(repo_option, base, head, fmt, exit_code,
                                             allow_empty, _progress())), "text")


@cli.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--platform", "crd_set", default="upstream", show_default=True,
              help="Platform release (openshift-ai-3.4, kserve-0.20, …; rhoai-3.4 also works) "
                   "or CRD set (upstream, …) to verify against")
@click.option("--ignore-missing-schemas", is_flag=True,
              help="Accept kinds that have no schema instead of reporting them.")
@_FORMAT
def verify(files: tuple[Path, ...], crd_set: str, ignore_missing_schemas: bool, fmt: str) -> None:
    """Verify Kubernetes manifests against the vendored CRD and core schemas.

    FILES may be '-' (standard input: kubectl kustomize DIR | inferc verify -).
    Kustomize's own files (kustomization.yaml, JSON-6902 patches) are checked as
    kustomize files: what they reference exists, patches are valid operations."""
    from compiler import app

    _finish(lambda: app.verify(app.VerifyOptions(files, crd_set, ignore_missing_schemas)), fmt,
            to_stdout=True)


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_REPO_OPTION
@click.option("--env", "env", help="The environment whose render must reproduce the objects "
                                   "(default: the repo's base environment).")
@click.option("--force", is_flag=True, help="Replace specs and presets that already exist.")
@click.option("--lossy", is_flag=True,
              help="Write the specs even when a field cannot be expressed (each is reported "
                   "as a warning); without it such a field is an error and nothing is written.")
@_FORMAT
def import_command(files: tuple[Path, ...], repo_option: Path | None, env: str | None,
                   force: bool, lossy: bool, fmt: str) -> None:
    """Turn objects a cluster runs (kubectl get -o yaml of InferenceServices,
    ServingRuntimes, LLMInferenceServices and their token objects) into specs."""
    from compiler import app

    _finish(lambda: app.import_(app.ImportOptions(files, repo_option, env, force, lossy)), fmt)


if TYPE_CHECKING:
    from compiler.app import CommandResult


def _finish(run: Callable[[], object], fmt: str, *, to_stdout: bool = False) -> NoReturn:
    """The one place where outcomes become output and exit codes."""
    from compiler.app import CommandResult

    try:
        result = run()
    except InfercError as exc:
        if exc.exit_code == ExitCode.INTERNAL:
            _bug()
        _fail(str(exc), exc.exit_code)
    except OSError as exc:  # the machine (a full disk, a read-only folder), not the input
        where = f": {exc.filename}" if exc.filename else ""
        _fail(f"{exc.strerror or exc}{where}", ExitCode.USAGE)
    assert isinstance(result, CommandResult)
    _clear_progress()
    try:
        _print(result, fmt, to_stdout=to_stdout)
    except UnicodeEncodeError as exc:
        # Nothing was written: a text stream encodes the whole text before writing it.
        _fail(f"the output cannot be written in this terminal's encoding ({exc.encoding}); "
              "set PYTHONIOENCODING=utf-8 or a UTF-8 locale", ExitCode.USAGE)
    sys.exit(result.exit_code)


def _print(result: CommandResult, fmt: str, *, to_stdout: bool) -> None:
    if result.output:
        click.echo(result.output, nl=False)
    # check and verify always answer in the asked format; other commands only
    # speak up when there is something to report.
    report = render_report(result.diagnostics, fmt) if to_stdout or result.diagnostics else ""
    if report:
        click.echo(report, nl=False, err=not to_stdout)
    for line in result.messages:
        click.echo(escape_controls(line), err=True)
    if result.exit_code == ExitCode.OK and result.done:
        click.echo(escape_controls(result.done), err=True)


def _fail(message: str, code: ExitCode) -> NoReturn:
    """One line on stderr; values in it are escaped, as in every diagnostic."""
    _clear_progress()
    line = escape_controls(f"inferc: error: {message}")
    click.echo(line.encode("ascii", "backslashreplace").decode("ascii")
               if not _can_encode(line) else line, err=True)
    sys.exit(code)


def _can_encode(text: str) -> bool:
    try:
        text.encode(getattr(sys.stderr, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _clear_progress() -> None:
    if sys.stderr.isatty():
        click.echo("\r\x1b[K", err=True, nl=False)


def main() -> None:
    """Entry point: bugs become exit 3 with a short report request, never a bare traceback."""
    _tune_gc()
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception:
        _bug()
        click.echo(traceback.format_exc(limit=-3), err=True)
        sys.exit(ExitCode.INTERNAL)


def _tune_gc() -> None:
    """Collect cycles less often than Python's default (every 700 allocations, older
    generations every 10 younger ones). A run builds a few hundred thousand objects that
    live until it exits (specs, source maps, rendered objects) and makes almost no cyclic
    garbage, so the default spent about a sixth of the CPU of a 1,000-model build re-scanning live
    objects. Only here, in the process's own entry point: tests calling ``cli`` in-process
    keep the default."""
    gc.set_threshold(10_000, 100, 100)


def _bug() -> None:
    """Exit 3 always says so: whatever failed is inferc's fault, not the input's."""
    click.echo("inferc: internal error (this is a bug; please report it with the "
               "output below)", err=True)
