"""How a value is shown: quantities with their unit, and the `to` formats (hex, bin, oct, base N,
frac, sci). A format changes the display only; the value (and `ans`) stays the number it was.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from . import mixed
from .errors import MathError
from .numbers import Num, format_scientific, present
from .quantities import Quantity, Value, kind

# Format names as `to` accepts them, and as the codec stores them (`base7` for `to base 7`).
FORMAT_NAMES = {
    "hex": "hex",
    "bin": "bin",
    "oct": "oct",
    "frac": "frac",
    "fraction": "frac",
    "sci": "sci",
}
_EXAMPLES = {"hex": "255", "bin": "10", "oct": "8", "sci": "123456", "base": "255"}


def format_hint(name: str) -> str:
    """Where a format's name goes, for a line that names it without `to` (`255 hex`)."""
    target = "base 7" if name == "base" else name
    return (
        f"{name} is a format: write it after 'to', as in {_EXAMPLES.get(name, '0.75')} to {target}"
    )


_PREFIXED_BASES = {"hex": (16, "0x"), "bin": (2, "0b"), "oct": (8, "0o")}
_BASE_RE = re.compile(r"base([2-9]|[12][0-9]|3[0-6])")
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Below this many bits a number is converted digit by digit; above, by halves (subquadratic).
_SPLIT_BITS = 512


def is_format(fmt: str) -> bool:
    return (
        fmt in _PREFIXED_BASES
        or fmt in ("frac", "sci")
        or _BASE_RE.fullmatch(fmt) is not None
        or mixed.is_mixed(fmt)
    )


def present_value(value: Value, fmt: str | None = None) -> tuple[str, Decimal]:
    """The display and the full-precision Decimal of a value (a quantity's magnitude's)."""
    if fmt is not None and type(value) is Quantity and fmt.startswith(mixed.PREFIX):
        return mixed.present_mixed(value, fmt), present(value.magnitude)[1]
    if type(value) is Quantity:
        display, decimal = present(value.magnitude) if fmt is None else _formatted(value, fmt)
        text = value.unit.text
        return (f"{display}{text}" if text == "°" else f"{display} {text}"), decimal
    if fmt is None:
        return present(value)
    return _formatted(value, fmt)


def _formatted(value: Value, fmt: str) -> tuple[str, Decimal]:
    magnitude = value.magnitude if type(value) is Quantity else value
    decimal = present(magnitude)[1]
    if fmt == "frac":
        return _fraction(magnitude), decimal
    if fmt == "sci":
        return format_scientific(magnitude), decimal
    return _in_base(value, fmt), decimal


def check(value: Value, fmt: str) -> None:
    """Raise MathError if `value` cannot be shown in `fmt` (the caller adds the target's span)."""
    magnitude = value.magnitude if type(value) is Quantity else value
    if fmt == "frac":
        if type(magnitude) is Decimal:
            raise MathError(
                f"{present(magnitude)[0]} is not exact (irrational or rounded): it has no "
                "exact fraction"
            )
        return
    if fmt == "sci":
        return
    name = "base " + fmt[4:] if fmt.startswith("base") else fmt
    if type(value) is Quantity:
        raise MathError(f"to {name} needs a plain number, not {kind(value)}")
    if type(value) is not int:
        raise MathError(f"to {name} shows integers only ({present(value)[0]} is not one)")


def _fraction(value: Num) -> str:
    if type(value) is Fraction:
        return f"{value.numerator}/{value.denominator}"
    return present(value)[0]


def _in_base(value: int, fmt: str) -> str:
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if fmt in _PREFIXED_BASES:
        base, prefix = _PREFIXED_BASES[fmt]
        digits = format(magnitude, {16: "X", 2: "b", 8: "o"}[base])
        return f"{sign}{prefix}{digits}"
    base = int(fmt[4:])
    return f"{sign}{_digits(magnitude, base)} (base {base})"


def _digits(n: int, base: int) -> str:
    """n in `base`: split in halves by a power of the base, so a 5,000-digit number takes
    milliseconds (digit by digit would be quadratic)."""
    if n.bit_length() <= _SPLIT_BITS:
        out = []
        while True:
            n, digit = divmod(n, base)
            out.append(_DIGITS[digit])
            if not n:
                return "".join(reversed(out))
    width = 1
    while base ** (2 * width) <= n:
        width *= 2
    high, low = divmod(n, base**width)
    return _digits(high, base) + _digits(low, base).rjust(width, "0")
