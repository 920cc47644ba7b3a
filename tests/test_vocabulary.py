"""Label and annotation keys are spelled once, in compiler/vocabulary.py.

The cluster ignores a misspelt key silently, so a key written as a literal in some
module is a bug waiting to happen: this scans every string in compiler/ (docstrings
aside) for a domain-prefixed key (``opendatahub.io/serving-runtime-scope``) or a JSON
pointer that reaches one (``serving.kserve.io~1stop``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from compiler import vocabulary as V

COMPILER = Path(__file__).resolve().parent.parent / "compiler"
KEY = re.compile(r"(?<![\w.-])(?<!//)(?:[a-z0-9-]+\.)+[a-z]+(?:/|~1)[a-z][A-Za-z0-9._-]*")
API_VERSION = re.compile(r"/v\d+((alpha|beta)\d+)?$")
NOT_KEYS = {
    "kubernetes.io/service-account-token",  # a Secret type, not a key
}


def _strings(tree: ast.Module) -> list[ast.Constant]:
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}
    return [node for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docs]


def literal_keys(source: str) -> list[tuple[int, str]]:
    found = []
    for node in _strings(ast.parse(source)):
        assert isinstance(node.value, str)
        for match in KEY.findall(node.value):
            if not API_VERSION.search(match) and match not in NOT_KEYS:
                found.append((node.lineno, match))
    return sorted(found)


def test_no_module_spells_a_key_itself() -> None:
    found = [f"{path.relative_to(COMPILER.parent)}:{line}: {key}"
             for path in sorted(COMPILER.rglob("*.py")) if path.name != "vocabulary.py"
             for line, key in literal_keys(path.read_text())]
    assert found == []


def test_the_scan_finds_keys_in_values_messages_and_pointers() -> None:
    source = ('"""opendatahub.io/disabled in a docstring is prose."""\n'
              'A = {"serving.kserve.io/stop": "true"}\n'
              'B = f"scope ({x}) is opendatahub.io/serving-runtime-scope"\n'
              'C = "/metadata/annotations/serving.kserve.io~1stop"\n'
              'D = "serving.kserve.io/v1beta1"\n'
              'E = "for example oci://quay.io/org/model:1"\n')
    assert literal_keys(source) == [(2, "serving.kserve.io/stop"),
                                    (3, "opendatahub.io/serving-runtime-scope"),
                                    (4, "serving.kserve.io~1stop")]


def test_pointers_escape_keys() -> None:
    assert V.annotation_pointer(V.STOP) == "/metadata/annotations/serving.kserve.io~1stop"
    assert V.json_pointer("a~b", "c/d") == "/a~0b/c~1d"
