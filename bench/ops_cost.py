"""Benchmark: what the operations dashboard costs the server processes, unwatched and watched.

Run from the repository root: `python bench/ops_cost.py [--seconds N] [--sockets N]`. Starts
the app as it ships (daphne through bin/serve): one process on SQLite with the in-memory layer,
then two processes on real Redis and PostgreSQL; opens N idle calculator sockets spread over the
processes; then measures the processes' CPU time (utime + stime from /proc) over N seconds with
nobody on /ops/, and again with one staff socket on /ws/ops/ (of the first process), counting
what that socket receives. Prints a markdown table. The figures are per run: compare rows of the
same run only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.asyncio.client import connect  # noqa: E402

from testing import client, postgres, redis  # noqa: E402
from testing.daphne import DaphneServer, collectstatic, migrate, server_env  # noqa: E402
from testing.staff import signed_in_on_server  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
# Sockets per browser session (the per-session cap is 20) and per connect burst.
SOCKETS_PER_SESSION = 10


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


async def open_idle_sockets(servers: list[DaphneServer], count: int) -> list:
    sockets = []
    for number in range(count):
        if number % SOCKETS_PER_SESSION == 0:
            cookie = client.open_session(servers[0].url)
        server = servers[number % len(servers)]
        sockets.append(await client.open_socket(server.ws_url, cookie))
    return sockets


async def measure(servers: list[DaphneServer], seconds: float, staff: str | None) -> dict:
    """CPU seconds per second of all processes; with `staff`, a dashboard open meanwhile."""
    received = {"messages": 0, "bytes": 0}

    async def watch() -> None:
        url = servers[0].ws_url.replace("/ws/calc/", "/ws/ops/")
        headers = {"Cookie": f"sessionid={staff}"}
        async with connect(url, origin=client.http_origin(url), additional_headers=headers) as ws:
            async for message in ws:
                received["messages"] += 1
                received["bytes"] += len(message.encode())

    watcher = asyncio.create_task(watch()) if staff else None
    await asyncio.sleep(2)  # the dashboard's first second, and the sockets settled
    received.update(messages=0, bytes=0)
    before = [cpu_seconds(server.pid) for server in servers]
    started = time.monotonic()
    await asyncio.sleep(seconds)
    elapsed = time.monotonic() - started
    after = [cpu_seconds(server.pid) for server in servers]
    if watcher is not None:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    return {
        "cpu_ms_per_s": [1000 * (b - a) / elapsed for a, b in zip(before, after, strict=True)],
        "messages_per_s": received["messages"] / elapsed,
        "kb_per_s": received["bytes"] / 1024 / elapsed,
    }


async def run_setup(name: str, env: dict, processes: int, args) -> list[str]:
    migrate(env)
    staff = signed_in_on_server(env, "bench-staff", staff=True)
    servers = [DaphneServer(env).start() for _ in range(processes)]
    rows = []
    try:
        sockets = await open_idle_sockets(servers, args.sockets)
        for state, who in (("unwatched", None), ("watched", staff), ("unwatched again", None)):
            result = await measure(servers, args.seconds, who)
            cpu = " + ".join(f"{value:.1f}" for value in result["cpu_ms_per_s"])
            rows.append(
                f"| {name} | {state} | {cpu} | {result['messages_per_s']:.2f} "
                f"| {result['kb_per_s']:.1f} |"
            )
        for ws in sockets:
            await ws.close()
    finally:
        for server in servers:
            server.stop()
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--sockets", type=int, default=100)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        static = {"DJANGO_STATIC_ROOT": str(Path(directory) / "static")}
        collectstatic(server_env(**static))
        env = server_env(Path(directory) / "db.sqlite3", **static)
        rows += await run_setup("1 process, in-memory layer", env, 1, args)
        with redis.RedisServer() as redis_server, postgres.PostgresServer() as database:
            env = server_env(REDIS_URL=redis_server.url, DATABASE_URL=database.url, **static)
            rows += await run_setup("2 processes, Redis + PostgreSQL", env, 2, args)
    print(f"{args.sockets} idle calculator sockets, {args.seconds:.0f} s per row\n")
    print("| setup | /ops/ | server CPU ms per s (each process) | updates/s | KB/s to the page |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    asyncio.run(main())
