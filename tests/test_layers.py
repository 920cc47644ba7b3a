"""Layer merge: nested blocks merge per key at every depth, with the origin of every leaf.

The merge is what every resolved value rests on, so besides the cases it has
property tests over random layers (hypothesis).
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.load import Document, SourceMap
from compiler.resolve import layers as L

NAMES = (L.BUILTIN, L.ENV_DEFAULT, L.SPEC, L.ENV_OVERRIDE)


def layer(name: L.LayerName, fields: dict[str, Any]) -> L.Layer:
    doc = Document(f"{name}.yaml", {"spec": fields}, SourceMap())
    return L.Layer(name, doc, ("spec",), fields)


def test_an_override_of_a_nested_field_keeps_the_rest_of_its_block() -> None:
    spec: dict[str, Any] = {"llmd": {"prefill": {"replicas": 1, "resources": {"cpu": "4"}},
                                     "router": {"scheduler": True}}}
    override: dict[str, Any] = {"llmd": {"prefill": {"replicas": 3}}}
    values, origins = L.merge([layer(L.SPEC, spec), layer(L.ENV_OVERRIDE, override)])
    assert values["llmd"] == {"prefill": {"replicas": 3, "resources": {"cpu": "4"}},
                              "router": {"scheduler": True}}
    assert origins["llmd.prefill.replicas"].layer == L.ENV_OVERRIDE
    assert origins["llmd.prefill.replicas"].path == ("spec", "llmd", "prefill", "replicas")
    assert origins["llmd.prefill.resources.cpu"].layer == L.SPEC
    assert origins["llmd.router.scheduler"].layer == L.SPEC
    assert origins["llmd"].layer == L.ENV_OVERRIDE  # a block: the highest layer in it
    assert spec["llmd"]["prefill"]["replicas"] == 1  # input never changes


def test_lists_replace_env_merges_by_name_and_whole_blocks_replace() -> None:
    low = {"args": ["--a", "--b"], "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
           "strategy": {"type": "RollingUpdate", "maxSurge": 2}}
    high = {"args": ["--c"], "env": [{"name": "B", "value": "3"}],
            "strategy": {"type": "Recreate"}}
    values, origins = L.merge([layer(L.SPEC, low), layer(L.ENV_OVERRIDE, high)])
    assert values["args"] == ["--c"]
    assert values["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]
    assert origins["env.A"].layer == L.SPEC and origins["env.B"].layer == L.ENV_OVERRIDE
    assert values["strategy"] == {"type": "Recreate"}


def test_provenance_falls_back_to_the_nearest_block() -> None:
    _, origins = L.merge([layer(L.SPEC, {"access": {"rateLimits": {"tokens": []}}})])
    assert L.origin_of(origins, "access.rateLimits.tokens").path == (
        "spec", "access", "rateLimits", "tokens")
    assert L.origin_of(origins, "access.rateLimits.requests").path == (
        "spec", "access", "rateLimits")
    assert L.origin_of(origins, "access.tokens").path == ("spec", "access")


# ------------------------------------------------------------------ properties

_KEYS = st.sampled_from(["a", "b", "c", "d"])  # few keys, so layers overlap often
_SCALARS = st.one_of(st.integers(-3, 3), st.booleans(), st.text("xyz", max_size=2), st.none())
_VALUES = st.recursive(_SCALARS | st.lists(_SCALARS, max_size=2),
                       lambda inner: st.dictionaries(_KEYS, inner, max_size=3), max_leaves=8)
_FIELDS = st.dictionaries(_KEYS, _VALUES, max_size=4)


def _leaves(value: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(value, dict) and value:
        out: dict[tuple[str, ...], Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, (*prefix, key)))
        return out
    return {prefix: value}


def _expected(stack: list[dict[str, Any]]) -> dict[tuple[str, ...], tuple[Any, int]]:
    """Leaf path → (value, index of the layer that wins it). A higher layer's leaf wins
    and removes what lay on its path or below it; an empty mapping adds no leaf but
    turns a lower scalar on its path into a block."""
    won: dict[tuple[str, ...], tuple[Any, int]] = {}
    for index, fields in enumerate(stack):
        leaves = {path: v for key, value in fields.items()
                  for path, v in _leaves(value, (key,)).items()}
        for path, value in leaves.items():
            above = {p for p in won if p != path and path[:len(p)] == p}
            below = {p for p in won if p != path and p[:len(path)] == path}
            won = {p: v for p, v in won.items() if p not in above}
            if value == {} and below:
                continue
            won = {p: v for p, v in won.items() if p not in below}
            won[path] = (value, index)
    return won


@settings(max_examples=300, deadline=None)
@given(st.lists(_FIELDS, min_size=1, max_size=4))
def test_merge_keeps_every_leaf_of_the_highest_layer_that_sets_it(
        stack: list[dict[str, Any]]) -> None:
    before = copy.deepcopy(stack)
    values, origins = L.merge([layer(NAMES[i], f) for i, f in enumerate(stack)])
    assert stack == before, "the merge must not change its input"
    merged = {path: v for key, value in values.items() for path, v in _leaves(value, (key,)).items()}
    expected = _expected(stack)
    assert merged == {p: v for p, (v, _) in expected.items()}
    for path, (_, index) in expected.items():
        assert origins[".".join(path)].layer == NAMES[index]
        assert origins[".".join(path)].path == ("spec", *path)


@settings(max_examples=100, deadline=None)
@given(_FIELDS)
def test_merging_one_layer_gives_that_layer(fields: dict[str, Any]) -> None:
    values, _ = L.merge([layer(L.SPEC, fields)])
    assert values == fields
