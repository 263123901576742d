"""The engine's numbers, the bounds on their size and precision, and their display.

A value is an `int` or a `Fraction` when it is exact, and a `Decimal` of WORK_PRECISION digits when
it is an approximation (irrational results, or exact results over the digit budgets). Exact
rationals are why 1/3*3 is exactly 1 and floor(1/3*3) is 1, not 0.

The cost invariant (limits.py): an exact value has at most MAX_EXACT_DIGITS digits (an integer) or
MAX_EXACT_FRACTION_DIGITS (a fraction's two parts together); an operation whose cost is quadratic
runs exactly only when `work_fits` its operands; a Decimal computation runs at most
MAX_GUARD_DIGITS above WORK_PRECISION, asked for through `working_precision`. Each is checked
before the work is done, so no operation's cost depends on more than these limits.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    Underflow,
    getcontext,
    localcontext,
)
from fractions import Fraction
from functools import lru_cache

from .limits import (
    DISPLAY_DIGITS,
    MAX_DECIMAL_EXPONENT,
    MAX_EXACT_DIGITS,
    MAX_EXACT_DISPLAY_DIGITS,
    MAX_EXACT_FRACTION_DIGITS,
    MAX_EXACT_WORK,
    MAX_GUARD_DIGITS,
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
# WORK_CONTEXT's twin for present()'s quotients, used through its methods (which set its flags,
# read by nothing), so that WORK_CONTEXT itself, the template of every evaluation, stays as built.
_WORK_QUOTIENTS = WORK_CONTEXT.copy()
# Exact conversions (an exact fraction's terminating expansion, stripping zeros) need room for
# every digit an exact value may have; they never round, so the precision costs nothing unused.
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
# The most digits a Decimal computation may use (see working_precision).
MAX_WORKING_PRECISION = WORK_PRECISION + MAX_GUARD_DIGITS
BITS_PER_DIGIT = 3.321928094887362
# Sizes are measured in bits (int.bit_length() is the cheap size test): 10,000 digits ≈ 33,220 bits.
MAX_EXACT_BITS = int(MAX_EXACT_DIGITS * BITS_PER_DIGIT)
MAX_FRACTION_BITS = int(MAX_EXACT_FRACTION_DIGITS * BITS_PER_DIGIT)
MAX_WORK_BITS = int(MAX_EXACT_WORK * BITS_PER_DIGIT**2)
# Integers up to this many digits are always written out (1e20 as 100000000000000000000); longer
# ones are too, unless they are a few significant digits followed by zeros.
_FULL_INTEGER_DIGITS = 21
# Python refuses int -> str beyond 4,300 digits (sys.int_max_str_digits); go through Decimal there.
_STR_SAFE_BITS = 14_000
# A terminating expansion's coefficient of at most this many bits has at most
# MAX_EXACT_DISPLAY_DIGITS digits (2^132 < 10^40), so it is shown in full.
_SHORT_EXPANSION_BITS = int(MAX_EXACT_DISPLAY_DIGITS * BITS_PER_DIGIT)
# Decimal(int) is quadratic in the digits (1.5 ms at 10,000); beyond this many bits to_decimal
# converts only the leading bits it needs.
_DIRECT_BITS = 2_000


class PrecisionError(RuntimeError):
    """An internal computation asked for more digits than the design allows: a bug, not an input."""


def working_precision(digits: int, limit: int = MAX_WORKING_PRECISION) -> AbstractContextManager:
    """A local decimal context of `digits` significant digits; more than `limit` is refused.

    Every Decimal computation that needs more digits than its caller goes through here, so none
    runs at more than MAX_WORKING_PRECISION (the one documented exception passes its own limit).
    """
    if digits > limit:
        raise PrecisionError(f"{digits} digits asked for, {limit} allowed")
    return localcontext(prec=digits)


def guard_digits(extra: int) -> AbstractContextManager:
    """working_precision() at `extra` digits above the current context's precision."""
    return working_precision(getcontext().prec + extra)


def size(value: int | Fraction) -> int:
    """An exact value's size in bits (both parts of a fraction), at least 1."""
    if type(value) is int:
        return value.bit_length() or 1
    return value.numerator.bit_length() + value.denominator.bit_length()


def work_fits(a: int | Fraction, b: int | Fraction) -> bool:
    """Whether an operation quadratic in its operands' sizes may run exactly on a and b."""
    return size(a) * size(b) <= MAX_WORK_BITS


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
    if len(digits) <= MAX_EXACT_DIGITS:
        if exponent >= 0 and value.adjusted() < MAX_EXACT_DIGITS:
            # int(Decimal) is quadratic in the digits; coefficient × 10^exponent is not.
            coefficient = int("".join(map(str, digits))) if len(digits) < 4000 else int(value)
            return -coefficient * 10**exponent if sign else coefficient * 10**exponent
        if exponent < 0 and len(digits) < WORK_PRECISION and -exponent <= MAX_EXACT_FRACTION_DIGITS:
            return exact(Fraction(value))
    with localcontext(WORK_CONTEXT):
        return +value


def exact(value: Fraction) -> Num:
    """Normalize an exact result: an int when whole, an approximation when over its budget."""
    if value.denominator == 1:
        return exact_int(value.numerator)
    if value.numerator.bit_length() + value.denominator.bit_length() > MAX_FRACTION_BITS:
        return to_decimal(value)
    return value


def exact_int(value: int) -> Num:
    if value.bit_length() > MAX_EXACT_BITS:
        return to_decimal(value)
    return value


def to_decimal(value: Num) -> Decimal:
    """The value as a Decimal rounded to the current context's precision.

    Exact for a Decimal, correctly rounded for small ints and fractions; for large ones, from
    their leading bits, within one unit in the last place (Decimal(int) is quadratic).
    """
    if type(value) is Decimal:
        return value
    if type(value) is int:
        if value.bit_length() <= _DIRECT_BITS:
            return +Decimal(value)
        with guard_digits(10):
            decimal = _int_to_decimal(value)
        return +decimal
    numerator, denominator = value.numerator, value.denominator
    if numerator.bit_length() <= _DIRECT_BITS and denominator.bit_length() <= _DIRECT_BITS:
        return Decimal(numerator) / Decimal(denominator)
    with guard_digits(10):
        quotient = _int_to_decimal(numerator) / _int_to_decimal(denominator)
    return +quotient


def _int_to_decimal(value: int) -> Decimal:
    """An int as leading bits × 2^shift in the current context: linear in size, not quadratic."""
    keep = int(getcontext().prec * BITS_PER_DIGIT) + 16
    shift = value.bit_length() - keep
    if shift <= 0:
        return +Decimal(value)
    leading = value >> shift if value > 0 else -(-value >> shift)
    return Decimal(leading) * Decimal(2) ** shift


def terminating_decimal(value: Fraction) -> Decimal | None:
    """The exact decimal expansion of a fraction, or None if it never terminates."""
    expansion = _expansion(value)
    if expansion is None:
        return None
    coefficient, places = expansion
    return Decimal(coefficient).scaleb(-places, _EXACT_CONTEXT).normalize(_EXACT_CONTEXT)


def _expansion(value: Fraction) -> tuple[int, int] | None:
    """(c, k) with value = c / 10^k, or None if the fraction's expansion never terminates.

    Only denominators 2^a·5^b terminate: c is numerator·2^(k-a)·5^(k-b) with k = max(a, b), a
    product of at most MAX_EXACT_FRACTION_DIGITS·2.33 digits. In lowest terms with k > 0, c has
    no trailing zero (it would need both a 2 and a 5 the denominator already holds).
    """
    denominator = value.denominator
    scaling = (
        _small_scaling(denominator) if denominator < _CACHED_DENOMINATORS else _scaling(denominator)
    )
    if scaling is None:
        return None
    multiplier, places = scaling
    return value.numerator * multiplier, places


def _scaling(denominator: int) -> tuple[int, int] | None:
    """(m, k) with m·denominator = 10^k, or None: what _expansion() multiplies a numerator by."""
    twos = (denominator & -denominator).bit_length() - 1
    rest = denominator >> twos
    fives = 0
    if rest > 1:
        if rest % 5:
            return None
        # 5^k has bit length floor(k·log2(5)) + 1, so k is one of two candidates.
        fives = int((rest.bit_length() - 1) / 2.321928094887362)
        if 5**fives != rest:
            fives += 1
            if 5**fives != rest:
                return None
    places = max(twos, fives)
    return 2 ** (places - twos) * 5 ** (places - fives), places


# Denominators below this are the common ones (2, 4, 50, 3, …): their scaling is kept (1,024).
_CACHED_DENOMINATORS = 2**64
_small_scaling = lru_cache(maxsize=1024)(_scaling)


def to_value(value: Num) -> Decimal:
    """The full-precision Decimal of a result (exact when the result is exact and terminates)."""
    return present(value)[1]


def format_number(value: Num) -> str:
    """The display string: exact results exactly, approximations to DISPLAY_DIGITS digits.

    Scientific notation is `1.5e+310`-style, which decimal.Decimal() parses; `-0` is never shown.
    """
    return present(value)[0]


def present(value: Num) -> tuple[str, Decimal]:
    """The display string and the full-precision Decimal of a value, each conversion done once."""
    if type(value) is int:
        decimal = Decimal(value)
        digits = str(value) if value.bit_length() <= _STR_SAFE_BITS else str(decimal)
        if len(digits) > _FULL_INTEGER_DIGITS and len(digits.rstrip("0")) <= DISPLAY_DIGITS + 1:
            # 1.5e310 typed as a literal is exact, yet nobody wants 309 zeros.
            return _format_decimal(decimal.normalize(_EXACT_CONTEXT), exact=False), decimal
        return digits, decimal
    if type(value) is Fraction:
        return _present_fraction(value)
    display = _format_decimal(_DISPLAY_CONTEXT.plus(value).normalize(_DISPLAY_CONTEXT), exact=False)
    return display, value if value else Decimal(0)


def format_scientific(value: Num) -> str:
    """`1.23456e+5`: always scientific, to DISPLAY_DIGITS significant digits (`to sci`)."""
    if not value:
        return "0"
    rounded = _DISPLAY_CONTEXT.plus(to_decimal(value)).normalize(_DISPLAY_CONTEXT)
    sign, digits, _ = rounded.as_tuple()
    mantissa = "".join(map(str, digits))
    if len(mantissa) > 1:
        mantissa = f"{mantissa[0]}.{mantissa[1:]}"
    return f"{'-' if sign else ''}{mantissa}e{rounded.adjusted():+d}"


def _present_fraction(value: Fraction) -> tuple[str, Decimal]:
    """present() of a fraction. The common cases, a short terminating expansion (2.5) and a
    quotient of small integers (50/3), skip the digit tuple and the two local contexts the general
    case needs: a context's own divide rounds exactly as division inside it does."""
    expansion = _expansion(value)
    if expansion is not None:
        coefficient, places = expansion
        if places and coefficient.bit_length() <= _SHORT_EXPANSION_BITS:
            # Already normalized (no trailing zero) and shown in full: at most 40 digits, written
            # out here as _format_decimal() writes them unless its exponent is too small.
            digits = str(abs(coefficient))
            whole = len(digits) - places
            if whole > -6:  # the adjusted exponent, whole - 1, is above -7
                sign = "-" if coefficient < 0 else ""
                if whole > 0:
                    shown = f"{sign}{digits[:whole]}.{digits[whole:]}"
                else:
                    shown = f"{sign}0.{'0' * -whole}{digits}"
                return shown, Decimal(shown)
            decimal = Decimal(coefficient).scaleb(-places, _EXACT_CONTEXT)
            return _format_decimal(decimal, exact=True), decimal
        decimal = terminating_decimal(value)
        return _format_fraction(value, decimal), decimal
    numerator, denominator = value.numerator, value.denominator
    if numerator.bit_length() <= _DIRECT_BITS and denominator.bit_length() <= _DIRECT_BITS:
        top, bottom = Decimal(numerator), Decimal(denominator)
        shown = _DISPLAY_CONTEXT.divide(top, bottom).normalize(_DISPLAY_CONTEXT)
        return _format_decimal(shown, exact=False), _WORK_QUOTIENTS.divide(top, bottom)
    display = _format_fraction(value, None)
    with localcontext(WORK_CONTEXT):
        return display, to_decimal(value)


def _format_fraction(value: Fraction, decimal: Decimal | None) -> str:
    """A fraction's display, given its terminating expansion (None when it has none)."""
    if decimal is not None and len(decimal.as_tuple().digits) <= MAX_EXACT_DISPLAY_DIGITS:
        return _format_decimal(decimal, exact=True)
    with localcontext(_DISPLAY_CONTEXT):
        rounded = to_decimal(value)
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
