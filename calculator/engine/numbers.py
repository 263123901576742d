"""The engine's numbers and their display.

A value is an `int` or a `Fraction` when it is exact, and a `Decimal` of WORK_PRECISION digits when
it is an approximation (irrational results, or exact results too big for MAX_EXACT_DIGITS). Exact
rationals are why 1/3*3 is exactly 1 and floor(1/3*3) is 1, not 0.
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    Underflow,
    localcontext,
)
from fractions import Fraction

from .limits import (
    DISPLAY_DIGITS,
    MAX_DECIMAL_EXPONENT,
    MAX_EXACT_DIGITS,
    MAX_EXACT_DISPLAY_DIGITS,
    WORK_PRECISION,
)

Num = int | Fraction | Decimal

# Every evaluation runs inside localcontext(WORK_CONTEXT); the global context is never used.
WORK_CONTEXT = Context(
    prec=WORK_PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emax=MAX_DECIMAL_EXPONENT,
    Emin=-MAX_DECIMAL_EXPONENT,
    traps=[InvalidOperation, DivisionByZero, Overflow, Underflow],
)
# Exact conversions (an exact fraction's terminating expansion, stripping zeros) need room for
# every digit an exact value may have.
_EXACT_CONTEXT = Context(
    prec=4 * MAX_EXACT_DIGITS,
    Emax=MAX_DECIMAL_EXPONENT,
    Emin=-MAX_DECIMAL_EXPONENT,
    traps=[InvalidOperation, DivisionByZero, Overflow, Underflow],
)
_DISPLAY_CONTEXT = Context(
    prec=DISPLAY_DIGITS,
    rounding=ROUND_HALF_EVEN,
    Emax=MAX_DECIMAL_EXPONENT,
    Emin=-MAX_DECIMAL_EXPONENT,
    traps=[InvalidOperation, DivisionByZero],
)
# 10,000 decimal digits ≈ 33,220 bits; bit_length() is the cheap size test.
MAX_EXACT_BITS = int(MAX_EXACT_DIGITS * 3.321928094887362)
# Integers up to this many digits are always written out (1e20 as 100000000000000000000); longer
# ones are too, unless they are a few significant digits followed by zeros.
_FULL_INTEGER_DIGITS = 21
# Python refuses int -> str beyond 4,300 digits (sys.int_max_str_digits); go through Decimal there.
_STR_SAFE_BITS = 14_000


def parse_literal(text: str) -> Num:
    """A number literal (underscores already removed) as an exact value; ValueError if malformed."""
    if text.isdigit():
        return int(text)
    if text[0] == "0" and len(text) > 1 and text[1] in "xXbBoO":
        return int(text, 0)
    whole, dot, fraction = text.partition(".")
    if dot and len(text) <= WORK_PRECISION and (whole + fraction).isdigit():
        # A plain decimal is a fraction over a power of ten; short ones skip the Decimal round trip
        # (from_decimal would give the same exact value).
        return exact(Fraction(int(whole + fraction), 10 ** len(fraction)))
    try:
        decimal = Decimal(text)
    except ArithmeticError:
        raise ValueError(f"malformed number {text!r}") from None
    return from_decimal(decimal)


def from_decimal(value: Decimal) -> Num:
    """Bring a Decimal (a literal, or a stored session value) into the engine.

    Integers within the digit budget and short non-integers are exact; a value whose digits fill
    the working precision was an approximation when it was stored and stays one.
    """
    if not value.is_finite():
        raise ValueError("not a finite number")
    if not value:
        return 0
    sign, digits, exponent = value.as_tuple()
    if abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise OverflowError("too large" if value.adjusted() > 0 else "too small")
    if exponent >= 0:
        if value.adjusted() < MAX_EXACT_DIGITS:
            return int(value)
    elif len(digits) < WORK_PRECISION and -exponent <= MAX_EXACT_DIGITS:
        return exact(Fraction(value))
    with localcontext(WORK_CONTEXT):
        return +value


def exact(value: Fraction) -> Num:
    """Normalize an exact result: an int when whole, an approximation when over the digit budget."""
    if value.denominator == 1:
        return exact_int(value.numerator)
    if (
        value.numerator.bit_length() > MAX_EXACT_BITS
        or value.denominator.bit_length() > MAX_EXACT_BITS
    ):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return value


def exact_int(value: int) -> Num:
    if value.bit_length() > MAX_EXACT_BITS:
        return +Decimal(value)
    return value


def to_decimal(value: Num) -> Decimal:
    """The value as a Decimal rounded to the current context's precision."""
    if type(value) is Decimal:
        return value
    if type(value) is int:
        return +Decimal(value)
    return Decimal(value.numerator) / Decimal(value.denominator)


def terminating_decimal(value: Fraction) -> Decimal | None:
    """The exact decimal expansion of a fraction, or None if it never terminates."""
    denominator = value.denominator
    # A denominator of only 2s and 5s divides 10^k for some k <= its bit length.
    places = denominator.bit_length()
    if pow(10, places, denominator):
        return None
    coefficient = value.numerator * (10**places // denominator)
    return Decimal(coefficient).scaleb(-places, _EXACT_CONTEXT).normalize(_EXACT_CONTEXT)


def to_value(value: Num) -> Decimal:
    """The full-precision Decimal of a result (exact when the result is exact and terminates)."""
    if type(value) is int:
        return Decimal(value)
    if type(value) is Fraction:
        decimal = terminating_decimal(value)
        if decimal is not None:
            return decimal
        with localcontext(WORK_CONTEXT):
            return to_decimal(value)
    return value if value else Decimal(0)


def format_number(value: Num) -> str:
    """The display string: exact results exactly, approximations to DISPLAY_DIGITS digits.

    Scientific notation is `1.5e+310`-style, which decimal.Decimal() parses; `-0` is never shown.
    """
    if type(value) is int:
        digits = str(value) if value.bit_length() <= _STR_SAFE_BITS else str(Decimal(value))
        if len(digits) > _FULL_INTEGER_DIGITS and len(digits.rstrip("0")) <= DISPLAY_DIGITS + 1:
            # 1.5e310 typed as a literal is exact, yet nobody wants 309 zeros.
            return _format_decimal(Decimal(value).normalize(_EXACT_CONTEXT), exact=False)
        return digits
    if type(value) is Fraction:
        return _format_fraction(value, terminating_decimal(value))
    return _format_decimal(_DISPLAY_CONTEXT.plus(value).normalize(_DISPLAY_CONTEXT), exact=False)


def present(value: Num) -> tuple[str, Decimal]:
    """format_number(value) and to_value(value) at once: a fraction's expansion is found once."""
    if type(value) is Fraction:
        decimal = terminating_decimal(value)
        display = _format_fraction(value, decimal)
        if decimal is None:
            decimal = WORK_CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))
        return display, decimal
    return format_number(value), to_value(value)


def _format_fraction(value: Fraction, decimal: Decimal | None) -> str:
    """A fraction's display, given its terminating expansion (None when it has none)."""
    if decimal is not None and len(decimal.as_tuple().digits) <= MAX_EXACT_DISPLAY_DIGITS:
        return _format_decimal(decimal, exact=True)
    rounded = _DISPLAY_CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))
    return _format_decimal(rounded.normalize(_DISPLAY_CONTEXT), exact=False)


def _format_decimal(value: Decimal, exact: bool) -> str:
    if not value:
        return "0"
    exponent = value.adjusted()
    if exponent > -7 and (exact or exponent < DISPLAY_DIGITS):
        return format(value, "f")
    sign, digits, _ = value.as_tuple()
    mantissa = "".join(map(str, digits))
    if len(mantissa) > 1:
        mantissa = f"{mantissa[0]}.{mantissa[1:]}"
    return f"{'-' if sign else ''}{mantissa}e{exponent:+d}"
