"""Operators on engine numbers: exact for int/Fraction within the digit budgets, else approximate.

Every function may raise MathError or LimitError without a span; the evaluator adds it.
Decimal work happens in the evaluator's localcontext(WORK_CONTEXT) or numbers.working_precision().
An exact operation whose cost is quadratic in its operands runs only when numbers.work_fits().
"""

from __future__ import annotations

import math
from decimal import (
    ROUND_FLOOR,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    Underflow,
)
from fractions import Fraction
from functools import cache, lru_cache

from .errors import CalcError, LimitError, MathError
from .limits import (
    MAX_DECIMAL_EXPONENT,
    MAX_EXACT_DIGITS,
    MAX_EXACT_FACTORIAL,
    MAX_EXACT_FRACTION_DIGITS,
    MAX_EXACT_ROOT_DEGREE,
    MAX_FACTORIAL_ARGUMENT,
    WORK_PRECISION,
)
from .numbers import (
    MAX_EXACT_BITS,
    MAX_FRACTION_BITS,
    MAX_WORKING_PRECISION,
    Num,
    exact,
    exact_int,
    format_number,
    to_decimal,
    work_fits,
    working_precision,
)

# An approximate result this much smaller than its operands is cancellation noise: sqrt(2)^2 - 2
# and sin(pi) are zero to within the working precision.
_NOISE_DIGITS = WORK_PRECISION - 3
_NOISE = Decimal(f"1e-{_NOISE_DIGITS}")
_TOO_LARGE = f"result too large (beyond 1e+{MAX_DECIMAL_EXPONENT:,})"
_TOO_SMALL = f"result too small (below 1e-{MAX_DECIMAL_EXPONENT:,})"


def decimal_error(error: ArithmeticError) -> CalcError:
    """Translate a trapped decimal signal (or ZeroDivisionError) into an engine error."""
    if isinstance(error, Overflow):
        return LimitError(_TOO_LARGE)
    if isinstance(error, Underflow):
        return LimitError(_TOO_SMALL)
    if isinstance(error, DivisionByZero | ZeroDivisionError):
        return MathError("division by zero")
    if isinstance(error, InvalidOperation):
        return MathError("the result is undefined")
    return MathError(f"arithmetic error: {error}")


def add(a: Num, b: Num) -> Num:
    if type(a) is int and type(b) is int:
        return exact_int(a + b)
    if type(a) is not Decimal and type(b) is not Decimal and work_fits(a, b):
        return exact(a + b)
    a, b = to_decimal(a), to_decimal(b)
    result = a + b
    if result and result.adjusted() < max(a.adjusted(), b.adjusted()) - _NOISE_DIGITS:
        return 0
    return result


def negate(a: Num) -> Num:
    return -a if a else 0


def subtract(a: Num, b: Num) -> Num:
    return add(a, negate(b))


def multiply(a: Num, b: Num) -> Num:
    if type(a) is int and type(b) is int:
        # Karatsuba: about 40 µs for a product of MAX_EXACT_DIGITS digits.
        if a.bit_length() + b.bit_length() > MAX_EXACT_BITS + 1:
            return to_decimal(a) * to_decimal(b)
        return a * b
    if type(a) is not Decimal and type(b) is not Decimal and work_fits(a, b):
        return exact(a * b)
    return to_decimal(a) * to_decimal(b)


def divide(a: Num, b: Num) -> Num:
    if not b:
        raise MathError("division by zero")
    if type(a) is not Decimal and type(b) is not Decimal and work_fits(a, b):
        if type(a) is int and type(b) is int:
            quotient, remainder = divmod(a, b)
            if not remainder:
                return quotient
            if a.bit_length() + b.bit_length() <= MAX_FRACTION_BITS:
                # In lowest terms its parts are no longer: within budget, as exact() would say.
                return Fraction(a, b)
            return exact(Fraction(a, b))
        return exact(a / b)
    return to_decimal(a) / to_decimal(b)


def modulo(a: Num, b: Num) -> Num:
    """Floored modulo: the result has the sign of the divisor (-7 mod 3 = 2)."""
    if not b:
        raise MathError("mod by zero is undefined")
    if type(a) is not Decimal and type(b) is not Decimal and work_fits(a, b):
        return exact(Fraction(a % b)) if type(a) is Fraction or type(b) is Fraction else a % b
    a, b = to_decimal(a), to_decimal(b)
    try:
        result = a % b
    except InvalidOperation:
        raise MathError(
            "mod: the operands are too far apart in size for an exact remainder"
        ) from None
    if result and (result < 0) != (b < 0):
        result += b
    return result


def percent(a: Num) -> Num:
    return divide(a, 100)


def power(base: Num, exponent: Num) -> Num:
    if type(exponent) is int:
        return _integer_power(base, exponent)
    if type(exponent) is Fraction and type(base) is not Decimal:
        return _rational_power(base, exponent)
    if is_whole(exponent) and abs(exponent) < 10**18:
        return _integer_power(base, int(exponent))
    base_decimal = to_decimal(base)
    if base_decimal < 0:
        raise MathError(
            f"a negative number ({format_number(base)}) to a fractional power is not a real number"
        )
    return _decimal_power(base_decimal, to_decimal(exponent))


def is_whole(value: Num) -> bool:
    if type(value) is Decimal:
        return value == value.to_integral_value()
    return type(value) is int


def _integer_power(base: Num, n: int) -> Num:
    if not base:
        if n < 0:
            raise MathError("division by zero (0 to a negative power)")
        return 1 if n == 0 else 0
    if type(base) is Decimal:
        if abs(n) > 10**6:
            negative = base < 0 and n % 2 == 1
            return _via_logarithm(abs(base), Decimal(n), negative)
        return base**n
    if base in (1, -1):
        return 1 if base == 1 or n % 2 == 0 else -1
    # The result's digits, estimated before it is computed: an integer or a fraction's two parts.
    digits = abs(n) * (math.log10(abs(base.numerator)) + math.log10(base.denominator))
    budget = MAX_EXACT_DIGITS if type(base) is int and n >= 0 else MAX_EXACT_FRACTION_DIGITS
    if digits > budget:
        return _via_logarithm(abs(to_decimal(base)), Decimal(n), base < 0 and n % 2 == 1)
    if type(base) is int and n >= 0:
        return exact_int(base**n)
    return exact(Fraction(base) ** n)


def _rational_power(base: int | Fraction, exponent: Fraction) -> Num:
    p, q = exponent.numerator, exponent.denominator
    if base < 0 and q % 2 == 0:
        raise MathError(
            f"a negative number ({format_number(base)}) to a fractional power is not a real number"
        )
    sign = -1 if base < 0 and p % 2 else 1
    if q <= MAX_EXACT_ROOT_DEGREE:
        root = exact_root(abs(base), q)
        if root is not None:
            # A root is no larger than its exact radicand: to the power 1 it is itself.
            return multiply(sign, root if p == 1 else _integer_power(root, p))
    return multiply(sign, _decimal_power(to_decimal(abs(base)), to_decimal(exponent)))


def _decimal_power(base: Decimal, exponent: Decimal) -> Num:
    if not base:
        if exponent < 0:
            raise MathError("division by zero (0 to a negative power)")
        return 0
    bound = _logarithm_bound(base, exponent)
    if bound > 10**5:
        return _via_logarithm(base, exponent, negative=False)
    # exp(y ln x) with guard digits for the logarithm's integer digits (at most 6 here) costs half
    # of Decimal's correctly rounded power, and is within an ulp of it at WORK_PRECISION.
    with working_precision(WORK_PRECISION + 10 + max(0, bound.adjusted())):
        result = (exponent * _ln(base)).exp()
    return +result


def _logarithm_bound(base: Decimal, exponent: Decimal) -> Decimal:
    """A cheap upper bound on |exponent · log10(base)|: log10(base) lies in [a, a + 1)."""
    a = base.adjusted()
    with working_precision(12):
        return abs(exponent) * max(abs(a), abs(a + 1))


def _via_logarithm(base: Decimal, exponent: Decimal, negative: bool) -> Decimal:
    """base^exponent for a huge result, as mantissa × 10^k from log10: 9^9^9 in microseconds."""
    bound = _logarithm_bound(base, exponent)
    if bound.adjusted() > 16:
        # Possibly far too large (a base near 1 overstates it): estimate it to 12 digits.
        with working_precision(12):
            bound = exponent * base.log10()
        if abs(bound) > MAX_DECIMAL_EXPONENT:
            raise LimitError(_TOO_LARGE if bound > 0 else _TOO_SMALL)
    # The logarithm's integer digits (at most 17) come on top of the digits the mantissa needs.
    with working_precision(WORK_PRECISION + 6 + (max(0, bound.adjusted()) if bound else 0)):
        # ln and a cached ln 10: half the cost of Decimal.log10.
        logarithm = exponent * _ln(base) / _ln10()
    return _from_log10(logarithm, negative)


@cache
def _ln10() -> Decimal:
    with working_precision(MAX_WORKING_PRECISION):
        return Decimal(10).ln()


@lru_cache(maxsize=256)
def _ln(base: Decimal) -> Decimal:
    """ln(base) to the most digits a power needs (WORK_PRECISION + 6 + 17 integer digits), kept
    for the last bases seen: a tower x^x^…^x pays for its logarithm once, not 500 times."""
    with working_precision(WORK_PRECISION + 23):
        return base.ln()


def _from_log10(logarithm: Decimal, negative: bool) -> Decimal:
    """10^logarithm in the caller's context, for a logarithm computed with enough integer digits."""
    whole = logarithm.to_integral_value(rounding=ROUND_FLOOR)
    fraction = logarithm - whole
    if abs(whole) > MAX_DECIMAL_EXPONENT:
        raise LimitError(_TOO_LARGE if whole > 0 else _TOO_SMALL)
    with working_precision(WORK_PRECISION + 5):
        result = (fraction * _ln10()).exp().scaleb(int(whole))
    result = +result
    return -result if negative else result


def exact_root(value: int | Fraction, degree: int) -> int | Fraction | None:
    """The exact `degree`-th root of a non-negative rational, or None if it is irrational (or
    too large to look for: the search is quadratic in the value's size)."""
    if not work_fits(value, value):
        return None
    if type(value) is int:
        return _integer_root(value, degree)
    numerator = _integer_root(value.numerator, degree)
    if numerator is None:
        return None
    denominator = _integer_root(value.denominator, degree)
    return None if denominator is None else Fraction(numerator, denominator)


def _integer_root(n: int, degree: int) -> int | None:
    if n < 2:
        return n
    if degree == 2:
        root = math.isqrt(n)
    else:
        # Newton's iteration from above converges to floor(n^(1/degree)).
        root = 1 << -(-n.bit_length() // degree)
        while True:
            better = ((degree - 1) * root + n // root ** (degree - 1)) // degree
            if better >= root:
                break
            root = better
    return root if root**degree == n else None


def whole_number(value: Num, message: str) -> int:
    """An integer argument (a near-integer approximation counts); MathError(message) otherwise."""
    if type(value) is int:
        return value
    if type(value) is Decimal:
        # An approximation with more integer digits than it has significant ones is no integer.
        if value.adjusted() >= WORK_PRECISION:
            raise LimitError(f"{message} (this one is too large to use exactly)")
        nearest = value.to_integral_value()
        if abs(value - nearest) <= abs(value) * _NOISE:
            return int(nearest)
    raise MathError(message)


def factorial(value: Num) -> Num:
    message = "factorial needs a non-negative integer"
    if type(value) is Decimal and value > MAX_FACTORIAL_ARGUMENT:
        raise LimitError(f"factorial argument too large (over {MAX_FACTORIAL_ARGUMENT:,})")
    n = whole_number(value, message)
    if n < 0:
        raise MathError(message)
    if n <= MAX_EXACT_FACTORIAL:
        return math.factorial(n)
    if n > MAX_FACTORIAL_ARGUMENT:
        raise LimitError(f"factorial argument too large (over {MAX_FACTORIAL_ARGUMENT:,})")
    return _stirling_factorial(n)


def _stirling_factorial(n: int) -> Decimal:
    """n! from Stirling's series for ln n!; the first omitted term is below 1e-46 for n > 1000."""
    with working_precision(_log_factorial_precision(n)):
        logarithm = log10_factorial(n)
    return _from_log10(logarithm, negative=False)


def _log_factorial_precision(n: int) -> int:
    # ln n! has up to 15 integer digits (n <= MAX_FACTORIAL_ARGUMENT); they come on top.
    return WORK_PRECISION + 10 + len(str(n))


def log10_factorial(n: int) -> Decimal:
    """log10(n!) in the current context: exactly computed for n <= MAX_EXACT_FACTORIAL, else from
    Stirling's series (the first omitted term is below 1e-46 for n > 1000)."""
    if n <= MAX_EXACT_FACTORIAL:
        return Decimal(math.factorial(n)).log10()
    from .decimal_math import ln_2pi

    x = Decimal(n)
    ln_factorial = (x + Decimal("0.5")) * x.ln() - x + ln_2pi() / 2
    correction = Decimal(0)
    for numerator, denominator, power_of_n in _STIRLING_TERMS:
        correction += Decimal(numerator) / (denominator * x**power_of_n)
    ln_factorial += correction
    return ln_factorial / Decimal(10).ln()


def quotient_of_factorials(n: int, below: tuple[int, ...]) -> Decimal:
    """n! / (k1! k2! …) from logarithms, for results too large to compute exactly (ncr, npr)."""
    with working_precision(_log_factorial_precision(n)):
        logarithm = log10_factorial(n)
        for k in below:
            logarithm -= log10_factorial(k)
    return _from_log10(logarithm, negative=False)


# Bernoulli-number terms B(2k) / (2k (2k-1) n^(2k-1)) of Stirling's series.
_STIRLING_TERMS = (
    (1, 12, 1),
    (-1, 360, 3),
    (1, 1260, 5),
    (-1, 1680, 7),
    (1, 1188, 9),
    (-691, 360360, 11),
    (1, 156, 13),
)
