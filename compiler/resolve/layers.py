"""Layering with provenance: built-in preset < environment default < spec < environment override.

Each layer is a mapping of ModelDeployment ``spec`` fields in one document. The
merge works on dict copies (loaded input is never mutated) and records, for
every leaf it sets, the layer and source position that set it — what
``inferc explain`` prints and what resolve errors point at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from compiler.diagnostics import Diagnostic, DocPath, Severity, format_path
from compiler.errors import InternalError
from compiler.load import Document

LayerName = Literal["built-in preset", "repo preset", "environment default", "spec",
                    "environment override"]
BUILTIN: LayerName = "built-in preset"
REPO_PRESET: LayerName = "repo preset"
ENV_DEFAULT: LayerName = "environment default"
SPEC: LayerName = "spec"
ENV_OVERRIDE: LayerName = "environment override"


@dataclass(frozen=True)
class Origin:
    """Where a resolved value came from: a layer and a path in one source document."""

    layer: LayerName
    doc: Document
    path: DocPath
    at_key: bool = False  # place diagnostics at the key (a field the document lacks)

    @property
    def location(self) -> str:
        line, col = self.doc.source.at(self.path)
        return f"{self.doc.file}:{line}:{col}"

    def diag(self, message: str, rule: str, *, hint: str | None = None,
             severity: Severity = Severity.ERROR) -> Diagnostic:
        return self.doc.diag(self.path, message, rule, hint=hint, severity=severity,
                             at_key=self.at_key)


@dataclass(frozen=True)
class Layer:
    name: LayerName
    doc: Document
    base: DocPath  # where the fields sit in ``doc``
    fields: Mapping[str, Any]


Merged = tuple[dict[str, Any], dict[str, Origin]]

# Blocks whose keys only make sense together: a higher layer replaces them whole
# (a Recreate strategy must not inherit a lower layer's maxSurge, autoscaling
# bounds are one decision, a model's location and format are one fact).
WHOLE = frozenset({"storage", "strategy", "scaling", "modelFormat"})


def merge(layers: list[Layer]) -> Merged:
    """Merge layers low to high. Mappings merge per key at every depth, so an override
    of one nested field keeps the rest of its block; lists and scalars are replaced;
    ``env`` merges per variable name; the WHOLE blocks are replaced.

    ``origins`` has an entry for every field set, dotted (``access.rateLimits.tokens``,
    ``resources.requests.nvidia.com/gpu``, ``env.<NAME>``): a leaf's entry is the layer
    that set it, a block's entry the highest layer that set anything in it."""
    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for layer in layers:
        for field, value in layer.fields.items():
            where = layer.base + (field,)
            if field == "env":
                _merge_env(values, origins, layer, value, where)
            elif field in WHOLE or not isinstance(value, Mapping):
                values[field] = value
                origins[field] = Origin(layer.name, layer.doc, where)
            else:
                _merge_block(values, field, value, field, origins, layer, where)
    return values, origins


def _merge_block(into: dict[str, Any], key: str, value: Mapping[str, Any], label: str,
                 origins: dict[str, Origin], layer: Layer, where: DocPath) -> None:
    current = into.get(key)
    merged: dict[str, Any] = dict(current) if isinstance(current, Mapping) else {}
    into[key] = merged  # a copy: the lower layer's document is never changed
    origins[label] = Origin(layer.name, layer.doc, where)
    for child, item in value.items():
        path, name = (*where, child), f"{label}.{child}"
        if isinstance(item, Mapping):
            _merge_block(merged, child, item, name, origins, layer, path)
        else:
            merged[child] = item
            origins[name] = Origin(layer.name, layer.doc, path)


def _merge_env(values: dict[str, Any], origins: dict[str, Origin], layer: Layer,
               value: list[Mapping[str, Any]], where: DocPath) -> None:
    merged: dict[str, Any] = {e["name"]: e for e in values.get("env", [])}
    for index, entry in enumerate(value):
        merged[entry["name"]] = entry
        origins[f"env.{entry['name']}"] = Origin(layer.name, layer.doc, where + (index,))
    values["env"] = list(merged.values())


def field_label(key: str) -> str:
    """An origins key as a readable spec path; resource names keep their dots
    (``resources.requests.nvidia.com/gpu`` → ``spec.resources.requests["nvidia.com/gpu"]``)."""
    parts = key.split(".", 2) if key.startswith("resources.") else key.split(".")
    return format_path(("spec", *parts))


def origin_of(origins: Mapping[str, Origin], key: str) -> Origin:
    """The origin of ``key``, or of its nearest enclosing block that has one
    (``access.rateLimits.tokens`` → ``access.rateLimits`` → ``access``)."""
    probe = key
    while probe not in origins:
        if "." not in probe:
            raise InternalError(f"no origin for {key!r} or any block around it")
        probe = probe.rpartition(".")[0]
    return origins[probe]


def parents(origins: Mapping[str, Origin]) -> set[str]:
    """Keys that are blocks holding other keys (shown by their leaves, not as a whole)."""
    out: set[str] = set()
    for key in origins:
        head, dot, _ = key.rpartition(".")
        while dot and head not in out:
            out.add(head)
            head, dot, _ = head.rpartition(".")
    return out
