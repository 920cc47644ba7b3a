"""Small helpers for words people read: aligned tables, "did you mean"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


def table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Rows as left-aligned columns, indented by two spaces; the first row is the heading."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def closest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice a typo most likely meant: the same word in another case, else the
    closest by similarity (at least ``cutoff``), else None."""
    options = list(choices)
    same = [c for c in options if c.lower() == word.lower()]
    near = same or difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    return near[0] if near else None


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6,
                 otherwise: str | None = None) -> str | None:
    """``did you mean 'x'?`` for a hint, or ``otherwise`` when nothing is close."""
    near = closest(word, choices, cutoff=cutoff)
    return f"did you mean '{near}'?" if near is not None else otherwise
