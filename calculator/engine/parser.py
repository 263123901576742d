"""Tokens to a syntax tree by recursive descent: a method per level (unary and power share one).

Grammar (EBNF; lowest precedence first)::

    line       = NAME "=" conversion | conversion ;
    conversion = expression [ ("to" | "->" | "→" | "in") target ] ;   (* "in": see below *)
    target     = "hex" | "bin" | "oct" | "base" NUMBER | "frac" | "fraction" | "sci" | units ;
    units      = [ "1" "/" ] unit { ("*" | "/" | implicit) unit } ;
    unit       = ( UNIT | "(" units ")" ) [ "^" [ "-" ] NUMBER ] ;
    expression = product { ("+" | "-") product } ;   (* "+ p%" is "× (1 + p%)" *)
    product    = signed { ("*" | "/" | "mod" | "of") signed | implicit } ;
    implicit   = unary ;                  (* only when it starts with NAME, "(", "√" or "∛" *)
    signed     = unary ;
    unary      = { "+" | "-" | "√" | "∛" } power ;
    power      = postfix [ "^" unary ] ;  (* right-associative; binds tighter than a sign *)
    postfix    = primary { "!" | "%" } ;
    primary    = measures | NUMBER | NAME | FUNCTION "(" expression { "," expression } ")"
               | "(" expression ")" ;
    measures   = measure { measure } ;    (* their sum: 5 ft 11 in, 1 h 30 min *)
    measure    = NUMBER UNIT [ "^" unary ] { [ "/" | "*" ] UNIT [ "^" unary ] } ;
                 (* 60 km, 5 N m, and 60 km/h when "/" or "*" touches both units *)

Implicit multiplication (`2pi`, `3(4+5)`, `pi r^2`, `2 sqrt(2)`) has the precedence of `*`, so
`6/2(1+2)` is (6/2)(1+2) = 9. A number never starts an implicit product: `2 3` is an error, not 6.
A number followed by unit names is one operand (a measure), so `5 kWh / 2 h` divides by 2 h;
measures one after another are one operand too, their sum (`5 ft 11 in`). Units joined by `/` or `*`
without spaces are the measure's (`10 km / 20 km/h` divides by the speed), and so is an integer
over an integer before them (`2/3 cup`).
A run of letters is one name (`pir` is not pi × r); function names always need parentheses (`min`
without them is the minute). `of` follows a percentage only (`15% of 80`).
`in` converts as `to` does when a unit or a format name follows it (`5 feet in meters`,
`255 in hex`), except as a number's first unit, where it is the inch (`12 in to ft`, `5 ft 11 in`).
"""

from __future__ import annotations

from fractions import Fraction

from . import mixed, nodes, quantities
from .errors import AssignmentError, CalcError, LimitError, ParseError, UnknownNameError
from .formats import FORMAT_NAMES, format_hint
from .functions import ARITY, CONSTANTS, arity_error
from .limits import (
    MAX_DECIMAL_EXPONENT,
    MAX_NESTING_DEPTH,
    MAX_UNIT_EXPONENT,
    RUN_CACHE_SIZE,
    TARGET_CACHE_SIZE,
)
from .numbers import Num, exact, parse_literal
from .suggest import unit_hint
from .tokenizer import check_length, scan
from .tokens import Span, TokenKind
from .units import SINGLE_UNITS, UNIT_NAMES, Unit, UnitError, combine, raised

_NUMBER = TokenKind.NUMBER
_NAME = TokenKind.NAME
_LPAREN = TokenKind.LPAREN
_RPAREN = TokenKind.RPAREN
_COMMA = TokenKind.COMMA
_POWER = TokenKind.POWER
_END = TokenKind.END
_EQUALS = TokenKind.EQUALS
_SUM_OPS = {TokenKind.PLUS: "+", TokenKind.MINUS: "-"}
_PRODUCT_OPS = {TokenKind.TIMES: "×", TokenKind.DIVIDE: "/", TokenKind.MOD: "mod"}
_PREFIX_OPS = {
    TokenKind.PLUS: "+",
    TokenKind.MINUS: "-",
    TokenKind.SQRT: "√",
    TokenKind.CBRT: "∛",
}
_POSTFIX_OPS = {TokenKind.BANG: "!", TokenKind.PERCENT: "%"}
_IMPLICIT_STARTS = frozenset({TokenKind.NAME, TokenKind.LPAREN, TokenKind.SQRT, TokenKind.CBRT})
_ARROW = TokenKind.ARROW
_TIMES = TokenKind.TIMES
_DIVIDE = TokenKind.DIVIDE
_MINUS = TokenKind.MINUS
# Tokens that make the operand before them more than a lone number or name.
_OPERAND_SUFFIXES = frozenset({TokenKind.POWER, *_POSTFIX_OPS})
# What may follow the first operand of a product: an operator, an implicit product, or a number
# (which is an error, `2 3`).
_PRODUCT_FOLLOWERS = frozenset({*_PRODUCT_OPS, *_IMPLICIT_STARTS, TokenKind.NUMBER})
# What, after `2 h`, makes it more than a number and one unit: a postfix operator, or a number
# that starts the next quantity of a sum written without `+` (`2 h 30 min`).
_AFTER_ONE_UNIT = frozenset({*_POSTFIX_OPS, TokenKind.NUMBER})
RESERVED_NAMES = frozenset(["ans", "to", "of"])
# The units of targets that ran to the end of their line, by their text from the first unit on
# (`km/h`): a target depends on that text alone, and new lines often convert to units an earlier
# line named. Emptied when full (TARGET_CACHE_SIZE); clear() is atomic, so threads may share it.
_TARGET_UNITS: dict[str, Unit] = {}
# The measures read from runs of units (`m/s^2` in `9.81 m/s^2`), by the run's text: a run
# followed by nothing that joins it reads the same after any number (the number only scales the
# quantity), so a new line's `m/s^2` is a lookup. None for a run that does not (_run_of); emptied
# when full (RUN_CACHE_SIZE).
_UNIT_RUNS: dict[str, tuple | None] = {}
_UNREAD = object()
# What a run of units is made of, each token touching the one before it: `m/s^2`, `kg*m`, `m²`.
_RUN_KINDS = frozenset({_NAME, _DIVIDE, _TIMES, _POWER, _NUMBER})
# What, after a run, would join it or change how it reads: a power (`m/s ^2`), a call's `(`,
# a factorial or a percentage of its last number.
_AFTER_RUN_UNSAFE = frozenset({_POWER, _LPAREN, TokenKind.BANG, TokenKind.PERCENT})


def parse(text: str) -> nodes.Node:
    """Parse one calculator line; raises a CalcError subclass with the offending span."""
    return parse_line(text)[0]


def parse_line(text: str) -> tuple[nodes.Node, frozenset[str]]:
    """parse(text), and the unit names the line uses as operands (not its target's): a session's
    variable of one of these names shadows the unit. Noted while parsing, so finding them needs
    no second walk of the tree."""
    cut = text.rfind(" to ")
    target = None if cut < 0 else _known_target(text, cut + 4)
    if target is not None:
        check_length(text)  # (the whole line's scan checks it otherwise)
        parsed = _parse_before(text, cut, target)
        if parsed is not None:
            return parsed
    parser = _Parser(text, scan(text))
    tree = parser.line()
    return tree, frozenset(parser.unit_names)


def _known_target(text: str, after: int) -> nodes.UnitTarget | nodes.FormatTarget | None:
    """The target from column `after` (past a ` to `) to the end of the line, when its text alone
    gives it: a format or unit name (`to hex`, `to N`) or units read before (`to km/h`,
    _TARGET_UNITS). None for anything else, which the whole line's parse reads."""
    rest = name = text[after:]
    first, last = after, len(text)
    if rest[:1].isspace() or rest[-1:].isspace():  # `to  km/h`, `to m ` (else: as typed)
        rest = rest.lstrip()
        name = rest.rstrip()
        first = last - len(rest)
        last = first + len(name)
    unit = _TARGET_UNITS.get(rest)
    if unit is not None:
        return nodes.UnitTarget(unit, name, first, last)
    if name in FORMAT_NAMES:
        return nodes.FormatTarget(FORMAT_NAMES[name], name, first, last)
    if name in UNIT_NAMES:
        return nodes.UnitTarget(SINGLE_UNITS[name], name, first, last)
    return None


def _parse_before(
    text: str, cut: int, target: nodes.UnitTarget | nodes.FormatTarget
) -> tuple[nodes.Node, frozenset[str]] | None:
    """parse_line(text) for a line whose target is known: only the text before its ` to ` (at
    column `cut`) is scanned and parsed, as the whole line's parse reads it (every look past a
    token treats `to` as it treats the end of the line), then converted. None where that part
    does not parse or converts already (`5 m to cm to mm`): the whole line's parse then gives
    its own answer."""
    head = text[:cut]  # the parser's text too: a target inside it is kept by the head's text
    try:
        parser = _Parser(head, scan(head))
        tree = parser.line()
    except CalcError:
        return None
    top = tree.value if type(tree) is nodes.Assign else tree
    if type(top) is nodes.Convert:
        return None
    converted = nodes.Convert(top, target)
    if type(tree) is nodes.Assign:
        converted = nodes.Assign(tree.target, converted)
    return converted, frozenset(parser.unit_names)


class _Parser:
    """One method per precedence level that needs a loop of its own.

    Tokens are (kind, value, start, end) tuples, unpacked into locals: the parser runs for every
    new line, so it avoids attribute lookups and calls where a local variable does the job.
    """

    __slots__ = ("text", "tokens", "pos", "depth", "in_exponent", "unit_names")

    def __init__(self, text: str, tokens: list[tuple[TokenKind, str, int, int]]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.in_exponent = False
        self.unit_names: list[str] = []

    def line(self) -> nodes.Node:
        tokens = self.tokens
        kind, value, start, end = tokens[0]
        if kind is _END:
            raise ParseError("empty expression", Span(0, len(self.text)))
        if kind is _NAME and tokens[1][0] is _EQUALS:
            self.pos = 2
            _check_assignable(value, start, end)
            node: nodes.Node = nodes.Assign(
                nodes.Name(value, self.text[start:end], start, end), self.conversion()
            )
        else:
            node = self.conversion()
        token = tokens[self.pos]
        if token[0] is not _END:
            raise self._unexpected_after(node, token)
        return node

    def conversion(self) -> nodes.Node:
        """conversion = expression [ ("to" | "->" | "→" | "in") target ]"""
        node = self.expression()
        kind, value, start, end = self.tokens[self.pos]
        if kind is _ARROW or (
            kind is _NAME
            and (value == "to" or (value == "in" and _names_target(self.tokens[self.pos + 1])))
        ):
            self.pos += 1
            node = nodes.Convert(node, self.target(start, end))
        return node

    def expression(self) -> nodes.Node:
        """expression = product { ("+" | "-") product }"""
        first = self.product()
        tokens = self.tokens
        op = _SUM_OPS.get(tokens[self.pos][0])
        if op is None:
            return first
        rest = []
        ops_at = []
        while op is not None:
            ops_at.append(tokens[self.pos][2])
            self.pos += 1
            operand = self.product()
            if type(operand) is nodes.Postfix and operand.ops[-1][0] == "%":
                op += "%"  # 100 + 10% is 110: the percentage is of what precedes it
            rest.append((op, operand))
            op = _SUM_OPS.get(tokens[self.pos][0])
        return nodes.Chain(first, tuple(rest), tuple(ops_at))

    def product(self) -> nodes.Node:
        """product = unary { ("*" | "/" | "mod" | "of") unary | implicit }"""
        first = self.unary()
        tokens = self.tokens
        kind = tokens[self.pos][0]
        if kind not in _PRODUCT_FOLLOWERS:
            return first
        rest = []
        while True:
            op = _PRODUCT_OPS.get(kind)
            if op is None and kind is _NAME:
                word = tokens[self.pos][1]
                if word == "to" or (
                    word == "in" and not self.depth and _names_target(tokens[self.pos + 1])
                ):
                    break
                if word == "of":
                    self._check_percentage(rest[-1][1] if rest else first)
                    op = "of"
            if op is not None:
                self.pos += 1
                rest.append((op, self.unary()))
            elif kind in _IMPLICIT_STARTS:
                rest.append(("×", self.unary()))
            elif kind is _NUMBER:
                raise self._missing_operator()
            else:
                break
            kind = tokens[self.pos][0]
        return nodes.Chain(first, tuple(rest)) if rest else first

    def _check_percentage(self, operand: nodes.Node) -> None:
        if type(operand) is not nodes.Postfix or operand.ops[-1][0] != "%":
            _, _, start, end = self.tokens[self.pos]
            raise ParseError(
                "'of' takes a percentage of what follows, as in 15% of 80", Span(start, end)
            )

    def target(self, start: int, end: int) -> nodes.UnitTarget | nodes.FormatTarget:
        """What follows `to`: a format name or a unit expression, resolved here."""
        kind, value, first, last = self.tokens[self.pos]
        if kind is _NAME and value in FORMAT_NAMES:
            self.pos += 1
            return nodes.FormatTarget(FORMAT_NAMES[value], self.text[first:last], first, last)
        if kind is _NAME and value == "base":
            self.pos += 1
            kind, digits, _, last = self.tokens[self.pos]
            if kind is not _NUMBER or not digits.isdigit() or not 2 <= int(digits) <= 36:
                raise ParseError(
                    "write the base as a whole number from 2 to 36: to base 7", Span(first, last)
                )
            self.pos += 1
            return nodes.FormatTarget(f"base{int(digits)}", self.text[first:last], first, last)
        if kind is _NAME and self.tokens[self.pos + 1][0] is _END and value in UNIT_NAMES:
            self.pos += 1  # the commonest target, one unit (`to m`): what units() would give
            return nodes.UnitTarget(SINGLE_UNITS[value], self.text[first:last], first, last)
        if kind is _END:
            raise ParseError(
                f"expected a unit or a format (hex, bin, oct, base N, frac, sci) after "
                f"'{self.text[start:end]}'",
                Span(first, last),
            )
        rest_of_line = self.text[first:]
        unit = _TARGET_UNITS.get(rest_of_line)
        if unit is not None:
            self.pos = len(self.tokens) - 1  # the END token: the target ran to it
        elif (mixed_format := self._mixed_target()) is not None:
            last = self.tokens[self.pos - 1][3]
            return nodes.FormatTarget(mixed_format, self.text[first:last], first, last)
        else:
            unit = self._target_units(first)
            if self.tokens[self.pos][0] is _END:
                _remember_target(rest_of_line, unit)
        last = self.tokens[self.pos - 1][3]
        return nodes.UnitTarget(unit, self.text[first:last], first, last)

    def _mixed_target(self) -> str | None:
        """`h min`, `ft in`: unit names side by side to the end of the line, all measuring one
        thing, are a mixed display (mixed.py), not their product; None for anything else."""
        tokens = self.tokens
        names = []
        pos = self.pos
        while tokens[pos][0] is _NAME and tokens[pos][1] in UNIT_NAMES:
            names.append(tokens[pos][1])
            pos += 1
        if tokens[pos][0] is not _END:
            return None
        fmt = mixed.format_name(names)
        if fmt is not None:
            if not mixed.largest_first(names):
                raise ParseError(
                    "write the units of a mixed display from the largest to the smallest: "
                    "to h min, to ft in",
                    Span(tokens[self.pos][2], tokens[pos - 1][3]),
                )
            self.pos = pos
        return fmt

    def _target_units(self, first: int) -> Unit:
        """The units of a target starting at column `first`, checked."""
        try:
            unit = self.units()
        except UnitError as error:
            raise LimitError(str(error), Span(first, self.tokens[self.pos - 1][3])) from None
        if unit is None:
            last = self.tokens[self.pos - 1][3]
            raise ParseError("the units cancel: convert to a unit", Span(first, last))
        return unit

    def units(self):
        """units = [ "1" "/" ] unit { ("*" | "/" | implicit) unit }: a units.Unit or None."""
        tokens = self.tokens
        kind, value, _, _ = tokens[self.pos]
        result = None
        sign = 1
        if kind is _NUMBER and value == "1" and tokens[self.pos + 1][0] is _DIVIDE:
            self.pos += 2
            sign = -1
        while True:
            kind, value, _, _ = tokens[self.pos]
            if kind is _NAME and value in UNIT_NAMES and tokens[self.pos + 1][0] is not _POWER:
                self.pos += 1  # a unit name alone (`km`, `h` in `km/h`): what unit() gives
                right = SINGLE_UNITS[value]
            else:
                right = self.unit()
            if result is None:
                result = right if sign > 0 or right is None else raised(right, -1)
            elif right is not None:
                result = combine(result, right, sign)
            kind = tokens[self.pos][0]
            if kind is _TIMES or kind is _DIVIDE:
                self.pos += 1
            elif kind is not _NAME and kind is not _LPAREN:
                return result
            sign = -1 if kind is _DIVIDE else 1

    def unit(self):
        """unit = ( UNIT | "(" units ")" ) [ "^" [ "-" ] NUMBER ]"""
        tokens = self.tokens
        kind, value, start, end = tokens[self.pos]
        if kind is _NAME:
            if value == "to":
                raise _second_conversion(start, end)
            if value not in UNIT_NAMES:
                raise UnknownNameError(
                    f"unknown unit '{self.text[start:end]}'{unit_hint(value)}",
                    Span(start, end),
                )
            self.pos += 1
            result = SINGLE_UNITS[value]
        elif kind is _LPAREN:
            self._enter(tokens[self.pos])
            self.pos += 1
            result = self.units()
            self._close()
            self.depth -= 1
        else:
            raise ParseError(
                f"expected a unit, not '{self.text[start:end]}'"
                if kind is not _END
                else "expected a unit",
                Span(start, end),
            )
        if tokens[self.pos][0] is not _POWER:
            return result
        self.pos += 1
        sign = 1
        if tokens[self.pos][0] is _MINUS:
            sign = -1
            self.pos += 1
        kind, digits, first, last = tokens[self.pos]
        if kind is not _NUMBER or not digits.isdigit() or not 0 < int(digits) <= MAX_UNIT_EXPONENT:
            raise ParseError(
                f"a unit's power is a whole number from 1 to {MAX_UNIT_EXPONENT}",
                Span(first, last),
            )
        self.pos += 1
        return None if result is None else raised(result, sign * int(digits))

    def unary(self) -> nodes.Node:
        """unary = { "+" | "-" | "√" } power ;  power = postfix [ "^" unary ]"""
        tokens = self.tokens
        pos = self.pos
        kind, value, start, end = tokens[pos]
        # The commonest operand, a lone integer or variable, is built here without further calls
        # (an END token always follows a NUMBER or NAME).
        if (kind is _NUMBER or kind is _NAME) and tokens[pos + 1][0] not in _OPERAND_SUFFIXES:
            if kind is _NUMBER and value.isdigit():
                following = tokens[pos + 1]
                if following[1] not in UNIT_NAMES or (
                    following[1] == "in" and _names_format(tokens[pos + 2]) and not self.depth
                ):
                    # (`2/3 cup` and `1 1/2 cup`, fractions of a unit, are postfix()'s to read.)
                    if (
                        following[0] is not _DIVIDE and following[0] is not _NUMBER
                    ) or not _starts_fraction(tokens, pos):
                        self.pos = pos + 1
                        return nodes.Number(int(value), self.text[start:end], start, end)
                elif _ends_one_unit(tokens, pos + 2) and tokens[pos + 2][0] not in _AFTER_ONE_UNIT:
                    # `2 h` with nothing after it that binds tighter: built here as well.
                    self.pos = pos + 1
                    number = nodes.Number(int(value), self.text[start:end], start, end)
                    return self._one_unit(number, following)
            if kind is _NAME and value not in ARITY:
                self.pos = pos + 1
                if value in UNIT_NAMES:
                    self.unit_names.append(value)
                return nodes.Name(value, self.text[start:end], start, end)
        elif kind is _NAME and tokens[pos + 1][0] is _POWER and value not in ARITY:
            # A name to a power (`s^2` in `/s^2`, `x^2`): what postfix() would give the power.
            self.pos = pos + 1
            if value in UNIT_NAMES:
                self.unit_names.append(value)
            return self._power(nodes.Name(value, self.text[start:end], start, end))
        ops = None
        if kind in _PREFIX_OPS:
            ops = []
            while kind in _PREFIX_OPS:
                ops.append((_PREFIX_OPS[kind], start))
                pos += 1
                kind, _, start, _ = tokens[pos]
            ops.reverse()
            self.pos = pos
        node = self.postfix()
        if tokens[self.pos][0] is _POWER:
            node = self._power(node)
        return node if ops is None else nodes.Prefix(tuple(ops), node)

    def _power(self, base: nodes.Node) -> nodes.Power:
        tokens = self.tokens
        if type(base) is nodes.Name and base.name in UNIT_NAMES:
            power = self._unit_power(base)
            if power is not None:
                return power
        operands = [base]
        while tokens[self.pos][0] is _POWER:
            self.pos += 1
            token = tokens[self.pos]
            # An exponent is never a measure: in `3 m^2 s` the 2 is not two seconds.
            self.in_exponent = True
            if token[0] in _PREFIX_OPS:
                # A signed exponent takes the rest of the chain with it: 2^-3^2 = 2^(-(3^2)).
                self._enter(token)
                operands.append(self.unary())
                self.depth -= 1
                break
            operands.append(self.postfix())
        if len(operands) == 2 and type(base) is nodes.Name and base.name in UNIT_NAMES:
            exponent = operands[1]
            if type(exponent) is nodes.Number and type(exponent.value) is int:
                return nodes.UnitPower(
                    tuple(operands), quantities.unit_power(base.name, exponent.value)
                )
        return nodes.Power(tuple(operands))

    def _unit_power(self, base: nodes.Name) -> nodes.UnitPower | None:
        """A unit to a literal whole power (`s^2`, `m^3`), the commonest power in a line with
        units, read without _power()'s loop: what that loop gives for it. None for any other
        exponent (`m^-1`, `m^x`, `m^2^3`, `m^2!`), which _power() reads."""
        tokens = self.tokens
        pos = self.pos
        kind, digits, start, end = tokens[pos + 1]
        if kind is not _NUMBER or not digits.isdigit() or tokens[pos + 2][0] in _OPERAND_SUFFIXES:
            return None
        self.pos = pos + 2
        exponent = int(digits)
        return nodes.UnitPower(
            (base, nodes.Number(exponent, self.text[start:end], start, end)),
            quantities.unit_power(base.name, exponent),
        )

    def _measure(self, number: nodes.Number) -> nodes.Node:
        """_measure_read(number), from _UNIT_RUNS when the units are a run read before: units
        written without spaces (`m/s^2`, `kg*m^2/s^2`, `m²`), followed by nothing that could
        join them or change how they are read (another unit, a power, `(`, `!`, `%`)."""
        tokens = self.tokens
        pos = self.pos
        _, _, begin, end = tokens[pos]
        after = pos + 1
        while True:
            kind, value, start, stop = tokens[after]
            if start != end or kind not in _RUN_KINDS:
                break
            end = stop
            after += 1
        if after - pos < 3 or kind in _AFTER_RUN_UNSAFE or (kind is _NAME and value in UNIT_NAMES):
            return self._measure_read(number)
        key = self.text[begin:end]
        run = _UNIT_RUNS.get(key, _UNREAD)
        if run is _UNREAD:
            measure = self._measure_read(number)
            _remember_run(key, _run_of(measure, number, self.pos == after, begin))
            return measure
        if run is None:  # not a run that reads the same wherever it is (see _run_of)
            return self._measure_read(number)
        units, names, unit = run
        self.pos = after
        self.unit_names += names
        value = None if unit is None else quantities.Quantity(number.value, unit)
        return nodes.Measure.of_run(number, units, begin, end, names, value)

    def _measure_read(self, number: nodes.Number) -> nodes.Node:
        """A number's units: `60 km`, `3 m^2`, `5 N m`; stops at a name that is not a unit.

        The measure's value is read here when its units make one unit (see quantities.measure),
        as a target's are: evaluating it is then a lookup, unless a variable shadows a unit.
        """
        tokens = self.tokens
        text = self.text
        if _ends_one_unit(tokens, self.pos + 1):
            return self._one_unit(number, tokens[self.pos])
        if _one_literal_power(tokens, self.pos):
            return self._one_unit_power(number)
        if (
            tokens[self.pos + 1][0] is _DIVIDE
            and _joins_unit(tokens, self.pos + 1)
            and (_ends_one_unit(tokens, self.pos + 3) or _one_literal_power(tokens, self.pos + 2))
        ):
            return self._one_unit_per(number)
        rest = []
        names = []
        units: list | None = []
        while True:
            kind, value, start, end = tokens[self.pos]
            op = "×"
            if (kind is _DIVIDE or kind is _TIMES) and rest and _joins_unit(tokens, self.pos):
                # `100 Mbit/s`, `1 kg*m^2/s^2`: units joined without spaces are one unit, so
                # `10 km / 20 km/h` divides by the speed.
                op = "/" if kind is _DIVIDE else "×"
                self.pos += 1
                kind, value, start, end = tokens[self.pos]
            elif kind is not _NAME or value not in UNIT_NAMES or tokens[self.pos + 1][0] is _LPAREN:
                break
            elif value == "in" and rest and not self.depth and _names_target(tokens[self.pos + 1]):
                break  # `5 feet in meters` converts; `12 in` (a number's first unit) is inches
            self.pos += 1
            names.append(value)
            node: nodes.Node = nodes.Name(value, text[start:end], start, end)
            if tokens[self.pos][0] is _POWER:
                node = self._power(node)
                # Only a unit to a literal power that has a quantity (`m^2`, not `m^x`, `m^0`,
                # `°C^2`) joins the measure's units; otherwise the evaluator decides.
                power = node.value if type(node) is nodes.UnitPower else None
                if units is not None:
                    units = units + [power.unit] if type(power) is quantities.Quantity else None
            elif units is not None:
                units.append(SINGLE_UNITS[value])
            if op == "/" and units is not None:
                units[-1] = raised(units[-1], -1)
            rest.append((op, node))
        if not rest:
            return number
        self.unit_names += names
        measure = nodes.Measure(number, tuple(rest), tuple(names))
        if units:
            measure.value = quantities.measure(number.value, tuple(units))
        return measure

    def _fraction(self, first: nodes.Number) -> nodes.Number:
        """`2/3` in `2/3 cup`, `1 1/2` in `1 1/2 cup`: the number _starts_fraction() found, after
        its first integer (`first`, read already), as recipes and rulers write it."""
        tokens = self.tokens
        if tokens[self.pos][0] is _DIVIDE:
            _, digits, _, end = tokens[self.pos + 1]
            self.pos += 2
            value = exact(Fraction(first.value, int(digits)))
        else:
            _, numerator, _, _ = tokens[self.pos]
            _, digits, _, end = tokens[self.pos + 2]
            self.pos += 3
            value = exact(first.value + Fraction(int(numerator), int(digits)))
        return nodes.Number(value, self.text[first.start : end], first.start, end)

    def _mixed(self, first: nodes.Measure) -> nodes.Node:
        """`5 ft 11 in`, `1 h 30 min`: quantities written one after another, as on a tape measure
        or a clock, are their sum (in the first one's unit); it binds as a measure does. A
        number without a unit after a quantity is still a missing operator (`5 ft 11`)."""
        tokens = self.tokens
        rest = []
        ops_at = []
        while True:
            kind, value, start, end = tokens[self.pos]
            if kind is not _NUMBER:  # (an END token always follows a NUMBER)
                break
            following = tokens[self.pos + 1]
            if following[0] is _NAME and following[1] in UNIT_NAMES:
                self.pos += 1
                value = int(value) if value.isdigit() else _literal(value, self.text, start, end)
                number = nodes.Number(value, self.text[start:end], start, end)
            elif _starts_fraction(tokens, self.pos):  # `5 ft 1 1/2 in`, `1 cup 1/3 cup`
                self.pos += 1
                number = self._fraction(nodes.Number(int(value), self.text[start:end], start, end))
            else:
                break
            measure = self._measure(number)
            rest.append(("+", measure))
            ops_at.append(start)
        return nodes.Chain(first, tuple(rest), tuple(ops_at)) if rest else first

    def _one_unit(
        self, number: nodes.Number, token: tuple[TokenKind, str, int, int]
    ) -> nodes.Measure:
        """`60 km`, `2 h`: a number and one unit name, the commonest measure, read without
        _measure()'s loop; its quantity is the number in that unit."""
        _, value, start, end = token
        self.pos += 1
        self.unit_names.append(value)
        return nodes.Measure(
            number,
            (("×", nodes.Name(value, self.text[start:end], start, end)),),
            (value,),
            quantities.Quantity(number.value, SINGLE_UNITS[value]),
        )

    def _one_unit_per(self, number: nodes.Number) -> nodes.Measure:
        """`60 km/h`, `9.81 m/s^2`: a number and one unit per another (to a literal whole power),
        the commonest joined units, read as _measure()'s loop reads them."""
        tokens = self.tokens
        text = self.text
        pos = self.pos
        _, top, start, end = tokens[pos]
        _, bottom, below, after = tokens[pos + 2]
        self.pos = pos + 3
        over: nodes.Node = nodes.Name(bottom, text[below:after], below, after)
        under: Unit | None = SINGLE_UNITS[bottom]
        if tokens[pos + 3][0] is _POWER:
            over = self._unit_power(over)
            read = over.value
            under = read.unit if type(read) is quantities.Quantity else None
        names = (top, bottom)
        self.unit_names += names
        measure = nodes.Measure(
            number, (("×", nodes.Name(top, text[start:end], start, end)), ("/", over)), names
        )
        if under is not None:
            measure.value = quantities.measure(number.value, (SINGLE_UNITS[top], raised(under, -1)))
        return measure

    def _one_unit_power(self, number: nodes.Number) -> nodes.Measure:
        """`16 m^2`: a number and one unit to a literal whole power, read as _measure()'s loop
        reads it (its quantity only when the power has one: not `1 m^0`, `5 °C^2`)."""
        _, value, start, end = self.tokens[self.pos]
        self.pos += 1
        self.unit_names.append(value)
        power = self._unit_power(nodes.Name(value, self.text[start:end], start, end))
        read = power.value
        quantity = None
        if type(read) is quantities.Quantity:
            quantity = quantities.Quantity(number.value, read.unit)
        return nodes.Measure(number, (("×", power),), (value,), quantity)

    def postfix(self) -> nodes.Node:
        """postfix = primary { "!" | "%" } ;  primary: a number, a name, a call or a group."""
        tokens = self.tokens
        pos = self.pos
        kind, value, start, end = tokens[pos]
        measure_ok = not self.in_exponent
        self.in_exponent = False
        if kind is _NUMBER:
            self.pos = pos = pos + 1
            number = int(value) if value.isdigit() else _literal(value, self.text, start, end)
            node: nodes.Node = nodes.Number(number, self.text[start:end], start, end)
            if (
                measure_ok
                and (tokens[pos][0] is _DIVIDE or tokens[pos][0] is _NUMBER)
                and _starts_fraction(tokens, pos - 1)
            ):
                node = self._fraction(node)
                pos = self.pos
            if (
                measure_ok
                and tokens[pos][0] is _NAME
                and tokens[pos][1] in UNIT_NAMES
                and not (
                    tokens[pos][1] == "in" and _names_format(tokens[pos + 1]) and not self.depth
                )
            ):
                node = self._measure(node)
                if tokens[self.pos][0] is _NUMBER and type(node) is nodes.Measure:
                    node = self._mixed(node)
                pos = self.pos
        elif kind is _NAME:
            self.pos = pos = pos + 1
            if value in ARITY and (tokens[pos][0] is _LPAREN or value not in UNIT_NAMES):
                node = self.call(value, start, end)
                pos = self.pos
            else:
                if value in UNIT_NAMES:
                    self.unit_names.append(value)
                node = nodes.Name(value, self.text[start:end], start, end)
        elif kind is _LPAREN:
            self.pos = pos + 1
            self._enter(tokens[pos])
            node = self.expression()
            # The group's span includes its parentheses, so "(-1)!" is blamed as a whole.
            node.start, node.end = start, self._close()
            self.depth -= 1
            pos = self.pos
        else:
            raise self._expected_operand()
        kind = tokens[pos][0]
        if kind not in _POSTFIX_OPS:
            return node
        ops = []
        while kind in _POSTFIX_OPS:
            ops.append((_POSTFIX_OPS[kind], tokens[pos][3]))
            pos += 1
            kind = tokens[pos][0]
        self.pos = pos
        return nodes.Postfix(node, tuple(ops))

    def call(self, name: str, start: int, end: int) -> nodes.Call:
        tokens = self.tokens
        token = tokens[self.pos]
        if token[0] is not _LPAREN:
            raise ParseError(f"{name} needs parentheses: {name}(…)", Span(start, end))
        self._enter(token)
        self.pos += 1
        args = [] if tokens[self.pos][0] is _RPAREN else [self.expression()]
        while tokens[self.pos][0] is _COMMA:
            self.pos += 1
            args.append(self.expression())
        end = self._close()
        self.depth -= 1
        low, high = ARITY[name]
        if len(args) < low or (high is not None and len(args) > high):
            raise arity_error(name, len(args), Span(start, end))
        return nodes.Call(name, tuple(args), start, end)

    def _enter(self, token: tuple[TokenKind, str, int, int]) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise LimitError(
                f"expression nested too deeply (more than {MAX_NESTING_DEPTH} levels)",
                Span(token[2], token[3]),
            )

    def _close(self) -> int:
        kind, _, start, end = self.tokens[self.pos]
        if kind is _RPAREN:
            self.pos += 1
            return end
        if kind is _END:
            raise ParseError("missing )", Span(start, end))
        self._check_thousands()
        raise ParseError(f"expected ) before '{self.text[start:end]}'", Span(start, end))

    def _check_thousands(self) -> None:
        """`1,000`: a comma between digits and three digits, with no space, is a separator."""
        tokens, pos = self.tokens, self.pos
        groups = []
        while (
            tokens[pos][0] is _COMMA
            and tokens[pos - 1][0] is _NUMBER
            and tokens[pos - 1][1].isdigit()
            and tokens[pos - 1][3] == tokens[pos][2]
            and tokens[pos + 1][0] is _NUMBER
            and tokens[pos + 1][2] == tokens[pos][3]
            and len(tokens[pos + 1][1]) == 3
            and tokens[pos + 1][1].isdigit()
        ):
            groups.append(tokens[pos + 1][1])
            pos += 2
        if groups:
            _, _, start, end = tokens[self.pos]
            whole = tokens[self.pos - 1][1] + "".join(groups)
            raise ParseError(
                f"thousands separators are not used: write {whole} (or {int(whole):_})",
                Span(start, end),
            )

    def _missing_operator(self) -> ParseError:
        _, _, start, end = self.tokens[self.pos]
        _, previous, before, after = self.tokens[self.pos - 1]
        hint = " (% means percent; use mod for a remainder)" if previous == "%" else ""
        if previous == "base" or previous in FORMAT_NAMES:  # `255 base 7`
            hint = f" ({format_hint(previous)})"
        elif previous in UNIT_NAMES and self.tokens[self.pos - 2][0] is _NUMBER:  # `5 ft 11`
            hint = f" (give {self.text[start:end]} a unit too, as in 5 ft 11 in)"
        return ParseError(
            f"missing operator between '{self.text[before:after]}' and "
            f"'{self.text[start:end]}'{hint}",
            Span(start, end),
        )

    def _expected_operand(self) -> ParseError:
        kind, _, start, end = self.tokens[self.pos]
        if self.pos == 0:
            where = "at the start"
        else:
            _, _, before, after = self.tokens[self.pos - 1]
            where = f"after '{self.text[before:after]}'"
        found = "" if kind is _END else f", not '{self.text[start:end]}'"
        return ParseError(f"expected a number, name or ( {where}{found}", Span(start, end))

    def _unexpected_after(
        self, node: nodes.Node, token: tuple[TokenKind, str, int, int]
    ) -> ParseError:
        kind, _, start, end = token
        span = Span(start, end)
        self._check_thousands()
        if kind is _RPAREN:
            return ParseError("unmatched )", span)
        top = node.value if type(node) is nodes.Assign else node
        if type(top) is nodes.Convert and (kind is _ARROW or token[1] in ("to", "in")):
            return _second_conversion(start, end)
        if kind is _EQUALS:
            if isinstance(node, nodes.Assign):
                return ParseError("only one = is allowed in a line", span)
            return AssignmentError(
                "can only assign to a name, like x = 3", Span(node.start, node.end)
            )
        return ParseError(f"unexpected '{self.text[start:end]}'", span)


# The longest integers a fraction of a unit is made of (`2/3 cup`): exact and cheap to reduce.
_FRACTION_DIGITS = 15


def _fraction_of_unit(tokens: list[tuple[TokenKind, str, int, int]], pos: int) -> bool:
    """Whether the `/` at `pos`, after an integer it touches, is the bar of a fraction of the
    unit that follows: `2/3 cup`, `1/2 h` (not `2 / 3 cup`, `1/0 m`, `1/2 min(3, 4)`)."""
    _, numerator, _, _ = tokens[pos - 1]
    _, _, start, end = tokens[pos]
    kind, digits, after, _ = tokens[pos + 1]
    if kind is not _NUMBER or after != end or not digits.isdigit() or not int(digits):
        return False
    if len(numerator) > _FRACTION_DIGITS or len(digits) > _FRACTION_DIGITS:
        return False
    unit_kind, unit, _, _ = tokens[pos + 2]
    return (
        unit_kind is _NAME
        and unit in UNIT_NAMES
        and tokens[pos + 3][0] is not _LPAREN
        and not (unit == "in" and _names_format(tokens[pos + 3]))
    )


def _starts_fraction(
    tokens: list[tuple[TokenKind, str, int, int]], pos: int, whole_first: bool = True
) -> bool:
    """Whether the integer at `pos` starts a fraction of the unit after it: `2/3 cup`, the bar
    touching both integers, or `1 1/2 cup`, a whole number first."""
    _, digits, _, end = tokens[pos]
    if not digits.isdigit():
        return False
    following = tokens[pos + 1]
    if following[0] is _DIVIDE:
        return following[2] == end and _fraction_of_unit(tokens, pos + 1)
    return whole_first and following[0] is _NUMBER and _starts_fraction(tokens, pos + 1, False)


def _names_target(token: tuple[TokenKind, str, int, int]) -> bool:
    """Whether `token`, after `in`, starts a conversion's target: a unit or a format name."""
    return token[0] is _NAME and (token[1] in UNIT_NAMES or _names_format(token))


def _names_format(token: tuple[TokenKind, str, int, int]) -> bool:
    """Whether `token` names a format target (`hex`, `base`): never a unit, so `255 in hex` can
    only be a conversion."""
    return token[0] is _NAME and (token[1] in FORMAT_NAMES or token[1] == "base")


def _ends_one_unit(tokens: list[tuple[TokenKind, str, int, int]], pos: int) -> bool:
    """Whether the token at `pos`, after a number's first unit name, leaves that unit alone in
    the measure (not a power, another unit, a unit joined by `/` or `*` without spaces, or the
    parenthesis of a call: `2 min(3, 4)`)."""
    kind, value, _, _ = tokens[pos]
    if kind is _NAME:
        return value not in UNIT_NAMES
    if kind is _DIVIDE or kind is _TIMES:
        return not _joins_unit(tokens, pos)
    return kind is not _POWER and kind is not _LPAREN


def _joins_unit(tokens: list[tuple[TokenKind, str, int, int]], pos: int) -> bool:
    """Whether the `/` or `*` at `pos` touches what comes before it and a unit name after it
    (`km/h`, `kg*m`; not `km / h`, `m/x`, `m/min(2, 3)`)."""
    _, _, start, end = tokens[pos]
    after = tokens[pos + 1]
    return (
        tokens[pos - 1][3] == start
        and after[2] == end
        and after[0] is _NAME
        and after[1] in UNIT_NAMES
        and tokens[pos + 2][0] is not _LPAREN
    )


def _one_literal_power(tokens: list[tuple[TokenKind, str, int, int]], pos: int) -> bool:
    """Whether the unit name at `pos` has a literal whole power (what _unit_power reads) and is
    the measure's only unit: `16 m^2`, not `1 m^2 s` or `1 m^2^2`."""
    return (
        tokens[pos + 1][0] is _POWER
        and tokens[pos + 2][0] is _NUMBER
        and tokens[pos + 2][1].isdigit()
        and tokens[pos + 3][0] not in _OPERAND_SUFFIXES
        and _ends_one_unit(tokens, pos + 3)
    )


def _second_conversion(start: int, end: int) -> ParseError:
    """`5 m to cm to mm`: a line converts once; the next line converts its answer."""
    return ParseError(
        "one conversion per line: convert the answer on the next line (ans to …)",
        Span(start, end),
    )


def _run_of(measure: nodes.Node, number: nodes.Number, whole: bool, begin: int) -> tuple | None:
    """What _UNIT_RUNS keeps of a measure read from a run starting at column `begin`: its units
    (with that column), names and unit; None when the reading is not the run's alone (it
    stopped inside the run, or holds a unit not a name or a name to a literal power, or `in`,
    which reads by what follows it) or its quantity is not the number in one unit."""
    if not whole or type(measure) is not nodes.Measure or "in" in measure.names:
        return None
    for _, node in measure.rest:
        if type(node) is not nodes.Name and not (
            type(node) is nodes.UnitPower
            and type(node.operands[0]) is nodes.Name
            and type(node.operands[1]) is nodes.Number
        ):
            return None
    value = measure.value
    if value is None:
        unit = None
    elif type(value) is quantities.Quantity and value.magnitude is number.value:
        unit = value.unit
    else:
        return None
    return (measure.rest, begin), measure.names, unit


def _remember_run(text: str, run: tuple | None) -> None:
    if len(_UNIT_RUNS) >= RUN_CACHE_SIZE:
        _UNIT_RUNS.clear()
    _UNIT_RUNS[text] = run


def _remember_target(text: str, unit: Unit) -> None:
    if len(_TARGET_UNITS) >= TARGET_CACHE_SIZE:
        _TARGET_UNITS.clear()
    _TARGET_UNITS[text] = unit


def _literal(value: str, text: str, start: int, end: int) -> Num:
    """A number literal that is more than digits, with its errors located."""
    try:
        return parse_literal(value)
    except ValueError:
        raise ParseError(f"malformed number '{text[start:end]}'", Span(start, end)) from None
    except OverflowError as error:
        raise LimitError(
            f"number {error} (beyond 1e±{MAX_DECIMAL_EXPONENT:,})", Span(start, end)
        ) from None


def _check_assignable(name: str, start: int, end: int) -> None:
    span = Span(start, end)
    if name in ARITY:
        raise AssignmentError(f"'{name}' is a built-in function and cannot be assigned", span)
    if name in CONSTANTS:
        raise AssignmentError(f"'{name}' is a built-in constant and cannot be assigned", span)
    if name in RESERVED_NAMES:
        raise AssignmentError(f"'{name}' is reserved and cannot be assigned", span)
