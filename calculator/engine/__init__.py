"""The calculator engine's facade: evaluate(text, session) -> Result, never raising.

>>> session = Session()
>>> evaluate("x = 1/3", session).stored
'frac:1/3'
>>> evaluate("x*3 mod 1", Session({"x": load_value("frac:1/3")})).display
'0'
>>> evaluate("60 km/h to m/s").display
'16.6666666666667 m/s'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from functools import lru_cache

from .codec import dump_value, load_format, load_value
from .errors import (
    AssignmentError,
    CalcError,
    DimensionError,
    LimitError,
    MathError,
    ParseError,
    UnknownNameError,
)
from .evaluator import ANGLE_IN_DEGREES, evaluate_tree
from .formats import present_value
from .functions import CONSTANT_VALUES, CONSTANTS, FUNCTIONS
from .interpret import interpret, interpretation_differs
from .limits import MAX_EXPRESSION_LENGTH, PARSE_CACHE_SIZE
from .nodes import Assign, Convert, FormatTarget, Node
from .numbers import WORK_CONTEXT, Num
from .parser import parse_line
from .quantities import Quantity, Value
from .tokens import Span
from .units import PREFIX_TEXT, UNIT_GROUPS

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_EXPRESSION_LENGTH",
    "AssignmentError",
    "CalcError",
    "DimensionError",
    "LimitError",
    "MathError",
    "Num",
    "PREFIX_TEXT",
    "ParseError",
    "Quantity",
    "Reading",
    "Result",
    "Session",
    "Span",
    "UNIT_GROUPS",
    "UnknownNameError",
    "Value",
    "display_stored",
    "dump_value",
    "evaluate",
    "load_value",
]


class Reading:
    """A parsed line and, computed on first use, how it was read (see interpret.py).

    Lazy because the interpretation costs about as much as evaluating: the transcript reads it for
    every stored line, but a live preview or the CLI often never does.
    """

    __slots__ = ("text", "tree", "unit_names", "format", "_interpretations", "_differs")

    def __init__(self, text: str, tree: Node, unit_names: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.tree = tree
        # The names in the line that are units (a session's variable may shadow them).
        self.unit_names = unit_names
        # The `to` format of the line (hex, frac, …), or None: it changes the display only.
        top = tree.value if type(tree) is Assign else tree
        self.format = (
            top.target.format if type(top) is Convert and type(top.target) is FormatTarget else None
        )
        # One reading per angle mode (radians: False, degrees: True), each computed once.
        self._interpretations: dict[bool, str] = {}
        self._differs: dict[bool, bool] = {}

    @property
    def interpretation(self) -> str:
        return self.interpretation_in(degrees=False)

    @property
    def differs(self) -> bool:
        return self.differs_in(degrees=False)

    def interpretation_in(self, degrees: bool) -> str:
        """The reading when plain angles are taken in degrees (or radians)."""
        if degrees not in self._interpretations:
            self._interpretations[degrees] = interpret(self.tree, degrees)
        return self._interpretations[degrees]

    def differs_in(self, degrees: bool) -> bool:
        if degrees not in self._differs:
            reading = self.interpretation_in(degrees)
            self._differs[degrees] = interpretation_differs(self.text, reading)
        return self._differs[degrees]


@dataclass(slots=True)
class Result:
    """One evaluated line: either number, value and display, or error (with its span).

    `number` is the engine value (int, Fraction, a Decimal approximation, or a Quantity of one
    of those in a unit): what a session keeps, and `stored` its lossless text (dump_value, with
    the unit and the display format). `value` is a Decimal for display and APIs (a quantity's
    magnitude): exact when the number is an integer or a terminating fraction, else
    WORK_PRECISION digits. `interpretation` and `interpretation_differs` are computed from
    `reading` when first read; both are None/False when the line did not parse. `shadowed` names
    the session's variables that were used where the line names a unit.
    """

    text: str
    ok: bool
    value: Decimal | None = None
    display: str | None = None
    assigned: str | None = None
    error: CalcError | None = None
    reading: Reading | None = field(default=None, repr=False, compare=False)
    number: Value | None = None
    format: str | None = None
    shadowed: tuple[str, ...] = ()
    degrees: bool = False  # the session took plain angles in degrees

    @property
    def stored(self) -> str | None:
        """dump_value(number, format): at most MAX_STORED_CHARS characters; None if it failed."""
        return None if self.number is None else dump_value(self.number, self.format)

    @property
    def interpretation(self) -> str | None:
        if self.reading is None:
            return None
        if self.shadowed:
            names = ", ".join(self.shadowed)
            verb = "is your variable" if len(self.shadowed) == 1 else "are your variables"
            reading = self.reading.interpretation_in(self.degrees)
            return f"{reading}   ({names} {verb}, not the unit)"
        return self.reading.interpretation_in(self.degrees)

    @property
    def interpretation_differs(self) -> bool:
        if self.reading is None:
            return False
        return bool(self.shadowed) or self.reading.differs_in(self.degrees)


class Session:
    """Variables and `ans` as engine values (Result.number): exact ints and Fractions stay exact,
    quantities keep their unit (`d = 42 km`).

    Kept between lines as they are, so a reference costs a dict lookup; stored with dump_value
    and rebuilt with load_value.
    """

    __slots__ = ("ans", "variables", "degrees")  # one per open socket: keep it small

    def __init__(
        self,
        variables: dict[str, Value] | None = None,
        ans: Value | None = None,
        degrees: bool = False,
    ):
        self.variables: dict[str, Value] = dict(variables or {})
        self.ans: Value | None = ans
        # Plain numbers given to sin, cos and tan are in degrees (else radians).
        self.degrees = degrees

    def lookup(self, name: str) -> Value | None:
        """The value of a constant, a variable or `ans`, or None when it is not defined."""
        constant = CONSTANT_VALUES.get(name)
        if constant is not None:
            return constant
        return self.ans if name == "ans" else self.variables.get(name)

    def remember(self, value: Value, name: str | None) -> None:
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
    angle_mode = ANGLE_IN_DEGREES.set(session.degrees)
    try:
        with localcontext(WORK_CONTEXT):
            reading = _parsed(text)
            tree = reading.tree
            value = evaluate_tree(tree, session.lookup)
            display, decimal = present_value(value, reading.format)
    except CalcError as error:
        return _failure(text, error, reading)
    except Exception as exception:  # noqa: BLE001 — the caller must never see a traceback
        return _failure(text, CalcError(f"internal error ({type(exception).__name__})"), reading)
    finally:
        ANGLE_IN_DEGREES.reset(angle_mode)
    assigned = tree.target.name if type(tree) is Assign else None
    shadowed: tuple[str, ...] = ()
    # Usually no unit of the line is a variable: one C-level test says so.
    if not session.variables.keys().isdisjoint(reading.unit_names):
        shadowed = tuple(sorted(reading.unit_names.intersection(session.variables)))
    if commit:
        session.remember(value, assigned)
    return Result(
        text,
        True,
        decimal,
        display,
        assigned,
        None,
        reading,
        value,
        reading.format,
        shadowed,
        session.degrees,
    )


def display_stored(text: str) -> str:
    """The display of a stored value (dump_value's text), with its unit and format."""
    with localcontext(WORK_CONTEXT):
        return present_value(load_value(text), load_format(text))[0]


def _read(text: str) -> Reading:
    """The tree of a line; it depends on the text alone, so it is cached."""
    return Reading(text, *parse_line(text))


# Trees are never changed after parsing, so one tree (and its interpretation, once computed) can
# serve every evaluation of its text.
_parsed = lru_cache(maxsize=PARSE_CACHE_SIZE)(_read)


def _failure(text: str, error: CalcError, reading: Reading | None) -> Result:
    span = error.span or Span(0, len(text))
    start = min(max(span.start, 0), len(text))
    error.span = Span(start, min(max(span.end, start), len(text)))
    return Result(text=text, ok=False, error=error, reading=reading)
