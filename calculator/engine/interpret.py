"""The normalized reading of a syntax tree, with the grouping that precedence implied made explicit.

Rules: every operand that is not atomic (a number, a name, a call, or one of those with a sign or
a single `!` or `%`, except around `^`) is parenthesized, so `1+2*3` reads `1 + (2 × 3)` and
`2pi r^2` reads `2 × pi × (r^2)`; a run of one operator level stays flat (`1 + 2 + 3`), except
that whatever precedes an operator following `/` or `mod` is grouped (`6/2(1+2)` reads
`(6 / 2) × (1 + 2)`); powers show their right-associativity (`2^(3^2)`); signs show they bind
looser than `^` and `!` (`-(2^2)`, `-(3!)`). A number's units read as a product (`60 km/h` →
`60 × km / h`), parenthesized where it is not first (`d / (2 × h)`); `100 + 10%` reads
`100 × (1 + 10%)`; a conversion reads `… to m/s`. A trigonometric function of a plain number
says what the number is taken in: radians (`sin(30)` → `sin(30 rad)`), or degrees in a session
that reads angles in degrees (`sin(30°)`).
"""

from __future__ import annotations

from contextvars import ContextVar

from . import nodes
from .functions import CONSTANT_VALUES

_ATOMS = (nodes.Number, nodes.Name, nodes.Call)
_UNARY = (nodes.Prefix, nodes.Postfix)


# Whether the reading being rendered takes a plain angle in degrees (set by interpret()).
_DEGREES: ContextVar[bool] = ContextVar("interpret_degrees", default=False)


def interpret(node: nodes.Node, degrees: bool | None = None) -> str:
    """The reading of `node`; `degrees` when plain numbers given to sin, cos and tan are taken
    in degrees (None, in a nested call: as the reading around it)."""
    if degrees is None:
        return _RENDERERS[type(node)](node)
    token = _DEGREES.set(degrees)
    try:
        return _RENDERERS[type(node)](node)
    finally:
        _DEGREES.reset(token)


def interpretation_differs(text: str, interpretation: str) -> bool:
    """Whether the interpretation tells the user more than spacing, spelling and parentheses."""
    typed, shown = _normalize(text), _normalize(interpretation)
    if typed == shown:
        return False
    # Dropping parentheses the input had (e.g. `(1+2)` → `1 + 2`) tells the user nothing new.
    position = 0
    for char in typed:
        if position < len(shown) and char == shown[position]:
            position += 1
        elif char not in "()":
            return True
    return position < len(shown)


_SPELLINGS = str.maketrans(
    {"×": "*", "·": "*", "⋅": "*", "÷": "/", "−": "-", "π": "pi", "τ": "tau", "→": "to", "μ": "µ"}
)


def _normalize(text: str) -> str:
    return "".join(text.split()).replace("**", "^").replace("->", "to").translate(_SPELLINGS)


def _operand(node: nodes.Node, signed_ok: bool = True, postfix_ok: bool = True) -> str:
    text = _RENDERERS[type(node)](node)
    if isinstance(node, _ATOMS):
        return text
    if signed_ok and isinstance(node.operand if type(node) in _UNARY else None, _ATOMS):
        # `-x`, `100!` and `15%` read unambiguously beside + - × /; around `^` they do not.
        simple = type(node) is nodes.Prefix or (postfix_ok and len(node.ops) == 1)
        return text if simple else f"({text})"
    return f"({text})"


# Superscript digits typed as a power (m², 2¹⁰) read as plain ones after the `^`.
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def _number(node: nodes.Number) -> str:
    return node.text.translate(_SUPERSCRIPT_DIGITS)


def _name(node: nodes.Name) -> str:
    return node.text


# Functions of an angle: a plain number is taken in radians (or the session's degrees), which
# `sin(30)` does not say.
_OF_ANGLE = frozenset(["sin", "cos", "tan"])


def _call(node: nodes.Call) -> str:
    if node.name in _OF_ANGLE and len(node.args) == 1 and _plain(node.args[0]):
        unit = "°" if _DEGREES.get() else " rad"
        return f"{node.name}({_operand(node.args[0])}{unit})"
    return f"{node.name}({', '.join(interpret(arg) for arg in node.args)})"


def _plain(node: nodes.Node) -> bool:
    """Whether a subtree is a plain number for certain, whatever the session holds: numbers and
    constants only (a variable may hold an angle, `x = 30°`; a unit makes it a quantity)."""
    kind = type(node)
    if kind is nodes.Number:
        return True
    if kind is nodes.Name:
        return node.name in CONSTANT_VALUES
    if kind is nodes.Call:
        return all(_plain(arg) for arg in node.args)
    if kind in _UNARY:
        return _plain(node.operand)
    if kind is nodes.Power:
        return all(_plain(operand) for operand in node.operands)
    if kind is nodes.Chain:
        return _plain(node.first) and all(_plain(operand) for _, operand in node.rest)
    return False


def _prefix(node: nodes.Prefix) -> str:
    text = _operand(node.operand, signed_ok=False)
    for op, _ in node.ops:
        text = op + text
    return text


def _postfix(node: nodes.Postfix) -> str:
    text = _operand(node.operand, signed_ok=False)
    for index, (op, _) in enumerate(node.ops):
        text = f"({text}){op}" if index else text + op
    return text


def _power(node: nodes.Power) -> str:
    operands = node.operands
    text = _operand(operands[-1], postfix_ok=False)
    for operand in operands[-2::-1]:
        text = f"{_operand(operand, signed_ok=False)}^{text}"
        if operand is not operands[0]:
            text = f"({text})"
    return text


def _chain(node: nodes.Chain) -> str:
    first = node.first
    if type(node) is nodes.Measure and node.names == ("°",) and type(node.rest[0][1]) is nodes.Name:
        return f"{_operand(first)}°"  # 30° reads as typed
    text = _chain(first) if type(first) is nodes.Measure else _operand(first)
    previous = None
    for op, operand in node.rest:
        if previous in ("/", "mod"):
            text = f"({text})"
        if op in ("+%", "-%"):
            text = f"{text if previous is None else f'({text})'} × (1 {op[0]} {_operand(operand)})"
        else:
            text = f"{text} {op} {_operand(operand)}"
        previous = op
    return text


def _convert(node: nodes.Convert) -> str:
    target = node.target
    shown = target.unit.text if type(target) is nodes.UnitTarget else target.text
    return f"{interpret(node.value)} to {shown}"


def _assign(node: nodes.Assign) -> str:
    return f"{node.target.text} = {interpret(node.value)}"


_RENDERERS = {
    nodes.Number: _number,
    nodes.Name: _name,
    nodes.Call: _call,
    nodes.Prefix: _prefix,
    nodes.Postfix: _postfix,
    nodes.Power: _power,
    nodes.UnitPower: _power,
    nodes.Chain: _chain,
    nodes.Measure: _chain,
    nodes.Assign: _assign,
    nodes.Convert: _convert,
}
