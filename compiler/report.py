"""Diagnostics as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from compiler.diagnostics import Diagnostic, escape_controls

FORMATS = ("text", "json", "github")
DIFF_FORMATS = ("text", "markdown", "github", "json")  # inferc diff (compiler/diff_report.py)


def render_report(diags: Sequence[Diagnostic], fmt: str) -> str:
    # Values in messages come from files a pull request controls: a raw newline
    # could forge a diagnostic line or a CI workflow command ("::add-mask::").
    diags = [_escaped(d) for d in diags]
    if fmt == "json":
        return _json(diags)
    if fmt == "github":
        return "".join(_github(d) + "\n" for d in diags)
    return "".join(_text(d) for d in diags) + _summary(diags)


def _escaped(d: Diagnostic) -> Diagnostic:
    return replace(d, file=escape_controls(d.file), path=escape_controls(d.path),
                   message=escape_controls(d.message), rule=escape_controls(d.rule),
                   hint=escape_controls(d.hint) if d.hint is not None else None)


def _text(d: Diagnostic) -> str:
    line = f"{d.file}:{d.line}:{d.col}: {d.severity}: {d.path}: {d.message} [{d.rule}]\n"
    return line + (f"  hint: {d.hint}\n" if d.hint else "")


def _summary(diags: Sequence[Diagnostic]) -> str:
    if not diags:
        return ""
    errors = sum(1 for d in diags if d.is_error)
    warnings = len(diags) - errors
    files = len({d.file for d in diags})
    parts = [f"{errors} error{'s' * (errors != 1)}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return f"{', '.join(parts)} in {files} file{'s' * (files != 1)}\n"


def _json(diags: Sequence[Diagnostic]) -> str:
    items = json_items(diags)
    errors = sum(1 for d in diags if d.is_error)
    body = {"diagnostics": items, "errors": errors, "warnings": len(diags) - errors}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _github(d: Diagnostic) -> str:
    # https://docs.github.com/actions/reference/workflow-commands-for-github-actions
    level = "error" if d.is_error else "warning"
    message = f"{d.path}: {d.message}" + (f" (hint: {d.hint})" if d.hint else "")
    return (f"::{level} file={workflow_property(d.file)},line={d.line},col={d.col},"
            f"title={workflow_property('inferc ' + d.rule)}::{workflow_data(message)}")


def workflow_data(text: str) -> str:
    """The message of a GitHub workflow command, escaped as the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A property (file=, title=) of a GitHub workflow command, escaped."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def json_items(diags: Sequence[Diagnostic]) -> list[dict[str, object]]:
    """Diagnostics as JSON objects (escaped), as ``--format json`` lists them (``diff`` and
    ``explain --format json`` embed them)."""
    return [{"file": d.file, "line": d.line, "column": d.col, "severity": str(d.severity),
             "path": d.path, "message": d.message, "rule": d.rule, "hint": d.hint}
            for d in map(_escaped, diags)]


