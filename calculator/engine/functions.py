"""Built-in functions and constants: help text, arity, and values that are exact where possible."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from . import decimal_math, quantities
from .arithmetic import (
    add,
    exact_root,
    factorial,
    multiply,
    power,
    quotient_of_factorials,
    whole_number,
)
from .errors import LimitError, MathError, ParseError
from .limits import (
    MAX_EXACT_DIGITS,
    MAX_EXACT_WORK,
    MAX_FACTORIAL_ARGUMENT,
    MAX_ROUND_DIGITS,
    WORK_PRECISION,
)
from .numbers import (
    BITS_PER_DIGIT,
    MAX_EXACT_BITS,
    MAX_WORK_BITS,
    WORK_CONTEXT,
    Num,
    exact,
    format_number,
    from_decimal,
    guard_digits,
    size,
    to_decimal,
    work_fits,
)
from .tokens import Span

_NOISE = Decimal(f"1e-{WORK_PRECISION - 3}")


def _sqrt(x: Num) -> Num:
    if x < 0:
        raise MathError(f"sqrt of a negative number ({format_number(x)}) is not a real number")
    if type(x) is not Decimal:
        root = exact_root(x, 2)
        if root is not None:
            return root
    return to_decimal(x).sqrt()


def _cbrt(x: Num) -> Num:
    if not x:
        return 0
    if type(x) is not Decimal:
        root = exact_root(abs(x), 3)
        if root is not None:
            return root if x > 0 else -root
    magnitude = abs(to_decimal(x))
    with guard_digits(5):
        root = (magnitude.ln() / 3).exp()
    root = +root
    return root if x > 0 else -root


def _exp(x: Num) -> Num:
    return 1 if not x else to_decimal(x).exp()


def _check_logarithm_argument(name: str, x: Num) -> None:
    if not x:
        raise MathError(f"{name} of zero is undefined")
    if x < 0:
        raise MathError(f"{name} of a negative number ({format_number(x)}) is not a real number")


# Within this of 1, an exact x's logarithm is summed from x - 1 (decimal_math.ln1p).
_NEAR_ONE = Fraction(1, 10**5)


def _natural_log(x: Num) -> Decimal:
    """ln x, keeping every digit of an exact x close to 1 (ln(1 + 1/10^999) is 1e-999, not 0)."""
    if type(x) is not Decimal:
        offset = x - 1
        if offset and abs(offset) < _NEAR_ONE:
            return decimal_math.ln1p(to_decimal(offset))
    return to_decimal(x).ln()


def _ln(x: Num) -> Num:
    _check_logarithm_argument("ln", x)
    return 0 if x == 1 else _natural_log(x)


def _logarithm(name: str, x: Num, base: Num) -> Num:
    _check_logarithm_argument(name, x)
    if base <= 0 or base == 1:
        raise MathError(f"{name} base must be positive and not 1, got {format_number(base)}")
    with guard_digits(5):
        if base == 10 and type(x) is Decimal:
            value = x.log10()
        else:
            value = _natural_log(x) / _natural_log(base)
    if type(x) is not Decimal and type(base) is not Decimal:
        whole = _exact_logarithm(x, base, value)
        if whole is not None:
            return whole
    return +value


def _exact_logarithm(x: int | Fraction, base: int | Fraction, estimate: Decimal) -> int | None:
    """k when x = base^k exactly (log2(8) = 3, log(1/1000) = -3), else None.

    base^k is p^k/q^k in lowest terms, so it can equal x = r/s only if p^k has the size of r and
    q^k that of s: checked before the power is computed, which then costs no more than x's size.
    """
    k = int(estimate.to_integral_value())
    if abs(estimate - k) > Decimal("1e-12"):
        return None
    power = Fraction(base) if k >= 0 else 1 / Fraction(base)
    target = Fraction(x)
    pairs = ((power.numerator, target.numerator), (power.denominator, target.denominator))
    for part, goal in pairs:
        if part == 1:
            if goal != 1:
                return None
        elif not (part.bit_length() - 1) * abs(k) < goal.bit_length() <= part.bit_length() * abs(k):
            return None
    return k if power ** abs(k) == target else None


def _log(x: Num, base: Num = 10) -> Num:
    return _logarithm("log", x, base)


def _integer_rounding(rounding: str) -> Callable[..., Num]:
    exact_rounding = {ROUND_FLOOR: math.floor, ROUND_CEILING: math.ceil, ROUND_DOWN: math.trunc}[
        rounding
    ]

    def apply(x: Num, digits: Num = 0) -> Num:
        if digits != 0:
            return _to_places(x, digits, exact_rounding, rounding)
        if type(x) is not Decimal:
            return exact_rounding(x)
        if x.adjusted() >= WORK_PRECISION:
            return x
        nearest = x.to_integral_value()
        if abs(x - nearest) <= abs(x) * _NOISE:
            return int(nearest)
        return int(x.to_integral_value(rounding=rounding))

    return apply


def _places(name: str, digits: Num) -> int:
    places = whole_number(digits, f"{name}'s number of digits must be an integer")
    if abs(places) > MAX_ROUND_DIGITS:
        raise LimitError(f"{name}'s number of digits must be at most {MAX_ROUND_DIGITS:,}")
    return places


def _to_places(x: Num, digits: Num, exact_rounding: Callable, rounding: str) -> Num:
    """floor(x, n), ceil(x, n), trunc(x, n): to n decimals, exactly for exact x."""
    places = _places("rounding", digits)
    if type(x) is not Decimal:
        # x·10^n, rounded, over 10^n, whose gcd costs (size(x) + size(10^n))·size(10^n).
        scale_bits = int(abs(places) * 3.33) + 1
        if (size(x) + scale_bits) * scale_bits > MAX_WORK_BITS:
            x = to_decimal(x)
    if type(x) is Decimal:
        if x.adjusted() + places >= WORK_PRECISION:
            return x
        return from_decimal(x.quantize(Decimal(1).scaleb(-places), rounding=rounding))
    scale = Fraction(10) ** places
    return exact(Fraction(exact_rounding(x * scale)) / scale)


def _round(x: Num, digits: Num = 0) -> Num:
    """Half away from zero: round(2.5) = 3, round(-2.5) = -3, round(1.25, 1) = 1.3."""
    places = _places("round", digits)
    if type(x) is int and places >= 0:
        return x
    if type(x) is not Decimal:
        # Exactly: x·10^n, rounded, over 10^n, whose gcd costs (size(x) + size(10^n))·size(10^n).
        scale_bits = int(abs(places) * BITS_PER_DIGIT) + 1
        if (size(x) + scale_bits) * scale_bits > MAX_WORK_BITS:
            x = to_decimal(x)
    if type(x) is Decimal:
        if x.adjusted() + places >= WORK_PRECISION:
            return x
        return from_decimal(x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    scale = Fraction(10) ** places
    magnitude = math.floor(abs(x) * scale + Fraction(1, 2))
    return exact(Fraction(magnitude if x >= 0 else -magnitude) / scale)


def _trigonometric(name: str, compute: Callable[[Decimal], Decimal], at_zero: int):
    def apply(x: Num) -> Num:
        if not x:
            return at_zero
        return _snap(compute(to_decimal(x)), x)

    apply.__name__ = name
    return apply


def _snap(value: Decimal, argument: Num) -> Num:
    """Zero when an approximate argument leaves no significant digits (sin(pi), cos(90deg))."""
    if type(argument) is Decimal and abs(value) <= abs(argument) * _NOISE:
        return 0
    return value


def _tan(x: Num) -> Num:
    if not x:
        return 0
    cosine = _snap(decimal_math.cos(to_decimal(x)), x)
    if not cosine:
        raise MathError("tan is undefined where cos is 0 (odd multiples of 90°)")
    return _snap(decimal_math.sin(to_decimal(x)), x) / to_decimal(cosine)


def _inverse_sine(name: str, compute: Callable[[Decimal], Decimal], zero_at: int):
    def apply(x: Num) -> Num:
        if abs(x) > 1:
            raise MathError(f"{name} needs a value between -1 and 1, got {format_number(x)}")
        if x == zero_at:
            return 0
        return _snap(compute(to_decimal(x)), x)

    return apply


def _atan(x: Num) -> Num:
    return 0 if not x else decimal_math.atan(to_decimal(x))


def _atan2(y: Num, x: Num) -> Num:
    if not x and not y:
        raise MathError("atan2(0, 0) is undefined")
    if not y and x > 0:
        return 0
    return decimal_math.atan2(to_decimal(y), to_decimal(x))


def _hyperbolic(compute: Callable[[Decimal], Decimal], at_zero: int):
    def apply(x: Num) -> Num:
        return at_zero if not x else compute(to_decimal(x))

    return apply


def _integers(name: str, args: tuple[Num, ...]) -> list[int]:
    return [whole_number(arg, f"{name} needs integers") for arg in args]


def _gcd(*args: Num) -> Num:
    result = 0
    for n in _integers("gcd", args):
        _check_work("gcd", result, n)
        result = math.gcd(result, n)
    return result


def _lcm(*args: Num) -> Num:
    result = 1
    for n in _integers("lcm", args):
        _check_work("lcm", result, n)
        result = math.lcm(result, n)
        if result.bit_length() > MAX_EXACT_BITS:
            raise LimitError(f"lcm result too large (more than {MAX_EXACT_DIGITS:,} digits)")
    return result


def _check_work(name: str, a: int, b: int) -> None:
    """gcd and lcm have no approximate answer: refuse operands too large to compute exactly."""
    if not work_fits(a, b):
        raise LimitError(
            f"{name} of numbers this large is not computed (limit {MAX_EXACT_WORK:,} digits²)"
        )


def _extreme(choose: Callable) -> Callable[..., Num]:
    def apply(*args: Num) -> Num:
        if any(type(arg) is Decimal for arg in args):
            return choose(args, key=to_decimal)
        return choose(args)

    return apply


def _inverse_hyperbolic(name: str, compute: Callable[[Decimal], Decimal], low, high, at):
    """acosh (x >= 1), atanh (-1 < x < 1), asinh (any x); exact 0 where the result is 0."""

    def apply(x: Num) -> Num:
        if (
            (low is not None and x < low)
            or (high is not None and x >= high)
            or (name == "atanh" and x <= -1)
        ):
            interval = "at least 1" if name == "acosh" else "strictly between -1 and 1"
            raise MathError(f"{name} needs a value {interval}, got {format_number(x)}")
        if x == at:
            return 0
        return compute(to_decimal(x))

    return apply


def _sign(x: Num) -> Num:
    return (x > 0) - (x < 0)


def _nthroot(x: Num, n: Num) -> Num:
    """The real n-th root: nthroot(-8, 3) is -2; an even root of a negative number is an error."""
    degree = whole_number(n, "nthroot's degree must be an integer")
    if degree <= 0:
        raise MathError("nthroot's degree must be a positive integer")
    if x < 0:
        if degree % 2 == 0:
            raise MathError(
                f"an even root of a negative number ({format_number(x)}) is not a real number"
            )
        return -_nthroot(-x, degree)
    if degree == 1 or not x:
        return x
    return power(x, Fraction(1, degree))


def _combinations(name: str, n: Num, k: Num) -> Num:
    """ncr and npr: exact while the result has at most MAX_EXACT_DIGITS digits (estimated from
    lgamma before computing), else from the factorials' approximations."""
    n, k = _integers(name, (n, k))
    if n < 0 or k < 0 or k > n:
        raise MathError(f"{name}(n, k) needs integers with 0 <= k <= n")
    if n > MAX_FACTORIAL_ARGUMENT:
        raise LimitError(f"{name}'s n is too large (over {MAX_FACTORIAL_ARGUMENT:,})")
    chosen = k if name == "npr" else min(k, n - k)
    logarithm = math.lgamma(n + 1) - math.lgamma(n - chosen + 1)
    if name == "ncr":
        logarithm -= math.lgamma(chosen + 1)
    if logarithm / math.log(10) < MAX_EXACT_DIGITS - 10:
        return math.perm(n, chosen) if name == "npr" else math.comb(n, chosen)
    return quotient_of_factorials(n, (n - k,) if name == "npr" else (k, n - k))


def _hypot(*args: Num) -> Num:
    total: Num = 0
    for arg in args:
        total = add(total, multiply(arg, arg))
    return _sqrt(total)


# name -> (help text, fewest arguments, most arguments or None for any number, implementation)
_BUILTINS: dict[str, tuple[str, int, int | None, Callable[..., Num]]] = {
    "abs": ("abs(x) — absolute value", 1, 1, abs),
    "acos": ("acos(x) — arccosine, in radians", 1, 1, _inverse_sine("acos", decimal_math.acos, 1)),
    "asin": ("asin(x) — arcsine, in radians", 1, 1, _inverse_sine("asin", decimal_math.asin, 0)),
    "atan": ("atan(x) — arctangent, in radians", 1, 1, _atan),
    "atan2": ("atan2(y, x) — angle of the point (x, y), in radians", 2, 2, _atan2),
    "cbrt": ("cbrt(x) — cube root", 1, 1, _cbrt),
    "ceil": (
        "ceil(x) or ceil(x, n) — smallest integer ≥ x (or to n decimals)",
        1,
        2,
        _integer_rounding(ROUND_CEILING),
    ),
    "cos": (
        "cos(x) — cosine of x radians, or of an angle: cos(60°)",
        1,
        1,
        _trigonometric("cos", decimal_math.cos, 1),
    ),
    "cosh": ("cosh(x) — hyperbolic cosine", 1, 1, _hyperbolic(decimal_math.cosh, 1)),
    "exp": ("exp(x) — e to the power x", 1, 1, _exp),
    "factorial": ("factorial(n) — n!, for a non-negative integer n", 1, 1, factorial),
    "floor": (
        "floor(x) or floor(x, n) — largest integer ≤ x (or to n decimals)",
        1,
        2,
        _integer_rounding(ROUND_FLOOR),
    ),
    "gcd": ("gcd(a, b, …) — greatest common divisor of integers", 1, None, _gcd),
    "hypot": ("hypot(x, y, …) — length of the vector, sqrt(x² + y² + …)", 1, None, _hypot),
    "lcm": ("lcm(a, b, …) — least common multiple of integers", 1, None, _lcm),
    "ln": ("ln(x) — natural logarithm", 1, 1, _ln),
    "log": ("log(x) or log(x, base) — logarithm, base 10 unless given", 1, 2, _log),
    "log10": ("log10(x) — base-10 logarithm", 1, 1, lambda x: _logarithm("log10", x, 10)),
    "log2": ("log2(x) — base-2 logarithm", 1, 1, lambda x: _logarithm("log2", x, 2)),
    "max": ("max(a, b, …) — largest argument", 1, None, _extreme(max)),
    "min": ("min(a, b, …) — smallest argument", 1, None, _extreme(min)),
    "round": ("round(x) or round(x, digits) — half away from zero", 1, 2, _round),
    "sin": (
        "sin(x) — sine of x radians, or of an angle: sin(30°)",
        1,
        1,
        _trigonometric("sin", decimal_math.sin, 0),
    ),
    "sinh": ("sinh(x) — hyperbolic sine", 1, 1, _hyperbolic(decimal_math.sinh, 0)),
    "sqrt": ("sqrt(x) — square root, also written √x", 1, 1, _sqrt),
    "tan": ("tan(x) — tangent of x radians, or of an angle: tan(45°)", 1, 1, _tan),
    "tanh": ("tanh(x) — hyperbolic tangent", 1, 1, _hyperbolic(decimal_math.tanh, 0)),
    "trunc": (
        "trunc(x) or trunc(x, n) — x with its fractional part (after n decimals) dropped",
        1,
        2,
        _integer_rounding(ROUND_DOWN),
    ),
    "asinh": (
        "asinh(x) — inverse hyperbolic sine",
        1,
        1,
        _inverse_hyperbolic("asinh", decimal_math.asinh, None, None, 0),
    ),
    "acosh": (
        "acosh(x) — inverse hyperbolic cosine, for x ≥ 1",
        1,
        1,
        _inverse_hyperbolic("acosh", decimal_math.acosh, 1, None, 1),
    ),
    "atanh": (
        "atanh(x) — inverse hyperbolic tangent, for -1 < x < 1",
        1,
        1,
        _inverse_hyperbolic("atanh", decimal_math.atanh, None, 1, 0),
    ),
    "sign": ("sign(x) — -1, 0 or 1", 1, 1, _sign),
    "nthroot": (
        "nthroot(x, n) — real n-th root (nthroot(-8, 3) = -2); ∛x is the cube root",
        2,
        2,
        _nthroot,
    ),
    "ncr": ("ncr(n, k) — combinations, n choose k", 2, 2, lambda n, k: _combinations("ncr", n, k)),
    "npr": (
        "npr(n, k) — permutations of k out of n",
        2,
        2,
        lambda n, k: _combinations("npr", n, k),
    ),
}
# Spellings other calculators use.
for _alias, _name in (("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan")):
    _BUILTINS[_alias] = (f"{_alias}(x) — same as {_name}(x)", *_BUILTINS[_name][1:])

FUNCTIONS: dict[str, str] = {name: spec[0] for name, spec in sorted(_BUILTINS.items())}
ARITY: dict[str, tuple[int, int | None]] = {
    name: (low, high) for name, (_, low, high, _) in _BUILTINS.items()
}
IMPLEMENTATIONS: dict[str, Callable[..., Num]] = {name: spec[3] for name, spec in _BUILTINS.items()}

CONSTANTS: dict[str, str] = {
    "e": "e — Euler's number, 2.71828…",
    "phi": "phi — the golden ratio, (1 + sqrt(5))/2",
    "pi": "pi (or π) — 3.14159…",
    "tau": "tau (or τ) — 2 pi",
}


def _constant_values() -> dict[str, Decimal]:
    with localcontext(WORK_CONTEXT):
        with guard_digits(10):
            pi = decimal_math.pi()
            values = {
                "e": Decimal(1).exp(),
                "phi": (1 + Decimal(5).sqrt()) / 2,
                "pi": pi,
                "tau": 2 * pi,
            }
        return {name: +value for name, value in values.items()}


CONSTANT_VALUES: dict[str, Decimal] = _constant_values()


def arity_error(name: str, count: int, span: Span) -> ParseError:
    low, high = ARITY[name]
    if high is None:
        expected = f"at least {low} argument{'s' if low != 1 else ''}"
    elif low == high:
        expected = f"{low} argument{'s' if low != 1 else ''}"
    else:
        expected = f"{low} or {high} arguments"
    return ParseError(f"{name} takes {expected}, got {count}", span)


# Functions that keep a quantity's unit (`abs(-3 m)` is 3 m, `round(2.54 cm, 1)` is 2.5 cm).
_KEEP_UNIT = frozenset(["abs", "floor", "ceil", "trunc", "round"])
# Functions of several values of one kind, answered in the first one's unit.
_SAME_UNIT = frozenset(["min", "max", "hypot"])
_ROOTS = {"sqrt": 2, "cbrt": 3}


def call_with_quantities(name: str, args: list[quantities.Value]) -> quantities.Value:
    """A built-in applied to arguments of which some may be quantities: trigonometric functions
    take angles, roots and powers take units along, the rest need plain numbers."""
    Quantity = quantities.Quantity
    first = args[0]
    if type(first) is Quantity:
        if name in _KEEP_UNIT:
            rest = [quantities.check_plain(name, arg) for arg in args[1:]]
            return Quantity(IMPLEMENTATIONS[name](first.magnitude, *rest), first.unit)
        if name in _SAME_UNIT:
            magnitudes, unit = quantities.same_unit(name, args)
            return Quantity(IMPLEMENTATIONS[name](*magnitudes), unit)
        if name in _ROOTS:
            return quantities.root(first, _ROOTS[name])
        if name == "nthroot":
            degree = whole_number(
                quantities.check_plain(name, args[1]), "nthroot's degree must be an integer"
            )
            if degree <= 0:
                raise MathError("nthroot's degree must be a positive integer")
            return quantities.root(first, degree)
        if name == "sign":
            return _sign(first.magnitude)
    if name in ("sin", "cos", "tan"):
        args = [quantities.in_radians(name, arg) for arg in args]
    elif name in _SAME_UNIT:
        args = quantities.same_unit(name, args)[0]
    else:
        args = [quantities.check_plain(name, arg) for arg in args]
    return IMPLEMENTATIONS[name](*args)
