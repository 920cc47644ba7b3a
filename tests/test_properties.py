"""Property tests (hypothesis) for the pure functions the output rests on: JSON-patch
derivation, quantity canonicalisation and object ordering. (Layer merge: test_layers.py.)"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from compiler.order import kustomize_order, sort_key
from compiler.overlay import json_patch
from compiler.quantity import canonical, parse

# ------------------------------------------------------------------ JSON patch

_KEYS = st.text("ab/~c", min_size=1, max_size=3)  # '/' and '~' need escaping in pointers
_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text("xy", max_size=2))
_JSON = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)), max_leaves=10)
_OBJECTS = st.dictionaries(_KEYS, _JSON, max_size=4)


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _apply(doc: Any, ops: list[dict[str, Any]]) -> Any:
    """RFC 6902 add/remove/replace, as kustomize applies them."""
    doc = copy.deepcopy(doc)
    for op in ops:
        parts = [_unescape(p) for p in op["path"].split("/")[1:]]
        if not parts:
            assert op["op"] == "replace"
            doc = copy.deepcopy(op["value"])
            continue
        parent = doc
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        last: Any = int(parts[-1]) if isinstance(parent, list) else parts[-1]
        if op["op"] == "remove":
            del parent[last]
        else:
            assert op["op"] == "add" or last in parent or isinstance(parent, list)
            parent[last] = copy.deepcopy(op["value"])
    return doc


@settings(max_examples=300, deadline=None)
@given(_OBJECTS, _OBJECTS)
def test_the_patch_turns_base_into_the_environment_object(
        base: dict[str, Any], env: dict[str, Any]) -> None:
    ops = list(json_patch(base, env))
    assert _apply(base, ops) == env
    assert (ops == []) == (base == env)


@settings(max_examples=100, deadline=None)
@given(_OBJECTS)
def test_an_object_needs_no_patch_to_itself(obj: dict[str, Any]) -> None:
    assert list(json_patch(obj, copy.deepcopy(obj))) == []


# ------------------------------------------------------------------ quantities

_SUFFIXES = st.sampled_from(["", "m", "k", "M", "G", "Ki", "Mi", "Gi", "Ti", "n", "u", "e3"])
_QUANTITIES = st.builds(lambda n, frac, s: f"{n}{frac}{s}", st.integers(0, 5000),
                        st.sampled_from(["", ".5", ".25", ".125"]), _SUFFIXES)


@settings(max_examples=300, deadline=None)
@given(_QUANTITIES)
@example("531.25Ki")  # found by this property: a byte count that is not a multiple of 1024
def test_canonical_keeps_the_value_and_is_stable(text: str) -> None:
    written = canonical(text)
    assert canonical(written) == written
    nano = Decimal("1e-9")
    value = parse(text).value
    assert value <= parse(written).value < value + nano  # rounded up to nano precision at most


def test_a_fractional_binary_quantity_is_written_as_the_api_server_returns_it() -> None:
    # apimachinery writes 531.25Ki as 544000, which reads back (and is served) as 544k
    assert canonical("531.25Ki") == "544k"
    assert canonical("1.5Gi") == "1536Mi"


@given(st.integers(0, 10**6))
def test_integers_are_written_as_integers(n: int) -> None:
    assert parse(canonical(n)).value == n


# ------------------------------------------------------------------ object order

_KINDS = st.sampled_from(["Namespace", "ServiceAccount", "Role", "Secret", "ServingRuntime",
                          "InferenceService", "HTTPRoute", "ConfigMap"])
_OBJ = st.builds(lambda kind, ns, name: {"apiVersion": "v1" if kind in (
    "Namespace", "ServiceAccount", "Secret", "ConfigMap") else "example.io/v1", "kind": kind,
    "metadata": {"name": name, **({"namespace": ns} if ns else {})}},
    _KINDS, st.sampled_from(["", "a", "b"]), st.text("xyz", min_size=1, max_size=3))


@settings(max_examples=200, deadline=None)
@given(st.lists(_OBJ, max_size=12), st.randoms(use_true_random=False))
def test_order_does_not_depend_on_input_order(objects: list[dict[str, Any]], rnd: Any) -> None:
    shuffled = list(objects)
    rnd.shuffle(shuffled)
    assert [sort_key(o) for o in kustomize_order(shuffled)] == \
        [sort_key(o) for o in kustomize_order(objects)]
    ordered = kustomize_order(objects)
    kinds = [o["kind"] for o in ordered]
    if "Namespace" in kinds:  # kustomize applies namespaces first
        assert kinds[:kinds.count("Namespace")] == ["Namespace"] * kinds.count("Namespace")
