"""The per-socket token bucket, driven by a fake clock."""

from __future__ import annotations

import pytest

from calculator.live.ratelimit import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refuse_then_refill():
    clock = Clock()
    bucket = TokenBucket(rate=30, burst=60, clock=clock)
    assert [bucket.take() for _ in range(61)] == [True] * 60 + [False]
    clock.now += 0.1  # three frames' worth at 30/s
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_refill_never_exceeds_the_burst():
    clock = Clock()
    bucket = TokenBucket(rate=10, burst=5, clock=clock)
    clock.now += 3600
    assert sum(bucket.take() for _ in range(100)) == 5


def test_human_typing_with_live_preview_never_hits_the_default():
    """Ten keystrokes a second, each a preview, plus a submit a second, for a minute."""
    clock = Clock()
    bucket = TokenBucket(rate=30, burst=60, clock=clock)
    for _ in range(60 * 11):
        assert bucket.take()
        clock.now += 1 / 11


def test_zero_rate_turns_the_limit_off():
    bucket = TokenBucket(rate=0, burst=0, clock=Clock())
    assert all(bucket.take() for _ in range(10_000))


# (burst, tokens asked one after another, taken) with no time passing: a take is all or none,
# and one asking for more than a burst asks for a burst (it could never be taken otherwise).
TAKES = [
    (60, [20, 20, 20, 20], [True, True, True, False]),
    (60, [50, 20, 10], [True, False, True]),
    (60, [61, 1], [True, False]),
    (10, [0, 10, 0, 1], [True, True, True, False]),
]


@pytest.mark.parametrize(("burst", "asked", "taken"), TAKES)
def test_a_take_of_several_tokens_is_all_or_none(burst, asked, taken):
    bucket = TokenBucket(rate=30, burst=burst, clock=Clock())
    assert [bucket.take(tokens) for tokens in asked] == taken
