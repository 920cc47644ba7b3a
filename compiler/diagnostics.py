"""Diagnostics: every problem a user can cause, with its place in the source."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

PathPart = str | int
DocPath = tuple[PathPart, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem: ``file:line:col: severity: path: message [rule]`` plus an optional hint.

    ``line`` and ``col`` are 1-based, as editors and GitHub show them.
    """

    file: str
    line: int
    col: int
    path: str
    message: str
    rule: str
    severity: Severity = Severity.ERROR
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.col, self.rule, self.message)


def format_path(path: Sequence[PathPart]) -> str:
    """``("spec", "env", 2, "name")`` → ``spec.env[2].name``; odd keys are quoted."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out or "$"


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Stable, de-duplicated order: by file, then position."""
    return sorted(set(diags), key=Diagnostic.sort_key)


def count_errors(diags: Iterable[Diagnostic]) -> int:
    return sum(1 for d in diags if d.is_error)
