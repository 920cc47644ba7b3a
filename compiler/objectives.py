"""Service-level objectives written in the user's words, read into typed records.

Two forms, case-insensitive, extra spaces allowed::

    99.9% of requests succeed over 30d    (an error-ratio objective; "over" defaults to 30d)
    p95 latency under 2s                   (a latency percentile: ms, s or m)

A sentence that fits neither is an error located at the list entry that holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from compiler.errors import InputError

ERRORS = "errors"
LATENCY = "latency"
DEFAULT_WINDOW_DAYS = 30  # the SRE workbook's window, for which its burn rates are given
MIN_WINDOW_DAYS, MAX_WINDOW_DAYS = 7, 90  # the 3d ticket window must fit inside

_SUCCESS = re.compile(
    r"^(?P<pct>\d{1,3}(?:\.\d{1,4})?)\s*%\s+of\s+requests\s+succeed"
    r"(?:\s+over\s+(?P<n>\d+)\s*(?P<unit>d|w))?$", re.IGNORECASE)
_LATENCY = re.compile(
    r"^p(?P<q>\d{1,3}(?:\.\d{1,3})?)\s+latency\s+(?:under|below|<)\s*"
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m)$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": Fraction(1, 1000), "s": Fraction(1), "m": Fraction(60)}

FORMS = "'<N>% of requests succeed [over <N>d|<N>w]' or 'p<N> latency under <N>ms|s|m'"


@dataclass(frozen=True)
class Objective:
    kind: str  # ERRORS | LATENCY
    text: str  # as the user wrote it
    index: int  # position in the objectives list, for locating diagnostics
    target: Fraction = Fraction(0)  # ERRORS: the share of requests that succeed, 0..1
    window_days: int = DEFAULT_WINDOW_DAYS  # ERRORS: the SLO window
    quantile: Fraction = Fraction(0)  # LATENCY: 0..1
    threshold_seconds: Fraction = Fraction(0)  # LATENCY

    @property
    def budget(self) -> Fraction:
        """The error budget: the share of requests allowed to fail."""
        return 1 - self.target

    @property
    def percentile_label(self) -> str:
        """``p95``, ``p99_9``: the quantile as it appears in a rule name."""
        return "p" + decimal(self.quantile * 100).replace(".", "_")


class ObjectiveError(InputError):
    """The sentence does not state an objective inferc understands; the message says why."""


def parse(text: str, index: int) -> Objective:
    """Read one objective; raises ObjectiveError with a message for the user."""
    words = " ".join(text.split())
    if match := _SUCCESS.match(words):
        return _errors(match, text, index)
    if match := _LATENCY.match(words):
        return _latency(match, text, index)
    raise ObjectiveError(f"cannot read objective '{text}': expected {FORMS}")


def _errors(match: re.Match[str], text: str, index: int) -> Objective:
    target = Fraction(match["pct"]) / 100
    if not 0 < target < 1:
        raise ObjectiveError(f"objective '{text}': the share of requests must be above 0% "
                             "and below 100%")
    days = int(match["n"]) * (7 if (match["unit"] or "d").lower() == "w" else 1) \
        if match["n"] else DEFAULT_WINDOW_DAYS
    if not MIN_WINDOW_DAYS <= days <= MAX_WINDOW_DAYS:
        raise ObjectiveError(f"objective '{text}': the window must be between "
                             f"{MIN_WINDOW_DAYS}d and {MAX_WINDOW_DAYS}d (the slowest burn-rate "
                             "alert looks back 3 days)")
    return Objective(ERRORS, text, index, target=target, window_days=days)


def _latency(match: re.Match[str], text: str, index: int) -> Objective:
    quantile = Fraction(match["q"]) / 100
    if not 0 < quantile < 1:
        raise ObjectiveError(f"objective '{text}': the percentile must be above p0 and below p100")
    seconds = Fraction(match["n"]) * _UNIT_SECONDS[match["unit"].lower()]
    if seconds <= 0:
        raise ObjectiveError(f"objective '{text}': the latency must be above zero")
    return Objective(LATENCY, text, index, quantile=quantile, threshold_seconds=seconds)


def decimal(value: Fraction) -> str:
    """An exact decimal string for a fraction with a finite expansion: 0.144, 2, 0.001."""
    den = value.denominator
    scale = next((s for s in range(19) if 10 ** s % den == 0), None)
    if scale is None:  # no finite expansion (a 28-day window, say): six significant digits
        return format(float(value), ".6g")
    digits = str(abs(value.numerator) * (10 ** scale // den)).rjust(scale + 1, "0")
    whole, frac = digits[:len(digits) - scale], digits[len(digits) - scale:].rstrip("0")
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"
