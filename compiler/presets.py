"""The one reader of inferc's shipped presets (``presets/``): model defaults, hardware
profiles, platform releases, runtime templates.

Every built-in preset document is parsed with :mod:`compiler.load`, checked against its
kind's JSON Schema in ``schemas/`` and kept for the process. A shipped preset that does
not parse or validate is a bug in inferc, not the user's input, so there is one policy:
:class:`~compiler.errors.InternalError` with the located diagnostic
(``file:line:col: path: message [rule]``). A config repo's own presets are not read
here: they go through the repo reader and become user diagnostics.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic
from compiler.errors import InternalError
from compiler.load import Document, load_path
from compiler.resources import presets_dir

if TYPE_CHECKING:
    from compiler.validate import SchemaValidator

DISPLAY_PREFIX = "<inferc>/presets/"


class PresetError(InternalError):
    """A shipped preset does not load or does not match its schema."""


@cache
def document(relative: str, kind: str | None) -> Document:
    """The shipped preset ``presets/<relative>``, validated as ``kind``.

    ``kind`` None is for the few data files that have no kind of their own (a release's
    kustomization index and image table); they are parsed only.
    """
    display = DISPLAY_PREFIX + relative
    result = load_path(presets_dir() / relative, display)
    if result.diagnostics:
        raise PresetError(_located(result.diagnostics[0]))
    if len(result.documents) != 1:
        raise PresetError(f"{display}:1:1: $: expected one document [preset.documents]")
    doc = result.documents[0]
    if kind is not None:
        problems = _kind_problems(doc, kind) or _validator().against(doc, kind)
        if problems:
            raise PresetError(_located(problems[0]))
    return doc


@cache
def _validator() -> SchemaValidator:
    from compiler.validate import default_validator  # the schemas load only when needed

    return default_validator()


def _kind_problems(doc: Document, kind: str) -> list[Diagnostic]:
    if doc.kind != kind:
        return [doc.diag(("kind",) if doc.kind is not None else (),
                         f"expected kind {kind}, found {doc.kind!r}", "preset.kind")]
    return []


def _located(d: Diagnostic) -> str:
    return f"{d.file}:{d.line}:{d.col}: {d.path}: {d.message} [{d.rule}]"
