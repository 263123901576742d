"""The syntax tree. Operator chains are n-ary: the tree is only as deep as the nesting typed."""

from __future__ import annotations

from .tokens import Span

# Values a node evaluates to (see numbers.py): int and Fraction are exact, Decimal approximate.


class Node:
    __slots__ = ("start", "end")

    start: int
    end: int

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


class Number(Node):
    """A literal; `value` is already the exact int/Fraction (or Decimal for huge exponents)."""

    __slots__ = ("value", "text")

    def __init__(self, value: object, text: str, start: int, end: int) -> None:
        self.value, self.text, self.start, self.end = value, text, start, end


class Name(Node):
    """A variable, a constant or `ans`; `name` is canonical (`pi` for `π`), `text` as typed."""

    __slots__ = ("name", "text")

    def __init__(self, name: str, text: str, start: int, end: int) -> None:
        self.name, self.text, self.start, self.end = name, text, start, end


class Call(Node):
    """A built-in function applied to its arguments."""

    __slots__ = ("name", "args")

    def __init__(self, name: str, args: tuple[Node, ...], start: int, end: int) -> None:
        self.name, self.args, self.start, self.end = name, args, start, end


class Prefix(Node):
    """Prefix operators (`-`, `+`, `√`); `ops` holds (op, start) pairs, innermost first."""

    __slots__ = ("ops", "operand")

    def __init__(self, ops: tuple[tuple[str, int], ...], operand: Node) -> None:
        self.ops, self.operand, self.start, self.end = ops, operand, ops[-1][1], operand.end


class Postfix(Node):
    """Postfix `!` and `%` applied left to right; `ops` holds (op, end) pairs."""

    __slots__ = ("operand", "ops")

    def __init__(self, operand: Node, ops: tuple[tuple[str, int], ...]) -> None:
        self.operand, self.ops, self.start, self.end = operand, ops, operand.start, ops[-1][1]


class Power(Node):
    """`a ^ b ^ c`, right-associative: a^(b^c)."""

    __slots__ = ("operands",)

    def __init__(self, operands: tuple[Node, ...]) -> None:
        self.operands, self.start, self.end = operands, operands[0].start, operands[-1].end


class UnitPower(Power):
    """A unit to a literal power, `s^2` in `9.81 m/s^2`: `value` is its quantity (1 s^2), read by
    the parser as a measure's is, or None when the evaluator must decide (`°C^2`, `m^13`)."""

    __slots__ = ("value",)

    def __init__(self, operands: tuple[Node, ...], value: object) -> None:
        self.operands, self.start, self.end = operands, operands[0].start, operands[-1].end
        self.value = value


class Chain(Node):
    """A left-associative run at one precedence level: `first op1 x1 op2 x2 …`.

    Operators are `+ -` (sums; `+%` and `-%` when the operand is a percentage, `100 + 10%`) or
    `× / mod of` (products, `×` also for implicit multiplication).
    """

    __slots__ = ("first", "rest", "ops_at")

    def __init__(
        self, first: Node, rest: tuple[tuple[str, Node], ...], ops_at: tuple[int, ...] = ()
    ) -> None:
        self.first, self.rest, self.start, self.end = first, rest, first.start, rest[-1][1].end
        # Where each operator of a sum starts (for errors that blame the operator: `3 m + 2 s`).
        self.ops_at = ops_at


class Assign(Node):
    """`name = expression`, only at the top level."""

    __slots__ = ("target", "value")

    def __init__(self, target: Name, value: Node) -> None:
        self.target, self.value, self.start, self.end = target, value, target.start, value.end


class Measure(Chain):
    """A number and the units right after it, `60 km` or `9.81 m`: a product that binds tighter
    than `/`, so `5 kWh / 2 h` divides by two hours.

    `names` are its unit names; `value` is its quantity, read by the parser when the units make
    one unit (quantities.measure), else kept once computed with none of them shadowed by a
    variable (it then depends on the text alone, as the tree does).
    """

    __slots__ = ("names", "value", "_rest", "_run")

    def __init__(
        self,
        first: Node,
        rest: tuple[tuple[str, Node], ...],
        names: tuple[str, ...],
        value: object = None,
    ) -> None:
        self.first, self._rest, self.start, self.end = first, rest, first.start, rest[-1][1].end
        self.ops_at = ()
        self.names = names
        self.value = value
        self._run = None

    @classmethod
    def of_run(
        cls,
        first: Node,
        run: tuple[tuple[tuple[str, Node], ...], int],
        at: int,
        end: int,
        names: tuple[str, ...],
        value: object,
    ) -> Measure:
        """A measure whose units are a run read before (parser._UNIT_RUNS): `run` is that
        reading's units (at its own columns) and the column it started at; this one's start at
        `at`. Its units are built at these columns when first asked for (the reading line, a
        variable that shadows one of them), which a live preview mostly never does."""
        measure = cls.__new__(cls)
        measure.first, measure.start, measure.end, measure.ops_at = first, first.start, end, ()
        measure.names, measure.value, measure._rest = names, value, None
        measure._run = (run, at)
        return measure

    @property
    def rest(self) -> tuple[tuple[str, Node], ...]:
        if self._rest is None:
            (units, start), at = self._run
            self._rest = tuple((op, _moved(node, at - start)) for op, node in units)
        return self._rest


def _moved(node: Node, shift: int) -> Node:
    """A unit of a run (a name, or a name to a literal power) at columns `shift` further on."""
    if type(node) is Name:
        return Name(node.name, node.text, node.start + shift, node.end + shift)
    base, exponent = node.operands
    return UnitPower(
        (
            _moved(base, shift),
            Number(exponent.value, exponent.text, exponent.start + shift, exponent.end + shift),
        ),
        node.value,
    )


class UnitTarget(Node):
    """The unit after `to`: `m/s` in `60 km/h to m/s`; `unit` is the units.Unit it names."""

    __slots__ = ("unit", "text")

    def __init__(self, unit: object, text: str, start: int, end: int) -> None:
        self.unit, self.text, self.start, self.end = unit, text, start, end


class FormatTarget(Node):
    """The format after `to`: `hex`, `bin`, `oct`, `base7`, `frac` or `sci` (formats.py)."""

    __slots__ = ("format", "text")

    def __init__(self, format: str, text: str, start: int, end: int) -> None:
        self.format, self.text, self.start, self.end = format, text, start, end


class Convert(Node):
    """`value to target` (also `->` and `→`): the loosest operator but for `=`."""

    __slots__ = ("value", "target")

    def __init__(self, value: Node, target: UnitTarget | FormatTarget) -> None:
        self.value, self.target, self.start, self.end = value, target, value.start, target.end
