"""Layering with provenance: built-in preset < environment default < spec < environment override.

Each layer is a mapping of ModelDeployment ``spec`` fields in one document. The
merge works on dict copies (loaded input is never mutated) and records, for
every leaf it sets, the layer and source position that set it — what
``inferc explain`` prints and what resolve errors point at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.diagnostics import Diagnostic, DocPath, Severity, format_path
from compiler.load import Document

BUILTIN = "built-in preset"
REPO_PRESET = "repo preset"
ENV_DEFAULT = "environment default"
SPEC = "spec"
ENV_OVERRIDE = "environment override"


@dataclass(frozen=True)
class Origin:
    """Where a resolved value came from: a layer and a path in one source document."""

    layer: str
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
    name: str
    doc: Document
    base: DocPath  # where the fields sit in ``doc``
    fields: Mapping[str, Any]


Merged = tuple[dict[str, Any], dict[str, Origin]]


# Settings whose keys stand alone: an environment can turn one on without
# restating the others (strategy, scaling and storage go together, so they
# are replaced whole).
PER_KEY = ("access", "mlserver", "aiAsset", "monitoring")


def merge(layers: list[Layer]) -> Merged:
    """Merge layers low to high. ``resources`` merges per resource, ``env`` per name,
    the PER_KEY mappings per key; everything else is replaced."""
    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for layer in layers:
        for field, value in layer.fields.items():
            where = layer.base + (field,)
            if field == "resources":
                _merge_resources(values, origins, layer, value, where)
            elif field == "env":
                _merge_env(values, origins, layer, value, where)
            elif field in PER_KEY and isinstance(value, Mapping):
                values[field] = {**values.get(field, {}), **value}
                origins[field] = Origin(layer.name, layer.doc, where)
                for key in value:
                    origins[f"{field}.{key}"] = Origin(layer.name, layer.doc, (*where, key))
            else:
                values[field] = value
                origins[field] = Origin(layer.name, layer.doc, where)
    return values, origins


def _merge_resources(values: dict[str, Any], origins: dict[str, Origin], layer: Layer,
                     value: Mapping[str, Mapping[str, Any]], where: DocPath) -> None:
    merged = values.setdefault("resources", {})
    for section, entries in value.items():
        target = merged.setdefault(section, {})
        for resource, quantity in entries.items():
            target[resource] = quantity
            origins[f"resources.{section}.{resource}"] = Origin(
                layer.name, layer.doc, where + (section, resource))


def _merge_env(values: dict[str, Any], origins: dict[str, Origin], layer: Layer,
               value: list[Mapping[str, Any]], where: DocPath) -> None:
    merged: dict[str, Any] = {e["name"]: e for e in values.get("env", [])}
    for index, entry in enumerate(value):
        merged[entry["name"]] = entry
        origins[f"env.{entry['name']}"] = Origin(layer.name, layer.doc, where + (index,))
    values["env"] = list(merged.values())


def field_label(key: str) -> str:
    """``resources.requests.nvidia.com/gpu`` as a readable spec path."""
    head, *rest = key.split(".", 2)
    return format_path(("spec", head, *rest))
