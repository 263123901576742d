"""The engine's errors: one root, CalcError(message, span), and a subclass per kind of failure."""

from __future__ import annotations

from .tokens import Span


class CalcError(Exception):
    """A problem with the input, with the span (0-based, end exclusive) of the offending part."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        # None only while an error travels up to the node that knows where it happened.
        self.span: Span | None = span

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, {self.span!r})"


class ParseError(CalcError):
    """The text is not a well-formed expression (unexpected character, missing operand, …)."""


class MathError(CalcError):
    """The expression is well formed but undefined: division by zero, a domain error, …"""


class UnknownNameError(CalcError):
    """A name that is neither a variable, a constant, nor a function."""


class AssignmentError(CalcError):
    """An assignment to something that cannot be assigned (a built-in name, `ans`, a number)."""


class LimitError(CalcError):
    """The input or the result exceeds one of the bounds in limits.py."""


class DimensionError(CalcError):
    """Quantities whose dimensions do not fit the operation: `3 m + 2 s`, `1 h to km`."""
