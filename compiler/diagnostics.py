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
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out or "$"


EXCERPT_LIMIT = 60
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """Control characters and line breaks as visible escapes (``\\n``, ``\\x1b``), so a
    value can never start a new output line or a terminal or CI workflow command."""
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if short is not None:
        return short
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def excerpt(value: str, limit: int = EXCERPT_LIMIT) -> str:
    """A user value as diagnostics show it: quoted, escaped, at most ``limit`` characters."""
    if len(value) <= limit:
        return f"'{escape_controls(value)}'"
    return f"'{escape_controls(value[:limit - 3])}…'"


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Stable, de-duplicated order: by file, then position."""
    return sorted(set(diags), key=Diagnostic.sort_key)


def count_errors(diags: Iterable[Diagnostic]) -> int:
    return sum(1 for d in diags if d.is_error)


# JSON Schema type names in words, for "expected a mapping, found a list"
TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string",
              "integer": "an integer", "number": "a number", "boolean": "a boolean",
              "null": "null"}


def show_value(value: object) -> str:
    """A value as a message quotes it: ``'High'``, ``3``, ``true``, ``null``; a list of
    scalars inline (``['a', 'b']``), anything larger by its kind."""
    if isinstance(value, str):
        return excerpt(value)
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value):
        return f"[{', '.join(show_value(v) for v in value)}]"
    return describe_value(value)


def describe_value(value: object) -> str:
    """What was found, in words: ``a string ('1d')``, ``an integer (3)``, ``a mapping``."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):  # before int: bool is a subclass of int
        return f"a boolean ({show_value(value)})"
    noun = {str: "a string", int: "an integer", float: "a number"}.get(type(value), "a value")
    return f"{noun} ({show_value(value)})"
