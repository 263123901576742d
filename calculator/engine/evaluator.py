"""Syntax tree to a value. Errors raised below a node get that node's span on the way up.

Values are engine numbers (numbers.py) or quantities (quantities.py); plain numbers take the
direct path, and only an operation with a quantity on either side goes through quantities.py.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from . import formats, mixed, nodes, quantities
from .arithmetic import (
    add,
    decimal_error,
    divide,
    factorial,
    modulo,
    multiply,
    negate,
    percent,
    power,
    subtract,
)
from .errors import CalcError, DimensionError, UnknownNameError
from .formats import FORMAT_NAMES, format_hint
from .functions import ARITY, CONSTANTS, IMPLEMENTATIONS, call_with_quantities
from .quantities import Quantity, Value
from .suggest import unit_hint
from .tokens import Span
from .units import UNIT_NAMES, single

Lookup = Callable[[str], "Value | None"]

_CHAIN_OPS = {
    "+": add,
    "-": subtract,
    "×": multiply,
    "of": multiply,
    "/": divide,
    "mod": modulo,
    "+%": lambda a, p: multiply(a, add(1, p)),
    "-%": lambda a, p: multiply(a, subtract(1, p)),
}
_QUANTITY_OPS = {
    "+": quantities.add,
    "-": quantities.subtract,
    "×": quantities.multiply,
    "of": quantities.multiply,
    "/": quantities.divide,
    "mod": quantities.modulo,
    "+%": lambda a, p: quantities.percent_change(a, p, 1),
    "-%": lambda a, p: quantities.percent_change(a, p, -1),
}
_DIVISIONS = frozenset(["/", "mod"])
_SUMS = frozenset(["+", "-", "+%", "-%"])
_POSTFIX_OPS = {"!": factorial, "%": percent}
_Number = nodes.Number
_Quantity = Quantity
# One of each unit, built once: a unit name evaluates to it (`km` is 1 km).
_UNIT_VALUES = {name: Quantity(1, single(name)) for name in UNIT_NAMES}
_KNOWN_NAMES = frozenset([*ARITY, *CONSTANTS, *UNIT_NAMES, "ans"])


def evaluate_tree(node: nodes.Node, lookup: Lookup) -> Value:
    """The value of `node`; lookup(name) gives a variable, constant or ans (None if undefined).
    A name nothing else defines is a unit (`km`), so a variable named like a unit shadows it."""
    return _EVALUATORS[type(node)](node, lookup)


def _located(error: Exception, start: int, end: int) -> CalcError:
    if isinstance(error, CalcError):
        if error.span is None:
            error.span = Span(start, end)
        return error
    located = decimal_error(error)
    located.span = Span(start, end)
    return located


def _number(node: nodes.Number, lookup: Lookup) -> Value:
    return node.value


def _name(node: nodes.Name, lookup: Lookup) -> Value:
    value = lookup(node.name)
    if value is not None:
        return value
    unit = _UNIT_VALUES.get(node.name)
    if unit is not None:
        return unit
    if node.name == "ans":
        raise UnknownNameError("no previous answer yet (ans is the last result)", node.span)
    if node.name == "i":
        raise UnknownNameError(
            "unknown name 'i': complex numbers are not supported (i is free for a variable)",
            node.span,
        )
    raise UnknownNameError(f"unknown name '{node.text}'{_hint(node.name, lookup)}", node.span)


def _hint(name: str, lookup: Lookup) -> str:
    """Suggest `pi r` for `pir` (letters run together form one name), else the closest name;
    a format's name without its `to` (`255 hex`) says where it goes."""
    if name in FORMAT_NAMES or name == "base":
        return f" ({format_hint(name)})"
    for cut in range(1, len(name)):
        left, right = name[:cut], name[cut:]
        if lookup(left) is not None and lookup(right) is not None:
            return f" (for {left} × {right}, write '{left} {right}')"
    return unit_hint(name, _KNOWN_NAMES)


# Whether a plain number given to sin, cos or tan is in degrees (the session's angle mode, set by
# evaluate() for the line it evaluates); an angle with a unit (30°, 1 rad) is what it says.
ANGLE_IN_DEGREES: ContextVar[bool] = ContextVar("angle_in_degrees", default=False)
_OF_ANGLE = frozenset(["sin", "cos", "tan"])
_DEGREE = single("deg")
_TIME = single("s").dimension
_LENGTH = single("m").dimension


def _call(node: nodes.Call, lookup: Lookup) -> Value:
    args = [_EVALUATORS[type(arg)](arg, lookup) for arg in node.args]
    if node.name in _OF_ANGLE and ANGLE_IN_DEGREES.get():
        args = [arg if type(arg) is _Quantity else Quantity(arg, _DEGREE) for arg in args]
    try:
        for arg in args:
            if type(arg) is _Quantity:
                return call_with_quantities(node.name, args)
        return IMPLEMENTATIONS[node.name](*args)
    except (CalcError, ArithmeticError) as error:
        raise _located(error, node.start, node.end) from None


def _prefix(node: nodes.Prefix, lookup: Lookup) -> Value:
    operand = node.operand
    value = _EVALUATORS[type(operand)](operand, lookup)
    for op, start in node.ops:
        try:
            if op == "-":
                value = quantities.negate(value) if type(value) is _Quantity else negate(value)
            elif op == "√":
                value = call_with_quantities("sqrt", [value])
            elif op == "∛":
                value = call_with_quantities("cbrt", [value])
        except (CalcError, ArithmeticError) as error:
            raise _located(error, start, node.end) from None
    return value


def _postfix(node: nodes.Postfix, lookup: Lookup) -> Value:
    operand = node.operand
    value = _EVALUATORS[type(operand)](operand, lookup)
    for op, end in node.ops:
        try:
            if type(value) is _Quantity:
                if op == "!":
                    quantities.check_plain("factorial", value)
                value = quantities.divide(value, 100)
            else:
                value = _POSTFIX_OPS[op](value)
        except (CalcError, ArithmeticError) as error:
            raise _located(error, node.start, end) from None
    return value


def _power(node: nodes.Power, lookup: Lookup) -> Value:
    operands = node.operands
    values = [_EVALUATORS[type(operand)](operand, lookup) for operand in operands]
    value = values[-1]
    for index in range(len(values) - 2, -1, -1):
        base = values[index]
        try:
            if type(base) is _Quantity or type(value) is _Quantity:
                value = quantities.power(base, value)
            else:
                value = power(base, value)
        except (CalcError, ArithmeticError) as error:
            raise _located(error, operands[index].start, node.end) from None
    return value


def _unit_power(node: nodes.UnitPower, lookup: Lookup) -> Value:
    base = node.operands[0]
    if node.value is None or lookup(base.name) is not None:
        return _power(node, lookup)  # a variable stands for the unit, or the power fails
    return node.value


def _chain(node: nodes.Chain, lookup: Lookup) -> Value:
    first = node.first
    value = first.value if type(first) is _Number else _EVALUATORS[type(first)](first, lookup)
    for index, (op, operand) in enumerate(node.rest):
        # Literals are the commonest operands: read them without a call.
        if type(operand) is _Number:
            right = operand.value
        else:
            right = _EVALUATORS[type(operand)](operand, lookup)
        try:
            if type(value) is _Quantity or type(right) is _Quantity:
                value = _QUANTITY_OPS[op](value, right)
            else:
                value = _CHAIN_OPS[op](value, right)
        except (CalcError, ArithmeticError) as error:
            if type(error) is DimensionError and op in _SUMS and node.ops_at:
                # `3 m + 2 s`: the operator joins what cannot be joined; in a sum written
                # without `+` (`1 h 30 m`) the quantity that does not fit is blamed.
                at = node.ops_at[index]
                end = operand.end if at == operand.start else at + 1
                if (
                    type(operand) is nodes.Measure
                    and operand.names == ("m",)
                    and _measures(value, _TIME)
                    and _measures(right, _LENGTH)
                ):
                    error.message += " (m is the metre: write min for minutes)"  # 1 h 30 m
                raise _located(error, at, end) from None
            # A zero divisor is the divisor's fault; anything else belongs to the whole run so far.
            blame_divisor = op in _DIVISIONS and not right
            start = operand.start if blame_divisor else node.start
            raise _located(error, start, operand.end) from None
    return value


def _measures(value: Value, dimension: tuple[int, ...]) -> bool:
    return type(value) is _Quantity and value.unit.dimension == dimension


def _measure(node: nodes.Measure, lookup: Lookup) -> Value:
    for name in node.names:
        if lookup(name) is not None:
            return _chain(node, lookup)  # a variable stands for the unit: not the text's value
    value = node.value
    if value is None:
        value = node.value = _chain(node, lookup)
    return value


def _assign(node: nodes.Assign, lookup: Lookup) -> Value:
    return evaluate_tree(node.value, lookup)


def _convert(node: nodes.Convert, lookup: Lookup) -> Value:
    operand = node.value
    value = _EVALUATORS[type(operand)](operand, lookup)
    target = node.target
    try:
        if type(target) is nodes.UnitTarget:
            if type(value) is _Quantity and value.unit is target.unit:
                return value  # in that unit already (`d / 2 h to km/h`): what convert() gives
            return quantities.convert(value, target.unit)
        if target.format.startswith(mixed.PREFIX):  # `to h min`: kept in the first unit
            return quantities.convert(value, mixed.units_of(target.format)[0])
        formats.check(value, target.format)
    except (CalcError, ArithmeticError) as error:
        raise _located(error, target.start, target.end) from None
    return value


_EVALUATORS: dict[type, Callable] = {
    nodes.Number: _number,
    nodes.Name: _name,
    nodes.Call: _call,
    nodes.Prefix: _prefix,
    nodes.Postfix: _postfix,
    nodes.Power: _power,
    nodes.UnitPower: _unit_power,
    nodes.Chain: _chain,
    nodes.Measure: _measure,
    nodes.Assign: _assign,
    nodes.Convert: _convert,
}
