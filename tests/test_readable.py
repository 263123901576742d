"""How a result is cut for reading: a table of results and their digit groups, and the one
invariant that makes the grouping safe to copy: the pieces joined give the text back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator.readable import SHORTEN_OVER_CHARS, readable


@pytest.mark.parametrize(
    ("text", "pieces", "rest"),
    [
        ("9900", ("9900",), ""),
        ("12345", ("12", "345"), ""),
        ("-1234567", ("-1", "234", "567"), ""),
        ("123456.5", ("123", "456.5"), ""),
        ("0.333333333333333", ("0.333333333333333",), ""),
        ("4.28124773175747e+369693099", ("4.28124773175747",), "e+369693099"),
        ("1e+30", ("1",), "e+30"),
        ("not a number", ("not a number",), ""),
    ],
)
def test_digit_groups(text: str, pieces: tuple[str, ...], rest: str) -> None:
    number = readable(text)
    assert (number.pieces, number.rest) == (pieces, rest)


def test_a_long_result_is_shortened_with_its_digit_count() -> None:
    number = readable("4" + "0" * 2567)
    assert number.long and number.digit_count == 2568
    assert (number.head, number.tail) == ("400000000000", "000000")
    assert not readable("9" * SHORTEN_OVER_CHARS).long


@given(st.decimals(allow_nan=False, allow_infinity=False).map(str))
def test_pieces_joined_give_the_text_back(text: str) -> None:
    number = readable(text)
    assert "".join(number.pieces) + number.rest == text
