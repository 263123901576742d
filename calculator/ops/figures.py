"""The dashboard's arithmetic, pure and small: quantiles from cumulative histogram buckets (as
Prometheus's histogram_quantile computes them), a window's counts, and the sparkline's SVG path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

# The sparkline's drawing box, in SVG user units (CSS scales it); one unit per second of width.
SPARK_SECONDS = 60
SPARK_HEIGHT = 20
# Consecutive samples further apart than this leave a gap in the line (nobody watched between).
SPARK_GAP_SECONDS = 2.5


def quantile(q: float, buckets: Sequence[tuple[float, float]]) -> float | None:
    """The q-quantile of observations counted in cumulative `buckets` of (upper bound, count),
    ascending and ending with +Inf; linear inside a bucket, the highest finite bound past it.
    None when the buckets count nothing."""
    if not buckets:
        return None
    total = buckets[-1][1]
    if total <= 0:
        return None
    rank = q * total
    lower, below = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank and count > below:
            if math.isinf(bound):
                return lower
            return lower + (bound - lower) * (rank - below) / (count - below)
        lower, below = bound, count
    return lower


def window(now: Mapping[str, float], then: Mapping[str, float] | None) -> dict[str, float]:
    """What counters counted between two readings (all of it with no earlier reading); a
    counter that went backwards was reset (a restarted process), so it counts from zero."""
    if then is None:
        return dict(now)
    return {
        key: value - then.get(key, 0.0) if value >= then.get(key, 0.0) else value
        for key, value in now.items()
    }


def window_buckets(
    now: Sequence[tuple[float, float]], then: Sequence[tuple[float, float]] | None
) -> list[tuple[float, float]]:
    """The cumulative buckets of the observations made between two readings."""
    if then is None or len(then) != len(now):
        return list(now)
    return [(bound, count - old) for (bound, count), (_, old) in zip(now, then, strict=True)]


def sparkline(points: Sequence[tuple[float, float]]) -> tuple[str, float]:
    """An SVG path for (age in seconds, value) points, newest at the right edge of a box
    SPARK_SECONDS wide and SPARK_HEIGHT high, scaled to the largest value; and that value.
    Points older than the box are left out; a gap of more than SPARK_GAP_SECONDS breaks the line."""
    shown = sorted(
        ((age, value) for age, value in points if 0 <= age <= SPARK_SECONDS),
        key=lambda point: -point[0],
    )
    if not shown:
        return "", 0.0
    top = max(value for _, value in shown)
    scale = SPARK_HEIGHT / top if top > 0 else 0.0
    commands = []
    previous_age = None
    for age, value in shown:
        move = previous_age is None or previous_age - age > SPARK_GAP_SECONDS
        x = SPARK_SECONDS - age
        y = SPARK_HEIGHT - value * scale
        commands.append(f"{'M' if move else 'L'}{x:.1f} {y:.1f}")
        previous_age = age
    return " ".join(commands), top


def milliseconds(seconds: float | None) -> str:
    """A latency as people read it: "0.84 ms", "12 ms", "1.2 s"; "–" for none."""
    if seconds is None:
        return "–"
    if seconds >= 1:
        return f"{seconds:.1f} s"
    ms = seconds * 1000
    if ms >= 10:
        return f"{ms:.0f} ms"
    return f"{ms:.2f} ms"
