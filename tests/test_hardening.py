"""Hostile and broken input: each defect of issue 9 has a test here or a case under
``tests/cases/invalid/``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from test_invalid import CASES, make_repo

from compiler import validate
from compiler.load import load_bytes


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(CASES / "_base", tmp_path / "repo")


def _chat(repo: Path) -> Path:
    return repo / "models" / "team" / "chat.yaml"


def test_equals_and_merge_signs_are_plain_values(repo: Path) -> None:
    spec = _chat(repo)
    spec.write_text(spec.read_text() + "  args: [=, <<]\n")
    result = run_cli("check", "--repo", repo)
    assert result.exit_code == 0, result.stdout
    assert load_bytes(b"a: [=, <<]\n", "f.yaml").documents[0].data == {"a": ["=", "<<"]}


def test_merge_key_is_still_refused() -> None:
    result = load_bytes(b"a: {<<: {b: 1}}\n", "f.yaml")
    assert [d.rule for d in result.diagnostics] == ["load.merge-key"]


@pytest.mark.parametrize("text", ["x: " + "[" * 30000 + "]" * 30000, "- " * 30000 + "x",
                                  "x: " + "{a: " * 30000, "? " * 30000 + "x",
                                  "".join(" " * i + "a:\n" for i in range(1300))])
def test_deep_nesting_is_refused_before_composing(text: str) -> None:
    # Before the fix the C composer recursed into these and crashed with SIGSEGV.
    result = load_bytes(text.encode(), "f.yaml")
    assert [(d.rule, d.message) for d in result.diagnostics] == [
        ("load.depth", "nesting deeper than 64 levels")]


def test_a_rejected_document_is_never_accepted(monkeypatch: pytest.MonkeyPatch,
                                               repo: Path) -> None:
    # Python's "$" matches before a final newline; without the \Z rewrite the
    # explaining validator finds nothing wrong where the fast one refuses.
    monkeypatch.setattr(validate, "_python_patterns", lambda schema: schema)
    spec = _chat(repo)
    spec.write_text(spec.read_text().replace("name: chat", 'name: "chat\\n"'))
    result = run_cli("check", "--repo", repo)
    assert result.exit_code == 1
    assert ("models/team/chat.yaml:1:1: error: $: does not match the ModelDeployment schema "
            "[schema.invalid]") in result.stdout


_HOSTILE = 'x\\n::add-mask::secret\\r\\u001b[31m\\u0085'


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_control_characters_are_escaped_in_every_format(repo: Path, fmt: str) -> None:
    spec = _chat(repo)
    spec.write_text(spec.read_text().replace("hardwareProfile: nvidia-gpu",
                                             f'hardwareProfile: "{_HOSTILE}"'))
    result = run_cli("check", "--repo", repo, "--format", fmt)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert not any(line.startswith("::add-mask") for line in lines)
    assert all(ch == "\n" or (ch >= " " and not "\x7f" <= ch <= "\x9f") for ch in result.stdout)
    if fmt == "json":
        assert "::add-mask::" in json.loads(result.stdout)["diagnostics"][0]["message"]


def test_values_are_echoed_only_as_short_excerpts(repo: Path) -> None:
    spec = _chat(repo)
    spec.write_text(spec.read_text().replace("hardwareProfile: nvidia-gpu",
                                             "hardwareProfile: " + "A" * 5000))
    result = run_cli("check", "--repo", repo)
    assert result.exit_code == 1
    assert "A" * 80 not in result.stdout


def test_not_mapping_echoes_a_short_excerpt_of_the_file(repo: Path) -> None:
    _chat(repo).write_text("SECRET_TOKEN=" + "s" * 5000 + "\n")
    result = run_cli("check", "--repo", repo, "--format", "github")
    assert result.exit_code == 1
    assert "s" * 60 not in result.stdout
    assert "a string ('SECRET_TOKEN=sssss" in result.stdout
