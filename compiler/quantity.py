"""Kubernetes resource quantities: parse, compare, and write in canonical form.

The API server stores quantities canonically (``1.5`` CPU → ``1500m``, ``4096Mi``
→ ``4Gi``); writing the same form keeps Argo CD from showing a diff forever.
This follows apimachinery's resource.Quantity: binary suffixes stay binary
(but values under 1024 fall back to decimal), everything else uses the largest
SI suffix that keeps the mantissa an integer.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from compiler.errors import InputError

_PATTERN = re.compile(
    r"^(?P<num>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?P<suffix>[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_BY_EXP = {exp: suffix for suffix, exp in _DECIMAL.items()}


class QuantityError(InputError):
    """Not a Kubernetes quantity, or out of its range."""


class Quantity(NamedTuple):
    value: Decimal
    format: str  # "binary" | "decimal" | "exponent"


def parse(text: str | float) -> Quantity:
    """Parse a quantity; raises QuantityError (a ValueError) with a readable message on bad input."""
    return _parse(_as_text(text))


# Pure, immutable in and out, and the same few quantities recur across every model,
# profile and rendered container (a 1,000-model build parses ~50,000 of them). Keyed
# by the text, so 1, 1.0 and "1" share nothing they should not. Errors are not cached.
@lru_cache(maxsize=4096)
def _parse(raw: str) -> Quantity:
    match = _PATTERN.match(raw)
    if match is None:
        raise QuantityError(f"'{raw}' is not a Kubernetes quantity")
    try:
        number = Decimal(match["num"])
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise QuantityError(f"'{raw}' is not a Kubernetes quantity") from exc
    suffix = match["suffix"] or ""
    _check_range(raw, number, suffix)
    if suffix in _BINARY:
        return Quantity(number * (2 ** _BINARY[suffix]), "binary")
    if len(suffix) > 1 and suffix[0] in "eE":  # a lone E is the exa suffix
        return Quantity(number.scaleb(int(suffix[1:])), "exponent")
    return Quantity(number.scaleb(_DECIMAL[suffix]), "decimal")


# Kubernetes stores a quantity in an int64 of its smallest unit at most; anything
# beyond these bounds is out of range long before Decimal arithmetic would need
# to work on it (``1e999999999`` would otherwise overflow the decimal context).
MAX_VALUE = Decimal((1 << 63) - 1)
_MAX_DIGITS = 64


def _check_range(raw: str, number: Decimal, suffix: str) -> None:
    exponent = 0
    if len(suffix) > 1 and suffix[0] in "eE" and suffix not in _BINARY:
        if len(suffix) > 6:  # more than five exponent digits: a bomb, not a quantity
            raise QuantityError(f"'{raw[:40]}' is out of range for a Kubernetes quantity")
        exponent = int(suffix[1:])
    digits = len(number.as_tuple().digits)
    if digits > _MAX_DIGITS or number.adjusted() + exponent > 40 or \
            (number and number.adjusted() + exponent < -40):
        raise QuantityError(f"'{raw[:40]}' is out of range for a Kubernetes quantity")


def canonical(text: str | float) -> str:
    """The string the API server would store for ``text``."""
    quantity = parse(text)
    value = _round_up_to_nano(quantity.value)
    if quantity.format == "binary" and abs(value) >= 1024 and value % 1024 == 0:
        return _binary(int(value))
    if quantity.format == "exponent":
        mantissa, exp = _decimal_parts(value)
        return f"{mantissa}e{exp}" if exp else str(mantissa)
    mantissa, exp = _decimal_parts(value)
    return f"{mantissa}{_DECIMAL_BY_EXP[exp]}"


def _as_text(text: str | float) -> str:
    if isinstance(text, bool):
        raise QuantityError(f"'{text}' is not a Kubernetes quantity")
    if isinstance(text, float):
        if not math.isfinite(text):
            raise QuantityError(f"'{text}' is not a Kubernetes quantity")
        return format(Decimal(repr(text)), "f")
    return str(text)


def _round_up_to_nano(value: Decimal) -> Decimal:
    # Quantities carry at most nano precision; apimachinery rounds up.
    nano = Decimal("1e-9")
    return (value / nano).to_integral_value(rounding="ROUND_CEILING") * nano


def _decimal_parts(value: Decimal) -> tuple[int, int]:
    """Largest exponent (a multiple of 3, -9..18) that keeps the mantissa integral."""
    if value == 0:
        return 0, 0
    for exp in range(18, -10, -3):
        mantissa = value.scaleb(-exp)
        if mantissa == mantissa.to_integral_value():
            return int(mantissa), exp
    raise AssertionError("unreachable: values are rounded to nano precision")


def _binary(value: int) -> str:
    # Only multiples of 1024 come here: apimachinery would write any other byte count
    # with no suffix (``531.25Ki`` → ``544000``), which reads back as decimal and comes
    # out of the API server as ``544k``, so inferc writes that stable form directly.
    for suffix, power in sorted(_BINARY.items(), key=lambda item: -item[1]):
        if value % (1 << power) == 0:
            return f"{value >> power}{suffix}"
    raise AssertionError("unreachable: callers pass multiples of 1024")
