"""Tokens to a syntax tree by recursive descent: a method per level (unary and power share one).

Grammar (EBNF; lowest precedence first)::

    line       = NAME "=" expression | expression ;
    expression = product { ("+" | "-") product } ;
    product    = signed { ("*" | "/" | "mod") signed | implicit } ;
    implicit   = unary ;                  (* only when it starts with NAME, "(" or "√" *)
    signed     = unary ;
    unary      = { "+" | "-" | "√" } power ;
    power      = postfix [ "^" unary ] ;  (* right-associative; binds tighter than a sign *)
    postfix    = primary { "!" | "%" } ;
    primary    = NUMBER | NAME | FUNCTION "(" expression { "," expression } ")"
               | "(" expression ")" ;

Implicit multiplication (`2pi`, `3(4+5)`, `pi r^2`, `2 sqrt(2)`) has the precedence of `*`, so
`6/2(1+2)` is (6/2)(1+2) = 9. A number never starts an implicit product: `2 3` is an error, not 6.
A run of letters is one name (`pir` is not pi × r); function names always need parentheses.
"""

from __future__ import annotations

from . import nodes
from .errors import AssignmentError, LimitError, ParseError
from .functions import ARITY, CONSTANTS, arity_error
from .limits import MAX_DECIMAL_EXPONENT, MAX_NESTING_DEPTH
from .numbers import Num, parse_literal
from .tokenizer import scan
from .tokens import Span, TokenKind

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
_PREFIX_OPS = {TokenKind.PLUS: "+", TokenKind.MINUS: "-", TokenKind.SQRT: "√"}
_POSTFIX_OPS = {TokenKind.BANG: "!", TokenKind.PERCENT: "%"}
_IMPLICIT_STARTS = frozenset({TokenKind.NAME, TokenKind.LPAREN, TokenKind.SQRT})
# Tokens that make the operand before them more than a lone number or name.
_OPERAND_SUFFIXES = frozenset({TokenKind.POWER, *_POSTFIX_OPS})
# What may follow the first operand of a product: an operator, an implicit product, or a number
# (which is an error, `2 3`).
_PRODUCT_FOLLOWERS = frozenset({*_PRODUCT_OPS, *_IMPLICIT_STARTS, TokenKind.NUMBER})
RESERVED_NAMES = frozenset(["ans"])


def parse(text: str) -> nodes.Node:
    """Parse one calculator line; raises a CalcError subclass with the offending span."""
    return _Parser(text, scan(text)).line()


class _Parser:
    """One method per precedence level that needs a loop of its own.

    Tokens are (kind, value, start, end) tuples, unpacked into locals: the parser runs for every
    new line, so it avoids attribute lookups and calls where a local variable does the job.
    """

    __slots__ = ("text", "tokens", "pos", "depth")

    def __init__(self, text: str, tokens: list[tuple[TokenKind, str, int, int]]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def line(self) -> nodes.Node:
        tokens = self.tokens
        kind, value, start, end = tokens[0]
        if kind is _END:
            raise ParseError("empty expression", Span(0, len(self.text)))
        if kind is _NAME and tokens[1][0] is _EQUALS:
            self.pos = 2
            _check_assignable(value, start, end)
            node: nodes.Node = nodes.Assign(
                nodes.Name(value, self.text[start:end], start, end), self.expression()
            )
        else:
            node = self.expression()
        token = tokens[self.pos]
        if token[0] is not _END:
            raise self._unexpected_after(node, token)
        return node

    def expression(self) -> nodes.Node:
        """expression = product { ("+" | "-") product }"""
        first = self.product()
        tokens = self.tokens
        op = _SUM_OPS.get(tokens[self.pos][0])
        if op is None:
            return first
        rest = []
        while op is not None:
            self.pos += 1
            rest.append((op, self.product()))
            op = _SUM_OPS.get(tokens[self.pos][0])
        return nodes.Chain(first, tuple(rest))

    def product(self) -> nodes.Node:
        """product = unary { ("*" | "/" | "mod") unary | implicit }"""
        first = self.unary()
        tokens = self.tokens
        kind = tokens[self.pos][0]
        if kind not in _PRODUCT_FOLLOWERS:
            return first
        rest = []
        while True:
            op = _PRODUCT_OPS.get(kind)
            if op is not None:
                self.pos += 1
                rest.append((op, self.unary()))
            elif kind in _IMPLICIT_STARTS:
                rest.append(("×", self.unary()))
            elif kind is _NUMBER:
                raise self._missing_operator()
            else:
                return nodes.Chain(first, tuple(rest))
            kind = tokens[self.pos][0]

    def unary(self) -> nodes.Node:
        """unary = { "+" | "-" | "√" } power ;  power = postfix [ "^" unary ]"""
        tokens = self.tokens
        pos = self.pos
        kind, value, start, end = tokens[pos]
        # The commonest operand, a lone integer or variable, is built here without further calls
        # (an END token always follows a NUMBER or NAME).
        if (kind is _NUMBER or kind is _NAME) and tokens[pos + 1][0] not in _OPERAND_SUFFIXES:
            if kind is _NUMBER and value.isdigit():
                self.pos = pos + 1
                return nodes.Number(int(value), self.text[start:end], start, end)
            if kind is _NAME and value not in ARITY:
                self.pos = pos + 1
                return nodes.Name(value, self.text[start:end], start, end)
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
        operands = [base]
        while tokens[self.pos][0] is _POWER:
            self.pos += 1
            token = tokens[self.pos]
            if token[0] in _PREFIX_OPS:
                # A signed exponent takes the rest of the chain with it: 2^-3^2 = 2^(-(3^2)).
                self._enter(token)
                operands.append(self.unary())
                self.depth -= 1
                break
            operands.append(self.postfix())
        return nodes.Power(tuple(operands))

    def postfix(self) -> nodes.Node:
        """postfix = primary { "!" | "%" } ;  primary: a number, a name, a call or a group."""
        tokens = self.tokens
        pos = self.pos
        kind, value, start, end = tokens[pos]
        if kind is _NUMBER:
            self.pos = pos = pos + 1
            number = int(value) if value.isdigit() else _literal(value, self.text, start, end)
            node: nodes.Node = nodes.Number(number, self.text[start:end], start, end)
        elif kind is _NAME:
            self.pos = pos = pos + 1
            if value in ARITY:
                node = self.call(value, start, end)
                pos = self.pos
            else:
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
        raise ParseError(f"expected ) before '{self.text[start:end]}'", Span(start, end))

    def _missing_operator(self) -> ParseError:
        _, _, start, end = self.tokens[self.pos]
        _, previous, before, after = self.tokens[self.pos - 1]
        hint = " (% means percent; use mod for a remainder)" if previous == "%" else ""
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
        if kind is _RPAREN:
            return ParseError("unmatched )", span)
        if kind is _EQUALS:
            if isinstance(node, nodes.Assign):
                return ParseError("only one = is allowed in a line", span)
            return AssignmentError(
                "can only assign to a name, like x = 3", Span(node.start, node.end)
            )
        return ParseError(f"unexpected '{self.text[start:end]}'", span)


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
