"""Benchmark: CPU µs of each stage of one submit, in-process, on the throughput run's inputs.

The stages are the consumer's own steps for a submit, each through the same public functions
it calls: parse the htmx frame, evaluate (no parse cache: every text is new), render the entry
and the empty preview and notice, store (group commit: batches of 1 and of 20), and fan out
(group_send to the session's group on Channels' in-memory layer), and the Prometheus metrics a
submit records. Sending is the WebSocket server's own work: the bare echo row of the throughput
table is its cost.

    .venv/bin/python bench/stages.py [--submits N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METRICS_ROW = "metrics (1 counter, 7 histograms, 6 clock reads)"
sys.path.insert(0, str(ROOT))


def setup_django(database_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "1"
    os.environ["DATABASE_URL"] = f"sqlite:///{database_dir}/db.sqlite3"
    os.environ.pop("REDIS_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def cpu_us_per(count: int, work) -> float:
    start = time.process_time()
    work()
    return (time.process_time() - start) / count * 1e6


def measure(submits: int) -> list[tuple[str, float]]:
    from channels.layers import InMemoryChannelLayer
    from django.db import connection

    from bench.expressions import socket_expressions
    from calculator import metrics, render, services, store
    from calculator.engine import Session
    from calculator.engine import _parsed as parse_cache
    from calculator.live import fanout
    from calculator.live.protocol import parse_frame

    stream = socket_expressions(seed=11, socket=0)
    texts = [next(stream) for _ in range(submits)]
    frames = [
        json.dumps({"expression": t, "HEADERS": {"HX-Request": "true", "HX-Trigger": "calc-form"}})
        for t in texts
    ]
    tab = services.Tab(owner="b" * 32, session=Session())
    rows = []
    stages: list[tuple[str, float]] = []

    stages.append(("parse frame", cpu_us_per(submits, lambda: [parse_frame(f) for f in frames])))

    def evaluate() -> None:
        parse_cache.cache_clear()
        for text in texts:
            rows.append(services.calculate(tab.owner, text, tab.session)[0])

    stages.append(("evaluate (uncached)", cpu_us_per(submits, evaluate)))
    html = []
    stages.append(
        (
            "render entry + preview and notice",
            cpu_us_per(
                submits,
                lambda: [html.append(render.appended(r) + render.submitted()) for r in rows],
            ),
        )
    )
    for batch in (1, 20):
        copies = [services.calculate(tab.owner, t, tab.session)[0] for t in texts]

        def write(copies=copies, batch=batch) -> None:
            for start in range(0, len(copies), batch):
                store.insert(copies[start : start + batch])

        stages.append((f"store, batches of {batch}", cpu_us_per(submits, write)))
    connection.close()

    async def fan_out() -> float:
        layer = InMemoryChannelLayer(capacity=10_000)
        mine, other = await layer.new_channel(), await layer.new_channel()
        for channel in (mine, other):
            await layer.group_add(fanout.group(tab.owner), channel)
        start = time.process_time()
        for row, entry in zip(rows, html, strict=True):
            await fanout.entry_stored(layer, row, entry, origin=mine)
            await layer.receive(other)
            await layer.receive(mine)
        return (time.process_time() - start) / submits * 1e6

    stages.append(("fan-out to 2 tabs (send + both receive)", asyncio.run(fan_out())))

    def instrument() -> None:
        """The metric calls of one submit, as the consumer, services and store make them."""
        for _ in range(submits):
            started = mark = time.perf_counter()
            metrics.frame("submit")
            mark = metrics.lap(mark, metrics.EVALUATE)
            metrics.store_batch_size.observe(1)
            mark = metrics.lap(mark, metrics.STORE)
            mark = metrics.lap(mark, metrics.RENDER)
            mark = metrics.lap(mark, metrics.SEND)
            metrics.submit_duration.observe(mark - started)
            metrics.lap(mark, metrics.FANOUT)

    stages.append(
        ("metrics (1 counter, 7 histograms, 6 clock reads)", cpu_us_per(submits, instrument))
    )
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as database_dir:
        setup_django(database_dir)
        stages = measure(args.submits)
    print("| stage of a submit | CPU µs |\n|---|---:|")
    for name, micros in stages:
        print(f"| {name} | {micros:.0f} |")
    # The metrics' share of a submit: its stages as the server runs them (group commit batches
    # under load, the in-memory layer's fan-out), measured here in the same run.
    costs = dict(stages)
    metered = costs.pop(METRICS_ROW)
    costs.pop("store, batches of 1")
    submit = sum(costs.values()) + metered
    print(f"\nmetrics: {metered:.0f} µs of a {submit:.0f} µs submit ({metered / submit:.1%})")


if __name__ == "__main__":
    main()
