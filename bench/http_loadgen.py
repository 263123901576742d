"""An HTTP load generator: keep-alive connections in one uvloop loop, closed loop each, posting
`{"expression": …}` with each connection's own random expressions (bench/expressions.py).

Prints one JSON line: answers counted, wall-clock start and end, latencies, its own CPU, and the
first non-200 answer if any. Kept out of the server's process so its CPU is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.expressions import socket_expressions  # noqa: E402

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
    uvloop = None

# An answer slower than this means the server is stuck: fail instead of hanging the run.
ANSWER_TIMEOUT = 30


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def request_bytes(host: str, path: str, expression: str) -> bytes:
    body = json.dumps({"expression": expression}).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def connection(args, index: int, latencies: list[int], problems: list[str]) -> int:
    reader, writer = await asyncio.open_connection(args.host, args.port)
    expressions = socket_expressions(args.seed, args.offset + index)
    host = f"{args.host}:{args.port}"
    count = 0
    for _ in range(args.requests):
        sent = time.perf_counter_ns()
        writer.write(request_bytes(host, args.path, next(expressions)))
        status, body = await asyncio.wait_for(read_answer(reader), ANSWER_TIMEOUT)
        latencies.append((time.perf_counter_ns() - sent) // 1000)
        if status != 200 and not problems:
            problems.append(f"{status} {body[:200]!r}")
        count += 1
    writer.close()
    return count


async def run(args) -> dict:
    latencies: list[int] = []
    problems: list[str] = []
    cpu = cpu_seconds()
    start = time.time()
    counts = await asyncio.gather(
        *(connection(args, index, latencies, problems) for index in range(args.connections))
    )
    end = time.time()
    return {
        "count": sum(counts),
        "start": start,
        "end": end,
        "latencies_us": latencies,
        "client_cpu": (cpu_seconds() - cpu) / (end - start),
        "problem": problems[0] if problems else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="per connection")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--offset", type=int, default=0, help="first connection's stream index")
    args = parser.parse_args()
    if uvloop is not None:
        uvloop.install()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
