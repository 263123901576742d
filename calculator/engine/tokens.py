"""Token kinds, source spans and tokens: the vocabulary shared by the tokenizer and the parser."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Span:
    """Columns [start, end) of the input text, 0-based."""

    start: int
    end: int


class TokenKind(enum.Enum):
    # Members are singletons: identity hashing keeps the parser's dict lookups in C
    # (Enum.__hash__ is a Python function, called for every lookup).
    __hash__ = object.__hash__

    NUMBER = "number"
    NAME = "name"
    PLUS = "+"
    MINUS = "-"
    TIMES = "×"
    DIVIDE = "/"
    MOD = "mod"
    POWER = "^"
    SQRT = "√"
    CBRT = "∛"
    BANG = "!"
    PERCENT = "%"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    EQUALS = "="
    ARROW = "→"
    END = "end"


class Token(NamedTuple):
    """One token. `value` is the canonical text: digits without `_` for numbers, `pi` for `π`."""

    kind: TokenKind
    value: str
    start: int
    end: int

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)
