"""Hostile and broken input: each defect of issue 9 has a test here or a case under
``tests/cases/invalid/``."""

from __future__ import annotations

import json
import os
import shutil
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


# --- Argo CD: never an empty success ------------------------------------------------------


def _no_models(repo: Path, how: str) -> None:
    shutil.rmtree(repo / "models")
    if how == "misspelt":
        (repo / "modles" / "team").mkdir(parents=True)
    elif how == "dangling":
        (repo / "models").symlink_to(repo / "nowhere")
    elif how == "wrong-extension":
        (repo / "models" / "team").mkdir(parents=True)
        (repo / "models" / "team" / "chat.json").write_text("{}\n")


@pytest.mark.parametrize(("how", "state"), [
    ("missing", "there is no models/ folder"),
    ("misspelt", "there is no models/ folder (is 'modles/' misspelt?)"),
    ("dangling", "models/ is a broken symbolic link"),
    ("wrong-extension", "models/ holds 1 file but no models/<namespace>/<name>.yaml"),
])
def test_render_of_an_environment_without_models_fails(repo: Path, how: str, state: str) -> None:
    _no_models(repo, how)
    result = run_cli("render", "--env", "prod", cwd=repo)
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ""
    assert (f"environments/prod.yaml:1:1: error: $: environment 'prod' renders no model: "
            f"{state} [repo.empty]") in result.stderr
    assert run_cli("check", cwd=repo).exit_code == 1
    assert run_cli("build", "-o", repo.parent / "out", cwd=repo).exit_code == 1
    assert not (repo.parent / "out").exists()


def test_allow_empty_accepts_an_environment_without_models(repo: Path) -> None:
    _no_models(repo, "missing")
    result = run_cli("render", "--env", "prod", "--allow-empty", cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert run_cli("check", "--allow-empty", cwd=repo).exit_code == 0


# --- the file system ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_links_out_of_the_repo_are_not_followed(repo: Path, tmp_path: Path, fmt: str) -> None:
    secret = tmp_path / "runner.env"
    secret.write_text("AWS_SECRET_ACCESS_KEY=hunter2\n")
    (repo / "models" / "team" / "leak.yaml").symlink_to(secret)
    (repo / "environments" / "staging.yaml").symlink_to(secret)
    result = run_cli("check", "--format", fmt, cwd=repo)
    assert result.exit_code == 1
    assert "hunter2" not in result.stdout + result.stderr
    assert "symbolic link to a file outside the config repo" in result.stdout
    assert "models/team/leak.yaml" in result.stdout
    assert "environments/staging.yaml" in result.stdout


def test_links_inside_the_repo_are_followed(repo: Path) -> None:
    (repo / "shared").mkdir()
    (repo / "models" / "team" / "chat.yaml").rename(repo / "shared" / "chat.yaml")
    (repo / "models" / "team" / "chat.yaml").symlink_to(repo / "shared" / "chat.yaml")
    assert run_cli("check", cwd=repo).exit_code == 0


def test_a_linked_folder_out_of_the_repo_is_not_followed(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "chat.yaml").write_text("password: hunter2\n")
    (repo / "models" / "other").symlink_to(outside)
    result = run_cli("check", cwd=repo)
    assert result.exit_code == 1
    assert "models/other/chat.yaml:1:1: error: $: symbolic link to a file outside" in result.stdout
    assert "hunter2" not in result.stdout


def test_a_fifo_is_refused_without_blocking(repo: Path) -> None:
    fifo = repo / "models" / "team" / "pipe.yaml"
    os.mkfifo(fifo)
    result = run_cli("check", cwd=repo)
    assert result.exit_code == 1
    assert ("models/team/pipe.yaml:1:1: error: $: cannot read file: not a regular file "
            "(a FIFO) [load.io]") in result.stdout
    result = run_cli("check", fifo, cwd=repo)
    assert result.exit_code == 1
    assert "not a regular file (a FIFO)" in result.stdout


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_verify_reads_only_regular_files(device: str) -> None:
    result = run_cli("verify", device)
    assert result.exit_code == 1
    assert f"{device}:1:1: error: $: cannot read file: not a regular file" in result.stdout


def test_proc_files_are_read_with_the_limit_enforced(tmp_path: Path) -> None:
    # /proc files report size 0; the limit must hold while reading.
    from compiler.load import Unreadable, read_limited

    with pytest.raises(Unreadable, match="more than 16 bytes"):
        read_limited(Path("/proc/self/status"), limit=16)
