"""Tokenizer: kinds and spans for every token, and the characters it refuses."""

import pytest

from calculator.engine.errors import LimitError, ParseError
from calculator.engine.tokenizer import tokenize
from calculator.engine.tokens import Span
from calculator.engine.tokens import TokenKind as K

CASES = [
    ("42", [K.NUMBER], [(0, 2)]),
    ("3.14", [K.NUMBER], [(0, 4)]),
    (".5", [K.NUMBER], [(0, 2)]),
    ("1e3", [K.NUMBER], [(0, 3)]),
    ("2.5E-3", [K.NUMBER], [(0, 6)]),
    ("2e−1", [K.NUMBER], [(0, 4)]),
    ("1E−400", [K.NUMBER], [(0, 6)]),
    ("1e−x", [K.NUMBER, K.NAME, K.MINUS, K.NAME], [(0, 1), (1, 2), (2, 3), (3, 4)]),
    ("−2^2", [K.MINUS, K.NUMBER, K.POWER, K.NUMBER], [(0, 1), (1, 2), (2, 3), (3, 4)]),
    ("1_000_000", [K.NUMBER], [(0, 9)]),
    ("0x1F 0b101 0o17", [K.NUMBER, K.NUMBER, K.NUMBER], [(0, 4), (5, 10), (11, 15)]),
    ("2e", [K.NUMBER, K.NAME], [(0, 1), (1, 2)]),
    ("2pi", [K.NUMBER, K.NAME], [(0, 1), (1, 3)]),
    ("pir", [K.NAME], [(0, 3)]),
    ("x_1", [K.NAME], [(0, 3)]),
    ("7 mod 3", [K.NUMBER, K.MOD, K.NUMBER], [(0, 1), (2, 5), (6, 7)]),
    (
        "2**3^4",
        [K.NUMBER, K.POWER, K.NUMBER, K.POWER, K.NUMBER],
        [(0, 1), (1, 3), (3, 4), (4, 5), (5, 6)],
    ),
    (
        "a×b·c÷d−e",
        [K.NAME, K.TIMES, K.NAME, K.TIMES, K.NAME, K.DIVIDE, K.NAME, K.MINUS, K.NAME],
        [(i, i + 1) for i in range(9)],
    ),
    ("√π τ", [K.SQRT, K.NAME, K.NAME], [(0, 1), (1, 2), (3, 4)]),
    ("3!%", [K.NUMBER, K.BANG, K.PERCENT], [(0, 1), (1, 2), (2, 3)]),
    (
        "f(1, 2)",
        [K.NAME, K.LPAREN, K.NUMBER, K.COMMA, K.NUMBER, K.RPAREN],
        [(0, 1), (1, 2), (2, 3), (3, 4), (5, 6), (6, 7)],
    ),
    ("x = -1", [K.NAME, K.EQUALS, K.MINUS, K.NUMBER], [(0, 1), (2, 3), (4, 5), (5, 6)]),
    (" \t 1 \n", [K.NUMBER], [(3, 4)]),
    # Superscript digits are a power: `^` (an empty span where they start), then the number.
    ("m²", [K.NAME, K.POWER, K.NUMBER], [(0, 1), (1, 1), (1, 2)]),
    ("2¹⁰", [K.NUMBER, K.POWER, K.NUMBER], [(0, 1), (1, 1), (1, 3)]),
    ("m⁻¹", [K.NAME, K.POWER, K.MINUS, K.NUMBER], [(0, 1), (1, 1), (1, 2), (2, 3)]),
    ("", [], []),
]


@pytest.mark.parametrize(("text", "kinds", "spans"), CASES)
def test_tokens(text, kinds, spans):
    tokens = tokenize(text)
    assert [token.kind for token in tokens] == [*kinds, K.END]
    assert [(token.start, token.end) for token in tokens[:-1]] == spans
    assert tokens[-1].span == Span(len(text), len(text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("π", "pi"),
        ("τ", "tau"),
        ("1_000", "1000"),
        ("1e−3", "1e-3"),
        ("2**3", "2"),
        ("**", "^"),
        ("*", "×"),
        ("mod", "mod"),
    ],
)
def test_token_values_are_canonical(text, value):
    assert tokenize(text)[0].value == value


def test_a_superscript_power_is_plain_digits():
    assert [token.value for token in tokenize("2⁻¹²")] == ["2", "^", "-", "12", ""]


ERRORS = [
    ("$", "unexpected character '$'", (0, 1)),
    ("1 + 'a'", 'unexpected character "\'"', (4, 5)),
    ("[1,2]", "unexpected character '['", (0, 1)),
    ("x.y", "unexpected character '.'", (1, 2)),
    ("1.2.3", "malformed number '1.2.3'", (0, 5)),
    ("1__0", "malformed number '1__0'", (0, 4)),
    ("2 ⁻", "unexpected character '⁻'", (2, 3)),  # a superscript sign with no digits
]


@pytest.mark.parametrize(("text", "message", "span"), ERRORS)
def test_tokenizer_errors(text, message, span):
    with pytest.raises(ParseError) as caught:
        tokenize(text)
    assert caught.value.message == message
    assert caught.value.span == Span(*span)


def test_length_is_checked_before_tokenizing():
    with pytest.raises(LimitError) as caught:
        tokenize("$" * 1001)
    assert caught.value.span == Span(1000, 1001)
