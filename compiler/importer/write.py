"""Writing the imported files: inside the config repo only, all or nothing."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

from compiler.errors import UsageError


def inside(root: Path, rel: str) -> Path:
    """``root/rel``, refused when it (or a linked folder on the way) leads outside."""
    path = root / rel
    real_root = Path(os.path.realpath(root))
    if ".." in Path(rel).parts or Path(rel).is_absolute() or \
            not Path(os.path.realpath(path)).is_relative_to(real_root):
        raise UsageError(f"refusing to write {rel}: it is outside the config repo {root}")
    return path


def write_files(root: Path, files: Mapping[str, str], *, force: bool) -> None:
    """Stage every file beside its target, then rename them into place: a failure while
    staging leaves the repo as it was. Without ``force`` an existing file is never
    replaced (checked again right before each rename)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for rel, text in files.items():
            path = inside(root, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            inside(root, rel)  # a folder created meanwhile as a link still may not lead out
            temp = path.with_name(f".{path.name}.inferc-import-{os.getpid()}")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            staged.append((temp, path))
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
        clashes = [p for _, p in staged if not force and (p.exists() or p.is_symlink())]
        if clashes:
            raise UsageError(f"{clashes[0]} appeared while importing; nothing was written")
        for temp, path in staged:
            os.replace(temp, path)
    finally:
        for temp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
