"""Stage — verify: check Kubernetes objects against the schemas the cluster will apply.

Custom resources are checked against the CRD schemas vendored under
``schemas/crds`` (see ``scripts/vendor_crds.py``), for one platform release (a
"CRD set"), falling back to ``upstream`` for kinds that release does not ship.
Built-in kinds (ServiceAccount, Role, Secret, Deployment, …) are checked against
the strict schemas bundled with kubernetes-validate.

The API server prunes or rejects fields a schema does not declare, but CRD
schemas rarely say ``additionalProperties: false``, so a plain JSON-Schema
validator would accept a misspelled field that the cluster then silently drops.
We therefore close every object schema that declares its properties before
compiling it. CEL rules (``x-kubernetes-validations``) are not checked here; the
API server's own cross-field rules (extended resources, rollouts, annotation size,
quantity range) are, by :mod:`compiler.apiserver`.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema_rs import ValidationError, ValidationErrorKind

from compiler import apiserver, kustomize_files
from compiler.diagnostics import TYPE_NAMES, Diagnostic, DocPath, describe_value, format_path, show_value
from compiler.errors import InternalError
from compiler.load import LoadResult, SourceMap, load_bytes, load_path
from compiler.resources import schemas_dir
from compiler.text import did_you_mean

UPSTREAM = "upstream"

RULE_SCHEMA = "verify.schema"
RULE_UNKNOWN_FIELD = "verify.unknown-field"
RULE_NO_SCHEMA = "verify.no-schema"
RULE_UNSERVED = "verify.unserved-version"

_STRING: dict[str, Any] = {"type": "string"}
_STRING_MAP: dict[str, Any] = {"type": "object", "additionalProperties": _STRING}

# CRD schemas say only ``metadata: {type: object}`` (the API server checks
# ObjectMeta itself); this is the part of ObjectMeta a manifest may set.
# Server-written fields (uid, resourceVersion, creationTimestamp, …) are unknown here
# on purpose: in a GitOps manifest they are always a copy-paste from a live object.
OBJECT_META: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": _STRING,
        "generateName": _STRING,
        "namespace": _STRING,
        "labels": _STRING_MAP,
        "annotations": _STRING_MAP,
        "finalizers": {"type": "array", "items": _STRING},
        "ownerReferences": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["apiVersion", "kind", "name", "uid"],
            "properties": {"apiVersion": _STRING, "kind": _STRING, "name": _STRING,
                           "uid": _STRING, "controller": {"type": "boolean"},
                           "blockOwnerDeletion": {"type": "boolean"}},
        }},
    },
}

_FORMAT_MESSAGES = {"byte": "is not valid base64", "date-time": "is not an RFC 3339 date-time",
                    "ipv4": "is not an IPv4 address", "ipv6": "is not an IPv6 address"}
_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
# Patterns that recur across the CRDs, said in words; the pattern itself goes in the hint.
_PATTERN_NAMES = {
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?"
    r"(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$":
        "is not a Kubernetes quantity (such as 500m, 4 or 16Gi)",
    r"^([0-9]{1,5}(h|m|s|ms)){1,4}$":
        "is not a duration of h, m, s or ms parts (such as 24h or 1m30s)",
    f"^{_DNS_LABEL}$":
        "is not a DNS label (lower-case letters, digits and '-')",
    rf"^{_DNS_LABEL}(\.{_DNS_LABEL})*$":
        "is not a DNS subdomain (lower-case letters, digits, '-' and '.')",
    rf"^$|^{_DNS_LABEL}(\.{_DNS_LABEL})*$":
        "is not a DNS subdomain (lower-case letters, digits, '-' and '.')",
}
_FILE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
_K8S_SCHEMA_DIR = re.compile(r"^v(\d+)\.(\d+)\.\d+-local-strict$")


def crd_sets() -> list[str]:
    """The CRD sets shipped with inferc (``upstream``, ``rhoai-3.5``, …)."""
    return sorted(_read_index())


def _read_index() -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = json.loads(
        (schemas_dir() / "crds" / "index.json").read_text(encoding="utf-8"))
    return index


# --- schema preparation -------------------------------------------------------------------


def close_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a CRD ``openAPIV3Schema`` that rejects what the API server would drop.

    Objects that list ``properties`` (and do not preserve unknown fields) become
    closed; ``x-kubernetes-int-or-string`` becomes a JSON-Schema type union.
    Branches of ``anyOf``/``oneOf``/``allOf``/``not`` are left alone: a structural
    schema may repeat a few of the outer properties there, and closing a branch
    would reject every property it does not repeat.
    """
    node = dict(schema)
    if node.get("x-kubernetes-int-or-string") is True:
        # A type union instead of controller-gen's anyOf [integer, string]: the same values,
        # and a failure reads "expected an integer or a string", not "matches none of …".
        if node.get("anyOf") == [{"type": "integer"}, {"type": "string"}]:
            del node["anyOf"]
        node["type"] = ["integer", "string"]
    if isinstance(node.get("pattern"), str):
        node["pattern"] = ecma_pattern(node["pattern"])
    if isinstance(node.get("properties"), dict):
        node["properties"] = {k: close_schema(v) for k, v in node["properties"].items()}
        if (node.get("x-kubernetes-preserve-unknown-fields") is not True
                and "additionalProperties" not in node):
            node["additionalProperties"] = False
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            node[key] = close_schema(node[key])
    return node


def ecma_pattern(pattern: str) -> str:
    """A CRD pattern (Go RE2, which the API server uses) as an ECMA regex: RE2's leading
    case-insensitive flag ``(?i)`` (the PrometheusRule schema has one) becomes letter
    classes, ``a`` → ``[aA]``, outside escapes and existing classes."""
    if not pattern.startswith("(?i)") and not pattern.startswith("^(?i)"):
        return pattern
    out, in_class, escaped = [], False, False
    for char in pattern.replace("(?i)", "", 1):
        if escaped or char == "\\":
            escaped = not escaped and char == "\\"
            out.append(char)
            continue
        in_class = (in_class or char == "[") and char != "]"
        out.append(f"[{char.lower()}{char.upper()}]" if char.isalpha() and char.isascii()
                   and not in_class else char)
    return "".join(out)


def prepare_crd_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The closed schema, with our ObjectMeta in place of the bare ``{type: object}``."""
    closed = close_schema(schema)
    closed["properties"] = {**closed.get("properties", {}), "metadata": OBJECT_META}
    return closed


def _is_base64(value: str) -> bool:
    # Go's encoding/json (which the API server uses) skips CR/LF inside base64.
    try:
        base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


_FORMATS: dict[str, Callable[..., bool]] = {"byte": _is_base64}


# --- lookup -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    """A validator plus the schema documents it was built from (for field-name hints)."""

    validator: jsonschema_rs.Validator
    root: Mapping[str, Any]
    documents: Mapping[str, Mapping[str, Any]]  # by base URI, for errors found behind a $ref


@dataclass(frozen=True)
class _Missing:
    """Why an object has no schema: a diagnostic that ``ignore_missing`` may or may not drop."""

    path: DocPath
    message: str
    rule: str
    hint: str | None = None


class Verifier:
    """Checks objects against the schemas of one platform release; reuse one per run.

    Validators are compiled on first use and kept on the instance, once per
    (apiVersion, kind): the InferenceService schema alone is over half a megabyte.
    """

    def __init__(self, crd_set: str | tuple[str, ...] = UPSTREAM,
                 k8s_version: str = "1.33.0") -> None:
        """``crd_set`` is one set (looked up first, then ``upstream``) or a platform
        release's ordered sets (``Platform.crd_sets``)."""
        self._index = _read_index()
        order = crd_set if isinstance(crd_set, tuple) else (crd_set, UPSTREAM)
        for name in order:
            if name not in self._index:
                raise InternalError(f"unknown CRD set '{name}'; known: "
                                    f"{', '.join(sorted(self._index))}")
        self._order = list(dict.fromkeys(order))
        self.crd_set = self._order[0]
        self.k8s_version = k8s_version
        self._builtin_dir = _builtin_schema_dir(k8s_version)
        self._compiled: dict[tuple[str, str], _Compiled | _Missing] = {}
        self._builtin_registry: jsonschema_rs.Registry | None = None
        self._builtin_defs: dict[str, Any] | None = None

    def check(self, obj: Mapping[str, Any], *, file: str, source: SourceMap | None = None,
              ignore_missing: bool = False) -> list[Diagnostic]:
        """Every schema problem of ``obj``, located through ``source`` when given."""
        where = _Locator(file, source)
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            return [where.diag((field,), f"missing required field '{field}'", RULE_SCHEMA, key=True)
                    for field, value in (("apiVersion", api_version), ("kind", kind))
                    if not isinstance(value, str)]
        compiled = self._lookup(api_version, kind)
        if isinstance(compiled, _Missing):
            if ignore_missing and compiled.rule == RULE_NO_SCHEMA:
                return []
            return [where.diag(compiled.path, compiled.message, compiled.rule, hint=compiled.hint)]
        rejected = [where.diag(p.path, p.message, p.rule, key=p.key, hint=p.hint)
                    for p in apiserver.check(obj)]
        diags = set(rejected)
        if not compiled.validator.is_valid(obj):  # valid is the common case, ~1.7x faster
            diags.update(d for error in compiled.validator.iter_errors(obj)
                         for d in _diagnostics(error, compiled, where))
        return sorted(diags, key=lambda d: (d.line, d.col, d.path, d.message))

    # Lookup is cached per (apiVersion, kind), including the negative answers.
    def _lookup(self, api_version: str, kind: str) -> _Compiled | _Missing:
        key = (api_version, kind)
        if key not in self._compiled:
            self._compiled[key] = self._build(api_version, kind)
        return self._compiled[key]

    def _build(self, api_version: str, kind: str) -> _Compiled | _Missing:
        crd = self._crd_file(api_version, kind)
        if isinstance(crd, Path):
            schema = prepare_crd_schema(json.loads(crd.read_text(encoding="utf-8")))
            validator = jsonschema_rs.Draft4Validator(
                schema, formats=_FORMATS, validate_formats=True)
            return _Compiled(validator, schema, {})
        if crd is not None:
            return crd
        return self._builtin(api_version, kind) or _no_schema(api_version, kind, self._known())

    def _sets(self) -> list[str]:
        return self._order

    def _crd_file(self, api_version: str, kind: str) -> Path | _Missing | None:
        """The vendored schema, or why a known kind is refused, or None for an unknown kind.

        The fallback to upstream is per kind, not per version: a release that ships
        LLMInferenceService only as v1alpha1 does not serve v1alpha2, and upstream's
        v1alpha2 schema must not make it look as if it did.
        """
        group = api_version.rpartition("/")[0]
        for name in self._sets():
            entries = self._index[name]
            if f"{api_version}/{kind}" in entries:
                return schemas_dir() / "crds" / entries[f"{api_version}/{kind}"]
            served = _served_versions(entries, group, kind)
            if served:
                return _Missing(("apiVersion",),
                                f"{api_version} {kind} is not served by CRD set {name} "
                                f"(served: {', '.join(served)})", RULE_UNSERVED)
        return None

    def _known(self) -> list[str]:
        return sorted({k for name in self._sets() for k in self._index[name]})

    def _builtin(self, api_version: str, kind: str) -> _Compiled | None:
        """kubernetes-validate's strict schema for a built-in kind, read once."""
        group, _, version = api_version.rpartition("/")
        if not all(_FILE_PART.match(part) for part in (group or "core", version, kind)):
            return None  # the names become a file name: no "/" or ".." from a manifest
        prefix = f"-{group.split('.')[0]}" if group else ""
        path = self._builtin_dir / f"{kind.lower()}{prefix}-{version}.json"
        if not path.is_file():
            return None
        schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        gvk = {"group": group, "version": version, "kind": kind}
        if gvk not in schema.get("x-kubernetes-group-version-kind", []):
            return None  # a CRD group that merely shares the first label (e.g. "monitoring")
        # Same ObjectMeta rules as for custom resources (the bundled one allows uid & co).
        schema["properties"] = {**schema.get("properties", {}), "metadata": OBJECT_META}
        registry, defs = self._builtin_definitions()
        validator = jsonschema_rs.validator_for(
            schema, registry=registry, formats=_FORMATS, validate_formats=True)
        return _Compiled(validator, schema, {schema["$id"]: schema, defs["$id"]: defs})

    def _builtin_definitions(self) -> tuple[jsonschema_rs.Registry, dict[str, Any]]:
        # kubernetes-validate re-reads this 1 MB file for every object (tens of ms each);
        # one registry per Verifier serves every built-in kind.
        if self._builtin_registry is None or self._builtin_defs is None:
            defs = json.loads((self._builtin_dir / "_definitions.json").read_text("utf-8"))
            self._builtin_defs = defs
            self._builtin_registry = jsonschema_rs.Registry([(defs["$id"], defs)])
        return self._builtin_registry, self._builtin_defs


def _served_versions(entries: Mapping[str, str], group: str, kind: str) -> list[str]:
    versions = (k.split("/") for k in entries)
    return sorted(v for g, v, k in versions if g == group and k == kind)


def _no_schema(api_version: str, kind: str, known: Sequence[str]) -> _Missing:
    others = [k.rpartition("/")[0] for k in known if k.rpartition("/")[2] == kind]
    hint = f"known apiVersions of {kind}: {', '.join(others)}" if others else None
    return _Missing(("kind",), f"no schema for {api_version}/{kind}", RULE_NO_SCHEMA, hint)


def _builtin_schema_dir(k8s_version: str) -> Path:
    """kubernetes-validate's strict schemas for the newest release not newer than ours.

    Located with find_spec rather than by importing the package: importing it pulls in
    python-jsonschema and PyYAML, which we do not need.
    """
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise InternalError("kubernetes-validate is not installed")
    root = Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"
    wanted = tuple(int(p) for p in k8s_version.lstrip("v").split(".")[:2])
    dirs = {(int(m[1]), int(m[2])): p for p in root.iterdir()
            if (m := _K8S_SCHEMA_DIR.match(p.name))}
    usable = [v for v in dirs if v <= wanted]
    if not usable:
        raise InternalError(f"no built-in schemas for Kubernetes {k8s_version}; "
                         f"oldest is {'.'.join(map(str, min(dirs)))}")
    return dirs[max(usable)]


# --- errors -> diagnostics ----------------------------------------------------------------


@dataclass(frozen=True)
class _Locator:
    file: str
    source: SourceMap | None

    def diag(self, path: DocPath, message: str, rule: str, *, key: bool = False,
             hint: str | None = None) -> Diagnostic:
        line, col = self.source.at(path, key=key) if self.source is not None else (1, 1)
        return Diagnostic(self.file, line, col, format_path(path), message, rule, hint=hint)


def _diagnostics(error: ValidationError, compiled: _Compiled,
                 where: _Locator) -> Iterator[Diagnostic]:
    path: DocPath = tuple(error.instance_path)
    kind = error.kind
    if isinstance(kind, ValidationErrorKind.AdditionalProperties):
        # One error lists every unknown key; each gets its own place, at the key itself.
        allowed = _allowed_fields(error, compiled)
        for key in kind.unexpected:
            yield where.diag(path + (key,), f"unknown field '{key}'", RULE_UNKNOWN_FIELD,
                             key=True, hint=_did_you_mean(key, allowed))
    elif isinstance(kind, ValidationErrorKind.Required):
        yield where.diag(path, f"missing required field '{kind.property}'", RULE_SCHEMA, key=True)
    elif isinstance(kind, ValidationErrorKind.Pattern) and kind.pattern in _PATTERN_NAMES:
        yield where.diag(path, f"{show_value(error.instance)} {_PATTERN_NAMES[kind.pattern]}",
                         RULE_SCHEMA, hint=f"the schema's pattern is {kind.pattern}")
    else:
        yield where.diag(path, _message(error), RULE_SCHEMA)


def _message(error: ValidationError) -> str:
    """A sentence about one failed keyword; the path is shown beside it."""
    kind, value = error.kind, error.instance
    if isinstance(kind, ValidationErrorKind.Type):
        wanted = [t for t in kind.types if t != "null"] or ["null"]  # built-ins allow null
        names = " or ".join(TYPE_NAMES.get(t, t) for t in wanted)
        return f"expected {names}, found {describe_value(value)}"
    if isinstance(kind, ValidationErrorKind.Enum):
        return f"{show_value(value)} is not one of [{', '.join(show_value(o) for o in kind.options)}]"
    if isinstance(kind, ValidationErrorKind.Pattern):
        return f"{show_value(value)} does not match '{kind.pattern}'"
    if isinstance(kind, ValidationErrorKind.Format):
        tail = _FORMAT_MESSAGES.get(kind.format, f"is not a valid '{kind.format}'")
        return f"{show_value(value)} {tail}"
    return _limit_message(error) or _plain_message(error)


def _limit_message(error: ValidationError) -> str | None:
    kind, value = error.kind, error.instance
    bounds: list[tuple[type[Any], str]] = [
        (ValidationErrorKind.Minimum, "is less than the minimum of"),
        (ValidationErrorKind.Maximum, "is greater than the maximum of"),
        (ValidationErrorKind.ExclusiveMinimum, "must be greater than"),
        (ValidationErrorKind.ExclusiveMaximum, "must be less than"),
        (ValidationErrorKind.MinLength, "is shorter than the minimum length of"),
        (ValidationErrorKind.MaxLength, "is longer than the maximum length of"),
    ]
    for cls, words in bounds:
        if isinstance(kind, cls):
            return f"{show_value(value)} {words} {kind.as_dict()['limit']}"
    counts: list[tuple[type[Any], str, str]] = [
        (ValidationErrorKind.MinItems, "at least", "item"),
        (ValidationErrorKind.MaxItems, "at most", "item"),
        (ValidationErrorKind.MinProperties, "at least", "field"),
        (ValidationErrorKind.MaxProperties, "at most", "field"),
    ]
    for cls, bound, noun in counts:
        if isinstance(kind, cls):
            limit: int = kind.as_dict()["limit"]
            size = len(value) if isinstance(value, (list, dict)) else 0
            return f"expected {bound} {limit} {noun}{'s' * (limit != 1)}, found {size}"
    return None


def _plain_message(error: ValidationError) -> str:
    kind = error.kind
    if isinstance(kind, ValidationErrorKind.UniqueItems):
        return "list has duplicate items"
    if isinstance(kind, ValidationErrorKind.Constant):
        return f"{show_value(error.instance)} is not {show_value(kind.expected_value)}"
    if isinstance(kind, (ValidationErrorKind.AnyOf, ValidationErrorKind.OneOfNotValid)):
        return f"{describe_value(error.instance)} matches none of the allowed forms"
    if isinstance(kind, ValidationErrorKind.OneOfMultipleValid):
        return f"{describe_value(error.instance)} matches more than one of the allowed forms"
    return error.message


def _allowed_fields(error: ValidationError, compiled: _Compiled) -> list[str]:
    """Property names of the schema that reported unknown fields (for a did-you-mean)."""
    location = error.absolute_keyword_location
    if location and "#" in location:
        uri, _, pointer = location.partition("#")
        document = compiled.documents.get(uri)
        steps: list[str | int] = [p.replace("~1", "/").replace("~0", "~")
                                  for p in pointer.split("/")[1:]]
    else:
        document, steps = compiled.root, list(error.schema_path)
    node: Any = document
    for step in steps[:-1]:  # the last step is "additionalProperties" itself
        node = _child(node, step)
    props = node.get("properties") if isinstance(node, dict) else None
    return sorted(props) if isinstance(props, dict) else []


def _child(node: Any, step: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(str(step))
    index = int(step) if str(step).isdigit() else -1  # pointers spell list indexes as text
    if isinstance(node, list) and 0 <= index < len(node):
        return node[index]
    return None


def _did_you_mean(key: str, allowed: Sequence[str]) -> str | None:
    return did_you_mean(key, allowed, cutoff=0.75)


# --- files --------------------------------------------------------------------------------


STDIN = Path("-")
# A whole environment's stream (kubectl kustomize | inferc verify -) is megabytes, unlike
# a spec; the limit only guards against reading something endless.
MANIFEST_MAX_BYTES = 64 << 20


def verify_files(paths: Sequence[Path], displays: Sequence[str], *,
                 crd_set: str | tuple[str, ...], ignore_missing: bool) -> list[Diagnostic]:
    """Load each manifest file (many documents each) and check every object in it."""
    return verify_manifests(paths, displays, crd_set=crd_set,
                            ignore_missing=ignore_missing).diagnostics


@dataclass(frozen=True)
class Verified:
    diagnostics: list[Diagnostic]
    kustomize_files: int  # kustomizations and JSON patches, checked as what they are


def verify_manifests(paths: Sequence[Path], displays: Sequence[str], *,
                     crd_set: str | tuple[str, ...], ignore_missing: bool) -> Verified:
    """Every object in the files (``-`` is standard input) against the schemas and the
    API server's rules; kustomize's own files as kustomize files (compiler.kustomize_files)."""
    verifier = Verifier(crd_set)
    loaded = [(path, _load_manifests(path, display))
              for path, display in zip(paths, displays, strict=True)]
    merge_patches = {file for path, result in loaded for doc in result.documents
                     if isinstance(doc.data, dict) and kustomize_files.is_kustomization(doc, path)
                     for file in kustomize_files.patch_files(doc, path.parent)}
    out: list[Diagnostic] = []
    kustomize = 0
    for path, result in loaded:
        out.extend(result.diagnostics)
        merge_patch = path != STDIN and path.resolve() in merge_patches
        kustomize += merge_patch or any(isinstance(d.data, list)
                                        or kustomize_files.is_kustomization(d, path)
                                        for d in result.documents)
        for doc in result.documents:
            if isinstance(doc.data, list):
                out.extend(kustomize_files.check_patch(doc))
            elif kustomize_files.is_kustomization(doc, path):
                out.extend(kustomize_files.check_kustomization(doc, path.parent))
            elif not merge_patch:
                out.extend(verifier.check(doc.data, file=doc.file, source=doc.source,
                                          ignore_missing=ignore_missing))
    return Verified(out, kustomize)


def _load_manifests(path: Path, display: str) -> LoadResult:
    if path == STDIN:
        return load_bytes(sys.stdin.buffer.read(MANIFEST_MAX_BYTES + 1), display, multi=True,
                          lists=True, limit=MANIFEST_MAX_BYTES)
    return load_path(path, display, multi=True, lists=True, limit=MANIFEST_MAX_BYTES)
