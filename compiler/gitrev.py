"""Read a config repo as it was at one git revision, without touching the working tree.

``inferc diff`` compiles two revisions. The working tree, the index and HEAD are
never changed: the files of the config repo at a commit are listed with
``git ls-tree`` and read with ``git cat-file --batch`` (no checkout, no
``.gitattributes`` filters such as ``export-subst`` that ``git archive`` would
apply), then written into a private temporary folder that the ordinary repo
reader loads. The config repo may be a subfolder of the git repository: it is
read at the same path inside every revision.

Writing is safe against hostile trees: every path component is checked (no
``..``, no absolute path, no ``.git``), regular files are written first, and
symbolic links are created last, as links, so no file is ever written through
one; the repo reader then refuses links that lead out of the config repo, as it
does in a working tree. Submodules are not part of a config repo and are skipped.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from compiler.errors import EnvironmentFailure, UsageError
from compiler.load import MAX_BYTES

_LINK_MODE = "120000"
_LINK_MAX = 4096  # PATH_MAX: the longest target a symbolic link can have
_DIR_MODE = 0o700  # private: a temporary copy of a repository is nobody else's business


@dataclass(frozen=True)
class GitRepo:
    """The git repository holding a config repo, and where the config repo sits in it."""

    top: Path  # the work tree's top folder
    prefix: str  # the config repo's path inside it, POSIX, "" at the top


@dataclass(frozen=True)
class Commit:
    ref: str  # as the user wrote it
    sha: str

    @property
    def short(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True)
class _Entry:
    mode: str
    blob: str
    path: PurePosixPath  # relative to the config repo
    size: int


def open_repo(config_root: Path) -> GitRepo:
    """The git repository around ``config_root``; not in one is a one-line usage error."""
    proc = _git(config_root, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        said = proc.stderr.decode(errors="replace")
        if "not a git repository" not in said:  # e.g. "detected dubious ownership" in CI
            advice = next((f" (to trust it: {line.strip()})" for line in said.splitlines()
                           if "safe.directory" in line), "")
            raise EnvironmentFailure(f"git cannot read {config_root}: {_fatal(said)}{advice}")
        raise UsageError(f"{config_root} is not in a git repository: inferc diff compares "
                         "git revisions")
    top = Path(proc.stdout.decode().rstrip("\n")).resolve()
    prefix = config_root.resolve().relative_to(top).as_posix()
    return GitRepo(top, "" if prefix == "." else prefix)


def resolve(repo: GitRepo, ref: str) -> Commit:
    """The commit ``ref`` names (a branch, tag, sha, ``HEAD~2``…); unknown is a usage error."""
    if ref.startswith("-"):  # never let a ref become an option of git
        raise UsageError(f"no git revision '{ref}'")
    proc = _git(repo.top, "rev-parse", "--verify", "--quiet", "--end-of-options",
                f"{ref}^{{commit}}", check=False)
    if proc.returncode != 0:
        raise UsageError(f"no git revision '{ref}' in {repo.top}")
    return Commit(ref, proc.stdout.decode().strip())


def extract(repo: GitRepo, commit: Commit, dest: Path) -> None:
    """Write the config repo's files at ``commit`` into the empty folder ``dest``."""
    entries = list(_tree(repo, commit))
    if not any(e.path == PurePosixPath("inferc.yaml") for e in entries):
        where = f"{repo.prefix}/" if repo.prefix else "the top of the repository"
        raise UsageError(f"revision '{commit.ref}' ({commit.short}) has no inferc.yaml in "
                         f"{where}: no config repo to compare there")
    files = [e for e in entries if e.mode != _LINK_MODE]
    links = [e for e in entries if e.mode == _LINK_MODE]
    for entry in links:
        if entry.size > _LINK_MAX:  # no file system takes such a target; never read it
            raise UsageError(f"the revision holds a symbolic link '{entry.path}' whose target "
                             f"is {entry.size} bytes; refusing to read it")
    # A blob over the reader's limit is never read into memory (a crafted commit can hold
    # gigabytes of zeros in a few kilobytes): it becomes a sparse file of its size, which
    # the repo reader refuses by its size (load.too-large) as it would in a working tree.
    contents = _blobs(repo, [e.blob for e in files + links if e.size <= MAX_BYTES])
    try:
        for entry in files:
            _write(dest, entry.path, contents.get(entry.blob), entry.size,
                   executable=entry.mode == "100755")
        for entry in links:  # last: nothing is ever written through a link
            target = dest.joinpath(*entry.path.parts)
            _make_parents(dest, entry.path)
            os.symlink(contents[entry.blob].decode("utf-8", "surrogateescape"), target)
    except (FileExistsError, NotADirectoryError) as exc:
        # git never writes a tree naming a path twice (or as file and folder), a crafted one can
        raise UsageError(f"the revision holds the path '{_inside(dest, exc.filename)}' twice; "
                         "refusing to read it") from exc


def _tree(repo: GitRepo, commit: Commit) -> Iterator[_Entry]:
    args = ["ls-tree", "-r", "-z", "-l", "--full-tree", commit.sha]
    if repo.prefix:
        args += ["--", f"{repo.prefix}/"]
    proc = _git(repo.top, *args)
    for record in proc.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, blob, size = meta.decode().split()  # -l pads the size with spaces
        if kind != "blob":  # a submodule's commit: not part of a config repo
            continue
        path = PurePosixPath(name.decode("utf-8", "surrogateescape"))
        if repo.prefix:
            path = path.relative_to(repo.prefix)
        yield _Entry(mode, blob, _checked(path), int(size))


def _checked(path: PurePosixPath) -> PurePosixPath:
    """Refuse a tree entry that could land outside the copy (git itself never writes
    such trees, but a crafted commit can hold them)."""
    if path.is_absolute() or any(p in ("", ".", "..", ".git") for p in path.parts):
        raise UsageError(f"the revision holds an unsafe path '{path}'; refusing to read it")
    return path


def _blobs(repo: GitRepo, blobs: Sequence[str]) -> dict[str, bytes]:
    """Every blob's content with one ``git cat-file --batch``."""
    wanted = sorted(set(blobs))
    proc = _git(repo.top, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in wanted))
    out, at, found = proc.stdout, 0, {}
    for _ in wanted:
        end = out.index(b"\n", at)
        sha, _kind, size = out[at:end].decode().split(" ")
        start = end + 1
        found[sha] = out[start:start + int(size)]
        at = start + int(size) + 1  # the content is followed by a newline
    return found


def _write(dest: Path, path: PurePosixPath, content: bytes | None, size: int, *,
           executable: bool) -> None:
    """The file with ``content``; ``None`` (a blob too large to read): a sparse file of
    ``size`` bytes."""
    _make_parents(dest, path)
    target = dest.joinpath(*path.parts)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o700 if executable else 0o600)
    with os.fdopen(fd, "wb") as handle:
        if content is None:
            handle.truncate(size)
        else:
            handle.write(content)


def _inside(dest: Path, filename: object) -> str:
    """A path of the copy as the revision names it (never the temporary folder)."""
    try:
        return Path(str(filename)).relative_to(dest).as_posix()
    except ValueError:
        return str(filename)


def _make_parents(dest: Path, path: PurePosixPath) -> None:
    folder = dest
    for part in path.parts[:-1]:
        folder = folder / part
        if folder.is_symlink():  # cannot happen with links made last; never follow one
            raise UsageError(f"the revision holds a path through a link: '{path}'")
        if not folder.is_dir():
            folder.mkdir(mode=_DIR_MODE)


def _git(cwd: Path, *args: str, check: bool = True,
         stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    # A fixed, quiet environment: no pager, no prompts, no user config that changes output.
    env = {**os.environ, "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False,
                              env=env, input=stdin.encode() if stdin is not None else None)
    except FileNotFoundError as exc:
        raise EnvironmentFailure("git is not installed (inferc diff reads revisions with "
                                 "git)") from exc
    if check and proc.returncode != 0:
        raise EnvironmentFailure(f"git {args[0]} failed: "
                                 f"{_fatal(proc.stderr.decode(errors='replace'))}")
    return proc


def _fatal(stderr: str) -> str:
    """git's own reason, in one line: its ``fatal:`` line, else its last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = next((line for line in lines if line.startswith("fatal: ")), None)
    return (fatal.removeprefix("fatal: ") if fatal else lines[-1] if lines else
            "no reason given")
