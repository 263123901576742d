"""Transcendental functions on Decimal, correct to WORK_PRECISION digits.

exp, ln, log10 and sqrt come from the decimal module (correctly rounded); the trigonometric
functions are Taylor series after reducing the argument with 300 digits of pi. Each function works
a few guard digits above the caller's context precision (through numbers.working_precision) and
rounds back to it. A tiny argument is answered from the series' first term (sin x = x, cos x = 1),
so no function's precision grows with how small its argument is.
"""

from __future__ import annotations

from decimal import Decimal, getcontext
from functools import cache

from .errors import LimitError
from .limits import MAX_TRIG_EXPONENT
from .numbers import MAX_WORKING_PRECISION, guard_digits, working_precision

_PI_DIGITS = (
    "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803"
    "4825342117067982148086513282306647093844609550582231725359408128481117450284102701938521"
    "1055596446229489549303819644288109756659334461284756482337867831652712019091456485669234"
    "6034861045432664821339360726024914127372458700660631558817"
)
_PI = Decimal(_PI_DIGITS)
_GUARD = 10
# Reducing an argument up to 10^MAX_TRIG_EXPONENT modulo pi/2 needs that many more digits: the one
# computation allowed beyond MAX_WORKING_PRECISION, and still within the digits of pi we carry.
_REDUCTION_PRECISION = MAX_WORKING_PRECISION + MAX_TRIG_EXPONENT


def pi() -> Decimal:
    """pi rounded to the current context's precision."""
    return +_PI


@cache
def ln_2pi() -> Decimal:
    with working_precision(MAX_WORKING_PRECISION):
        return (2 * _PI).ln()


def is_tiny(x: Decimal) -> bool:
    """Whether x² is below the last guard digit of x: then f(x) = f(0) + f'(0)·x to full precision
    for every function here (sin x = x, cos x = 1, sinh x = x, atan x = x…)."""
    return 2 * x.adjusted() < -(getcontext().prec + _GUARD)


def sin(x: Decimal) -> Decimal:
    return _sin_cos(x, cosine=False)


def cos(x: Decimal) -> Decimal:
    return _sin_cos(x, cosine=True)


def _sin_cos(x: Decimal, cosine: bool) -> Decimal:
    if x.adjusted() > MAX_TRIG_EXPONENT:
        raise LimitError(
            f"{'cos' if cosine else 'sin'} argument too large (beyond 1e{MAX_TRIG_EXPONENT})"
        )
    precision = getcontext().prec
    with working_precision(precision + _GUARD + max(0, x.adjusted()), limit=_REDUCTION_PRECISION):
        half_pi = pi() / 2
        quadrant = (x / half_pi).to_integral_value()
        reduced = x - quadrant * half_pi
    with guard_digits(_GUARD):
        # sin(r + k·pi/2) cycles through sin r, cos r, -sin r, -cos r.
        turn = (int(quadrant) + (1 if cosine else 0)) % 4
        if is_tiny(reduced):
            value = Decimal(1) if turn % 2 else +reduced
        else:
            value = _cos_series(reduced) if turn % 2 else _sin_series(reduced)
        if turn >= 2:
            value = -value
    return +value


def _sin_series(x: Decimal) -> Decimal:
    return _taylor(x, first_power=1)


def _cos_series(x: Decimal) -> Decimal:
    return _taylor(x, first_power=0)


def _taylor(x: Decimal, first_power: int) -> Decimal:
    """sin x (first_power 1) or cos x (first_power 0) for |x| <= pi/4, summed in fixed point.

    Integers scaled by 10^(precision + 2) are several times faster than Decimal terms here; each
    flooring division costs at most one unit in the last of the two extra digits. A small x gets
    more digits, so that sin x keeps its full relative precision; a tiny one never gets here.
    """
    digits = getcontext().prec + 2 + max(0, -x.adjusted())
    scale = 10**digits
    fixed = int(x.scaleb(digits))
    square = fixed * fixed // scale
    term = total = fixed if first_power else scale
    n = first_power
    while term:
        term = -term * square // ((n + 1) * (n + 2) * scale)
        total += term
        n += 2
    return Decimal(total).scaleb(-digits)


def atan(x: Decimal) -> Decimal:
    if is_tiny(x):
        return +x
    with guard_digits(_GUARD):
        negative = x < 0
        x = abs(x)
        value = pi() / 2 - _atan_small(1 / x) if x > 1 else _atan_small(x)
        if negative:
            value = -value
    return +value


def _atan_small(x: Decimal) -> Decimal:
    """atan for 0 <= x <= 1: halve twice with atan(x) = 2 atan(x / (1 + sqrt(1 + x²))), then sum
    the Taylor series, which then gains more than a digit per term."""
    if is_tiny(x):
        return x
    for _ in range(2):
        x = x / (1 + (1 + x * x).sqrt())
    square = x * x
    term = total = x
    n = 1
    precision = getcontext().prec
    while term:
        term = -term * square
        n += 2
        step = term / n
        if not total or step.adjusted() < total.adjusted() - precision:
            break
        total += step
    return 4 * total


def atan2(y: Decimal, x: Decimal) -> Decimal:
    """The angle of the point (x, y); the caller rules out (0, 0)."""
    with guard_digits(_GUARD):
        if not x:
            value = pi() / 2 if y > 0 else -pi() / 2
        else:
            value = atan(y / x)
            if x < 0:
                value = value + pi() if y >= 0 else value - pi()
    return +value


def asin(x: Decimal) -> Decimal:
    """arcsine for -1 <= x <= 1 (checked by the caller)."""
    if is_tiny(x):
        return +x
    with guard_digits(_GUARD):
        value = pi() / 2 * x if abs(x) == 1 else atan(x / (1 - x * x).sqrt())
    return +value


def acos(x: Decimal) -> Decimal:
    with guard_digits(_GUARD):
        value = pi() / 2 - asin(x)
    return +value


def sinh(x: Decimal) -> Decimal:
    """On |x| (sinh is odd): e^x of a large negative x underflows, though sinh x is huge."""
    if is_tiny(x):
        return +x
    with guard_digits(_GUARD + max(0, -x.adjusted())):
        # e^x - e^-x cancels about -log10|x| digits for small x (at most half the precision here).
        grow = abs(x).exp()
        value = (grow - 1 / grow) / 2
    return (+value).copy_sign(x)


def cosh(x: Decimal) -> Decimal:
    """On |x| (cosh is even), for the same reason as sinh."""
    if is_tiny(x):
        return Decimal(1)
    with guard_digits(_GUARD):
        grow = abs(x).exp()
        value = (grow + 1 / grow) / 2
    return +value


def ln1p(d: Decimal) -> Decimal:
    """ln(1 + d) for |d| < 1e-5 from its series d - d²/2 + d³/3 - …, to full relative precision:
    the caller knows d exactly, and rounding 1 + d first would lose every digit of d."""
    if is_tiny(d):
        return +d
    with guard_digits(_GUARD):
        precision = getcontext().prec
        total = power = d
        n = 1
        while True:
            n += 1
            power *= -d
            term = power / n
            if term.adjusted() < total.adjusted() - precision:
                break
            total += term
    return +total


def tanh(x: Decimal) -> Decimal:
    if abs(x) > 100:
        # 1 - tanh(100) is below 1e-86: beyond any working precision.
        return Decimal(1).copy_sign(x)
    if is_tiny(x):
        return +x
    with guard_digits(_GUARD + max(0, -x.adjusted())):
        grow = (2 * x).exp()
        value = (grow - 1) / (grow + 1)
    return +value


def asinh(x: Decimal) -> Decimal:
    """ln(x + sqrt(x² + 1)), on |x| (asinh is odd); ln 2|x| once x² + 1 rounds to x²."""
    if is_tiny(x):
        return +x
    magnitude = abs(x)
    precision = getcontext().prec
    if magnitude.adjusted() > precision:
        with guard_digits(_GUARD):
            value = (2 * magnitude).ln()
    else:
        # ln(1 + y) for y ≈ |x| cancels about -log10|x| digits (at most half the precision).
        with guard_digits(_GUARD + max(0, -magnitude.adjusted())):
            value = (magnitude + (magnitude * magnitude + 1).sqrt()).ln()
    return +value.copy_sign(x)


def acosh(x: Decimal) -> Decimal:
    """ln(x + sqrt((x - 1)(x + 1))) for x >= 1 (checked by the caller)."""
    precision = getcontext().prec
    if x.adjusted() > precision:
        with guard_digits(_GUARD):
            value = (2 * x).ln()
        return +value
    with guard_digits(_GUARD):
        above = x - 1
    # Near 1 the result is about sqrt(2(x - 1)): ln(1 + y) cancels -log10(y) digits.
    with guard_digits(_GUARD + max(0, -above.adjusted() // 2 + 1)):
        value = (x + (above * (x + 1)).sqrt()).ln()
    return +value


def atanh(x: Decimal) -> Decimal:
    """ln((1 + x) / (1 - x)) / 2 for |x| < 1 (checked by the caller)."""
    if is_tiny(x):
        return +x
    with guard_digits(_GUARD + max(0, -x.adjusted())):
        value = ((1 + x) / (1 - x)).ln() / 2
    return +value
