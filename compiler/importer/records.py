"""The records the import stages pass along (frozen; dicts only for the documents
they will write)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.catalog import RuntimeTemplate
from compiler.diagnostics import Diagnostic
from compiler.importer.objects import ClusterObject
from compiler.spec import Environment, HardwareProfile, ModelKey


@dataclass(frozen=True)
class Context:
    """What reading a model needs to know about the target: the environment the round
    trip renders, the runtimes it may name, the hardware profiles, and the input."""

    environment: Environment
    runtimes: tuple[RuntimeTemplate, ...]  # the release's catalog, then the repo's own
    profiles: tuple[HardwareProfile, ...]
    objects: tuple[ClusterObject, ...]

    def find(self, kind: str, namespace: str, name: str) -> ClusterObject | None:
        return next((o for o in self.objects if o.kind == kind and o.namespace == namespace
                     and o.name == name), None)

    def profile(self, name: str) -> HardwareProfile | None:
        return next((p for p in reversed(self.profiles) if p.name == name), None)


@dataclass(frozen=True)
class Adopted:
    """One model read from the cluster's objects: its spec, the objects it must
    reproduce, the presets it needs, and what the reading noticed."""

    key: ModelKey
    origin: ClusterObject  # the InferenceService or LLMInferenceService
    spec: Mapping[str, Any] | None  # the ModelDeployment document; None: cannot be written
    sources: tuple[ClusterObject, ...]  # every input object the spec stands for
    # repo path → (the object it was read from, the preset document)
    presets: Mapping[str, tuple[ClusterObject, Mapping[str, Any]]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # representation differences, for the report
    diagnostics: tuple[Diagnostic, ...] = ()
    consumed: tuple[ClusterObject, ...] = ()  # read, never written (a connection's bucket)


def nested(data: Any, *path: str | int) -> Any:
    """``data[p0][p1]…`` or None where the path does not exist."""
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and -len(data) <= part < len(data) \
                else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


def names(items: Any) -> list[str]:
    """``[{name: a}, {name: b}]`` → ``[a, b]`` (LocalObjectReferences)."""
    if not isinstance(items, list):
        return []
    return [i["name"] for i in items if isinstance(i, dict) and isinstance(i.get("name"), str)]


def first(objects: Sequence[ClusterObject]) -> ClusterObject | None:
    return objects[0] if objects else None
