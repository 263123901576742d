"""Text to tokens with one precompiled regular expression; every token carries its columns."""

from __future__ import annotations

import re

from .errors import LimitError, ParseError
from .limits import MAX_EXPRESSION_LENGTH
from .tokens import Span, Token, TokenKind

# Each match is (whitespace, number, name, other): exactly one of the last three is non-empty, so
# the group tells the kind without a second look at the text. Based integers come before decimals
# (0x1F is not 0 × x1F), numbers before names (so 2e = 2 × e but 1e3 is a number), `**` before `*`.
# Names may hold µ (or Greek μ) and Ω (or the ohm sign) for units (µs, kΩ); `°`, `°C` and `°F`
# are names too. Superscript digits (m², 2¹⁰, m⁻¹) are a power: `^` and the number.
# Every character but trailing whitespace is matched, so positions are a running sum of lengths.
# Numbers are matched loosely here (the simpler pattern is the faster one) and checked by
# _NUMBER_RE when they are more than digits. An exponent's sign may be U+2212 (−), the minus sign
# accepted everywhere else, so 1e−3 is a number and not 1·e − 3.
_LEXEME_RE = re.compile(
    r"""(\s*)
    (?:(0[xXbBoO][0-9A-Za-z_]*|(?:[0-9]|\.[0-9])[0-9_.]*(?:[eE][+\-−]?[0-9][0-9_]*)?)
      |([A-Za-z_µμΩ\u2126][A-Za-z0-9_µμΩ\u2126]*|°[CF]?)
      |(\*\*|->|⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\S))""",
    re.VERBOSE,
)
_NUMBER_RE = re.compile(
    r"""0[xXbBoO][0-9A-Za-z_]*
    |(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+\-−]?[0-9](?:_?[0-9])*)?""",
    re.VERBOSE,
)

# Lexemes that are a token by themselves: operators, and π τ spelled as their names.
_FIXED = {
    "+": (TokenKind.PLUS, "+"),
    "-": (TokenKind.MINUS, "-"),
    "−": (TokenKind.MINUS, "-"),
    "*": (TokenKind.TIMES, "×"),
    "×": (TokenKind.TIMES, "×"),
    "·": (TokenKind.TIMES, "×"),
    "⋅": (TokenKind.TIMES, "×"),
    "/": (TokenKind.DIVIDE, "/"),
    "÷": (TokenKind.DIVIDE, "/"),
    "^": (TokenKind.POWER, "^"),
    "**": (TokenKind.POWER, "^"),
    "√": (TokenKind.SQRT, "√"),
    "∛": (TokenKind.CBRT, "∛"),
    "!": (TokenKind.BANG, "!"),
    "%": (TokenKind.PERCENT, "%"),
    "(": (TokenKind.LPAREN, "("),
    ")": (TokenKind.RPAREN, ")"),
    ",": (TokenKind.COMMA, ","),
    "=": (TokenKind.EQUALS, "="),
    "->": (TokenKind.ARROW, "→"),
    "→": (TokenKind.ARROW, "→"),
    "π": (TokenKind.NAME, "pi"),
    "τ": (TokenKind.NAME, "tau"),
}
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# Greek mu and the ohm sign, as keyboards type them, are the micro sign and Greek omega of the
# unit table.
_UNIT_SPELLINGS = str.maketrans({"μ": "µ", "\u2126": "Ω"})
# A number running into one of these ("1.2.3", "1__0") is malformed rather than two tokens.
_NUMBER_TAIL = frozenset("._0123456789")
_NUMBER = TokenKind.NUMBER
_NAME = TokenKind.NAME
_MOD = TokenKind.MOD


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
    return [Token._make(token) for token in scan(text)]


def scan(text: str) -> list[tuple[TokenKind, str, int, int]]:
    """tokenize() as plain (kind, value, start, end) tuples: the parser's hot path, unnamed."""
    check_length(text)
    tokens = []
    append = tokens.append
    length = len(text)
    end = 0
    for space, number, name, other in _LEXEME_RE.findall(text):
        start = end + len(space) if space else end
        if number:
            end = start + len(number)
            if (end < length and text[end] in _NUMBER_TAIL) or not (
                number.isdigit() or _NUMBER_RE.fullmatch(number)
            ):
                raise _malformed_number(text, start)
            if not number.isdigit():
                number = number.replace("_", "").replace("−", "-")
            append((_NUMBER, number, start, end))
        elif name:
            end = start + len(name)
            if not name.isascii():
                name = name.translate(_UNIT_SPELLINGS)
            append((_MOD if name == "mod" else _NAME, name, start, end))
        else:
            end = start + len(other)
            fixed = _FIXED.get(other)
            if fixed is not None:
                append((fixed[0], fixed[1], start, end))
            elif other[-1] in _SUPERSCRIPTS:
                _append_superscript(append, other, start)
            else:
                raise ParseError(f"unexpected character {other!r}", Span(start, end))
    append((TokenKind.END, "", length, length))
    return tokens


_SUPERSCRIPTS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹")


def _append_superscript(append, lexeme: str, start: int) -> None:
    """`²` is `^2` and `⁻¹` is `^-1`: a power (an empty span where the superscript starts), its
    sign, and the number, each spanning its own characters."""
    append((TokenKind.POWER, "^", start, start))
    if lexeme[0] == "⁻":
        append((TokenKind.MINUS, "-", start, start + 1))
        start += 1
        lexeme = lexeme[1:]
    append((_NUMBER, lexeme.translate(_SUPERSCRIPT_DIGITS), start, start + len(lexeme)))


def _malformed_number(text: str, start: int) -> ParseError:
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] in "._"):
        end += 1
    return ParseError(f"malformed number '{text[start:end]}'", Span(start, end))
