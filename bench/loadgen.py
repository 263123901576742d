"""A load-generating client process: many sockets in one asyncio (uvloop) loop, closed loop each.

The runner starts one or more of these, waits for each to print `ready`, writes `go` to all at
once, and reads one JSON line of results back. Kept out of the server's process so the load
generator's CPU is its own, and reported (`client_cpu`: cores used while measuring).

Kinds: `throughput` (send, await answer, repeat; each socket its own random expressions,
reproducible from `--seed`), `idle` (hold sockets open until `close`),
`fairness` (one socket floods a costly expression while another measures `1+1`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.expressions import socket_expressions  # noqa: E402
from testing import client  # noqa: E402

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
    uvloop = None


# A reply slower than this means the server is stuck: fail instead of hanging the run.
ANSWER_TIMEOUT = 30
# Handshakes in flight at once. Under 100: each stock consumer's group_add takes a connection from
# channels_redis's pool, which redis-py caps at 100, and a burst of 100 exhausts it (HTTP 500).
HANDSHAKE_BURST = 50


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def wait_line(expected: str) -> None:
    line = await asyncio.to_thread(sys.stdin.readline)
    if line.strip() != expected:
        raise SystemExit(f"expected {expected!r} on stdin, got {line!r}")


def say(payload) -> None:
    print(payload if isinstance(payload, str) else json.dumps(payload), flush=True)


def frame_for(protocol: str, expression: str) -> str:
    if protocol == "app":
        return client.submit_frame(expression)
    if protocol == "tutorial":
        return client.tutorial_frame(expression)
    return client.submit_frame(expression)  # echo: the same bytes as the app's frame


async def connect_all(
    urls: list[str], sockets: int, protocol: str, offset: int, given: list[str] | None = None
) -> list:
    """Sockets spread round-robin over the urls; an app socket gets its own session first, or
    the `given` cookie of its index (signed-in sessions, bench/accounts.py)."""
    targets = [urls[(offset + i) % len(urls)] for i in range(sockets)]
    cookies = [""] * sockets
    if given:
        cookies = [given[offset + i] for i in range(sockets)]
    elif protocol == "app":
        cookies = await asyncio.gather(
            *(asyncio.to_thread(client.open_session, client.http_origin(url)) for url in targets)
        )
    sockets_open = []
    for start in range(0, sockets, HANDSHAKE_BURST):
        end = start + HANDSHAKE_BURST
        batch = [
            client.open_socket(url, cookie, greeting=protocol == "app")
            for url, cookie in zip(targets[start:end], cookies[start:end], strict=True)
        ]
        sockets_open += await asyncio.gather(*batch)
    return sockets_open


async def closed_loop(
    ws, protocol: str, texts: Iterator[str], messages: int, latencies: list[float], sent: list
) -> None:
    """`messages` round trips of the socket's own texts; each text is logged in `sent` with its
    send time, so the runner can replay the server's parse-cache traffic."""
    perf = time.perf_counter
    answer_mark = client.ENTRY_MARK if protocol == "app" else ""
    for _ in range(messages):
        text = next(texts)
        frame = frame_for(protocol, text)
        start = perf()
        await ws.send(frame)
        sent.append((time.monotonic(), text))
        while answer_mark not in await asyncio.wait_for(ws.recv(), ANSWER_TIMEOUT):
            pass
        latencies.append(perf() - start)


async def throughput(args) -> None:
    given = json.loads(Path(args.cookies).read_text()) if args.cookies else None
    sockets = await connect_all(args.url, args.sockets, args.protocol, args.offset, given)
    # Each socket sends its own random expressions; `sent[i]` logs socket i's, warm-up included.
    indices = [args.offset + i for i in range(args.sockets)]
    streams = [socket_expressions(args.seed, index) for index in indices]
    sent: list[list] = [[] for _ in sockets]
    # One round trip each before timing: first-message costs are not steady state.
    await asyncio.gather(
        *(
            closed_loop(ws, args.protocol, texts, 1, [], log)
            for ws, texts, log in zip(sockets, streams, sent, strict=True)
        )
    )
    say("ready")
    await wait_line("go")
    latencies: list[float] = []
    cpu0, wall0 = cpu_seconds(), time.time()
    await asyncio.gather(
        *(
            closed_loop(ws, args.protocol, texts, args.messages, latencies, log)
            for ws, texts, log in zip(sockets, streams, sent, strict=True)
        )
    )
    wall1, cpu1 = time.time(), cpu_seconds()
    # Results first: the runner reads the server's CPU as soon as they come, before the closes.
    say(
        {
            "start": wall0,
            "end": wall1,
            "count": len(latencies),
            "client_cpu": (cpu1 - cpu0) / (wall1 - wall0),
            "latencies_us": [round(x * 1e6) for x in latencies],
            # [monotonic send time, url index, text] for every text sent (connect_all's spread).
            "sent": [
                [round(at, 6), index % len(args.url), text]
                for index, log in zip(indices, sent, strict=True)
                for at, text in log
            ],
        }
    )
    await asyncio.gather(*(ws.close() for ws in sockets))


async def idle(args) -> None:
    # Sessions and a few warm-up sockets first, then a pause: the runner reads the server's RSS
    # between the two, so the figure is what further sockets cost, not page loads or the first
    # socket's one-time work (imports, caches).
    total = args.sockets + args.warm
    cookies = [""] * total
    if args.protocol == "app":
        cookies = [client.open_session(client.http_origin(args.url[0])) for _ in cookies]
    greeting = args.protocol == "app"
    sockets = [await client.open_socket(args.url[0], c, greeting) for c in cookies[: args.warm]]
    say("sessions")
    await wait_line("open")
    for start in range(args.warm, total, HANDSHAKE_BURST):
        sockets += await asyncio.gather(
            *(
                client.open_socket(args.url[0], cookie, greeting=greeting)
                for cookie in cookies[start : start + HANDSHAKE_BURST]
            )
        )
    say("ready")
    await wait_line("close")
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    say({"count": len(sockets) - args.warm})


async def fairness(args) -> None:
    flooder, probe = await connect_all(args.url, 2, "app", 0)
    stop = asyncio.Event()
    replies = {"entries": 0, "refusals": 0}

    async def flood() -> None:
        # Pipelined: `window` costly submits in flight, a new one for every reply of any kind
        # (an answer, or the rate limiter's refusal), as a script (not a browser) would.
        frame = client.submit_frame(args.flood_expression)
        for _ in range(args.window):
            await flooder.send(frame)
        while not stop.is_set():
            message = await flooder.recv()
            replies["entries" if client.ENTRY_MARK in message else "refusals"] += 1
            await flooder.send(frame)

    say("ready")
    await wait_line("go")
    flood_task = asyncio.create_task(flood())
    await asyncio.sleep(0.5)  # let the flood fill the server's queues first
    latencies = []
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        message = await asyncio.wait_for(client.submit(probe, "1+1"), ANSWER_TIMEOUT)
        latencies.append(time.perf_counter() - start)
        assert client.result_of(message) == "2", message[:300]
        await asyncio.sleep(args.interval)
    stop.set()
    flood_task.cancel()
    await asyncio.gather(flood_task, return_exceptions=True)
    say({**replies, "seconds": args.seconds, "latencies_us": [round(x * 1e6) for x in latencies]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["throughput", "idle", "fairness"])
    parser.add_argument("--url", action="append", required=True, help="ws:// url (repeatable)")
    parser.add_argument("--protocol", choices=["app", "echo", "tutorial"], default="app")
    parser.add_argument("--sockets", type=int, default=25)
    parser.add_argument("--warm", type=int, default=0, help="idle: sockets opened before reading")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--offset", type=int, default=0, help="first url index (round-robin)")
    parser.add_argument("--seed", type=int, default=11, help="throughput: expressions' seed")
    parser.add_argument("--cookies", help="throughput: a JSON list of Cookie headers, one a socket")
    parser.add_argument("--flood-expression", default="9^9^9")
    parser.add_argument("--window", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args()
    raise_fd_limit()
    run = {"throughput": throughput, "idle": idle, "fairness": fairness}[args.kind]
    if uvloop is not None:
        uvloop.run(run(args))
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
