"""Syntax tree to a number. Errors raised below a node get that node's span on the way up."""

from __future__ import annotations

from collections.abc import Callable

from . import nodes
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
from .errors import CalcError, UnknownNameError
from .functions import IMPLEMENTATIONS
from .numbers import Num
from .tokens import Span

Lookup = Callable[[str], "Num | None"]

_CHAIN_OPS = {"+": add, "-": subtract, "×": multiply, "/": divide, "mod": modulo}
_DIVISIONS = frozenset(["/", "mod"])
_POSTFIX_OPS = {"!": factorial, "%": percent}
_Number = nodes.Number


def evaluate_tree(node: nodes.Node, lookup: Lookup) -> Num:
    """The value of `node`; lookup(name) gives a variable, constant or ans (None if undefined)."""
    return _EVALUATORS[type(node)](node, lookup)


def _located(error: Exception, start: int, end: int) -> CalcError:
    if isinstance(error, CalcError):
        if error.span is None:
            error.span = Span(start, end)
        return error
    located = decimal_error(error)
    located.span = Span(start, end)
    return located


def _number(node: nodes.Number, lookup: Lookup) -> Num:
    return node.value


def _name(node: nodes.Name, lookup: Lookup) -> Num:
    value = lookup(node.name)
    if value is not None:
        return value
    if node.name == "ans":
        raise UnknownNameError("no previous answer yet (ans is the last result)", node.span)
    raise UnknownNameError(f"unknown name '{node.text}'{_split_hint(node.name, lookup)}", node.span)


def _split_hint(name: str, lookup: Lookup) -> str:
    """Suggest `pi r` for `pir`: letters run together form one name."""
    for cut in range(1, len(name)):
        left, right = name[:cut], name[cut:]
        if lookup(left) is not None and lookup(right) is not None:
            return f" (for {left} × {right}, write '{left} {right}')"
    return ""


def _call(node: nodes.Call, lookup: Lookup) -> Num:
    args = [_EVALUATORS[type(arg)](arg, lookup) for arg in node.args]
    try:
        return IMPLEMENTATIONS[node.name](*args)
    except (CalcError, ArithmeticError) as error:
        raise _located(error, node.start, node.end) from None


def _prefix(node: nodes.Prefix, lookup: Lookup) -> Num:
    operand = node.operand
    value = _EVALUATORS[type(operand)](operand, lookup)
    for op, start in node.ops:
        if op == "-":
            value = negate(value)
        elif op == "√":
            try:
                value = IMPLEMENTATIONS["sqrt"](value)
            except (CalcError, ArithmeticError) as error:
                raise _located(error, start, node.end) from None
    return value


def _postfix(node: nodes.Postfix, lookup: Lookup) -> Num:
    operand = node.operand
    value = _EVALUATORS[type(operand)](operand, lookup)
    for op, end in node.ops:
        try:
            value = _POSTFIX_OPS[op](value)
        except (CalcError, ArithmeticError) as error:
            raise _located(error, node.start, end) from None
    return value


def _power(node: nodes.Power, lookup: Lookup) -> Num:
    operands = node.operands
    values = [_EVALUATORS[type(operand)](operand, lookup) for operand in operands]
    value = values[-1]
    for index in range(len(values) - 2, -1, -1):
        try:
            value = power(values[index], value)
        except (CalcError, ArithmeticError) as error:
            raise _located(error, operands[index].start, node.end) from None
    return value


def _chain(node: nodes.Chain, lookup: Lookup) -> Num:
    first = node.first
    value = first.value if type(first) is _Number else _EVALUATORS[type(first)](first, lookup)
    for op, operand in node.rest:
        # Literals are the commonest operands: read them without a call.
        if type(operand) is _Number:
            right = operand.value
        else:
            right = _EVALUATORS[type(operand)](operand, lookup)
        try:
            value = _CHAIN_OPS[op](value, right)
        except (CalcError, ArithmeticError) as error:
            # A zero divisor is the divisor's fault; anything else belongs to the whole run so far.
            blame_divisor = op in _DIVISIONS and not right
            start = operand.start if blame_divisor else node.start
            raise _located(error, start, operand.end) from None
    return value


def _assign(node: nodes.Assign, lookup: Lookup) -> Num:
    return evaluate_tree(node.value, lookup)


_EVALUATORS: dict[type, Callable] = {
    nodes.Number: _number,
    nodes.Name: _name,
    nodes.Call: _call,
    nodes.Prefix: _prefix,
    nodes.Postfix: _postfix,
    nodes.Power: _power,
    nodes.Chain: _chain,
    nodes.Assign: _assign,
}
