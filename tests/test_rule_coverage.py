"""Every rule id the compiler can report is exercised by a test.

Rule ids are found in the source: string constants such as ``"storage.unpinned"``
passed to a call (``doc.diag(path, message, "storage.unpinned")``), given as a
parameter default, or assigned to a ``RULE…`` constant. Ids built at run time
(``f"schema.{keyword}"``) cannot be listed and are covered by their own cases.
A rule counts as exercised when an invalid case (``tests/cases/invalid/*/expected.txt``)
or a verify fixture's expected output shows it, or a test module asserts it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULE = re.compile(r"^[a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*$")
# calls whose string arguments are lookup keys (origins, features), not rule ids
_LOOKUPS = {"get", "setdefault", "origin_of", "startswith", "endswith", "runs", "feature",
            "join", "split", "partition", "rpartition", "replace", "pop"}

# Rules only another lane's target or platform can reach, with no case yet. The test
# below fails as soon as one of them gets a case, so this list can only shrink.
NO_CASE_YET: set[str] = set()


def _string(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and RULE.match(node.value):
        return node.value
    return None


def _rules_in(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        candidates: list[ast.AST] = []
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in _LOOKUPS:
                candidates = [*node.args, *(k.value for k in node.keywords)]
        elif isinstance(node, ast.FunctionDef):
            candidates = [*node.args.defaults, *(d for d in node.args.kw_defaults if d)]
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.startswith("RULE") for t in node.targets):
            candidates = [node.value]
        found |= {rule for c in candidates if (rule := _string(c)) is not None}
    return found


def code_rules() -> set[str]:
    return {rule for path in (ROOT / "compiler").rglob("*.py")
            for rule in _rules_in(ast.parse(path.read_text(encoding="utf-8")))}


def exercised() -> set[str]:
    texts = [p.read_text(encoding="utf-8") for p in (
        *(ROOT / "tests" / "cases" / "invalid").glob("*/expected.txt"),
        *(ROOT / "tests" / "verify").rglob("*.txt"))]
    shown = {r for t in texts for r in re.findall(r"\[([a-z]+\.[a-z0-9-]+)\]", t)}
    asserted = {r for p in (ROOT / "tests").glob("test_*.py") if p.name != Path(__file__).name
                for r in re.findall(r"[\[\"']([a-z]+\.[a-z0-9-]+)[\]\"']",
                                    p.read_text(encoding="utf-8"))}
    return shown | asserted


def test_every_rule_has_a_case() -> None:
    rules = code_rules()
    assert len(rules) > 50, "the scan finds the rule ids"
    assert sorted(rules - exercised() - NO_CASE_YET) == []


def test_rules_without_a_case_are_still_without_one() -> None:
    assert sorted(NO_CASE_YET & exercised()) == [], "remove them from NO_CASE_YET"
    assert code_rules() >= NO_CASE_YET, "a rule that no longer exists"


def test_the_five_rules_that_had_no_case_have_one() -> None:
    cases = {r for p in (ROOT / "tests" / "cases" / "invalid").glob("*/expected.txt")
             for r in re.findall(r"\[([a-z]+\.[a-z0-9-]+)\]", p.read_text(encoding="utf-8"))}
    assert {"load.depth", "load.merge-key", "schema.key", "storage.unpinned"} <= cases
    # load.io needs a file that cannot be read (a FIFO), which a case folder cannot hold:
    # tests/test_hardening.py makes one
    assert "[load.io]" in (ROOT / "tests" / "test_hardening.py").read_text(encoding="utf-8")
