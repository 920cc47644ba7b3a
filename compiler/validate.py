"""Stage 2 — validate: each document against its JSON Schema (Draft 2020-12).

Returns every problem at once, each placed at the YAML node it concerns and
phrased for a person: unknown fields get a "did you mean", patterns carry the
schema's own ``x-message`` explanation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.diagnostics import TYPE_NAMES, Diagnostic, DocPath, describe_value, show_value
from compiler.load import Document
from compiler.resources import schemas_dir
from compiler.text import closest, did_you_mean

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

API_VERSION = "inferc.dev/v1alpha1"
SCHEMA_BASE = "https://inferc.dev/schemas/"

# kind → (schema file, accepted apiVersions)
KINDS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "ModelDeployment": ("model-deployment.schema.json", (API_VERSION,)),
    "Environment": ("environment.schema.json", (API_VERSION,)),
    "HardwareProfile": ("hardware-profile.schema.json",
                        (API_VERSION, "infrastructure.opendatahub.io/v1")),
    "RuntimeTemplate": ("runtime-template.schema.json", (API_VERSION,)),
    # A custom runtime exactly as the cluster holds it: the OpenShift Template the
    # dashboard's "Add serving runtime" stores, or a plain ServingRuntime.
    "Template": ("openshift-template.schema.json", ("template.openshift.io/v1",)),
    "ServingRuntime": ("serving-runtime.schema.json", ("serving.kserve.io/v1alpha1",)),
    "Repository": ("repository.schema.json", (API_VERSION,)),
}

# Kinds only inferc ships (presets/), never a config repo: compiler.presets validates
# them; kept out of KINDS so a repo file saying ``kind: Platform`` stays unknown.
PRESET_KINDS: Mapping[str, str] = {
    "ModelDefaults": "model-defaults.schema.json",
    "Platform": "platform.schema.json",
}


def schema_file(kind: str) -> str:
    return KINDS[kind][0] if kind in KINDS else PRESET_KINDS[kind]



@dataclass
class SchemaValidator:
    """Validates documents against the kind's schema, fast path first.

    jsonschema-rs answers "valid?" in microseconds, which is the common case
    and what a 1,000-model repo needs; python-jsonschema, imported only when a
    document is invalid, then explains every error in words people read.
    """

    root: Path

    @cached_property
    def _schemas(self) -> dict[str, dict[str, Any]]:
        """Every schema file by its ``$id``."""
        out = {}
        for path in sorted(self.root.glob("*.schema.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            out[contents["$id"]] = contents
        return out

    @cached_property
    def _fast(self) -> dict[str, Any]:
        return {}

    @cached_property
    def _explainers(self) -> dict[str, Validator]:
        return {}

    def _schema(self, kind: str) -> dict[str, Any]:
        return self._schemas[f"{SCHEMA_BASE}{schema_file(kind)}"]

    def is_valid(self, kind: str, data: Any) -> bool:
        if kind not in self._fast:
            import jsonschema_rs

            registry = jsonschema_rs.Registry(list(self._schemas.items()))
            self._fast[kind] = jsonschema_rs.Draft202012Validator(
                self._schema(kind), registry=registry, validate_formats=False,
                keywords={QUANTITY_KEYWORD: _FastQuantity})
        return bool(self._fast[kind].is_valid(data))

    def explainer(self, kind: str) -> Validator:
        if kind not in self._explainers:
            from referencing import Registry, Resource

            schemas = {uri: _python_patterns(schema) for uri, schema in self._schemas.items()}
            registry = Registry().with_resources(
                (uri, Resource.from_contents(schema)) for uri, schema in schemas.items())
            root = schemas[f"{SCHEMA_BASE}{schema_file(kind)}"]
            self._explainers[kind] = _strict_validator()(root, registry=registry)
        return self._explainers[kind]

    def validate(self, doc: Document,
                 expect: str | tuple[str, ...] | None = None) -> list[Diagnostic]:
        """All diagnostics for ``doc``; ``expect`` is the kind its location in the repo implies."""
        kind_problem = _check_kind(doc, expect)
        if kind_problem is not None:
            return [kind_problem]
        assert doc.kind is not None
        return self.against(doc, doc.kind)

    def against(self, doc: Document, kind: str) -> list[Diagnostic]:
        """Diagnostics for ``doc`` against ``kind``'s schema, its kind already checked."""
        valid = self.is_valid(kind, doc.data)
        # JSON Schema counts 2.0 as an integer; inferc does not (replicas: 2.0 would
        # reach arithmetic that needs an int), and only the explainer can tell.
        if valid and not _has_integral_float(doc.data):
            return []
        errors = _one_per_value(_leaves(self.explainer(kind).iter_errors(doc.data)))
        found = [d for e in errors for d in _diagnose(doc, e)]
        if found or valid:
            return found
        # The fast validator said no: a document one validator rejects is never
        # accepted, even if the explaining one cannot say why.
        return [doc.diag((), f"does not match the {kind} schema", "schema.invalid")]


def _strict_validator() -> Any:
    """Draft 2020-12 where "integer" means an int, not a float with no fraction."""
    from jsonschema import Draft202012Validator, validators

    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))
    return validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, type_checker=checker, validators={QUANTITY_KEYWORD: _quantity})


# A quantity string can match the schema's pattern and still be out of range
# ("1e999999999", "99999E"): both validators check the value itself.
QUANTITY_KEYWORD = "x-quantity"


def quantity_problem(instance: Any) -> str | None:
    """Why a value the quantity pattern accepts is not a quantity Kubernetes can hold."""
    from compiler.quantity import MAX_VALUE, parse

    if isinstance(instance, bool) or not isinstance(instance, (str, int, float)):
        return None
    try:
        value = parse(instance).value
    except ValueError as exc:
        return None if "out of range" not in str(exc) else \
            f"{show_value(instance)} is out of range for a Kubernetes quantity"
    if abs(value) > MAX_VALUE:
        return f"{show_value(instance)} is larger than a Kubernetes quantity can hold (2^63-1)"
    return None


class _FastQuantity:
    """The jsonschema-rs side of ``x-quantity``."""

    def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
        self.enabled = bool(value)

    def validate(self, instance: Any) -> None:
        if self.enabled and (problem := quantity_problem(instance)) is not None:
            raise ValueError(problem)


def _quantity(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """The python-jsonschema side of ``x-quantity``."""
    from jsonschema import ValidationError

    if value and (problem := quantity_problem(instance)) is not None:
        yield ValidationError(problem)


def _has_integral_float(data: Any) -> bool:
    if isinstance(data, float):
        return data.is_integer()
    if isinstance(data, dict):
        return any(_has_integral_float(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_integral_float(v) for v in data)
    return False


def _python_patterns(schema: Any) -> Any:
    """``schema`` with every regular expression given ECMA-262 end anchors.

    In JSON Schema (and jsonschema-rs) ``$`` matches only at the end of the text;
    in Python it also matches before a final newline, so ``"name\\n"`` would pass
    the explaining validator while the fast one rejects it.
    """
    if isinstance(schema, list):
        return [_python_patterns(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "pattern" and isinstance(value, str):
            out[key] = _end_anchors(value)
        elif key == "patternProperties" and isinstance(value, dict):
            out[key] = {_end_anchors(k): _python_patterns(v) for k, v in value.items()}
        else:
            out[key] = _python_patterns(value)
    return out


def _end_anchors(pattern: str) -> str:
    """Replace each ``$`` anchor (not escaped, not in a character class) by ``\\Z``."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            out.append("\\Z")
            continue
        out.append(char)
    return "".join(out)


def default_validator() -> SchemaValidator:
    return SchemaValidator(schemas_dir())


def _check_kind(doc: Document, expect: str | tuple[str, ...] | None) -> Diagnostic | None:
    kind, api = doc.kind, doc.api_version
    allowed = (expect,) if isinstance(expect, str) else expect
    if kind is None:
        return doc.diag(("kind",), "missing 'kind'", "schema.kind",
                        hint=f"this file should be kind: {' or '.join(allowed)}" if allowed
                        else None)
    if kind not in KINDS:
        hint = did_you_mean(kind, KINDS, otherwise=f"known kinds: {', '.join(KINDS)}")
        return doc.diag(("kind",), f"unknown kind '{kind}'", "schema.kind", hint=hint)
    if allowed is not None and kind not in allowed:
        return doc.diag(("kind",), f"kind {kind} does not belong here; files in this folder "
                                   f"are kind {' or '.join(allowed)}", "repo.misplaced")
    versions = KINDS[kind][1]
    if api not in versions:
        found = f"'{api}'" if api is not None else "no apiVersion"
        return doc.diag(("apiVersion",) if api is not None else (), f"unsupported apiVersion "
                        f"{found} for kind {kind}", "schema.api-version",
                        hint=f"use apiVersion: {versions[0]}")
    return None


def _leaves(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    """Descend into anyOf/oneOf so the user sees the concrete failure, not the combinator."""
    for error in errors:
        if error.context:
            from jsonschema.exceptions import best_match

            yield best_match(error.context)
        else:
            yield error


def _one_per_value(errors: Iterator[ValidationError]) -> list[ValidationError]:
    """A value of the wrong type also fails its enum or pattern; say only the first thing."""
    kept: dict[tuple[object, ...], ValidationError] = {}
    extra: list[ValidationError] = []
    for error in errors:
        path: tuple[object, ...] = tuple(error.absolute_path)
        if "propertyNames" in error.absolute_schema_path:
            # each bad key of one mapping is its own problem (they share the mapping's path)
            path = (*path, "propertyNames", error.instance)
        if error.validator in ("additionalProperties", "required"):
            extra.append(error)
        elif path not in kept or error.validator == "type":
            kept[path] = error
    return extra + list(kept.values())


def _diagnose(doc: Document, error: ValidationError) -> Iterator[Diagnostic]:
    path: DocPath = tuple(error.absolute_path)
    keyword = error.validator
    if "propertyNames" in error.absolute_schema_path and isinstance(error.instance, str):
        # a key of a mapping failed: point at that key, not at the mapping
        yield doc.diag((*path, error.instance), f"invalid key: {_message(error)}", "schema.key",
                       at_key=True)
    elif keyword == "additionalProperties":
        yield from _unknown_fields(doc, path, error)
    elif keyword == "required":
        missing = _quoted_missing(error)
        yield doc.diag(path, f"missing required field '{missing}'", "schema.required")
    elif keyword == QUANTITY_KEYWORD:
        yield doc.diag(path, str(error.message), "schema.quantity")
    elif keyword == "propertyNames":
        yield doc.diag(path, f"invalid key: {_message(error)}", "schema.key", at_key=True)
    else:
        yield doc.diag(path, _message(error), f"schema.{keyword}", hint=_quote_hint(error))


def _quote_hint(error: ValidationError) -> str | None:
    """Only a value YAML read as a number or boolean can be fixed by quoting it; a
    quoted value that fails is wrong in content, and "quote it" would mislead."""
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    wanted = schema.get("type")
    wanted = wanted if isinstance(wanted, list) else [wanted]
    instance = error.instance
    if error.validator != "type" or "string" not in wanted or isinstance(instance, str):
        return None
    if isinstance(instance, bool | int | float):
        shown = json.dumps(instance)
        return f"quote it: YAML reads an unquoted {shown} as a {_scalar_noun(instance)}"
    return None


def _scalar_noun(value: bool | int | float) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "number"


def _unknown_fields(doc: Document, path: DocPath,
                    error: ValidationError) -> Iterator[Diagnostic]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = sorted(schema.get("properties", {}))
    not_here: Mapping[str, str] = schema.get("x-not-here", {})
    instance = error.instance if isinstance(error.instance, dict) else {}
    for key in instance:
        if key in known:
            continue
        if key in not_here:  # a field that exists elsewhere, refused here on purpose
            yield doc.diag(path + (key,), not_here[key], "schema.unknown-field", at_key=True)
            continue
        hint = did_you_mean(key, known, otherwise=f"known fields: {', '.join(known)}"
                            if known else None)
        yield doc.diag(path + (key,), f"unknown field '{key}'", "schema.unknown-field",
                       hint=hint, at_key=True)


def _quoted_missing(error: ValidationError) -> str:
    # jsonschema says "'name' is a required property"; take the name back out.
    message: str = error.message
    return message.split("'")[1] if message.count("'") >= 2 else message


def _message(error: ValidationError) -> str:
    keyword, instance = str(error.validator), error.instance
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    custom = schema.get("x-message")
    if custom and keyword in ("not", "minProperties", "maxProperties"):
        return str(custom)
    if custom and keyword in ("pattern", "enum", "type", "minimum") and not (
            keyword == "type" and not isinstance(instance, str) and _wants_string(schema)):
        return f"{show_value(instance)} {custom}"
    if keyword == "type":
        wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        names = " or ".join(TYPE_NAMES.get(str(t), str(t)) for t in wanted)
        return f"expected {names}, found {describe_value(instance)}"
    if keyword == "enum":
        return _enum_message(instance, schema["enum"])
    if keyword == "const":
        return f"must be {json.dumps(schema['const'])}, found {show_value(instance)}"
    if keyword in ("minimum", "maximum"):
        word = "at least" if keyword == "minimum" else "at most"
        return f"must be {word} {schema[keyword]}, found {show_value(instance)}"
    if keyword in ("minItems", "minLength"):
        return "must not be empty"
    if keyword == "maxLength":
        return (f"{show_value(instance)} is {len(str(instance))} characters, longer than the "
                f"{schema['maxLength']} allowed")
    return str(error.message)


def _wants_string(schema: Mapping[str, Any]) -> bool:
    wanted = schema.get("type")
    return wanted == "string" or (isinstance(wanted, list) and "string" in wanted)


def _enum_message(instance: Any, allowed: list[Any]) -> str:
    options = ", ".join(str(a) for a in allowed)
    message = f"{show_value(instance)} is not one of: {options}"
    if isinstance(instance, str):
        near = closest(instance, [str(a) for a in allowed])
        if near is not None:
            message += f" (did you mean '{near}'?)"
    return message


