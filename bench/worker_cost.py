"""Benchmark: what moving a submit's evaluation off the event loop would cost, in µs per submit.

Run from the repository root: `python bench/worker_cost.py [--count N] [--pin]`. Each submit
evaluates a distinct line (random operands, so the parse cache answers none) in a session, as a
socket's submit does, and produces what the app stores and shows (display, stored text). Three
ways, each awaited from an asyncio event loop as a consumer would: in-process on the loop, on a
pre-started thread (run_in_executor), on a pre-started worker process (ProcessPoolExecutor), and
on a pre-started process over a bare Pipe awaited with loop.add_reader (the least a worker with a
hard deadline could cost: it can be killed and replaced). A worker receives the session's values
and returns the new ones. Prints a markdown table: median and
p99 wall time per submit, and the event-loop process's CPU time per submit. With --pin the loop
runs on CPU 0 and the worker process on CPU 1.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calculator.engine import Num, Session, evaluate  # noqa: E402

Outcome = tuple[bool, str, str | None, dict[str, Num], Num | None]


def submit(text: str, variables: dict[str, Num], ans: Num | None) -> Outcome:
    """One submit's evaluation: the line in the session, and what the app keeps of it."""
    session = Session(variables, ans)
    result = evaluate(text, session)
    shown = result.display if result.ok else result.error.message
    return result.ok, shown, result.stored, session.variables, session.ans


def lines(count: int, seed: int = 1) -> list[str]:
    """Distinct lines like the ones people submit: arithmetic, a function, a variable."""
    rng = random.Random(seed)
    shapes = [
        "{a} + {b} * {c}",
        "({a} + {b}) / {c}",
        "x = {a} / {c}",
        "x * {b} - {a}",
        "sqrt({a}) + {b}",
        "{a}.{b} * {c}%",
        "sin({a}deg) + {c}",
        "2^{d} - {b}",
        "ans + {a}",
        "{a} mod {c} + {b}/{d}",
    ]
    seen: set[str] = set()
    while len(seen) < count:
        shape = rng.choice(shapes)
        seen.add(
            shape.format(
                a=rng.randint(1, 10**6),
                b=rng.randint(1, 999),
                c=rng.randint(1, 99),
                d=rng.randint(1, 60),
            )
        )
    return sorted(seen, key=lambda _: rng.random())


def _pin_worker() -> None:
    os.sched_setaffinity(0, {1})


def _pipe_worker(connection: Connection, pin: bool) -> None:
    if pin:
        _pin_worker()
    while (request := connection.recv()) is not None:
        connection.send(submit(*request))


Call = Callable[[str, dict[str, Num], "Num | None"], Awaitable[Outcome]]


async def _in_process(text: str, variables: dict[str, Num], ans: Num | None) -> Outcome:
    return submit(text, variables, ans)


def _on(executor: Executor) -> Call:
    async def call(text: str, variables: dict[str, Num], ans: Num | None) -> Outcome:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, submit, text, variables, ans)

    return call


def _over(connection: Connection) -> Call:
    async def call(text: str, variables: dict[str, Num], ans: Num | None) -> Outcome:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        connection.send((text, variables, ans))
        loop.add_reader(connection.fileno(), ready.set_result, None)
        try:
            await ready
        finally:
            loop.remove_reader(connection.fileno())
        return connection.recv()

    return call


async def _run(texts: list[str], call: Call) -> tuple[list[float], float]:
    variables: dict[str, Num] = {}
    ans: Num | None = None
    walls = []
    cpu_start = time.process_time()
    for text in texts:
        start = time.perf_counter()
        outcome = await call(text, variables, ans)
        walls.append(time.perf_counter() - start)
        if outcome[0]:
            variables, ans = outcome[3], outcome[4]
    return walls, (time.process_time() - cpu_start) / len(texts)


def _row(name: str, walls: list[float], cpu: float) -> str:
    walls = sorted(walls)
    p99 = walls[int(len(walls) * 0.99) - 1]
    return f"| {name} | {statistics.median(walls) * 1e6:.0f} | {p99 * 1e6:.0f} | {cpu * 1e6:.0f} |"


async def main(count: int, pin: bool) -> None:
    if pin:
        os.sched_setaffinity(0, {0})
    texts = lines(count)
    warm = lines(200, seed=2)
    rows = []
    await _run(warm, _in_process)
    rows.append(_row("in-process, on the event loop", *await _run(texts, _in_process)))
    with ThreadPoolExecutor(max_workers=1) as threads:
        await _run(warm, _on(threads))
        rows.append(_row("thread (run_in_executor)", *await _run(texts, _on(threads))))
    with ProcessPoolExecutor(max_workers=1, initializer=_pin_worker if pin else None) as workers:
        await _run(warm, _on(workers))  # starts the worker and warms its imports and caches
        rows.append(_row("worker process (ProcessPoolExecutor)", *await _run(texts, _on(workers))))
    ours, theirs = multiprocessing.Pipe()
    worker = multiprocessing.Process(target=_pipe_worker, args=(theirs, pin), daemon=True)
    worker.start()
    await _run(warm, _over(ours))
    rows.append(_row("worker process (bare Pipe + add_reader)", *await _run(texts, _over(ours))))
    ours.send(None)
    worker.join()
    print(f"{count} distinct submits{', loop on CPU 0, worker on CPU 1' if pin else ''}\n")
    print("| evaluation | median µs | p99 µs | event-loop process CPU µs |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    count = int(arguments[arguments.index("--count") + 1]) if "--count" in arguments else 3000
    asyncio.run(main(count, "--pin" in arguments))
