"""Benchmark: µs per evaluation of our engine against simpleeval on the same expressions.

Run from the repository root: `python bench/engine.py`. Prints markdown tables: the fixed mix (our
engine with its parse cache, as the app calls it; with the cache off; with the cache off and the
lazily computed interpretation read too, as the transcript does; simpleeval in the same run), then
the pathological inputs, each evaluated uncached, whose goal is ≤ 50 ms.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simpleeval import DEFAULT_FUNCTIONS, SimpleEval  # noqa: E402

from calculator import engine  # noqa: E402
from calculator.engine import Session, evaluate  # noqa: E402

# (our syntax, simpleeval's syntax) — the same computation in each language.
MIX = [
    ("2*(3+4)**2 - 7/3 + sqrt(16)", "2*(3+4)**2 - 7/3 + sqrt(16)"),
    ("1 + 2 * 3", "1 + 2 * 3"),
    ("(1.5 + 2.25) * 4", "(1.5 + 2.25) * 4"),
    ("0.1 + 0.2", "0.1 + 0.2"),
    ("2^10 - 1", "2**10 - 1"),
    ("100 / 7", "100 / 7"),
    ("-3^2 + 10", "-3**2 + 10"),
    ("sqrt(2) * sqrt(8)", "sqrt(2) * sqrt(8)"),
    ("sin(pi/6) + cos(0)", "sin(pi/6) + cos(0)"),
    ("x * x + 2 * x + 1", "x * x + 2 * x + 1"),
    ("abs(-42) + max(3, 9, 4)", "abs(-42) + max(3, 9, 4)"),
    ("17 mod 5 + 12 / 4", "17 % 5 + 12 / 4"),
]
PATHOLOGICAL = [
    "9^9^9",
    "10^10^10",
    "1000000!",
    "2^2^2^2^2^2",
    "(" * 5000 + "1" + ")" * 5000,
    "1+" * 20_000 + "1",
    "(" * 499 + "1" + ")" * 499,
    "-" * 999 + "1",
    "2^" * 499 + "2",
    "3" + "!" * 999,
    "1+" * 499 + "1",
    "3248!",
    "sin(10^250) + cos(10^250)",
    "cos(1e-1000000)",
    "sin(1e-999999999999999)",
    "sinh(1e-10000000)",
    "log(2^33000, 2+1/3^300)",
    "log(2^33000, 2+1/3^20000)",
    "3^20000/2^33000",
    "+".join(["3^10000"] * 125),
    "lcm(" + ",".join(f"99^999+{i}" for i in range(90)) + ")",
]


def per_call_us(function: Callable[[], object], number: int) -> float:
    """Best of five runs, in µs per call."""
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best * 1e6


@contextmanager
def parse_cache_disabled() -> Iterator[None]:
    """Evaluate as if every line were new: tokenize and parse on each call."""
    cached = engine._parsed
    engine._parsed = engine._read
    try:
        yield
    finally:
        engine._parsed = cached


def bench_mix() -> None:
    session = Session()
    evaluate("x = 3", session)
    functions = {"sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "abs": abs, "max": max}
    simple = SimpleEval(functions={**DEFAULT_FUNCTIONS, **functions}, names={"pi": math.pi, "x": 3})
    rows = []
    for ours, theirs in MIX:
        result = evaluate(ours, session, commit=False)
        assert result.ok, (ours, result.error)
        cached = per_call_us(lambda ours=ours: evaluate(ours, session, commit=False), 2000)
        with parse_cache_disabled():
            uncached = per_call_us(lambda ours=ours: evaluate(ours, session, commit=False), 2000)
            read = per_call_us(
                lambda ours=ours: evaluate(ours, session, commit=False).interpretation_differs, 2000
            )
        baseline = per_call_us(lambda theirs=theirs: simple.eval(theirs), 2000)
        rows.append((ours, result.display, cached, uncached, read, baseline))

    print(
        "| expression | our display | ours µs (parse cache) | ours µs (no cache) "
        "| ours µs (no cache, interpretation read) | simpleeval µs "
        "| ratio cached | ratio uncached | ratio uncached + interpretation |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for text, display, cached, uncached, read, baseline in rows:
        print(
            f"| `{text}` | {display} | {cached:.1f} | {uncached:.1f} | {read:.1f} | {baseline:.1f} "
            f"| {cached / baseline:.2f} | {uncached / baseline:.2f} | {read / baseline:.2f} |"
        )
    cached, uncached, read, baseline = (sum(row[column] for row in rows) for column in (2, 3, 4, 5))
    count = len(rows)
    print(
        f"| **mix mean** | | **{cached / count:.1f}** | **{uncached / count:.1f}** "
        f"| **{read / count:.1f}** | **{baseline / count:.1f}** | **{cached / baseline:.2f}** "
        f"| **{uncached / baseline:.2f}** | **{read / baseline:.2f}** |"
    )


def bench_pathological() -> None:
    print("| pathological input (no parse cache) | answer | ms |")
    print("|---|---|---:|")
    worst = 0.0
    with parse_cache_disabled():
        for text in PATHOLOGICAL:
            result = evaluate(text, Session())
            elapsed = per_call_us(lambda text=text: evaluate(text, Session()), 3) / 1000
            worst = max(worst, elapsed)
            answer = result.display if result.ok else f"error: {result.error.message}"
            if len(answer) > 50:
                answer = f"{answer[:40]}… ({len(answer):,} chars)"
            label = text if len(text) <= 30 else f"{text[:20]}… ({len(text):,} chars)"
            print(f"| `{label}` | {answer} | {elapsed:.2f} |")
    print(f"| **worst case** | goal ≤ 50 ms | **{worst:.2f}** |")


if __name__ == "__main__":
    bench_mix()
    print()
    bench_pathological()
