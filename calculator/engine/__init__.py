"""The calculator engine's facade: evaluate(text, session) -> Result, never raising.

>>> session = Session()
>>> evaluate("x = 0.1 + 0.2", session).display
'0.3'
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache

from .errors import AssignmentError, CalcError, LimitError, MathError, ParseError, UnknownNameError
from .evaluator import evaluate_tree
from .functions import CONSTANT_VALUES, CONSTANTS, FUNCTIONS
from .interpret import interpret, interpretation_differs
from .limits import MAX_EXPRESSION_LENGTH, PARSE_CACHE_SIZE
from .nodes import Assign, Node
from .numbers import WORK_CONTEXT, Num, format_number, from_decimal, to_value
from .parser import parse
from .tokens import Span

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_EXPRESSION_LENGTH",
    "AssignmentError",
    "CalcError",
    "LimitError",
    "MathError",
    "ParseError",
    "Result",
    "Session",
    "Span",
    "UnknownNameError",
    "evaluate",
]


@dataclass(slots=True)
class Result:
    """One evaluated line: either value and display, or error (with its span)."""

    text: str
    ok: bool
    value: Decimal | None = None
    display: str | None = None
    interpretation: str | None = None
    interpretation_differs: bool = False
    assigned: str | None = None
    error: CalcError | None = None


class Session:
    """Variables and `ans`, as Decimals that round-trip through str() for storage."""

    def __init__(self, variables: dict[str, Decimal] | None = None, ans: Decimal | None = None):
        self.variables: dict[str, Decimal] = dict(variables or {})
        self.ans: Decimal | None = ans
        # The exact value behind each stored Decimal computed in this session (1/3 stays a third),
        # valid while the public Decimal is still the very object we stored.
        self._exact: dict[str, tuple[Decimal, Num]] = {}

    def lookup(self, name: str) -> Num | None:
        """The value of a constant, a variable or `ans`, or None when it is not defined."""
        constant = CONSTANT_VALUES.get(name)
        if constant is not None:
            return constant
        stored = self.ans if name == "ans" else self.variables.get(name)
        if stored is None:
            return None
        cached = self._exact.get(name)
        if cached is not None and cached[0] is stored:
            return cached[1]
        try:
            return from_decimal(stored)
        except (ValueError, OverflowError, ArithmeticError, TypeError):
            return None

    def remember(self, value: Num, decimal: Decimal, name: str | None) -> None:
        self.ans = decimal
        self._exact["ans"] = (decimal, value)
        if name is not None:
            self.variables[name] = decimal
            self._exact[name] = (decimal, value)


def evaluate(text: str, session: Session | None = None, commit: bool = True) -> Result:
    """Evaluate one line. Never raises: every failure is a Result with ok=False and a CalcError.

    With commit=False (a live preview) the session's variables and ans are read but not changed.
    """
    if session is None:
        session = Session()
    if not isinstance(text, str):
        return Result(
            text=str(text), ok=False, error=CalcError("the input must be text", Span(0, 0))
        )
    interpretation = differs = None
    try:
        with localcontext(WORK_CONTEXT):
            tree, interpretation, differs = _parsed(text)
            value = evaluate_tree(tree, session.lookup)
            display = format_number(value)
            decimal = to_value(value)
    except CalcError as error:
        return _failure(text, error, interpretation, differs)
    except Exception as exception:  # noqa: BLE001 — the caller must never see a traceback
        error = CalcError(f"internal error ({type(exception).__name__})")
        return _failure(text, error, interpretation, differs)
    assigned = tree.target.name if type(tree) is Assign else None
    if commit:
        session.remember(value, decimal, assigned)
    return Result(
        text=text,
        ok=True,
        value=decimal,
        display=display,
        interpretation=interpretation,
        interpretation_differs=differs,
        assigned=assigned,
    )


def _parse_and_interpret(text: str) -> tuple[Node, str, bool]:
    """The tree of a line and how it was read; it depends on the text alone, so it is cached."""
    tree = parse(text)
    interpretation = interpret(tree)
    return tree, interpretation, interpretation_differs(text, interpretation)


# Trees are never changed after parsing, so one tree can serve every evaluation of its text.
_parsed = lru_cache(maxsize=PARSE_CACHE_SIZE)(_parse_and_interpret)


def _failure(
    text: str, error: CalcError, interpretation: str | None, differs: bool | None
) -> Result:
    span = error.span or Span(0, len(text))
    start = min(max(span.start, 0), len(text))
    error.span = Span(start, min(max(span.end, start), len(text)))
    return Result(
        text=text,
        ok=False,
        interpretation=interpretation,
        interpretation_differs=bool(differs),
        error=error,
    )
