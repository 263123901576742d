"""Quantities (a number times a unit) and the operators on them, exact wherever the numbers are.

A quantity keeps its magnitude in the unit it was written in (3 ft stays 3 ft); a conversion
multiplies by the exact ratio of two units' scales, through arithmetic.py's bounded operators.
Errors are raised without a span, as arithmetic.py's are; the evaluator adds it.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from . import arithmetic, decimal_math
from .errors import CalcError, DimensionError, LimitError, MathError
from .limits import MAX_EXACT_ROOT_DEGREE
from .numbers import Num
from .units import (
    BASE_UNITS,
    PREFERRED,
    UNITS,
    Unit,
    UnitError,
    dimension_name,
    product_unit,
    raised,
    single,
    unit,
)


class Quantity:
    """A magnitude (an engine number) in a unit. Immutable; `==` compares magnitude and unit as
    written (3 ft is not 36 in: convert one to the other's unit to compare amounts)."""

    __slots__ = ("magnitude", "unit")

    def __init__(self, magnitude: Num, unit: Unit) -> None:
        self.magnitude = magnitude
        self.unit = unit

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is Quantity
            and other.unit is self.unit
            and other.magnitude == self.magnitude
        )

    def __hash__(self) -> int:
        return hash((self.magnitude, id(self.unit)))

    def __repr__(self) -> str:
        return f"Quantity({self.magnitude!r}, {self.unit.text!r})"


Value = Num | Quantity


def kind(value: Value) -> str:
    """What a value measures, for error messages: `length`, `speed`, `a plain number`."""
    if type(value) is Quantity:
        return dimension_name(value.unit.dimension)
    return "a plain number"


def unit_ratio(source: Unit, target: Unit) -> Num:
    """How many `target` make one `source`: exact unless the two differ by a power of pi."""
    return _unit_ratio(source, target)


@lru_cache(maxsize=4096)
def _unit_ratio(source: Unit, target: Unit) -> Num:
    return _times_pi(source.scale / target.scale, source.pi_power - target.pi_power)


def _scale_value(source: Unit) -> Num:
    """A unit's size in base units: exact, times pi^k for angles."""
    return _times_pi(source.scale, source.pi_power)


def _times_pi(ratio: Fraction, power: int) -> Num:
    exact = ratio.numerator if ratio.denominator == 1 else ratio
    if not power:
        return exact
    return arithmetic.multiply(exact, arithmetic.power(decimal_math.pi(), power))


def convert(value: Value, target: Unit) -> Quantity:
    """`value` expressed in `target`; DimensionError if it measures something else."""
    if type(value) is not Quantity or value.unit.dimension != target.dimension:
        hint = ""
        if type(value) is Quantity and value.unit is _COULOMB and target.dimension == _KELVIN:
            hint = " (C is the coulomb: write °C or degC for degrees Celsius)"
        raise DimensionError(
            f"cannot convert {kind(value)} to {dimension_name(target.dimension)}{hint}"
        )
    source = value.unit
    if source is target:
        return value
    if source.has_offset or target.has_offset:
        return Quantity(_convert_temperature(value.magnitude, source, target), target)
    return Quantity(
        _apply(arithmetic.multiply, value.magnitude, _unit_ratio(source, target)), target
    )


def _convert_temperature(magnitude: Num, source: Unit, target: Unit) -> Num:
    """A temperature is a point on its scale: (v + offset)·scale kelvin, then back."""
    if not (_is_point(source) and _is_point(target)):
        raise DimensionError(
            "°C and °F are points on a scale and cannot be part of a compound unit: use K"
        )
    factor, shift = _temperature_map(source, target)
    return arithmetic.add(arithmetic.multiply(magnitude, factor), shift)


@lru_cache(maxsize=64)
def _temperature_map(source: Unit, target: Unit) -> tuple[Num, Num]:
    """(a, b) with v_target = a·v + b, exactly: a = s/t, b = offset·s/t − target's offset."""
    factor = source.scale / target.scale
    return _exact(factor), _exact(source.offset * factor - target.offset)


def _is_point(temperature: Unit) -> bool:
    return len(temperature.terms) == 1 and temperature.terms[0][1] == 1


def _exact(value: Fraction) -> Num:
    return value.numerator if value.denominator == 1 else value


def in_base_units(value: Quantity) -> Num:
    """The magnitude in SI base units (offset scales excluded)."""
    return arithmetic.multiply(value.magnitude, _base_ratio(value.unit))


@lru_cache(maxsize=1024)
def _base_ratio(source: Unit) -> Num:
    base = _base_unit(source.dimension)
    return _scale_value(source) if base is None else unit_ratio(source, base)


def _base_unit(dim: tuple[int, ...]) -> Unit | None:
    terms = tuple(
        (UNITS[symbol], power) for symbol, power in zip(BASE_UNITS, dim, strict=True) if power
    )
    return unit(terms) if terms else None


# --- sums ------------------------------------------------------------------------------------


def add(a: Value, b: Value) -> Value:
    return _sum(a, b, arithmetic.add, "add")


def subtract(a: Value, b: Value) -> Value:
    return _sum(a, b, arithmetic.subtract, "subtract")


def modulo(a: Value, b: Value) -> Value:
    return _sum(a, b, arithmetic.modulo, "take the remainder of")


def _sum(a: Value, b: Value, operation, verb: str) -> Value:
    """A sum or remainder in the left operand's unit (`3 ft + 20 cm` is in ft)."""
    if type(a) is not Quantity or type(b) is not Quantity:
        raise DimensionError(f"cannot {verb} {kind(a)} and {kind(b)}")
    if a.unit.dimension != b.unit.dimension:
        raise DimensionError(f"cannot {verb} {kind(a)} and {kind(b)}")
    if a.unit.has_offset or b.unit.has_offset:
        if a.unit is not b.unit:
            raise DimensionError(
                f"{verb} {a.unit.text} and {b.unit.text}: ambiguous for temperatures on an offset "
                "scale; convert both to one unit first (or use K)"
            )
        return Quantity(operation(a.magnitude, b.magnitude), a.unit)
    return Quantity(operation(a.magnitude, convert(b, a.unit).magnitude), a.unit)


def percent_change(a: Value, percent: Value, sign: int) -> Value:
    """`a + p%` is a·(1 + p/100), as every phone calculator reads it."""
    if type(percent) is Quantity:
        raise DimensionError(f"a percentage is a plain number, not {kind(percent)}")
    factor = arithmetic.add(1, percent) if sign > 0 else arithmetic.subtract(1, percent)
    return multiply(a, factor)


# --- products --------------------------------------------------------------------------------


def multiply(a: Value, b: Value) -> Value:
    return _product(a, b, 1)


def divide(a: Value, b: Value) -> Value:
    return _product(a, b, -1)


def _product(a: Value, b: Value, sign: int) -> Value:
    operation = arithmetic.multiply if sign > 0 else arithmetic.divide
    if type(b) is not Quantity:
        return Quantity(_apply(operation, a.magnitude, b), a.unit)
    if type(a) is not Quantity:
        magnitude = _apply(operation, a, b.magnitude)
        if sign > 0:
            return Quantity(magnitude, b.unit)
        _no_offset(b.unit)
        return Quantity(magnitude, _bounded(raised, b.unit, -1))
    if a.unit.has_offset or b.unit.has_offset:
        _no_offset(a.unit)
        _no_offset(b.unit)
    try:
        factors, result = _product_plan(a.unit, b.unit, sign)
    except UnitError as error:
        raise LimitError(str(error)) from None
    magnitude = _apply(operation, a.magnitude, b.magnitude)
    for factor in factors:
        magnitude = arithmetic.multiply(magnitude, factor)
    if type(result) is Unit:
        return Quantity(magnitude, result)
    return magnitude if result is None else arithmetic.multiply(magnitude, result)


@lru_cache(maxsize=4096)
def _product_plan(a: Unit, b: Unit, sign: int) -> tuple[tuple[Num, ...], Unit | Num | None]:
    """How a product (sign 1) or quotient (-1) of a quantity in `a` by one in `b` ends, which
    depends on the units alone: the factors its magnitude is then multiplied by and its unit (or
    the scale of a dimensionless result, or None), as _simplification() gives them when the
    units share a dimension (`kWh/h` is kW), else none and the merged unit. One cached lookup a
    product, where a line multiplies the same few units again and again."""
    merged, overlapping = product_unit(a, b, sign)
    if merged is None:
        return (), None
    return _simplification(merged) if overlapping else ((), merged)


def _apply(operation, a: Num, b: Num) -> Num:
    """operation(a, b) for multiply or divide. b is often exactly 1 (a unit on its own, as in
    `/s^2`, or a ratio of equal units): then the result is a itself when a is exact (a Decimal
    would be rounded to the context, so it goes through the operation)."""
    if type(b) is int and b == 1 and type(a) is not Decimal:
        return a
    return operation(a, b)


@lru_cache(maxsize=4096)
def _simplification(merged: Unit) -> tuple[tuple[Num, ...], Unit | Num | None]:
    """How a product whose units share a dimension simplifies, which depends on `merged` alone.

    Units of one kind are converted to the first of them (`ft·m` is ft^2, `km/h · min` is km); a
    dimensionless result is a plain number (`1 km / 1 m` is 1000); a named unit of the same
    dimension and scale is preferred (`kWh/h` is kW, `N·m` is J). Returns the factors the
    magnitude is multiplied by, one per unit folded into another (in order, so the rounding of
    an inexact factor is the same as folding them one by one), and the resulting unit, or the
    scale of a dimensionless result, or None when nothing is left."""
    factors = []
    terms = list(merged.terms)
    index = 0
    while index < len(terms):
        named, exponent = terms[index]
        later = index + 1
        while later < len(terms):
            other, power_of_other = terms[later]
            if other.dimension != named.dimension:
                later += 1
                continue
            ratio = unit_ratio(unit(((other, 1),)), unit(((named, 1),)))
            factors.append(arithmetic.power(ratio, power_of_other))
            exponent += power_of_other
            del terms[later]
        if exponent:
            terms[index] = (named, exponent)
            index += 1
        else:
            del terms[index]
    if not terms:
        return tuple(factors), None
    folded = unit(tuple(terms))
    if not any(folded.dimension):
        return tuple(factors), _scale_value(folded)
    if len(terms) > 1:
        named_unit = PREFERRED.get((folded.dimension, folded.scale, folded.pi_power))
        if named_unit is not None:
            return tuple(factors), named_unit
    return tuple(factors), folded


def measure(magnitude: Num, units: tuple[Unit, ...]) -> Quantity | None:
    """`60 km`, `9.81 m s^-2`, `5 N m`: the number times its units, as the evaluator's products
    of one of each unit would give it, when that is the number itself in one unit; None when the
    product would change the magnitude, leave a plain number or fail (the evaluator then
    multiplies, and raises where it must)."""
    merged = _measure_unit(units)
    return None if merged is None else Quantity(magnitude, merged)


@lru_cache(maxsize=1024)
def _measure_unit(units: tuple[Unit, ...]) -> Unit | None:
    """measure()'s unit, which depends on the units alone; cached (at most 1,024 runs of units)
    because a new line's measures are mostly the same few (`km`, `m s^-2`, `kWh`)."""
    result = units[0]
    for right in units[1:]:
        if result.has_offset or right.has_offset:
            return None
        try:
            merged, overlapping = product_unit(result, right, 1)
        except UnitError:
            return None
        if overlapping and merged is not None:
            factors, merged = _simplification(merged)
            if factors:
                return None
        if type(merged) is not Unit:
            return None
        result = merged
    return result


def _no_offset(value_unit: Unit) -> None:
    if value_unit.has_offset:
        raise DimensionError(
            f"{value_unit.text} is a point on a scale: multiply or divide a temperature in K"
        )


def _bounded(function, *args):
    try:
        return function(*args)
    except UnitError as error:
        raise LimitError(str(error)) from None


def negate(a: Quantity) -> Quantity:
    return Quantity(arithmetic.negate(a.magnitude), a.unit)


def power(base: Value, exponent: Value) -> Value:
    if type(exponent) is Quantity:
        raise DimensionError(f"an exponent must be a plain number, not {kind(exponent)}")
    if type(exponent) is Decimal:
        whole = arithmetic.is_whole(exponent) and abs(exponent) <= 10**6
        if not whole:
            raise MathError("a quantity's power must be an integer or an exact fraction")
        exponent = int(exponent)
    if type(exponent) is int:
        if exponent == 0:
            return 1
        _no_offset(base.unit)
        powered = _bounded(raised, base.unit, exponent)
        return Quantity(arithmetic.power(base.magnitude, exponent), powered)
    numerator, denominator = exponent.numerator, exponent.denominator
    return power(root(base, denominator), numerator)


@lru_cache(maxsize=1024)
def unit_power(name: str, exponent: int) -> Value | None:
    """The named unit to an integer power, as power() gives it (`s^2` is 1 s^2), or None where
    power() raises (`°C^2`, `m^13`): the evaluator then raises it with its span. Cached (at most
    1,024 pairs; the value is immutable): a new line's `m^2` or `/s^2` is one lookup."""
    try:
        return power(Quantity(1, single(name)), exponent)
    except CalcError:
        return None


def root(value: Quantity, degree: int) -> Quantity:
    """The degree-th root: `sqrt(16 m^2)` is 4 m, `sqrt(1 ha)` is 100 m; every power of the unit
    (or of its base units) must be a multiple of the degree."""
    _no_offset(value.unit)
    rooted, in_base, exponent = _root_of(value.unit, degree)
    magnitude = in_base_units(value) if in_base else value.magnitude
    if type(magnitude) is not Decimal and magnitude >= 0 and degree <= MAX_EXACT_ROOT_DEGREE:
        # What the power 1/degree gives for an exact root (`sqrt(16 m^2)`), found without it.
        exact = arithmetic.exact_root(magnitude, degree)
        if exact is not None:
            return Quantity(exact, rooted)
    return Quantity(arithmetic.power(magnitude, exponent), rooted)


@lru_cache(maxsize=1024)
def _root_of(value_unit: Unit, degree: int) -> tuple[Unit, bool, Fraction]:
    """root()'s unit, whether the magnitude goes to base units first, and the exponent 1/degree:
    all three depend on the unit and the degree alone."""
    terms = value_unit.terms
    if all(p % degree == 0 for _, p in terms):
        return unit(tuple((named, p // degree) for named, p in terms)), False, Fraction(1, degree)
    if all(p % degree == 0 for p in value_unit.dimension):
        rooted = _base_unit(tuple(p // degree for p in value_unit.dimension))
        return rooted, True, Fraction(1, degree)
    # Powers are at most a few dozen: a larger degree is named without its digits.
    which = f"multiples of {degree}" if degree <= 1000 else "multiples of the degree"
    raise DimensionError(
        f"the root of a quantity in {value_unit.text} has no unit (its powers are not {which})"
    )


def check_plain(name: str, value: Value) -> Num:
    """A function argument that must be a plain number."""
    if type(value) is Quantity:
        raise DimensionError(f"{name} needs a plain number, not {kind(value)}")
    return value


def in_radians(name: str, value: Value) -> Num:
    """A trigonometric function's argument: an angle in any unit, or a plain number (radians)."""
    if type(value) is Quantity:
        if value.unit.dimension != UNITS["rad"].dimension:
            raise DimensionError(f"{name} needs an angle or a plain number, not {kind(value)}")
        return convert(value, _RADIAN).magnitude
    return value


_RADIAN = unit(((UNITS["rad"], 1),))
_COULOMB = unit(((UNITS["C"], 1),))
_KELVIN = UNITS["K"].dimension


def same_unit(name: str, values: list[Value]) -> tuple[list[Num], Unit | None]:
    """The magnitudes of `values` in the first one's unit (min, max, hypot of quantities)."""
    first = values[0]
    if type(first) is not Quantity:
        for value in values:
            check_plain(name, value)
        return list(values), None
    try:
        return [convert(value, first.unit).magnitude for value in values], first.unit
    except DimensionError:
        kinds = " and ".join(sorted({kind(value) for value in values}))
        raise DimensionError(f"{name} needs values of one kind, not {kinds}") from None
