"""``inferc schema``: the JSON Schema of a document kind, self-contained.

The shipped schemas (``schemas/``) reference each other by file name
(``_defs.schema.json#/$defs/dnsLabel``). Editors load one file, so a bundle embeds
every other schema it needs under ``$defs`` and rewrites each ``$ref`` to point there;
the result validates exactly as the originals do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from compiler.errors import UsageError
from compiler.resources import schemas_dir
from compiler.validate import KINDS

SUFFIX = ".schema.json"


def kinds() -> tuple[str, ...]:
    return tuple(KINDS)


def bundle(kind: str) -> dict[str, Any]:
    """The schema of ``kind`` with every referenced schema file embedded."""
    if kind not in KINDS:
        raise UsageError(f"no kind '{kind}' (known: {', '.join(KINDS)})")
    root_file = KINDS[kind][0]
    root: dict[str, Any] = _rewrite(_load(root_file), root_file, root_file)
    embedded: dict[str, Any] = {}
    pending = sorted(_files(root))
    while pending:
        name = pending.pop()
        if name in embedded or name == root_file:
            continue
        schema = _load(name)
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        embedded[name] = _rewrite(schema, name, root_file)
        pending += sorted(_files(embedded[name]) - embedded.keys())
    if embedded:
        defs = root.setdefault("$defs", {})
        for name in sorted(embedded):
            defs[_key(name)] = embedded[name]
    return root


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((schemas_dir() / name).read_text(encoding="utf-8"))
    return data


def _key(name: str) -> str:
    return "file:" + name.removesuffix(SUFFIX)


def _rewrite(node: Any, current: str, root: str) -> Any:
    """Each ``$ref`` made local to the bundle whose root is ``root``."""
    if isinstance(node, dict):
        out = {k: _rewrite(v, current, root) for k, v in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str):
            target, _, pointer = ref.partition("#")
            target = target or current
            out["$ref"] = "#" + pointer if target == root else f"#/$defs/{_key(target)}{pointer}"
            out["x-bundle-file"] = target  # read by _files; dropped below
        return out
    if isinstance(node, list):
        return [_rewrite(v, current, root) for v in node]
    return node


def _files(node: Any) -> set[str]:
    """The schema files a rewritten node still needs embedded (and drop the marks)."""
    found: set[str] = set()
    if isinstance(node, dict):
        target = node.pop("x-bundle-file", None)
        if isinstance(target, str):
            found.add(target)
        for value in node.values():
            found |= _files(value)
    elif isinstance(node, list):
        for value in node:
            found |= _files(value)
    return found


__all__: Sequence[str] = ["bundle", "dumps", "kinds"]
