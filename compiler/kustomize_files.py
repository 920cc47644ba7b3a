"""Kustomize's own files, met by ``inferc verify``: checked as what they are.

``inferc verify $(find out -name '*.yaml')`` meets the build tree's
``kustomization.yaml`` files and its JSON-6902 patch files (a YAML list of
operations). Neither is a Kubernetes object, so neither is checked against the
cluster's schemas. What can go wrong with them is checked instead: a
kustomization's resources, components and patch files must exist where it says
(a hand edit or a moved folder breaks ``kubectl kustomize``), and a patch must be
operations JSON Patch (RFC 6902) knows, each with the fields its op needs.

A strategic-merge patch file that a kustomization among the verified files names
is a partial object: it is not checked against the schemas either.

What an overlay builds is not verified here (that would mean re-implementing
kustomize); ``kubectl kustomize DIR | inferc verify -`` verifies it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.load import Document

RULE_KUSTOMIZATION = "verify.kustomization"
RULE_PATCH = "verify.patch"

GROUP = "kustomize.config.k8s.io"
FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KINDS = ("Kustomization", "Component")
# fields naming files or folders, relative to the kustomization
_FILE_LISTS = ("resources", "components", "crds")
_PATCH_LISTS = ("patches", "patchesJson6902", "patchesStrategicMerge")
# RFC 6902: what each operation needs besides op and path
_OPS = {"add": ("value",), "remove": (), "replace": ("value",), "move": ("from",),
        "copy": ("from",), "test": ("value",)}


def is_kustomization(doc: Document, path: Path) -> bool:
    api = doc.api_version or ""
    return api.split("/")[0] == GROUP or (path.name in FILE_NAMES and doc.kind in KINDS)


def check_kustomization(doc: Document, folder: Path) -> list[Diagnostic]:
    data: Mapping[str, Any] = doc.data
    out: list[Diagnostic] = []
    if doc.kind not in KINDS:
        out.append(doc.diag(("kind",), f"a kustomize file is a {' or a '.join(KINDS)}, not "
                                       f"'{doc.kind}'", RULE_KUSTOMIZATION))
    for field in (*_FILE_LISTS, *_PATCH_LISTS):
        if field in data and not isinstance(data[field], list):
            out.append(doc.diag((field,), f"{field} must be a list", RULE_KUSTOMIZATION))
    for field in _FILE_LISTS:
        for index, entry in _entries(data.get(field)):
            if isinstance(entry, str) and not _remote(entry):
                out += _exists(doc, (field, index), entry, folder, folder_ok=True)
    for field in _PATCH_LISTS:
        for index, entry in _entries(data.get(field)):
            file = entry.get("path") if isinstance(entry, Mapping) else entry
            where = (field, index, "path") if isinstance(entry, Mapping) else (field, index)
            if isinstance(file, str) and "\n" not in file:  # not an inline patch
                out += _exists(doc, where, file, folder, folder_ok=False)
    return out


def patch_files(doc: Document, folder: Path) -> set[Path]:
    """The patch files a kustomization names: a strategic-merge patch among them is a
    partial object, not one to verify against the schemas."""
    found = set()
    for field in _PATCH_LISTS:
        for _, entry in _entries(doc.data.get(field)):
            file = entry.get("path") if isinstance(entry, Mapping) else entry
            if isinstance(file, str) and "\n" not in file and not _remote(file):
                found.add((folder / file).resolve())
    return found


def check_patch(doc: Document) -> list[Diagnostic]:
    """A JSON-6902 patch: a list of operations."""
    if not any(isinstance(o, Mapping) and "op" in o for o in doc.data):
        return [doc.diag((), "a list at the top of the document is neither a Kubernetes "
                             "object nor a JSON patch (a list of operations with op and path)",
                         RULE_PATCH, hint="write objects as YAML documents separated by '---'")]
    out: list[Diagnostic] = []
    for index, operation in enumerate(doc.data):
        if not isinstance(operation, Mapping):
            out.append(doc.diag((index,), "a JSON patch holds operations (mappings with op "
                                          "and path); this is not a Kubernetes object either",
                                RULE_PATCH))
            continue
        op = operation.get("op")
        if op not in _OPS:
            out.append(doc.diag((index, "op") if "op" in operation else (index,),
                                f"op {op!r} is not a JSON patch operation "
                                f"({', '.join(_OPS)})" if "op" in operation
                                else "missing required field 'op'", RULE_PATCH))
            continue
        for key in ("path", *_OPS[op]):
            if key not in operation:
                out.append(doc.diag((index,), f"{op} needs '{key}'", RULE_PATCH))
        for key in ("path", "from"):
            pointer = operation.get(key)
            if key in operation and not (isinstance(pointer, str)
                                         and (pointer == "" or pointer.startswith("/"))):
                out.append(doc.diag((index, key), f"{key} must be a JSON pointer starting "
                                                  "with '/'", RULE_PATCH))
    return out


def _entries(value: Any) -> Iterator[tuple[int, Any]]:
    return enumerate(value) if isinstance(value, list) else iter(())


def _remote(entry: str) -> bool:
    return "://" in entry or entry.startswith(("github.com/", "git@"))


def _exists(doc: Document, where: tuple[str | int, ...], entry: str, folder: Path, *,
            folder_ok: bool) -> list[Diagnostic]:
    target = folder / entry
    if target.is_file():
        return []
    if target.is_dir() and folder_ok:
        if any((target / name).is_file() for name in FILE_NAMES):
            return []
        return [doc.diag(where, f"'{entry}' is a folder without a kustomization.yaml",
                         RULE_KUSTOMIZATION)]
    return [doc.diag(where, f"'{entry}' does not exist (paths are relative to this "
                            "kustomization's folder)", RULE_KUSTOMIZATION)]
