"""The dashboard's arithmetic: quantiles from histogram buckets, windows, the sparkline, the log
ring buffer and its scrubbing of key-like text."""

from __future__ import annotations

import logging
import math
import sys
from collections import deque

import pytest

from calculator.ops import figures
from calculator.ops.logbuffer import KEPT_RECORDS, MESSAGE_CHARS, RingBufferHandler, scrub

INF = math.inf
# 10 observations: 4 at or under 1 ms, 4 more under 5 ms, 2 under 10 ms.
BUCKETS = [(0.001, 4), (0.005, 8), (0.01, 10), (INF, 10)]


@pytest.mark.parametrize(
    ("q", "buckets", "expected"),
    [
        (0.5, BUCKETS, 0.001 + 0.004 * (5 - 4) / 4),  # inside the second bucket
        (0.4, BUCKETS, 0.001),  # exactly the first bucket's count
        (0.2, BUCKETS, 0.0005),  # linear from zero inside the first
        (0.99, BUCKETS, 0.005 + 0.005 * (9.9 - 8) / 2),
        (1.0, BUCKETS, 0.01),
        (0.99, [(0.001, 0), (0.005, 0), (INF, 3)], 0.005),  # past the last bound: that bound
        (0.5, [(0.001, 0), (INF, 0)], None),  # nothing counted
        (0.5, [], None),
        (0.5, [(0.001, 0), (0.005, 2), (0.01, 2), (INF, 2)], 0.003),  # empty buckets skipped
    ],
)
def test_quantile_from_cumulative_buckets(q, buckets, expected):
    result = figures.quantile(q, buckets)
    assert result == pytest.approx(expected) if expected is not None else result is None


@pytest.mark.parametrize(
    ("now", "then", "expected"),
    [
        ({"a": 5.0, "b": 2.0}, {"a": 3.0, "b": 2.0}, {"a": 2.0, "b": 0.0}),
        ({"a": 5.0}, None, {"a": 5.0}),  # no earlier reading: everything counted
        ({"a": 5.0, "new": 1.0}, {"a": 5.0}, {"a": 0.0, "new": 1.0}),  # a label seen since
        ({"a": 2.0}, {"a": 7.0}, {"a": 2.0}),  # went backwards: a restart, counted from zero
    ],
)
def test_window_of_counters(now, then, expected):
    assert figures.window(now, then) == expected


@pytest.mark.parametrize(
    ("now", "then", "expected"),
    [
        (BUCKETS, [(0.001, 1), (0.005, 2), (0.01, 2), (INF, 2)], [(0.001, 3), (0.005, 6),
                                                                  (0.01, 8), (INF, 8)]),
        (BUCKETS, None, BUCKETS),
    ],
)  # fmt: skip
def test_window_of_buckets(now, then, expected):
    assert figures.window_buckets(now, then) == expected


@pytest.mark.parametrize(
    ("points", "path", "peak"),
    [
        ([], "", 0.0),
        # Oldest first on the left; the largest value touches the top (y=0), zero the bottom.
        ([(2.0, 0.0), (1.0, 5.0), (0.0, 10.0)], "M58.0 20.0 L59.0 10.0 L60.0 0.0", 10.0),
        ([(0.0, 3.0), (1.0, 3.0)], "M59.0 0.0 L60.0 0.0", 3.0),  # order does not matter
        ([(1.0, 0.0), (0.0, 0.0)], "M59.0 20.0 L60.0 20.0", 0.0),  # all zero: flat at bottom
        ([(61.0, 9.0), (30.0, 1.0)], "M30.0 0.0", 1.0),  # older than the box: left out
        # A gap of more than 2.5 s (nobody watched) starts a new stroke.
        ([(10.0, 1.0), (9.0, 1.0), (5.0, 2.0), (4.0, 2.0)],
         "M50.0 10.0 L51.0 10.0 M55.0 0.0 L56.0 0.0", 2.0),
    ],
)  # fmt: skip
def test_sparkline_path(points, path, peak):
    assert figures.sparkline(points) == (path, peak)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "–"), (0.00084, "0.84 ms"), (0.0123, "12 ms"), (0.25, "250 ms"), (1.234, "1.2 s")],
)
def test_milliseconds(seconds, text):
    assert figures.milliseconds(seconds) == text


SESSION_KEY = "k3v9x0q2w8e7r6t5y4u3i2o1p0a9s8d7"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"store-failed session={SESSION_KEY}", "store-failed session=k3v9x0…"),
        (f"group calc.{SESSION_KEY} over capacity", "group calc.k3v9x0… over capacity"),
        ("disconnect session=k3v9x0 code=1006", "disconnect session=k3v9x0 code=1006"),
        ("calc_channel_layer_errors_total rose", "calc_channel_layer_errors_total rose"),
        ("token abcdefghijklmnopqrstuvwxyz0123", "token abcdef…"),
    ],
)
def test_scrub_cuts_key_like_runs_to_their_prefix(text, expected):
    assert scrub(text) == expected


def record(message: str, level: int = logging.WARNING, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("calculator.live", level, __file__, 1, message, args, exc_info)


def test_ring_buffer_keeps_the_last_records_newest_first():
    handler = RingBufferHandler(entries=deque(maxlen=KEPT_RECORDS))
    for number in range(KEPT_RECORDS + 7):
        handler.handle(record("line %d", logging.WARNING, number))
    recent = handler.recent()
    assert len(recent) == KEPT_RECORDS
    assert [entry.message for entry in recent[:2]] == [
        f"line {KEPT_RECORDS + 6}",
        f"line {KEPT_RECORDS + 5}",
    ]
    assert recent[-1].message == "line 7"
    assert recent[0].logger == "calculator.live"
    assert recent[0].level == "WARNING"


def test_ring_buffer_takes_warnings_and_errors_only():
    handler = RingBufferHandler(entries=deque(maxlen=KEPT_RECORDS))
    logger = logging.getLogger("calculator.ops.test.levels")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR):
            logger.log(level, "at %s", logging.getLevelName(level))
    finally:
        logger.removeHandler(handler)
    assert [entry.level for entry in handler.recent()] == ["ERROR", "WARNING"]


def test_ring_buffer_never_keeps_a_full_session_key():
    handler = RingBufferHandler(entries=deque(maxlen=KEPT_RECORDS))
    handler.handle(record("store-failed session=%s", logging.ERROR, SESSION_KEY))
    handler.handle(record("x" * 10 + " " + SESSION_KEY * 40))  # long: cut, still scrubbed
    try:
        raise ValueError(SESSION_KEY)
    except ValueError:
        handler.handle(record("failed", logging.ERROR, exc_info=sys.exc_info()))
    texts = [entry.message for entry in handler.recent()]
    assert texts[0] == "failed (ValueError)"  # the exception's type, not its text
    assert all(SESSION_KEY not in text and SESSION_KEY[:7] not in text for text in texts)
    assert "session=k3v9x0…" in texts[2]
    assert len(texts[1]) <= MESSAGE_CHARS


def test_the_process_buffer_sees_calculator_and_other_loggers():
    from calculator.ops import logbuffer

    before = len(logbuffer.RECENT)
    logging.getLogger("calculator.ops.test").warning("seen by the dashboard")
    logging.getLogger("some.library").error("seen as well")
    assert [entry.message for entry in logbuffer.recent()[:2]] == [
        "seen as well",
        "seen by the dashboard",
    ]
    assert len(logbuffer.RECENT) == min(before + 2, KEPT_RECORDS)


@pytest.mark.parametrize("name", ["calculator.live", "django.request", "channels_redis.core", "x"])
def test_each_record_is_kept_once_whatever_its_logger(name):
    from calculator.ops import logbuffer

    logging.getLogger(name).warning("once from %s", name)
    kept = [entry for entry in logbuffer.RECENT if entry.message == f"once from {name}"]
    assert len(kept) == 1
