"""The calculator engine's facade: evaluate(text, session) -> Result, never raising.

>>> session = Session()
>>> evaluate("x = 0.1 + 0.2", session).display
'0.3'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from functools import lru_cache

from .errors import AssignmentError, CalcError, LimitError, MathError, ParseError, UnknownNameError
from .evaluator import evaluate_tree
from .functions import CONSTANT_VALUES, CONSTANTS, FUNCTIONS
from .interpret import interpret, interpretation_differs
from .limits import MAX_EXPRESSION_LENGTH, PARSE_CACHE_SIZE
from .nodes import Assign, Node
from .numbers import WORK_CONTEXT, Num, from_decimal, present
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
    "Reading",
    "Result",
    "Session",
    "Span",
    "UnknownNameError",
    "evaluate",
]


class Reading:
    """A parsed line and, computed on first use, how it was read (see interpret.py).

    Lazy because the interpretation costs about as much as evaluating: the transcript reads it for
    every stored line, but a live preview or the CLI often never does.
    """

    __slots__ = ("text", "tree", "_interpretation", "_differs")

    def __init__(self, text: str, tree: Node) -> None:
        self.text = text
        self.tree = tree
        self._interpretation: str | None = None
        self._differs: bool | None = None

    @property
    def interpretation(self) -> str:
        if self._interpretation is None:
            self._interpretation = interpret(self.tree)
        return self._interpretation

    @property
    def differs(self) -> bool:
        if self._differs is None:
            self._differs = interpretation_differs(self.text, self.interpretation)
        return self._differs


@dataclass(slots=True)
class Result:
    """One evaluated line: either value and display, or error (with its span).

    `interpretation` and `interpretation_differs` are computed from `reading` when first read;
    both are None/False when the line did not parse.
    """

    text: str
    ok: bool
    value: Decimal | None = None
    display: str | None = None
    assigned: str | None = None
    error: CalcError | None = None
    reading: Reading | None = field(default=None, repr=False, compare=False)

    @property
    def interpretation(self) -> str | None:
        return None if self.reading is None else self.reading.interpretation

    @property
    def interpretation_differs(self) -> bool:
        return False if self.reading is None else self.reading.differs


class Session:
    """Variables and `ans`, as Decimals that round-trip through str() for storage."""

    __slots__ = ("_exact", "ans", "variables")  # one per open socket: keep it small

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
    if type(text) is not str:
        return Result(
            text=str(text), ok=False, error=CalcError("the input must be text", Span(0, 0))
        )
    reading = None
    try:
        with localcontext(WORK_CONTEXT):
            reading = _parsed(text)
            tree = reading.tree
            value = evaluate_tree(tree, session.lookup)
            display, decimal = present(value)
    except CalcError as error:
        return _failure(text, error, reading)
    except Exception as exception:  # noqa: BLE001 — the caller must never see a traceback
        return _failure(text, CalcError(f"internal error ({type(exception).__name__})"), reading)
    assigned = tree.target.name if type(tree) is Assign else None
    if commit:
        session.remember(value, decimal, assigned)
    return Result(text, True, decimal, display, assigned, None, reading)


def _read(text: str) -> Reading:
    """The tree of a line; it depends on the text alone, so it is cached."""
    return Reading(text, parse(text))


# Trees are never changed after parsing, so one tree (and its interpretation, once computed) can
# serve every evaluation of its text.
_parsed = lru_cache(maxsize=PARSE_CACHE_SIZE)(_read)


def _failure(text: str, error: CalcError, reading: Reading | None) -> Result:
    span = error.span or Span(0, len(text))
    start = min(max(span.start, 0), len(text))
    error.span = Span(start, min(max(span.end, start), len(text)))
    return Result(text=text, ok=False, error=error, reading=reading)
