"""Benchmark: µs per evaluation of our engine against simpleeval on the same expressions.

Run from the repository root: `python bench/engine.py [mix|pathological|units|twins|pint|stages
|instructions …]` (no argument: all but `instructions`). Prints markdown tables: the fixed mix
(our engine with its parse cache, as the app calls it; with the cache off; with the cache off and
the lazily computed interpretation read too, as the transcript does; simpleeval in the same run),
then the pathological inputs, each evaluated uncached, whose goal is ≤ 50 ms; then units: each
line with units against the same computation written without them (goal ≤ 2× on every row, the
worst row shown), and 20 conversions against pint with a Fraction registry built once (goal: ours
≥ 10× faster), each with and without our parse cache (pint keeps its own caches of parsed units
either way); then where an uncached line's time goes, stage by stage. `twins` sets the rows whose
unit-free twin is shorter than they are against twins of their own shape (for the record; the
goal is `units`). `instructions` counts the units rows in machine instructions (needs valgrind).
"""

from __future__ import annotations

import itertools
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decimal import localcontext  # noqa: E402
from fractions import Fraction  # noqa: E402

from simpleeval import DEFAULT_FUNCTIONS, SimpleEval  # noqa: E402

from calculator import engine  # noqa: E402
from calculator.engine import Session, evaluate  # noqa: E402
from calculator.engine.evaluator import evaluate_tree  # noqa: E402
from calculator.engine.formats import present_value  # noqa: E402
from calculator.engine.numbers import WORK_CONTEXT  # noqa: E402
from calculator.engine.parser import parse_line  # noqa: E402
from calculator.engine.tokenizer import scan  # noqa: E402

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


def cpu_us(timed: list[tuple[Callable[[], object], int, bool]], rounds: int = 7) -> list[float]:
    """CPU µs per call of each (function, calls per run, parse cache on) in `timed`: the best of
    `rounds` runs, the runs interleaved (a, b, c, a, b, c, …) so that a change in the load of the
    shared machine falls on all of them alike. This thread's CPU time, not wall time: what a call
    costs a core. The ratios between these figures are what the units and pint sections report."""
    best = [math.inf] * len(timed)
    for _ in range(rounds):
        for index, (function, number, cached) in enumerate(timed):
            with nullcontext() if cached else parse_cache_disabled():
                start = time.thread_time()
                for _ in range(number):
                    function()
                elapsed = (time.thread_time() - start) / number
            best[index] = min(best[index], elapsed)
    return [seconds * 1e6 for seconds in best]


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


# (with units, the same computation without them)
UNIT_PAIRS = [
    ("60 km/h to m/s", "60 * 1000 / 3600"),
    ("3 ft + 20 cm", "3 + 20 * 0.01 / 0.3048"),
    ("5 kWh / 2 h", "5 * 1000 / 2"),
    ("100 °F to °C", "(100 + 459.67) * 5/9 - 273.15"),
    ("d / 2 h to km/h", "d0 / 2"),
    ("9.81 m/s^2 * 2 kg to N", "9.81 * 2"),
    ("1 kg*m^2/s^2 to J", "1 * 1^2 / 1^2"),
    ("sin(30°)", "sin(30 * pi / 180)"),
    ("1 GiB to MB", "1024^3 / 1000^2"),
    ("sqrt(16 m^2)", "sqrt(16)"),
]

# For the record, not the goal: rows of UNIT_PAIRS against a twin of the same shape, where the
# pair's twin is shorter or exact in another way (an integer against a fraction, no power, no
# conversion); `bench/engine.py twins`.
SHAPED_TWINS = [
    ("5 kWh / 2 h", "5 / 2"),  # 2.5 kW is the fraction 5/2; 5 * 1000 / 2 is the integer 2500
    ("d / 2 h to km/h", "d0 / 2 to hex"),  # a conversion on each side
    ("d / 2 h", "d0 / 2"),  # no conversion on either side
    ("9.81 m/s^2 * 2 kg to N", "9.81 / 1^2 * 2 to sci"),
    ("sqrt(16 m^2)", "sqrt(16 * 1^2)"),
]

# (our line, pint's value, pint's source unit, pint's target unit): the same 20 conversions.
CONVERSIONS = [
    ("60 km/h to m/s", 60, "km/h", "m/s"),
    ("1 in to cm", 1, "inch", "cm"),
    ("100 °F to °C", 100, "degF", "degC"),
    ("20 °C to °F", 20, "degC", "degF"),
    ("3 ft to m", 3, "foot", "m"),
    ("5 mi to km", 5, "mile", "km"),
    ("1 gal to L", 1, "gallon", "L"),
    ("2 lb to kg", 2, "lb", "kg"),
    ("1 kWh to MJ", 1, "kWh", "MJ"),
    ("1 atm to psi", 1, "atm", "psi"),
    ("1 GiB to MB", 1, "GiB", "MB"),
    ("1 hp to kW", 1, "hp", "kW"),
    ("1 year to d", 1, "gregorian_year", "day"),
    ("90 deg to rad", 90, "degree", "radian"),
    ("1 nmi to ft", 1, "nautical_mile", "foot"),
    ("1 kcal to J", 1, "kilocalorie", "J"),
    ("30 mph to km/h", 30, "mph", "km/h"),
    ("1 acre to m^2", 1, "acre", "m^2"),
    ("1 kg*m^2/s^2 to J", 1, "kg*m^2/s^2", "J"),
    ("250 mL to floz", 250, "mL", "fluid_ounce"),
]


def units_session() -> Session:
    """The session the units rows run in: `d` a quantity (a variable named like the day unit),
    `d0` its unit-free twin."""
    session = Session()
    evaluate("d = 42 km", session)
    evaluate("d0 = 42", session)
    return session


def bench_units(pairs: list[tuple[str, str]] = UNIT_PAIRS) -> None:
    session = units_session()
    print(
        "| with units | display | CPU µs (parse cache) | CPU µs (no cache) | without units "
        "| CPU µs (parse cache) | CPU µs (no cache) | ratio cached | ratio uncached |"
    )
    print("|---|---|---:|---:|---|---:|---:|---:|---:|")
    totals = [0.0, 0.0, 0.0, 0.0]
    worst_cached = worst_uncached = (0.0, "")
    timed = []
    results = []
    for ours, plain in pairs:
        result = evaluate(ours, session, commit=False)
        assert result.ok, (ours, result.error)
        assert evaluate(plain, session, commit=False).ok, plain
        results.append(result)
        with_units = partial(evaluate, ours, session, commit=False)
        without = partial(evaluate, plain, session, commit=False)
        timed += [(with_units, 1000, True), (with_units, 1000, False), (without, 1000, True)]
        timed.append((without, 1000, False))
    # Every row's variants in each round: a change of load shorter than a round (~1 s) falls on
    # one round of each, which the best of the rounds leaves out, not on all of one row's.
    all_times = cpu_us(timed)
    for index, ((ours, plain), result) in enumerate(zip(pairs, results, strict=True)):
        times = all_times[4 * index : 4 * index + 4]
        totals = [total + time for total, time in zip(totals, times, strict=True)]
        worst_cached = max(worst_cached, (times[0] / times[2], ours))
        worst_uncached = max(worst_uncached, (times[1] / times[3], ours))
        print(
            f"| `{ours}` | {result.display} | {times[0]:.1f} | {times[1]:.1f} | `{plain}` "
            f"| {times[2]:.1f} | {times[3]:.1f} | {times[0] / times[2]:.2f} "
            f"| {times[1] / times[3]:.2f} |"
        )
    n = len(pairs)
    print(
        f"| **mean** | goal ≤ 2× | **{totals[0] / n:.1f}** | **{totals[1] / n:.1f}** | "
        f"| **{totals[2] / n:.1f}** | **{totals[3] / n:.1f}** | **{totals[0] / totals[2]:.2f}** "
        f"| **{totals[1] / totals[3]:.2f}** |"
    )
    print(
        f"| **worst row** | goal ≤ 2× | | | | | | **{worst_cached[0]:.2f}** "
        f"(`{worst_cached[1]}`) | **{worst_uncached[0]:.2f}** (`{worst_uncached[1]}`) |"
    )


def bench_pint() -> None:
    import pint

    start = time.perf_counter()
    registry = pint.UnitRegistry(non_int_type=Fraction)
    prepared = (time.perf_counter() - start) * 1000
    session = Session()
    print(
        "| conversion | ours | CPU µs (parse cache) | CPU µs (no cache) | pint | pint CPU µs "
        "| pint ÷ ours (cached) | pint ÷ ours (no cache) |"
    )
    print("|---|---|---:|---:|---|---:|---:|---:|")
    totals = [0.0, 0.0, 0.0]
    worst_cached = worst_uncached = (math.inf, "")
    for ours, value, source, target in CONVERSIONS:
        result = evaluate(ours, session, commit=False)
        assert result.ok, (ours, result.error)

        def theirs(value=value, source=source, target=target):
            return registry.Quantity(Fraction(value), source).to(target)

        theirs_value = theirs()
        line = partial(evaluate, ours, session, commit=False)
        times = cpu_us([(line, 500, True), (line, 500, False), (theirs, 100, True)])
        totals = [total + time for total, time in zip(totals, times, strict=True)]
        worst_cached = min(worst_cached, (times[2] / times[0], ours))
        worst_uncached = min(worst_uncached, (times[2] / times[1], ours))
        shown = f"{float(theirs_value.magnitude):.15g}"
        print(
            f"| `{ours}` | {result.display} | {times[0]:.1f} | {times[1]:.1f} | {shown} "
            f"| {times[2]:.1f} | {times[2] / times[0]:.1f} | {times[2] / times[1]:.1f} |"
        )
    print(
        f"| **all 20** | goal ≥ 10× | **{totals[0]:.0f}** | **{totals[1]:.0f}** | "
        f"| **{totals[2]:.0f}** | **{totals[2] / totals[0]:.1f}** "
        f"| **{totals[2] / totals[1]:.1f}** |"
    )
    print(
        f"| **worst row** | | | | | | **{worst_cached[0]:.1f}** (`{worst_cached[1]}`) "
        f"| **{worst_uncached[0]:.1f}** (`{worst_uncached[1]}`) |"
    )
    print(
        f"\npint {pint.__version__}: registry prepared once ({prepared:.0f} ms, not timed above)."
    )


def bench_stages() -> None:
    """Where an uncached line's CPU goes, stage by stage, for the 20 conversions and the unit rows
    (both of a pair): each stage is the difference between two interleaved timings, so a row's
    small figures are noisy; the totals are the steadier reading."""
    session = units_session()
    print(
        "| uncached line | scan | parse | evaluate | display | evaluate()'s own work "
        "| CPU µs in all |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for title, lines in (
        ("20 conversions", [line for line, *_ in CONVERSIONS]),
        ("unit rows", [ours for ours, _ in UNIT_PAIRS]),
        ("their unit-free twins", [plain for _, plain in UNIT_PAIRS]),
    ):
        totals = [0.0] * 6
        for text in lines:
            line = partial(evaluate, text, session, commit=False)
            stages = [(stage, 500, True) for stage in _stages(text, session)]
            times = cpu_us([*stages, (line, 500, False)])
            row = [times[0]] + [b - a for a, b in itertools.pairwise(times)] + [times[-1]]
            totals = [total + part for total, part in zip(totals, row, strict=True)]
            if title != "20 conversions":
                print(f"| `{text}` | " + " | ".join(f"{part:.1f}" for part in row) + " |")
        cells = " | ".join(f"**{part:.0f}**" for part in totals)
        print(f"| **{title}, all** | {cells} |")


def _stages(text: str, session: Session) -> list[Callable[[], object]]:
    """Cumulative stages of evaluate(text) without the parse cache: scan; scan and parse; those
    and evaluating the tree; those and the display (the last two in the decimal context
    evaluate() uses)."""

    def parsed():
        parse_line(text)

    def evaluated():
        with localcontext(WORK_CONTEXT):
            evaluate_tree(parse_line(text)[0], session.lookup)

    def shown():
        with localcontext(WORK_CONTEXT):
            present_value(evaluate_tree(parse_line(text)[0], session.lookup))

    return [partial(scan, text), parsed, evaluated, shown]


def bench_instructions(pairs: list[tuple[str, str]] = UNIT_PAIRS) -> None:
    """The units rows counted in machine instructions (valgrind's cachegrind) instead of CPU
    time: a count that does not move with the load of a shared machine, where CPU time moves by
    ±10% between runs. It leaves out what instructions cost (cache misses, branches), so it is
    a second reading beside `units`, not the goal's figure."""
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind): no instruction counts")
        return
    jobs = [(text, cached) for pair in pairs for text in pair for cached in (True, False)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(zip(jobs, pool.map(_instructions_per_call, jobs), strict=True))
    print(
        "| with units | instructions (parse cache) | instructions (no cache) | without units "
        "| instructions (parse cache) | instructions (no cache) | ratio cached "
        "| ratio uncached |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    worst_cached = worst_uncached = (0.0, "")
    for ours, plain in pairs:
        a, b, c, d = (counts[(text, cached)] for text in (ours, plain) for cached in (True, False))
        worst_cached = max(worst_cached, (a / c, ours))
        worst_uncached = max(worst_uncached, (b / d, ours))
        print(
            f"| `{ours}` | {a:,.0f} | {b:,.0f} | `{plain}` | {c:,.0f} | {d:,.0f} "
            f"| {a / c:.2f} | {b / d:.2f} |"
        )
    print(
        f"| **worst row** | | | | | | **{worst_cached[0]:.2f}** (`{worst_cached[1]}`) "
        f"| **{worst_uncached[0]:.2f}** (`{worst_uncached[1]}`) |"
    )


# Calls of a line in the two counted runs whose difference is one line's count: the first run's
# start-up (Python, imports, the session) cancels out.
_COUNTED_CALLS = (200, 1200)


def _instructions_per_call(job: tuple[str, bool]) -> float:
    text, cached = job
    totals = []
    for calls in _COUNTED_CALLS:
        command = [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--evaluate",
            text,
            str(calls),
            "cached" if cached else "uncached",
        ]
        report = subprocess.run(command, capture_output=True, text=True, check=True).stderr
        totals.append(int(re.search(r"I\s+refs:\s+([\d,]+)", report)[1].replace(",", "")))
    return (totals[1] - totals[0]) / (_COUNTED_CALLS[1] - _COUNTED_CALLS[0])


def _evaluate_repeatedly(text: str, calls: int, cached: bool) -> None:
    """What one counted run does: the units rows' session, then `text` evaluated `calls` times."""
    session = units_session()
    evaluate(text, session, commit=False)
    with nullcontext() if cached else parse_cache_disabled():
        for _ in range(calls):
            evaluate(text, session, commit=False)


SECTIONS = {
    "mix": bench_mix,
    "pathological": bench_pathological,
    "units": bench_units,
    "twins": partial(bench_units, SHAPED_TWINS),
    "pint": bench_pint,
    "stages": bench_stages,
    "instructions": bench_instructions,
}
# Sections a run without arguments leaves out: they need a tool the others do not (valgrind).
ON_REQUEST = {"instructions"}

if __name__ == "__main__":
    if sys.argv[1:2] == ["--evaluate"]:  # one counted run of bench_instructions
        _evaluate_repeatedly(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "cached")
        sys.exit()
    # `python bench/engine.py units pint` runs those sections only; no argument runs all but
    # those ON_REQUEST.
    for index, name in enumerate(
        sys.argv[1:] or [name for name in SECTIONS if name not in ON_REQUEST]
    ):
        if index:
            print()
        SECTIONS[name]()
