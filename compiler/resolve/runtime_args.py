"""Arguments the runtime template owns (platform-facts §3.6).

KServe appends the model's ``args`` after the runtime container's own, so an
option the template already sets (``--port``, ``--model`` on vLLM) would be given
twice: vLLM rejects or silently takes the last one, and the port or model path
the runtime's probes and storage mount rely on changes under them. Such an
argument is an error naming the template line that owns it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from compiler.catalog import RuntimeTemplate
from compiler.diagnostics import Diagnostic
from compiler.resolve.layers import Origin
from compiler.resources import presets_dir

BUILTIN_PREFIX = "<inferc>/presets/"


def check(template: RuntimeTemplate, args: Sequence[str], origin: Origin | None,
          root: Path) -> list[Diagnostic]:
    owned = dict(_options(_template_args(template)))
    if not owned or origin is None:
        return []
    out = []
    for index, option in _user_options(args):
        if option not in owned:
            continue
        line = _line(template.source, owned[option], root)
        where = f"{template.source}:{line}" if line else template.source
        out.append(Origin(origin.layer, origin.doc, (*origin.path, index)).diag(
            f"argument '{option}' is set by runtime template '{template.name}' "
            f"('{owned[option]}', {where}); KServe appends the model's args to the runtime's, "
            "so it would be given twice", "runtime.managed-arg",
            hint="leave it to the runtime, or use a custom runtime template that sets it"))
    return out


def _template_args(template: RuntimeTemplate) -> list[str]:
    containers = template.serving_runtime.get("spec", {}).get("containers") or []
    first: Any = containers[0] if containers and isinstance(containers[0], Mapping) else {}
    args = first.get("args") or []
    # a repo's own ServingRuntime is the cluster's object as written; its verification
    # reports malformed args, this check only reads well-formed ones
    return [a for a in args if isinstance(a, str)] if isinstance(args, list) else []


def _options(args: Sequence[str]) -> Iterator[tuple[str, str]]:
    for arg in args:
        if arg.startswith("--"):
            yield arg.partition("=")[0], arg


def _user_options(args: Sequence[str]) -> Iterator[tuple[int, str]]:
    for index, arg in enumerate(args):
        if isinstance(arg, str) and arg.startswith("--"):
            yield index, arg.partition("=")[0]


def _line(source: str, text: str, root: Path) -> int | None:
    """The line of ``text`` in the template file (read only when reporting)."""
    path = (presets_dir() / source.removeprefix(BUILTIN_PREFIX)
            if source.startswith(BUILTIN_PREFIX) else root / source)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((n for n, line in enumerate(lines, 1) if text in line), None)
