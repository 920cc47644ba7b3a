"""Read ``kubectl get -o yaml`` output: single objects, multi-document streams and
``kind: List`` (its ``items``), each object with the position of every field."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.diagnostics import Diagnostic, DocPath, Severity, excerpt
from compiler.load import Document, Unreadable, load_bytes, read_limited
from compiler.paths import shown_path

DEFAULT_NAMESPACE = "default"  # where kubectl puts an object that names none
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class ClusterObject:
    """One object of the input, as read (never changed), and where it is."""

    kind: str
    api_version: str
    name: str
    namespace: str
    data: Mapping[str, Any]
    doc: Document
    base: DocPath  # () for a document, ("items", i) inside a List
    namespace_given: bool = True

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"

    @property
    def where(self) -> str:
        line, _ = self.doc.source.at(self.base)
        return f"{self.doc.file}:{line}"

    def annotations(self) -> Mapping[str, str]:
        return _strings(self.data.get("metadata", {}).get("annotations"))

    def labels(self) -> Mapping[str, str]:
        return _strings(self.data.get("metadata", {}).get("labels"))

    def diag(self, path: DocPath, message: str, rule: str, *,
             severity: Severity = Severity.ERROR, hint: str | None = None,
             at_key: bool = False) -> Diagnostic:
        """A diagnostic at ``path`` inside this object (the nearest line that exists)."""
        return self.doc.diag((*self.base, *path), message, rule, severity=severity, hint=hint,
                             at_key=at_key)


def _strings(value: Any) -> Mapping[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(v, str)}


def read_inputs(paths: Sequence[Path]) -> tuple[list[ClusterObject], list[Diagnostic]]:
    """Every object of every file; what is not an object is a located error."""
    objects: list[ClusterObject] = []
    diags: list[Diagnostic] = []
    for path in paths:
        shown = shown_path(path)
        try:
            raw = read_limited(path)
        except Unreadable as exc:
            diags.append(Diagnostic(shown, 1, 1, "$", exc.message, exc.rule))
            continue
        result = load_bytes(raw, shown, multi=True)
        diags.extend(result.diagnostics)
        for doc in result.documents:
            found, problems = _objects_of(doc)
            objects += found
            diags += problems
    return objects, diags


def _objects_of(doc: Document) -> tuple[list[ClusterObject], list[Diagnostic]]:
    data = doc.data
    if data is None:
        return [], []
    if isinstance(data, dict) and data.get("kind") == "List" and "items" in data:
        items = data["items"]
        if not isinstance(items, list):
            return [], [doc.diag(("items",), "a List's items must be a list", "import.object")]
        out = [_object(doc, ("items", i), item) for i, item in enumerate(items)]
    else:
        out = [_object(doc, (), data)]
    return ([o for o in out if isinstance(o, ClusterObject)],
            [o for o in out if isinstance(o, Diagnostic)])


def _object(doc: Document, base: DocPath, data: Any) -> ClusterObject | Diagnostic:
    if not isinstance(data, dict):
        return doc.diag(base, "expected a Kubernetes object (a mapping)", "import.object")
    for key in ("apiVersion", "kind"):
        if not isinstance(data.get(key), str) or not data[key]:
            return doc.diag((*base, key), f"a Kubernetes object needs {key}", "import.object")
    meta = data.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        return doc.diag((*base, "metadata"), "a Kubernetes object needs metadata.name",
                        "import.object")
    namespace = meta.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        return doc.diag((*base, "metadata", "namespace"), "metadata.namespace must be a string",
                        "import.object")
    return ClusterObject(data["kind"], data["apiVersion"], meta["name"],
                         namespace or DEFAULT_NAMESPACE, data, doc, base, namespace is not None)


def name_problem(obj: ClusterObject) -> Diagnostic | None:
    """Names become paths (``models/<namespace>/<name>.yaml``): anything but a DNS label
    (``../x``, ``a/b``) could point outside the config repo, so it is refused."""
    for field, value in (("name", obj.name), ("namespace", obj.namespace)):
        if not _DNS_LABEL.match(value) or len(value) > 63:
            return obj.diag(("metadata", field), f"{field} {excerpt(value)} is not a DNS-1123 "
                            "label; it cannot name a file inside the config repo",
                            "import.name")
    return None


def by_kind(objects: Sequence[ClusterObject], kind: str) -> list[ClusterObject]:
    return [o for o in objects if o.kind == kind]
