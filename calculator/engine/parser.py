"""Tokens to a syntax tree by recursive descent, one function per precedence level.

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
from .numbers import parse_literal
from .tokenizer import tokenize
from .tokens import Span, Token, TokenKind

_NUMBER = TokenKind.NUMBER
_NAME = TokenKind.NAME
_LPAREN = TokenKind.LPAREN
_RPAREN = TokenKind.RPAREN
_COMMA = TokenKind.COMMA
_POWER = TokenKind.POWER
_END = TokenKind.END
_SUM_OPS = {TokenKind.PLUS: "+", TokenKind.MINUS: "-"}
_PRODUCT_OPS = {TokenKind.TIMES: "×", TokenKind.DIVIDE: "/", TokenKind.MOD: "mod"}
_PREFIX_OPS = {TokenKind.PLUS: "+", TokenKind.MINUS: "-", TokenKind.SQRT: "√"}
_POSTFIX_OPS = {TokenKind.BANG: "!", TokenKind.PERCENT: "%"}
_IMPLICIT_STARTS = frozenset({TokenKind.NAME, TokenKind.LPAREN, TokenKind.SQRT})
RESERVED_NAMES = frozenset(["ans"])


def parse(text: str) -> nodes.Node:
    """Parse one calculator line; raises a CalcError subclass with the offending span."""
    return _Parser(text, tokenize(text)).line()


class _Parser:
    __slots__ = ("text", "tokens", "pos", "depth")

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def line(self) -> nodes.Node:
        tokens = self.tokens
        if tokens[0].kind is _END:
            raise ParseError("empty expression", Span(0, len(self.text)))
        if tokens[0].kind is _NAME and tokens[1].kind is TokenKind.EQUALS:
            target = tokens[0]
            self.pos = 2
            _check_assignable(target)
            node: nodes.Node = nodes.Assign(
                nodes.Name(target.value, self._source(target), target.start, target.end),
                self.expression(),
            )
        else:
            node = self.expression()
        token = tokens[self.pos]
        if token.kind is not _END:
            raise self._unexpected_after(node, token)
        return node

    def expression(self) -> nodes.Node:
        first = self.product()
        tokens = self.tokens
        op = _SUM_OPS.get(tokens[self.pos].kind)
        if op is None:
            return first
        rest = []
        while op is not None:
            self.pos += 1
            rest.append((op, self.product()))
            op = _SUM_OPS.get(tokens[self.pos].kind)
        return nodes.Chain(first, tuple(rest))

    def product(self) -> nodes.Node:
        first = self.unary()
        tokens = self.tokens
        rest = []
        while True:
            token = tokens[self.pos]
            op = _PRODUCT_OPS.get(token.kind)
            if op is not None:
                self.pos += 1
                rest.append((op, self.unary()))
            elif token.kind in _IMPLICIT_STARTS:
                rest.append(("×", self.unary()))
            elif token.kind is _NUMBER:
                previous = tokens[self.pos - 1]
                hint = (
                    " (% means percent; use mod for a remainder)" if previous.value == "%" else ""
                )
                raise ParseError(
                    f"missing operator between '{self._source(previous)}' and "
                    f"'{self._source(token)}'{hint}",
                    Span(token.start, token.end),
                )
            else:
                break
        return nodes.Chain(first, tuple(rest)) if rest else first

    def unary(self) -> nodes.Node:
        tokens = self.tokens
        op = _PREFIX_OPS.get(tokens[self.pos].kind)
        if op is None:
            return self.power()
        ops = []
        while op is not None:
            ops.append((op, tokens[self.pos].start))
            self.pos += 1
            op = _PREFIX_OPS.get(tokens[self.pos].kind)
        return nodes.Prefix(tuple(reversed(ops)), self.power())

    def power(self) -> nodes.Node:
        base = self.postfix()
        tokens = self.tokens
        if tokens[self.pos].kind is not _POWER:
            return base
        operands = [base]
        while tokens[self.pos].kind is _POWER:
            self.pos += 1
            if tokens[self.pos].kind in _PREFIX_OPS:
                # A signed exponent takes the rest of the chain with it: 2^-3^2 = 2^(-(3^2)).
                self._enter(tokens[self.pos])
                operands.append(self.unary())
                self.depth -= 1
                break
            operands.append(self.postfix())
        return nodes.Power(tuple(operands))

    def postfix(self) -> nodes.Node:
        tokens = self.tokens
        token = tokens[self.pos]
        if token.kind is _NAME and token.value not in ARITY:
            # The commonest operands, a name or a plain integer, skip the call to primary().
            self.pos += 1
            operand: nodes.Node = nodes.Name(
                token.value, self.text[token.start : token.end], token.start, token.end
            )
        elif token.kind is _NUMBER and token.value.isdigit():
            self.pos += 1
            operand = nodes.Number(
                int(token.value), self.text[token.start : token.end], token.start, token.end
            )
        else:
            operand = self.primary()
        op = _POSTFIX_OPS.get(tokens[self.pos].kind)
        if op is None:
            return operand
        ops = []
        while op is not None:
            ops.append((op, tokens[self.pos].end))
            self.pos += 1
            op = _POSTFIX_OPS.get(tokens[self.pos].kind)
        return nodes.Postfix(operand, tuple(ops))

    def primary(self) -> nodes.Node:
        token = self.tokens[self.pos]
        kind = token.kind
        if kind is _NUMBER:
            self.pos += 1
            try:
                value = parse_literal(token.value)
            except ValueError:
                raise ParseError(
                    f"malformed number '{self._source(token)}'", Span(token.start, token.end)
                ) from None
            except OverflowError as error:
                raise LimitError(
                    f"number {error} (beyond 1e±{MAX_DECIMAL_EXPONENT:,})",
                    Span(token.start, token.end),
                ) from None
            return nodes.Number(value, self._source(token), token.start, token.end)
        if kind is _NAME:
            self.pos += 1
            if token.value in ARITY:
                return self.call(token)
            return nodes.Name(token.value, self._source(token), token.start, token.end)
        if kind is _LPAREN:
            self.pos += 1
            self._enter(token)
            inner = self.expression()
            # The group's span includes its parentheses, so "(-1)!" is blamed as a whole.
            inner.start, inner.end = token.start, self._close()
            self.depth -= 1
            return inner
        raise self._expected_operand()

    def call(self, name: Token) -> nodes.Call:
        tokens = self.tokens
        if tokens[self.pos].kind is not _LPAREN:
            raise ParseError(
                f"{name.value} needs parentheses: {name.value}(…)", Span(name.start, name.end)
            )
        self._enter(tokens[self.pos])
        self.pos += 1
        args = [] if tokens[self.pos].kind is _RPAREN else [self.expression()]
        while tokens[self.pos].kind is _COMMA:
            self.pos += 1
            args.append(self.expression())
        end = self._close()
        self.depth -= 1
        low, high = ARITY[name.value]
        if len(args) < low or (high is not None and len(args) > high):
            raise arity_error(name.value, len(args), Span(name.start, end))
        return nodes.Call(name.value, tuple(args), name.start, end)

    def _enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise LimitError(
                f"expression nested too deeply (more than {MAX_NESTING_DEPTH} levels)",
                Span(token.start, token.end),
            )

    def _close(self) -> int:
        token = self.tokens[self.pos]
        if token.kind is _RPAREN:
            self.pos += 1
            return token.end
        if token.kind is _END:
            raise ParseError("missing )", Span(token.start, token.end))
        raise ParseError(f"expected ) before '{self._source(token)}'", Span(token.start, token.end))

    def _expected_operand(self) -> ParseError:
        token = self.tokens[self.pos]
        if self.pos == 0:
            where = "at the start"
        else:
            where = f"after '{self._source(self.tokens[self.pos - 1])}'"
        found = "" if token.kind is _END else f", not '{self._source(token)}'"
        return ParseError(
            f"expected a number, name or ( {where}{found}", Span(token.start, token.end)
        )

    def _unexpected_after(self, node: nodes.Node, token: Token) -> ParseError:
        span = Span(token.start, token.end)
        if token.kind is _RPAREN:
            return ParseError("unmatched )", span)
        if token.kind is TokenKind.EQUALS:
            if isinstance(node, nodes.Assign):
                return ParseError("only one = is allowed in a line", span)
            return AssignmentError(
                "can only assign to a name, like x = 3", Span(node.start, node.end)
            )
        return ParseError(f"unexpected '{self._source(token)}'", span)

    def _source(self, token: Token) -> str:
        return self.text[token.start : token.end]


def _check_assignable(target: Token) -> None:
    name = target.value
    span = Span(target.start, target.end)
    if name in ARITY:
        raise AssignmentError(f"'{name}' is a built-in function and cannot be assigned", span)
    if name in CONSTANTS:
        raise AssignmentError(f"'{name}' is a built-in constant and cannot be assigned", span)
    if name in RESERVED_NAMES:
        raise AssignmentError(f"'{name}' is reserved and cannot be assigned", span)
