"""Input keys: fresh ones are random, the next input's is derived, a submit's names its line."""

from __future__ import annotations

import pytest

from calculator import keys
from calculator.models import SUBMIT_KEY_LENGTH


def test_fresh_keys_differ_and_fit_the_pattern():
    made = {keys.new() for _ in range(100)}
    assert len(made) == 100
    assert all(keys.PATTERN.fullmatch(key) for key in made)


def test_the_following_key_is_derived_so_a_page_can_fetch_ahead():
    key = keys.new()
    assert keys.following(key) == keys.following(key) != key
    assert keys.PATTERN.fullmatch(keys.following(key))
    assert keys.ahead(key) == [key, keys.following(key)][: keys.AHEAD]


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (("k1", "2+2"), ("k1", "2+2"), True),
        (("k1", "2+2"), ("k1", "2+3"), False),
        (("k1", "2+2"), ("k2", "2+2"), False),
        (("k1", "1+\ud800"), ("k1", "1+\ud801"), False),
    ],
)
def test_a_submit_key_names_the_input_and_its_line(first, second, same):
    assert (keys.submit_key(*first) == keys.submit_key(*second)) is same
    assert len(keys.submit_key("x" * 32, "1")) <= SUBMIT_KEY_LENGTH
