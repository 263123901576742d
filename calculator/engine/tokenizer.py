"""Text to tokens with one precompiled regular expression; every token carries its columns."""

from __future__ import annotations

import re
from functools import partial

from .errors import LimitError, ParseError
from .limits import MAX_EXPRESSION_LENGTH
from .tokens import Span, Token, TokenKind

# One alternation, longest-first per class: based integers before decimals (0x1F is not 0 × x1F),
# numbers before names (so 2e = 2 × e but 1e3 is a number), `**` before `*`, and a final `.` that
# catches every other character so that positions are the running sum of lexeme lengths.
_LEXEME_RE = re.compile(
    r"""\s+
    |0[xXbBoO][0-9A-Za-z_]*
    |(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?
    |[A-Za-z_][A-Za-z0-9_]*
    |\*\*
    |.""",
    re.VERBOSE | re.DOTALL,
)

# Lexemes that are a token by themselves: operators, and π τ spelled as their names.
_FIXED = {
    "+": (TokenKind.PLUS, "+"),
    "-": (TokenKind.MINUS, "-"),
    "−": (TokenKind.MINUS, "-"),
    "*": (TokenKind.TIMES, "×"),
    "×": (TokenKind.TIMES, "×"),
    "·": (TokenKind.TIMES, "×"),
    "/": (TokenKind.DIVIDE, "/"),
    "÷": (TokenKind.DIVIDE, "/"),
    "^": (TokenKind.POWER, "^"),
    "**": (TokenKind.POWER, "^"),
    "√": (TokenKind.SQRT, "√"),
    "!": (TokenKind.BANG, "!"),
    "%": (TokenKind.PERCENT, "%"),
    "(": (TokenKind.LPAREN, "("),
    ")": (TokenKind.RPAREN, ")"),
    ",": (TokenKind.COMMA, ","),
    "=": (TokenKind.EQUALS, "="),
    "mod": (TokenKind.MOD, "mod"),
    "π": (TokenKind.NAME, "pi"),
    "τ": (TokenKind.NAME, "tau"),
}
_DIGITS = frozenset("0123456789.")
_NAME_STARTS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NUMBER_TAIL = frozenset("._0123456789")
_NUMBER = TokenKind.NUMBER
_NAME = TokenKind.NAME
# Tokens are built without NamedTuple.__new__'s extra Python frame: tokenizing is the hot path.
_token = partial(tuple.__new__, Token)


def check_length(text: str) -> None:
    """Refuse oversized input before any other work is done on it."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise LimitError(
            f"expression too long ({len(text):,} characters; the limit is "
            f"{MAX_EXPRESSION_LENGTH:,})",
            Span(MAX_EXPRESSION_LENGTH, len(text)),
        )


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens, ending with an END token at len(text)."""
    check_length(text)
    tokens: list[Token] = []
    append = tokens.append
    start = 0
    for lexeme in _LEXEME_RE.findall(text):
        end = start + len(lexeme)
        fixed = _FIXED.get(lexeme)
        if fixed is not None:
            append(_token((fixed[0], fixed[1], start, end)))
        elif lexeme[0] in _NAME_STARTS:
            append(_token((_NAME, lexeme, start, end)))
        elif lexeme[0] in _DIGITS and lexeme != ".":
            if end < len(text) and text[end] in _NUMBER_TAIL:
                raise _malformed_number(text, start)
            append(_token((_NUMBER, lexeme.replace("_", ""), start, end)))
        elif not lexeme.isspace():
            raise ParseError(f"unexpected character {lexeme!r}", Span(start, end))
        start = end
    append(_token((TokenKind.END, "", start, start)))
    return tokens


def _malformed_number(text: str, start: int) -> ParseError:
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] in "._"):
        end += 1
    return ParseError(f"malformed number '{text[start:end]}'", Span(start, end))
