"""Throughput through HAProxy with 1, 2 and 3 daphne processes, beside direct connections to the
same processes, with HAProxy's own CPU per submit: what the load balancer costs.

One cluster (testing/cluster.py, PostgreSQL with its durable defaults); for each count the other
processes are put in maintenance in HAProxy and left idle. Nothing is pinned: on this machine the
processes, HAProxy, Redis, PostgreSQL and the load generator share its cores, so the totals say
where the machine ends, and the CPU per submit is what predicts N machines.
Run: `.venv/bin/python bench/cluster.py` (writes bench/CLUSTER.md).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import expect, loadgen, percentile, tell  # noqa: E402
from testing.cluster import Cluster  # noqa: E402
from testing.haproxy import server_name  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SOCKETS = 48
MESSAGES = 200
REPEATS = 3
RESULTS = Path(__file__).resolve().parent / "CLUSTER.md"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def run(urls: list[str], pids: list[int], balancer_pid: int) -> dict:
    process = loadgen("throughput", urls, "--sockets", str(SOCKETS), "--messages", str(MESSAGES))
    expect(process, "ready")
    before = [cpu_seconds(pid) for pid in pids], cpu_seconds(balancer_pid)
    tell(process, "go")
    result = json.loads(process.stdout.readline())
    after = [cpu_seconds(pid) for pid in pids], cpu_seconds(balancer_pid)
    process.wait(60)
    count, wall = result["count"], result["end"] - result["start"]
    latencies = [x / 1000 for x in result["latencies_us"]]
    return {
        "rate": count / wall,
        "p99": percentile(latencies, 0.99),
        "app_us": (sum(after[0]) - sum(before[0])) / count * 1e6,
        "lb_us": (after[1] - before[1]) / count * 1e6,
    }


def median(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda r: r["rate"])
    return {**ordered[len(ordered) // 2], "rates": [round(r["rate"]) for r in runs]}


def main() -> None:
    rows = []
    with Cluster(3, durable=True, CALC_RATE_LIMIT="0", CALC_LOG_LEVEL="WARNING") as cluster:
        balancer = cluster.balancer
        for count in (1, 2, 3):
            for index in range(3):
                balancer.set_state(server_name(index), "ready" if index < count else "maint")
            pids = [server.pid for server in cluster.servers[:count]]
            direct = [server.ws_url for server in cluster.servers[:count]]
            for how, urls in (("direct", direct), ("HAProxy", [cluster.ws_url])):
                result = median([run(urls, pids, balancer.process.pid) for _ in range(REPEATS)])
                rows.append((count, how, result))
                print(count, how, result, flush=True)
    lines = [
        "# Through HAProxy: 1, 2 and 3 daphne processes",
        "",
        f"{SOCKETS} sockets × {MESSAGES} submits, closed loop, one session each, median of "
        f"{REPEATS} runs; every process, HAProxy, Redis, PostgreSQL (durable defaults) and the "
        f"load generator share this machine's {os.cpu_count()} cores. CPU µs per submit: all "
        "daphne processes together, and HAProxy's own.",
        "",
        "| processes | connected | msg/s | p99 ms | daphne CPU µs/submit | HAProxy CPU µs/submit "
        "| runs msg/s |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for count, how, r in rows:
        lb = f"{r['lb_us']:.0f}" if how == "HAProxy" else "–"
        lines.append(
            f"| {count} | {how} | {r['rate']:.0f} | {r['p99']:.1f} | {r['app_us']:.0f} | {lb} "
            f"| {', '.join(map(str, r['rates']))} |"
        )
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
