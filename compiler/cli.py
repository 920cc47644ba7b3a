"""Command line: parse options, call one library function, print, exit. Nothing else."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click

from compiler import __version__
from compiler.errors import ExitCode, InfercError
from compiler.report import FORMATS, render_report

_FORMAT = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
                       show_default=True, help="How to print diagnostics.")
_REPO = click.argument("repo", type=click.Path(file_okay=False, path_type=Path), default=".")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="inferc")
def cli() -> None:
    """Compile model-serving specs into Kustomize overlays for KServe and OpenShift AI."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="The config repo (found from the files when PATHS are given).")
@_FORMAT
def check(paths: tuple[Path, ...], repo: Path, fmt: str) -> None:
    """Validate specs and resolve the models they affect (all of the repo by default)."""
    from compiler import app

    _finish(lambda: app.check(app.CheckOptions(paths, repo)), fmt, to_stdout=True)


@cli.command()
@_REPO
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: the repo's inferc.yaml spec.output, 'out').")
@click.option("--check", "check_only", is_flag=True,
              help="Compile in memory; exit 1 if the output folder differs (drift).")
@_FORMAT
def build(repo: Path, out: Path | None, check_only: bool, fmt: str) -> None:
    """Compile the whole repo into base/ and overlays/<env>/."""
    from compiler import app

    _finish(lambda: app.build(app.BuildOptions(repo, out, check_only)), fmt)


@cli.command()
@_REPO
@click.option("--env", "env", required=True, help="The environment to render.")
@click.option("--model", help="Only this model, as NAMESPACE/NAME.")
@_FORMAT
def render(repo: Path, env: str, model: str | None, fmt: str) -> None:
    """Print one environment's objects as a YAML stream (what kustomize build gives)."""
    from compiler import app

    _finish(lambda: app.render(app.RenderOptions(repo, env, model)), fmt)


@cli.command()
@click.argument("model")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="The config repo.")
@click.option("--env", "env", help="The environment (default: the repo's base environment).")
@_FORMAT
def explain(model: str, repo: Path, env: str | None, fmt: str) -> None:
    """Why MODEL (NAMESPACE/NAME) resolves as it does: runtime, profile, and each value's layer."""
    from compiler import app

    _finish(lambda: app.explain(app.ExplainOptions(repo, model, env, fmt)), fmt)


@cli.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--platform", "crd_set", default="upstream", show_default=True,
              help="Platform release (openshift-ai-3.4, kserve-0.20, …; rhoai-3.4 also works) "
                   "or CRD set (upstream, …) to verify against")
@click.option("--ignore-missing-schemas", is_flag=True,
              help="Accept kinds that have no schema instead of reporting them.")
@_FORMAT
def verify(files: tuple[Path, ...], crd_set: str, ignore_missing_schemas: bool, fmt: str) -> None:
    """Verify Kubernetes manifests against the vendored CRD and core schemas."""
    from compiler import app

    _finish(lambda: app.verify(app.VerifyOptions(files, crd_set, ignore_missing_schemas)), fmt,
            to_stdout=True)


def _finish(run: Callable[[], object], fmt: str, *, to_stdout: bool = False) -> NoReturn:
    """The one place where outcomes become output and exit codes."""
    from compiler.app import CommandResult

    try:
        result = run()
    except InfercError as exc:
        click.echo(f"inferc: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    assert isinstance(result, CommandResult)
    if result.output:
        click.echo(result.output, nl=False)
    # check and verify always answer in the asked format; other commands only
    # speak up when there is something to report.
    report = render_report(result.diagnostics, fmt) if to_stdout or result.diagnostics else ""
    if report:
        click.echo(report, nl=False, err=not to_stdout)
    for line in result.messages:
        click.echo(line, err=True)
    sys.exit(result.exit_code)


def main() -> None:
    """Entry point: bugs become exit 3 with a short report request, never a bare traceback."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception:
        click.echo("inferc: internal error (this is a bug; please report it with the "
                   "output below)", err=True)
        click.echo(traceback.format_exc(limit=-3), err=True)
        sys.exit(ExitCode.INTERNAL)
