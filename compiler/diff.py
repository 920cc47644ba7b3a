"""What changes between two compiled revisions: objects added, removed and changed per
environment, each change down to the field, plus the risk flags (``compiler.risk``).

Objects are matched as the API server matches them: API group, kind, namespace and name
(``compiler.objects.object_key``; a new apiVersion of the same object is a field change).
Lists are compared index by index, as a JSON patch would replace them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.diagnostics import PathPart, format_path
from compiler.objects import ObjectKey, object_key
from compiler.overlay import EnvRender, K8sObject
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import Environment, ModelKey


class _Absent:
    """A field one side does not have (shown as ``(absent)``, left out of JSON)."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Side:
    """Which revision is which: a commit, or the working tree."""

    name: str  # "base" | "head"
    ref: str | None  # as the user wrote it; None: the working tree
    commit: str | None  # the full sha; None: the working tree

    @property
    def label(self) -> str:
        if self.ref is None or self.commit is None:
            return "the working tree"
        return f"{self.ref} ({self.commit[:7]})"


@dataclass(frozen=True)
class Revision:
    """One compiled revision: what ``inferc diff`` compares."""

    side: Side
    root: Path  # where its files are (a private copy, or the working tree)
    renders: tuple[EnvRender, ...]
    deployments: Mapping[str, Sequence[ResolvedDeployment]]  # by environment name
    environments: Mapping[str, Environment]

    def file_bytes(self, relative: str) -> bytes | None:
        path = self.root / relative
        return path.read_bytes() if path.is_file() else None


@dataclass(frozen=True)
class FieldChange:
    path: str  # dotted and indexed: spec.predictor.model.args[1]
    old: Any  # ABSENT when the field is new
    new: Any  # ABSENT when the field is gone


@dataclass(frozen=True)
class ObjectChange:
    key: ObjectKey  # API group, kind, namespace, name
    model: ModelKey | None  # None: an environment-level object (platform/<env>/)
    source: str  # the spec (or environment) file that produces it, relative to the repo
    fields: tuple[FieldChange, ...] = ()

    @property
    def title(self) -> str:
        _group, kind, namespace, name = self.key
        return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


@dataclass(frozen=True)
class Flag:
    """A change a reviewer must not miss, with why it matters and where it comes from."""

    rule: str  # stable id, e.g. "auth-removed"
    environment: str
    subject: str  # the model (namespace/name) or quota it is about
    message: str
    reason: str
    file: str  # relative to the config repo; the head's file when it has one
    line: int
    col: int


@dataclass(frozen=True)
class EnvDiff:
    name: str
    added: tuple[ObjectChange, ...]
    removed: tuple[ObjectChange, ...]
    changed: tuple[ObjectChange, ...]
    flags: tuple[Flag, ...] = ()

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    @property
    def shown(self) -> bool:
        """Worth a section: objects changed, or a flag (a lowered quota changes no object)."""
        return bool(self.changes or self.flags)


@dataclass(frozen=True)
class Diff:
    base: Side
    head: Side
    environments: tuple[EnvDiff, ...]  # every environment of either revision, by name

    @property
    def changed(self) -> bool:
        return any(e.shown for e in self.environments)

    @property
    def flags(self) -> tuple[Flag, ...]:
        return tuple(f for e in self.environments for f in e.flags)


_Owned = dict[ObjectKey, tuple[K8sObject, ModelKey | None, str]]


def compare(base: Revision, head: Revision) -> Diff:
    from compiler import risk  # the flags read the resolved records; only diff needs them

    old = {r.name: r for r in base.renders}
    new = {r.name: r for r in head.renders}
    envs = []
    for name in sorted(old.keys() | new.keys()):
        objects = _env_diff(name, _owned(old.get(name)), _owned(new.get(name)))
        envs.append(EnvDiff(objects.name, objects.added, objects.removed, objects.changed,
                            risk.flags(name, base, head, objects)))
    return Diff(base.side, head.side, tuple(envs))


def _owned(render: EnvRender | None) -> _Owned:
    """Every object of one environment with the model (and file) that produces it."""
    if render is None:
        return {}
    out: _Owned = {object_key(o): (o, None, render.source) for o in render.platform}
    for model in render.models:
        out.update({object_key(o): (o, model.key, model.source) for o in model.objects})
    return out


def _env_diff(name: str, old: _Owned, new: _Owned) -> EnvDiff:
    added = tuple(_change(k, new[k]) for k in sorted(new.keys() - old.keys(), key=_order))
    removed = tuple(_change(k, old[k]) for k in sorted(old.keys() - new.keys(), key=_order))
    changed = []
    for key in sorted(old.keys() & new.keys(), key=_order):
        fields = tuple(field_changes(old[key][0], new[key][0]))
        if fields:
            changed.append(_change(key, new[key], fields))
    return EnvDiff(name, added, removed, tuple(changed))


def _order(key: ObjectKey) -> tuple[str, str, str, str]:
    """As a reader scans them: by namespace, then kind and name."""
    group, kind, namespace, name = key
    return (namespace, kind, name, group)


def _change(key: ObjectKey, owned: tuple[K8sObject, ModelKey | None, str],
            fields: tuple[FieldChange, ...] = ()) -> ObjectChange:
    return ObjectChange(key, owned[1], owned[2], fields)


def field_changes(old: Any, new: Any, path: tuple[PathPart, ...] = ()) -> list[FieldChange]:
    """Every leaf that differs, in the old object's key order (new keys after)."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        keys = [*old, *(k for k in new if k not in old)]
        return [c for k in keys for c in field_changes(old.get(k, ABSENT), new.get(k, ABSENT),
                                                       (*path, k))]
    if isinstance(old, list) and isinstance(new, list):
        return [c for i in range(max(len(old), len(new)))
                for c in field_changes(old[i] if i < len(old) else ABSENT,
                                       new[i] if i < len(new) else ABSENT, (*path, i))]
    # type first: True == 1 in Python, but not in Kubernetes
    if type(old) is type(new) and old == new:
        return []
    return [FieldChange(format_path(path), old, new)]
