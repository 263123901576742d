"""`POST /api/v1/evaluate` beside plain Django views doing the same work, per core.

One app server (bin/serve, daphne) pinned to one CPU serves the API and the plain views of
bench/apps/api_urls.py; the load generator (bench/http_loadgen.py) runs on the other CPU with
keep-alive connections, each posting its own random expressions. A second server runs the same
app without its sync-only middleware, to price them. The server's CPU time per request is the
headline; the endpoints are measured in turns (A B C, A B C, …) and each one's
median run is reported, so a busy machine's drift falls on all of them alike.

    .venv/bin/python bench/api.py            # about 3 minutes on an idle machine
    .venv/bin/python bench/api.py --quick    # a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import servers  # noqa: E402
from bench.apps.api_settings import SYNC_ONLY_MIDDLEWARE  # noqa: E402
from testing.daphne import ROOT, collectstatic, migrate, server_env  # noqa: E402

SERVER_CPU = 0
CLIENT_CPU = 1
LOADGEN = ROOT / "bench" / "http_loadgen.py"
# The servers: the app's middleware as it is, and without its sync-only middleware
# (bench/apps/api_settings.py), each pinned to SERVER_CPU and measured in turn.
STACKS = {"app": {}, "async": {"BENCH_ASYNC_STACK": "1"}}
# (stack, path, what it is): the API first, then the plain views it is compared with.
ENDPOINTS = (
    ("app", "/api/v1/evaluate", "**API** (django-ninja, async view)"),
    ("app", "/plain/evaluate-async", "plain Django view, async"),
    ("app", "/plain/evaluate-sync", "plain Django view, sync"),
    ("async", "/api/v1/evaluate", "API, without the sync-only middleware"),
    ("async", "/plain/evaluate-async", "plain async view, without the sync-only middleware"),
)
# The per-address limit stays on (its cost is part of the work) but far above the load.
RATE_LIMIT = "1000000"


def load(server: servers.Server, path: str, connections: int, requests: int, seed: int) -> dict:
    command = [
        sys.executable, str(LOADGEN), "--port", str(server.port), "--path", path,
        "--connections", str(connections), "--requests", str(requests), "--seed", str(seed),
    ]  # fmt: skip
    pin = servers.can_pin()
    before = server.cpu_seconds()
    output = subprocess.run(
        servers.pinned(command, CLIENT_CPU if pin else None),
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=600,
    ).stdout  # fmt: skip
    cpu = server.cpu_seconds() - before
    result = json.loads(output)
    if result["problem"]:
        raise RuntimeError(f"{path} answered {result['problem']}")
    wall = result["end"] - result["start"]
    latencies = sorted(result["latencies_us"])
    return {
        "rate": result["count"] / wall,
        "cpu_us": cpu / result["count"] * 1e6,
        "server_cpu": cpu / wall,
        "client_cpu": result["client_cpu"],
        "p50": latencies[len(latencies) // 2] / 1000,
        "p99": latencies[int(len(latencies) * 0.99)] / 1000,
    }


def median(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda run: run["cpu_us"])[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    connections, requests, repeats = (10, 50, 1) if args.quick else (20, 100, 3)
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    os.environ["DJANGO_STATIC_ROOT"] = str(tmp / "static")
    pin = servers.can_pin()
    started: dict[str, servers.Server] = {}
    try:
        collectstatic(server_env())
        for stack, extra in STACKS.items():
            env = server_env(
                tmp / f"{stack}.sqlite3",
                DJANGO_SETTINGS_MODULE="bench.apps.api_settings",
                CALC_API_RATE_LIMIT=RATE_LIMIT,
                **extra,
            )
            migrate(env)
            server = servers.app_daphne(env, f"api-{stack}", cpu=SERVER_CPU if pin else None)
            started[stack] = server.start()
        for stack, path, _ in ENDPOINTS:  # warm up: imports, first queries, framework caches
            load(started[stack], path, 2, 20, seed=0)
        runs: dict[tuple, list[dict]] = {(stack, path): [] for stack, path, _ in ENDPOINTS}
        for repeat in range(repeats):
            for stack, path, _ in ENDPOINTS:
                run = load(started[stack], path, connections, requests, seed=repeat + 1)
                runs[stack, path].append(run)
    finally:
        for server in started.values():
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(report(runs, connections, requests, repeats, pin))


def report(runs: dict, connections: int, requests: int, repeats: int, pin: bool) -> str:
    api = median(runs[ENDPOINTS[0][:2]])
    lines = [
        "## HTTP API: `POST /api/v1/evaluate` beside plain Django views (per core)\n",
        f"{connections} keep-alive connections × {requests} requests, distinct expressions, "
        f"{repeats} turn(s) each, the median run shown; server "
        + ("pinned to CPU 0, load generator on CPU 1." if pin else "NOT pinned (no taskset).")
        + " Ratios are against the API in the same run.\n",
        "| endpoint | req/s | server CPU µs/request | vs API (CPU) | p50 ms | p99 ms "
        "| server cores | client cores |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for stack, path, label in ENDPOINTS:
        run = median(runs[stack, path])
        lines.append(
            f"| {label} | {run['rate']:.0f} | {run['cpu_us']:.0f} | "
            f"{run['cpu_us'] / api['cpu_us']:.2f}× | {run['p50']:.1f} | {run['p99']:.1f} | "
            f"{run['server_cpu']:.2f} | {run['client_cpu']:.2f} |"
        )
    lines.append(
        "\nThe last rows drop the middleware that cannot run async (`"
        + "`, `".join(name.rsplit(".", 1)[1] for name in SYNC_ONLY_MIDDLEWARE)
        + "`). With one of them in the chain, Django runs the whole chain in one worker thread "
        "and hops back to the loop for an async view; without them, every `MiddlewareMixin` "
        "middleware runs its hooks through `sync_to_async` one by one (Django's `__acall__`), "
        "two hops each.\n"
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
