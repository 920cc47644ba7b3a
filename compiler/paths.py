"""Where the config repo is, and how files are named in messages.

Every command finds the config repo the same way git finds ``.git``: the given
folder (or the current one) and its parents, nearest first. Diagnostics name
files relative to the current directory (absolute when outside it), never to
the config repo, so a CI annotation for a repo kept in ``deploy/`` lands on
``deploy/models/...``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from compiler.diagnostics import Diagnostic
from compiler.repo import find_root


def locate(repo: Path | None) -> Path:
    """The config repo at or above ``repo`` (default: the current directory)."""
    return find_root(repo if repo is not None else Path.cwd())


def shown(root: Path, file: str) -> str:
    """``file`` (relative to the repo ``root``) as the user should read it."""
    if file.startswith("<"):  # built-in data, e.g. <inferc>/presets/...
        return file
    path = Path(file) if Path(file).is_absolute() else root / file
    return shown_path(path)


def shown_path(path: Path) -> str:
    """A path relative to the current directory when inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def rebase(root: Path, diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics whose ``file`` is relative to ``root``, renamed for the user."""
    return [replace(d, file=shown(root, d.file)) for d in diags]
