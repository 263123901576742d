"""The calculator engine's facade: evaluate(text, session) -> Result, never raising.

>>> session = Session()
>>> evaluate("x = 1/3", session).stored
'frac:1/3'
>>> evaluate("x*3 mod 1", Session({"x": load_value("frac:1/3")})).display
'0'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from functools import lru_cache

from .codec import dump_value, load_value
from .errors import AssignmentError, CalcError, LimitError, MathError, ParseError, UnknownNameError
from .evaluator import evaluate_tree
from .functions import CONSTANT_VALUES, CONSTANTS, FUNCTIONS
from .interpret import interpret, interpretation_differs
from .limits import MAX_EXPRESSION_LENGTH, PARSE_CACHE_SIZE
from .nodes import Assign, Node
from .numbers import WORK_CONTEXT, Num, present
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
    "Num",
    "ParseError",
    "Reading",
    "Result",
    "Session",
    "Span",
    "UnknownNameError",
    "dump_value",
    "evaluate",
    "load_value",
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
    """One evaluated line: either number, value and display, or error (with its span).

    `number` is the exact engine value (int, Fraction, or a Decimal approximation): what a session
    keeps, and `stored` its lossless text (dump_value). `value` is a Decimal for display and APIs:
    exact when the number is an integer or a terminating fraction, else WORK_PRECISION digits.
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
    number: Num | None = None

    @property
    def stored(self) -> str | None:
        """dump_value(number): at most MAX_STORED_CHARS characters; None for a failed line."""
        return None if self.number is None else dump_value(self.number)

    @property
    def interpretation(self) -> str | None:
        return None if self.reading is None else self.reading.interpretation

    @property
    def interpretation_differs(self) -> bool:
        return False if self.reading is None else self.reading.differs


class Session:
    """Variables and `ans` as engine values (Result.number): exact ints and Fractions stay exact.

    Kept between lines as they are, so a reference costs a dict lookup; stored with dump_value
    and rebuilt with load_value.
    """

    __slots__ = ("ans", "variables")  # one per open socket: keep it small

    def __init__(self, variables: dict[str, Num] | None = None, ans: Num | None = None):
        self.variables: dict[str, Num] = dict(variables or {})
        self.ans: Num | None = ans

    def lookup(self, name: str) -> Num | None:
        """The value of a constant, a variable or `ans`, or None when it is not defined."""
        constant = CONSTANT_VALUES.get(name)
        if constant is not None:
            return constant
        return self.ans if name == "ans" else self.variables.get(name)

    def remember(self, value: Num, name: str | None) -> None:
        """Make `value` the new `ans`, and the value of variable `name` unless it is None."""
        self.ans = value
        if name is not None:
            self.variables[name] = value


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
        session.remember(value, assigned)
    return Result(text, True, decimal, display, assigned, None, reading, value)


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
