"""Mixed units, `to h min` or `to ft in`: a quantity shown as whole parts of each unit but the
last, which takes the rest (`1 h 30 min`, `5 ft 10.8661417322835 in`).

The format is stored as `mixed:h,min` (codec.py); the value stays the quantity in the first unit,
so `ans` after `90 min to h min` is 1.5 h.
"""

from __future__ import annotations

from decimal import Context, Decimal
from itertools import pairwise
from math import floor

from . import arithmetic
from .limits import DISPLAY_DIGITS
from .numbers import present
from .quantities import Quantity, unit_ratio
from .units import SINGLE_UNITS, UNITS, Unit

PREFIX = "mixed:"
# At most this many units in one target (`d h min s`, `yd ft in`).
MAX_PARTS = 6
# Beyond this many of the last unit, the parts would be whole numbers too long to read: the value
# is shown in the first unit alone.
_MAX_TOTAL = 10**DISPLAY_DIGITS
# An approximate value is rounded as a display is first, so 59.99999999999999 min shows as 1 h,
# not 0 h 60 min.
_DISPLAY_ROUNDING = Context(prec=DISPLAY_DIGITS)


def format_name(names: list[str]) -> str | None:
    """`mixed:h,min` for unit names that can be shown together (two to MAX_PARTS units of one
    dimension, none on an offset scale, none twice), else None."""
    if not 2 <= len(names) <= MAX_PARTS or len(set(names)) != len(names):
        return None
    units = [UNITS.get(name) for name in names]
    if any(named is None or named.offset for named in units):
        return None
    if any(named.dimension != units[0].dimension for named in units) or not any(units[0].dimension):
        return None
    return PREFIX + ",".join(names)


def largest_first(names: list[str]) -> bool:
    """Whether each unit is larger than the next (`h min`, `ft in`), the order a mixed target is
    written in; `min h` would show 90 min as "90 min 0 h". (A stored format is shown in any
    order: only new targets are held to it.)"""
    units = [SINGLE_UNITS[name] for name in names]
    return all(unit_ratio(larger, smaller) > 1 for larger, smaller in pairwise(units))


def is_mixed(fmt: str) -> bool:
    return fmt.startswith(PREFIX) and format_name(fmt[len(PREFIX) :].split(",")) == fmt


def units_of(fmt: str) -> list[Unit]:
    """The units of a mixed format, in the order written."""
    return [SINGLE_UNITS[name] for name in fmt[len(PREFIX) :].split(",")]


def present_mixed(value: Quantity, fmt: str) -> str:
    """`1 h 30 min`: whole parts of every unit but the last, in order, leading zeros left out;
    the last unit takes the rest, as a result is shown. `value` is in the first unit."""
    units = units_of(fmt)
    last = units[-1]
    magnitude = value.magnitude
    if value.unit.dimension != last.dimension:  # not what the evaluator stores: shown plainly
        return f"{present(magnitude)[0]} {value.unit.text}"
    negative = magnitude < 0
    total = arithmetic.multiply(abs(magnitude), unit_ratio(value.unit, last))
    if type(total) is Decimal:
        total = _DISPLAY_ROUNDING.plus(total)
    if total >= _MAX_TOTAL:
        return f"{present(magnitude)[0]} {value.unit.text}"
    parts = []
    for named in units[:-1]:
        size = unit_ratio(named, last)
        whole = floor(arithmetic.divide(total, size))
        total = arithmetic.subtract(total, arithmetic.multiply(whole, size))
        if whole or parts:
            parts.append(f"{whole} {named.text}")
    parts.append(f"{present(total)[0]} {last.text}")
    return ("-" if negative else "") + " ".join(parts)
