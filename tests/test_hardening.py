"""Hostile and broken input: each defect of issue 9 has a test here or a case under
``tests/cases/invalid/``."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
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


# --- output: ownership, inputs, swap, lock, the machine's failures -------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def built(repo: Path, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    result = run_cli("build", "-o", out, cwd=repo)
    assert result.exit_code == 0, result.stderr
    return out, _tree(out)


def _change(repo: Path) -> None:
    spec = _chat(repo)
    spec.write_text(spec.read_text() + "  replicas: 2\n")


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.mark.parametrize("inside", ["models/out", "environments", "presets/x", "models"])
def test_output_inside_an_input_is_refused(repo: Path, inside: str) -> None:
    result = run_cli("build", "-o", repo / inside, cwd=repo)
    assert result.exit_code == 2
    assert "is inside the repo's input" in result.stderr
    assert run_cli("check", cwd=repo).exit_code == 0


def test_an_empty_folder_inferc_did_not_create_is_refused(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for args in (["build"], ["build", "--check"]):
        result = run_cli(*args, "-o", tmp_path / "empty", cwd=repo)
        assert result.exit_code == 2, args
        assert result.stderr.count("\n") == 1
        assert "was not written by inferc (no .inferc-output file)" in result.stderr


def test_check_refuses_a_foreign_tree_without_reading_it(repo: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "usr"
    (foreign / "lib").mkdir(parents=True)
    (foreign / "lib" / "big.bin").write_bytes(b"\0" * 1024)
    result = run_cli("build", "--check", "-o", foreign, cwd=repo)
    assert result.exit_code == 2
    assert "refusing to replace" in result.stderr


def test_a_build_killed_between_the_renames_is_rolled_back(
        repo: Path, built: tuple[Path, dict[str, bytes]]) -> None:
    out, before = built
    # The state a SIGKILL between the two renames leaves: no OUT, the old tree
    # parked in .out.old-*, a complete new one in .out.new-*.
    parked = out.parent / ".out.old-k1ll"
    parked.mkdir()
    out.rename(parked / "out")
    shutil.copytree(parked / "out", out.parent / ".out.new-k1ll")
    (out.parent / ".out.new-stale").mkdir()
    from compiler.emit import recover

    done = recover(out)
    assert done[0] == f"restored {out} from an interrupted build"
    assert _tree(out) == before
    assert _leftovers(out) == []


def test_the_next_build_cleans_leftovers_of_earlier_runs(
        repo: Path, built: tuple[Path, dict[str, bytes]]) -> None:
    out, before = built
    for name in (".out.old-aaaa/out/base", ".out.new-bbbb/overlays"):
        (out.parent / name).mkdir(parents=True)
    assert run_cli("build", "-o", out, cwd=repo).exit_code == 0
    assert _tree(out) == before
    assert _leftovers(out) == []


def test_a_build_waits_a_bounded_time_for_another_then_fails_clearly(
        repo: Path, built: tuple[Path, dict[str, bytes]]) -> None:
    from compiler.emit import _locked

    out, before = built
    _change(repo)
    with _locked(out):  # another build holds the output folder and never finishes
        result = run_cli("build", "-o", out, "--wait", "0.3", cwd=repo)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"inferc: waiting for another inferc build writing {out} (up to 0.3 s)",
        f"inferc: error: another inferc build is still writing {out} after 0.3 s (lock "
        f"{out.parent / '.out.lock'}); run again when it has finished"]
    assert _tree(out) == before
    assert run_cli("build", "-o", out, cwd=repo).exit_code == 0  # the lock is released


def test_a_second_build_waits_for_the_first_then_succeeds(
        repo: Path, built: tuple[Path, dict[str, bytes]]) -> None:
    import threading

    from compiler.emit import _locked

    out, before = built
    _change(repo)
    held, release = threading.Event(), threading.Event()

    def first_build() -> None:
        with _locked(out):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=first_build)
    holder.start()
    held.wait(10)
    threading.Timer(0.5, release.set).start()  # the first build finishes while we wait
    result = run_cli("build", "-o", out, cwd=repo)
    holder.join()
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"inferc: waiting for another inferc build writing {out} (up to 120 s)",
        f"inferc: wrote 13 files to {out}"]
    assert _tree(out) != before  # this build's tree, written after the first one's


def test_concurrent_builds_of_one_folder_all_succeed(
        repo: Path, built: tuple[Path, dict[str, bytes]]) -> None:
    """Two real processes (two terminals, or a hook beside an editor): the second waits."""
    out, before = built
    procs = [subprocess.Popen([sys.executable, "-m", "compiler", "build", "-o", str(out)],
                              cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outputs]
    assert [o[1].splitlines()[-1] for o in outputs] == [
        f"inferc: wrote {len(before) - 1} files to {out}"] * 3  # all but the marker
    assert _tree(out) == before
    assert _leftovers(out) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EIO])
def test_machine_failures_are_one_line_exit_2_and_keep_the_old_tree(
        repo: Path, built: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch,
        code: int) -> None:
    from compiler import emit

    out, before = built
    _change(repo)

    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(emit, "_stage", failing)
    result = run_cli("build", "-o", out, cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == (f"inferc: error: cannot write {out}: {os.strerror(code)}; the "
                             "previous output is unchanged\n")
    assert _tree(out) == before
    assert _leftovers(out) == []


def test_a_file_where_a_folder_should_be_is_exit_2(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = run_cli("build", "-o", tmp_path / "file" / "out", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == (f"inferc: error: cannot write {tmp_path / 'file' / 'out'}: "
                             f"{tmp_path / 'file'} is not a folder\n")


def test_a_mount_point_is_written_inside(repo: Path, built: tuple[Path, dict[str, bytes]],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out, before = built
    inode = out.stat().st_ino
    real_rename = os.rename

    def busy(src: object, dst: object) -> None:  # what renaming a mount point gives
        if Path(str(src)) == out:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(src))
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", busy)
    _change(repo)
    result = run_cli("build", "-o", out, cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_ino == inode
    assert sorted(p.name for p in out.iterdir()) == [".inferc-output", "base", "overlays"]
    monkeypatch.undo()
    fresh = out.parent / "fresh"
    assert run_cli("build", "-o", fresh, cwd=repo).exit_code == 0
    assert _tree(out) == _tree(fresh) != before
    assert _leftovers(out) == []


@pytest.mark.parametrize("phase", ["retire", "install"])
def test_an_interrupted_swap_inside_a_mount_point_is_finished(
        repo: Path, built: tuple[Path, dict[str, bytes]], phase: str) -> None:
    from compiler import emit

    out, before = built
    # Stage a new tree inside, then stop half-way through the phase, as a kill would.
    new = {rel: data + b"# new\n" for rel, data in before.items() if rel != ".inferc-output"}
    staging = out / ".inferc-new"
    for rel, data in {**new, ".inferc-output": before[".inferc-output"]}.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_bytes(data)
    (out / ".inferc-swap").write_text(phase + "\n")
    (out / ".inferc-old").mkdir()
    if phase == "retire":
        (out / "base").rename(out / ".inferc-old" / "base")
    else:
        for entry in ("base", "overlays"):
            (out / entry).rename(out / ".inferc-old" / entry)
        (staging / "base").rename(out / "base")
    emit.recover(out)
    assert _tree(out) == {**new, ".inferc-output": before[".inferc-output"]}
    assert sorted(p.name for p in out.iterdir()) == [".inferc-output", "base", "overlays"]


def test_a_latin1_terminal_is_exit_2_with_one_line(repo: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "compiler", "render", "--env", "prod"],
                          cwd=repo, capture_output=True, check=False,
                          env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == b""
    assert proc.stderr == (b"inferc: error: the output cannot be written in this terminal's "
                           b"encoding (latin-1); set PYTHONIOENCODING=utf-8 or a UTF-8 locale\n")


def test_check_fails_for_what_render_rejects(tmp_path: Path) -> None:
    # Found by the fuzz suite: a runtime template whose container ports are a mapping
    # passed check (the template schema does not model containers) and failed render.
    from conftest import ROOT

    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "cases" / "golden" / "repo-presets" / "repo", repo)
    template = repo / "presets" / "runtimes" / "triton.yaml"
    template.write_text(template.read_text().replace(
        "        ports:\n        - containerPort: 8000\n", "        ports:\n          containerPort: 8000\n"))
    rendered = run_cli("render", "--env", "prod", cwd=repo)
    assert rendered.exit_code == 1
    checked = run_cli("check", cwd=repo)
    assert checked.exit_code == 1
    assert checked.stdout.splitlines()[0] == rendered.stderr.splitlines()[0]
    assert "expected a list, found a mapping [verify.schema]" in checked.stdout
    files = run_cli("check", "models/fraud/scorer.yaml", cwd=repo)
    assert files.exit_code == 1
