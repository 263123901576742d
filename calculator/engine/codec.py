"""Engine values as lossless text, so a session rebuilt from storage keeps 1/3 a third.

    int:42            an exact integer; beyond 4,000 digits in hexadecimal (int:0x…), which reads
                      and writes in linear time where decimal is quadratic
    frac:-1/3         an exact fraction, numerator/denominator in lowest terms
    approx:1.4142…    an approximation: its Decimal, digit for digit, marked inexact

Fields may follow, each once and in this order: `;unit=km*h^-1` (a quantity: the number is its
magnitude in that unit, its terms as written, `*`-separated, each `name` or `name^power`) and
`;fmt=hex` (the display format of a `to hex` line: hex bin oct frac sci, base2 … base36, or
mixed:h,min for `to h min`).
Any other field is refused. Text with no kind is the legacy format, a plain Decimal string
(`0.3`, `1E+9999`).
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from fractions import Fraction

from .formats import is_format
from .limits import MAX_DECIMAL_EXPONENT, MAX_STORED_CHARS, MAX_UNIT_EXPONENT
from .numbers import (
    MAX_WORKING_PRECISION,
    WORK_CONTEXT,
    Num,
    exact,
    exact_int,
    from_decimal,
)
from .quantities import Quantity, Value
from .units import UNITS, UnitError, raised, unit

# Python's int <-> decimal str is quadratic, and refused beyond 4,300 digits by default.
_DECIMAL_INT_DIGITS = 4_000
# A plain Decimal string as str(Decimal) writes it; Decimal() alone would also take spaces,
# underscores, NaN and Infinity.
_DECIMAL = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DECIMAL_RE = re.compile(_DECIMAL)
_INTEGER = r"-?(?:0x[0-9a-f]+|[0-9]+)"
_INTEGER_RE = re.compile(_INTEGER)
_FRACTION_RE = re.compile(f"({_INTEGER})/({_INTEGER})")
# The old format wrote an exact fraction's full expansion, up to 40,000 digits (3^20000/2^33000
# stored 32,615 characters); reading one is linear, and its value is rounded to an approximation.
_MAX_LEGACY_CHARS = 40_032


def dump_value(value: Value, fmt: str | None = None) -> str:
    """The lossless text of an engine value: load_value(dump_value(v)) == v, of the same type;
    a quantity keeps its unit and `fmt` (load_format) the display format."""
    text = _dump_number(value.magnitude if type(value) is Quantity else value)
    if type(value) is Quantity:
        text += ";unit=" + "*".join(
            named.name if power == 1 else f"{named.name}^{power}"
            for named, power in value.unit.terms
        )
    if fmt is not None:
        if not is_format(fmt):
            raise ValueError(f"unknown display format {fmt!r}")
        text += f";fmt={fmt}"
    return text


def _dump_number(value: Num) -> str:
    if type(value) is int:
        return f"int:{_integer_text(value)}"
    if type(value) is Fraction:
        return f"frac:{_integer_text(value.numerator)}/{_integer_text(value.denominator)}"
    if type(value) is Decimal and value.is_finite():
        return f"approx:{value}"
    raise TypeError(f"not an engine value: {value!r}")


def load_value(text: str) -> Value:
    """The engine value of dump_value's text (or of a legacy Decimal string); ValueError if the
    text is malformed or longer than any value the engine writes."""
    if type(text) is not str:
        raise ValueError("a stored value must be text")
    kind, colon, rest = text.partition(":")
    if not colon:
        return _load_legacy(text)
    if len(text) > MAX_STORED_CHARS:
        raise ValueError(f"stored value too long ({len(text):,} characters)")
    payload, _, fields = rest.partition(";")
    number = _load_number(kind, payload)
    unit_text, _ = _fields(fields)
    return number if unit_text is None else Quantity(number, _load_unit(unit_text))


def load_format(text: str) -> str | None:
    """The display format stored with a value (`to hex` → "hex"), or None."""
    kind, colon, rest = text.partition(":")
    return _fields(rest.partition(";")[2])[1] if colon else None


def _fields(fields: str) -> tuple[str | None, str | None]:
    """(unit, format) from `unit=…;fmt=…`, either optional, in that order."""
    unit_text = fmt = None
    if not fields:
        return None, None
    parts = fields.split(";")
    if parts and parts[0].startswith("unit="):
        unit_text = parts.pop(0)[5:]
    if parts and parts[0].startswith("fmt="):
        fmt = parts.pop(0)[4:]
        if not is_format(fmt):
            raise ValueError(f"unknown display format {fmt[:40]!r}")
    if parts:
        raise ValueError(f"unknown field in stored value: {parts[0][:40]!r}")
    return unit_text, fmt


def _load_unit(text: str):
    terms = []
    for part in text.split("*"):
        name, caret, power_text = part.partition("^")
        named = UNITS.get(name)
        if named is None:
            raise ValueError(f"unknown unit in stored value: {name[:40]!r}")
        if caret and not (
            _POWER_RE.fullmatch(power_text) and 0 < abs(int(power_text)) <= MAX_UNIT_EXPONENT
        ):
            raise ValueError(f"malformed unit power {power_text[:40]!r}")
        terms.append((named, int(power_text) if caret else 1))
    if len({named.key for named, _ in terms}) != len(terms):
        raise ValueError("a stored unit names a unit twice")
    try:
        return raised(unit(tuple(terms)), 1)
    except UnitError as error:
        raise ValueError(str(error)) from None


_POWER_RE = re.compile(r"-?[0-9]{1,3}")


def _load_number(kind: str, payload: str) -> Num:
    if kind == "int":
        with localcontext(WORK_CONTEXT):
            return exact_int(_integer(payload))
    if kind == "frac":
        match = _FRACTION_RE.fullmatch(payload)
        if match is None:
            raise ValueError(f"malformed fraction {payload[:40]!r}")
        denominator = _integer(match[2])
        if denominator <= 0:
            raise ValueError("a stored fraction's denominator must be positive")
        # Normalized as any exact result is: a whole fraction is an int, an oversized one inexact.
        with localcontext(WORK_CONTEXT):
            return exact(Fraction(_integer(match[1]), denominator))
    if kind == "approx":
        return _approximation(payload)
    raise ValueError(f"unknown kind of stored value {kind[:40]!r}")


def _integer_text(value: int) -> str:
    if value.bit_length() <= _DECIMAL_INT_DIGITS * 3:
        return str(value)
    return hex(value)


def _integer(text: str) -> int:
    if not _INTEGER_RE.fullmatch(text):
        raise ValueError(f"malformed integer {text[:40]!r}")
    if "x" not in text and len(text) > _DECIMAL_INT_DIGITS + 1:
        raise ValueError("a stored integer this long must be hexadecimal")
    return int(text, 16) if "x" in text else int(text)


def _approximation(text: str) -> Decimal:
    if not _DECIMAL_RE.fullmatch(text):
        raise ValueError(f"malformed decimal {text[:40]!r}")
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise ValueError(f"stored approximation out of range {text[:40]!r}") from None
    if len(value.as_tuple().digits) > MAX_WORKING_PRECISION:
        raise ValueError("a stored approximation has more digits than the engine computes")
    if value and abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise ValueError("a stored approximation is out of range")
    return value


def _load_legacy(text: str) -> Num:
    if len(text) > _MAX_LEGACY_CHARS or not _DECIMAL_RE.fullmatch(text):
        raise ValueError(f"malformed stored value {text[:40]!r}")
    try:
        with localcontext(WORK_CONTEXT):
            return from_decimal(Decimal(text))
    except (ArithmeticError, OverflowError) as error:
        raise ValueError(f"stored value out of range: {error}") from None
