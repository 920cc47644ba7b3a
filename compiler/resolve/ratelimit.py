"""Request and token rate limits of one model (the documentation on llm-d rate limits; Kuadrant's
RateLimitPolicy and TokenRateLimitPolicy).

Kuadrant's CRDs accept a window only as up to four ``<1–5 digits><h|m|s|ms>``
parts (``^([0-9]{1,5}(h|m|s|ms)){1,4}$``): real examples that write ``1d`` are
rejected by the API server. People think in days, so a window may use ``d``;
inferc writes it in hours (``1d`` → ``24h``). A window already in the CRD's
form is written as given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.errors import InputError
from compiler.resolve.layers import Origin
from compiler.resolve.records import Rate, RateLimits

_PART = re.compile(r"([0-9]+)(ms|d|h|m|s)")
_WHOLE = re.compile(r"^(?:[0-9]+(?:ms|d|h|m|s))+$")
CRD_WINDOW = re.compile(r"^([0-9]{1,5}(h|m|s|ms)){1,4}$")  # the CRDs' own pattern
_MS = {"d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1_000, "ms": 1}
_MAX_DIGITS = 99_999


class WindowError(InputError):
    """A window inferc cannot write in the CRD's form; the message says why."""


def window(text: str) -> str:
    """The CRD form of a window such as ``30s``, ``1h30m`` or ``1d``."""
    if CRD_WINDOW.match(text) and int(_total_ms(text)) > 0:
        return text
    if not _WHOLE.match(text):
        raise WindowError(f"window '{text}' is not a duration such as 30s, 5m, 24h or 7d "
                          "(units: d, h, m, s, ms; no spaces)")
    total = _total_ms(text)
    if total == 0:
        raise WindowError(f"window '{text}' is zero; a limit needs a window longer than zero")
    return _as_crd(text, total)


def _total_ms(text: str) -> int:
    return sum(int(n) * _MS[unit] for n, unit in _PART.findall(text))


def _as_crd(text: str, total: int) -> str:
    parts = []
    for unit in ("h", "m", "s", "ms"):
        count, total = divmod(total, _MS[unit])
        if count > _MAX_DIGITS:
            raise WindowError(f"window '{text}' is {count} {_UNIT_NAMES[unit]}; Kuadrant "
                              f"accepts at most {_MAX_DIGITS} (about 11 years)")
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


_UNIT_NAMES = {"h": "hours", "m": "minutes", "s": "seconds", "ms": "milliseconds"}


def resolve(access: Mapping[str, Any], origins: Mapping[str, Origin],
            ) -> tuple[RateLimits, list[Diagnostic]]:
    spec = access.get("rateLimits")
    origin = origins.get("access.rateLimits")
    if not spec or origin is None:
        return RateLimits(), []
    diags: list[Diagnostic] = []
    kinds = {kind: _rates(spec.get(kind, ()), origin, kind, diags)
             for kind in ("requests", "tokens")}
    return RateLimits(requests=kinds["requests"], tokens=kinds["tokens"]), diags


def _rates(entries: Any, origin: Origin, kind: str, diags: list[Diagnostic],
           ) -> tuple[Rate, ...]:
    rates: list[Rate] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = Origin(origin.layer, origin.doc, (*origin.path, kind, index, "window"))
        try:
            text = window(str(entry["window"]))
        except WindowError as exc:
            diags.append(where.diag(str(exc), "access.rate-window",
                                    hint="a day is 24h, a week 168h"))
            continue
        if text in seen:
            diags.append(where.diag(
                f"window '{entry['window']}' repeats the window of {kind}[{seen[text]}] "
                f"({text}); give each window one limit", "access.rate-window-repeated"))
            continue
        seen[text] = index
        rates.append(Rate(int(entry["limit"]), text))
    return tuple(rates)
