"""`make bench`: the benchmarks of issues 5 and 11, side by side in one run, as markdown tables.

Every figure that is compared is measured in the same run on the same machine: the app under
daphne against a bare Channels echo, the classic tutorial design and the app on Channels' own
consumer loop, under the same flags. Throughput is per core: the server pinned to one CPU, the
load generator (its own process, its CPU reported) to the other, and the server's CPU time per
submit is the headline figure. Writes bench/RESULTS.md, ending with the goals met or not.

    .venv/bin/python bench/run.py            # the full run (about 20 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # a smoke run
    .venv/bin/python bench/run.py --only throughput,memory
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import servers  # noqa: E402
from bench.expressions import cache_hits  # noqa: E402
from calculator.engine.limits import PARSE_CACHE_SIZE  # noqa: E402
from testing import postgres, redis  # noqa: E402
from testing.daphne import collectstatic, migrate, server_env  # noqa: E402

LOADGEN = ROOT / "bench" / "loadgen.py"
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTIONS = ("throughput", "engine", "memory", "browser", "fairness", "scaleout", "metrics", "api")

# Goals from issues 5 and 11 (and issue 6 for fairness). CPU per submit is the app's over the
# baseline's, each measured on one pinned core in the same run.
GOAL_CPU_VS_TUTORIAL = 0.77
GOAL_CPU_VS_ECHO = 1.67
GOAL_KB_PER_SOCKET = 30
GOAL_MEMORY_VS_ONE_GROUP = 1.15
GOAL_FIRST_RESULT_MS = 100
GOAL_PAGE_BYTES = 60_000
GOAL_FAIRNESS_P99_MS = 200
# Issue 15: what the Prometheus metrics add to a submit's server CPU, per core.
GOAL_METRICS_OVERHEAD = 0.05

# Per core: the measured server on one CPU, the load generator on another.
SERVER_CPU = 0
CLIENT_CPU = 1

ECHO = "bare Channels echo (daphne)"
TUTORIAL = "tutorial design (daphne)"
STOCK = "app, Channels' own dispatch (stock `AsyncWebsocketConsumer`)"
APP = "**app** (daphne, bin/serve)"
UVICORN = "app (uvicorn + uvloop)"
ONE_GROUP = "stock consumer, one group (daphne)"
METRICS_ON = "**app, metrics on** (the default)"
METRICS_OFF = "app, metrics off (`CALC_METRICS=0`)"


# The load generator is one client address opening many sockets, as no user does: the app's
# per-address and per-session limits would refuse it (each is measured in tests/test_attacks.py).
UNLIMITED = dict.fromkeys(
    (
        "CALC_RATE_LIMIT",
        "CALC_MAX_SOCKETS_PER_SESSION",
        "CALC_MAX_SOCKETS_PER_ADDRESS",
        "CALC_CONNECT_RATE_PER_SESSION",
        "CALC_CONNECT_RATE_PER_ADDRESS",
    ),
    "0",
)


@dataclass(frozen=True)
class Plan:
    sockets: int = 50
    messages: int = 300
    repeats: int = 3
    clients: int = 1
    idle_sockets: int = 1000
    browser_runs: int = 9
    fairness_seconds: float = 8.0


QUICK = Plan(sockets=20, messages=50, repeats=1, idle_sockets=200, browser_runs=2,
             fairness_seconds=2.0)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--clients", type=int, help="load-generator processes (default 1)")
    parser.add_argument(
        "--no-write", action="store_true", help="do not write bench/RESULTS.md (a full run does)"
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else Plan()
    if args.clients:
        plan = Plan(**{**plan.__dict__, "clients": args.clients})
    raise_fd_limit()
    # A SIGTERM (a CI timeout, `timeout`) unwinds like Ctrl-C, so every server started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(plan)
    try:
        output = run_sections(bench, plan, args, parser)
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    summary = bench.summary()
    print(summary, flush=True)
    output.append(summary)
    # Only a full run of every section replaces RESULTS.md: a partial one would drop the rest.
    if args.no_write or args.quick:
        return
    if set(args.only.split(",")) != set(SECTIONS):
        print(f"partial run: {RESULTS.relative_to(ROOT)} left as it was", file=sys.stderr)
        return
    RESULTS.write_text("\n".join(output))
    print(f"wrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)


def run_sections(bench: Bench, plan: Plan, args, parser) -> list[str]:
    output = [machine_header(plan, args.quick)]
    for section in args.only.split(","):
        if section not in SECTIONS:
            parser.error(f"unknown section {section!r}; choose from {', '.join(SECTIONS)}")
        started = time.monotonic()
        print(f"-- {section} …", file=sys.stderr, flush=True)
        text = getattr(bench, section)()
        print(f"-- {section} done in {time.monotonic() - started:.0f} s", file=sys.stderr)
        print(text, flush=True)
        output.append(text)
    return output


def raise_fd_limit() -> None:
    """1,000 idle sockets need more descriptors than a login shell's default; servers inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def machine_header(plan: Plan, quick: bool) -> str:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    versions = {}
    for package in ("daphne", "channels", "django", "uvicorn", "websockets"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "?"
    return "\n".join(
        [
            "# Benchmark results" + (" (quick run)" if quick else ""),
            "",
            f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
            f"- machine: {os.cpu_count()} CPUs (`nproc` {len(os.sched_getaffinity(0))}), {cpu}, "
            f"{platform.system()} {platform.release()}",
            f"- python {platform.python_version()}; "
            + ", ".join(f"{k} {v}" for k, v in versions.items()),
            f"- plan: {plan.sockets} sockets × {plan.messages} submits, closed loop, "
            f"median of {plan.repeats}; {plan.clients} load-generator process(es) with uvloop",
            "- per core: "
            + (
                f"the measured server pinned to CPU {SERVER_CPU}, the load generator to CPU "
                f"{CLIENT_CPU} (`taskset`)"
                if servers.can_pin()
                else "NOT pinned (needs taskset and 2 CPUs): CPU figures are still per submit"
            ),
            "",
        ]
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def loadgen(kind: str, urls: list[str], *options: str, cpu: int | None = None) -> subprocess.Popen:
    command = servers.pinned([sys.executable, str(LOADGEN), kind, *options], cpu)
    for url in urls:
        command += ["--url", url]
    return subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)  # fmt: skip


def expect(process: subprocess.Popen, word: str) -> None:
    line = process.stdout.readline().strip()
    if line != word:
        process.kill()
        raise RuntimeError(f"load generator said {line!r}, expected {word!r}")


def tell(process: subprocess.Popen, word: str) -> None:
    process.stdin.write(word + "\n")
    process.stdin.flush()


def parse_cache_hits(sent: list[list]) -> tuple[int, int]:
    """(hits, texts): the texts each server received, in send order, replayed through an LRU of
    the engine's PARSE_CACHE_SIZE (each server process has its own cache)."""
    by_server: dict[int, list[tuple[float, str]]] = {}
    for at, server, text in sent:
        by_server.setdefault(server, []).append((at, text))
    hits = sum(
        cache_hits((text for _, text in sorted(texts)), PARSE_CACHE_SIZE)
        for texts in by_server.values()
    )
    return hits, len(sent)


def redis_used_memory(port: int) -> int:
    """Redis's own `used_memory` in bytes (INFO memory), read over a plain socket."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"INFO memory\r\n")
        reply = b""
        while b"used_memory:" not in reply or not reply.endswith(b"\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    for line in reply.decode().splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":", 1)[1])
    raise RuntimeError(f"no used_memory in {reply[:200]!r}")


def postgres_durability(url: str) -> str:
    """The settings "stored before answered" rests on, as the running cluster reports them."""
    import psycopg

    with psycopg.connect(url) as connection:
        return ", ".join(
            f"{name}={connection.execute(f'SHOW {name}').fetchone()[0]}"
            for name in ("fsync", "synchronous_commit", "full_page_writes")
        )


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


class Bench:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.pin = servers.can_pin()
        self.goals: list[tuple[str, str, bool]] = []  # (goal, figure, met), for the summary
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-"))
        self._template_db: Path | None = None
        # Pages name content-hashed static files, as in production: collected once per run, into
        # a directory every server started from here inherits.
        os.environ["DJANGO_STATIC_ROOT"] = str(self.tmp / "static")
        collectstatic(server_env())

    # -- helpers -------------------------------------------------------------------------

    def fresh_sqlite(self) -> Path:
        """A migrated SQLite file of its own for each server run (migrated once, then copied)."""
        if self._template_db is None:
            self._template_db = self.tmp / "template.sqlite3"
            migrate(server_env(self._template_db))
        path = Path(tempfile.mkstemp(dir=self.tmp, suffix=".sqlite3")[1])
        shutil.copyfile(self._template_db, path)
        return path

    def app_env(self, **extra: str) -> dict[str, str]:
        return server_env(self.fresh_sqlite(), **{**UNLIMITED, **extra})

    def throughput_run(
        self, group: list[servers.Server], protocol: str, pin: bool = False, options: tuple = ()
    ) -> dict:
        """One closed-loop run against the servers in `group`, sockets split evenly over them;
        with `pin`, the load generators run on CLIENT_CPU (the server is pinned by its maker).
        `options` go to every load generator."""
        plan = self.plan
        urls = [server.ws_url for server in group]
        share = [plan.sockets // plan.clients + (i < plan.sockets % plan.clients)
                 for i in range(plan.clients)]  # fmt: skip
        offset, processes = 0, []
        for sockets in share:
            processes.append(
                loadgen("throughput", urls, "--protocol", protocol, "--sockets", str(sockets),
                        "--messages", str(plan.messages), "--offset", str(offset), *options,
                        cpu=CLIENT_CPU if pin else None)
            )  # fmt: skip
            offset += sockets
        for process in processes:
            expect(process, "ready")
        cpu_before = sum(server.cpu_seconds() for server in group)
        for process in processes:
            tell(process, "go")
        results = [json.loads(process.stdout.readline()) for process in processes]
        cpu_after = sum(server.cpu_seconds() for server in group)
        for process in processes:
            process.wait(30)
        wall = max(r["end"] for r in results) - min(r["start"] for r in results)
        latencies = [x / 1000 for r in results for x in r["latencies_us"]]
        count = sum(r["count"] for r in results)
        expected = plan.sockets * plan.messages
        if count != expected:
            raise RuntimeError(f"{count} answers for {expected} submits")
        hits, texts = parse_cache_hits([entry for r in results for entry in r["sent"]])
        return {
            "rate": count / wall,
            "cpu_us": (cpu_after - cpu_before) / count * 1e6,
            "p50": percentile(latencies, 0.50),
            "p99": percentile(latencies, 0.99),
            "server_cpu": (cpu_after - cpu_before) / wall,
            "client_cpu": sum(r["client_cpu"] for r in results),
            "hit_rate": hits / texts,
        }

    def median_run(self, runs: list[dict], key: str = "rate") -> dict:
        """The run with the median `key`, with every run's msg/s and CPU µs per submit."""
        ordered = sorted(runs, key=lambda run: run[key])
        median = dict(ordered[len(ordered) // 2])
        median["rates"] = [round(run["rate"]) for run in runs]
        median["cpus_us"] = [round(run["cpu_us"]) for run in runs]
        return median

    def summary(self) -> str:
        """The goals of the sections run, met or not: the last table of RESULTS.md."""
        if not self.goals:
            return ""
        lines = ["## Goals", "", "| goal | measured | |", "|---|---:|---|"]
        lines += [f"| {goal} | {figure} | {met(ok)} |" for goal, figure, ok in self.goals]
        return "\n".join([*lines, ""])

    # -- sections --------------------------------------------------------------------------

    def throughput(self) -> str:
        cpu = SERVER_CPU if self.pin else None
        targets = {
            ECHO: lambda: servers.baseline_daphne("echo", server_env(), cpu),
            TUTORIAL: lambda: servers.baseline_daphne("tutorial", server_env(), cpu),
            STOCK: lambda: servers.baseline_daphne("stock-dispatch", self.app_env(), cpu),
            APP: lambda: servers.app_daphne(self.app_env(), cpu=cpu),
            UVICORN: lambda: servers.app_uvicorn(self.app_env(), cpu=cpu),
        }
        protocols = {ECHO: "echo", TUTORIAL: "tutorial"}
        runs: dict[str, list[dict]] = {name: [] for name in targets}
        for _ in range(self.plan.repeats):
            # Interleaved, so a slow phase of the machine hits every target alike.
            for name, make in targets.items():
                with make() as server:
                    protocol = protocols.get(name, "app")
                    runs[name].append(self.throughput_run([server], protocol, pin=self.pin))
        results = {name: self.median_run(r, key="cpu_us") for name, r in runs.items()}
        echo, tutorial = results[ECHO], results[TUTORIAL]
        app, stock = results[APP], results[STOCK]
        lines = [
            "## 1. Full submit, per core: server CPU per submit, throughput and latency",
            "",
            f"{self.plan.sockets} sockets × {self.plan.messages} submits each, closed loop (send, "
            "await the answer). Each socket sends its own random expressions (8 shapes: integer "
            "and decimal arithmetic, division, powers, sqrt/sin/cos/abs/max; operands up to "
            "9999, seeded per socket, the same texts for every server). "
            + (
                f"Server pinned to CPU {SERVER_CPU}, load generator to CPU {CLIENT_CPU}. "
                if self.pin
                else "Not pinned (needs taskset and 2 CPUs). "
            )
            + "CPU µs per submit: the server process's utime+stime (/proc/PID/stat, all "
            "threads) over the timed run ÷ submits; the ratios are of that figure. App: "
            "evaluate + render the entry/field/preview partials + INSERT (SQLite WAL, "
            "synchronous=NORMAL, the app's settings) + send + group_send. Channels' own dispatch: "
            "the app's consumer with `AsyncConsumer.__call__` and `.dispatch` as published "
            "(bench/apps/stock_dispatch_asgi.py). The tutorial design `eval`s the same texts "
            "with math's functions. Median of "
            f"{self.plan.repeats} runs by CPU per submit (all runs in the last columns). "
            "Parse-cache hits: the texts each server received, in send order, replayed through "
            f"an LRU of the engine's PARSE_CACHE_SIZE ({PARSE_CACHE_SIZE}), the policy of its "
            "`lru_cache`.",
            "",
            "| server | **CPU µs per submit** | × tutorial | × echo | msg/s | p50 ms | p99 ms "
            "| server cores | client cores | parse-cache hits | runs µs | runs msg/s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for name, r in results.items():
            hits = "–" if name in protocols else f"{r['hit_rate']:.1%}"
            lines.append(
                f"| {name} | **{r['cpu_us']:.0f}** | {r['cpu_us'] / tutorial['cpu_us']:.2f} "
                f"| {r['cpu_us'] / echo['cpu_us']:.2f} | {r['rate']:.0f} | {r['p50']:.1f} "
                f"| {r['p99']:.1f} | {r['server_cpu']:.2f} | {r['client_cpu']:.2f} | {hits} "
                f"| {', '.join(map(str, r['cpus_us']))} | {', '.join(map(str, r['rates']))} |"
            )
        vs_tutorial = app["cpu_us"] / tutorial["cpu_us"]
        vs_echo = app["cpu_us"] / echo["cpu_us"]
        saved = stock["cpu_us"] - app["cpu_us"]
        lines += [
            "",
            f"What the departures buy: Channels' own dispatch costs {stock['cpu_us']:.0f} µs per "
            f"submit, the app's {app['cpu_us']:.0f} µs ({saved:+.0f} µs saved, "
            f"{saved / stock['cpu_us']:+.0%}); the tutorial design costs "
            f"{tutorial['cpu_us']:.0f} µs, a bare echo {echo['cpu_us']:.0f} µs.",
            "",
            f"Goals: app CPU per submit ≤ {GOAL_CPU_VS_TUTORIAL}× tutorial's: "
            f"**{vs_tutorial:.2f}×** ({met(vs_tutorial <= GOAL_CPU_VS_TUTORIAL)}); "
            f"≤ {GOAL_CPU_VS_ECHO}× echo's: "
            f"**{vs_echo:.2f}×** ({met(vs_echo <= GOAL_CPU_VS_ECHO)}).",
            "",
        ]
        self.goals += [
            (f"app CPU per submit ≤ {GOAL_CPU_VS_TUTORIAL}× the tutorial design's (per core)",
             f"{vs_tutorial:.2f}× ({app['cpu_us']:.0f} / {tutorial['cpu_us']:.0f} µs)",
             vs_tutorial <= GOAL_CPU_VS_TUTORIAL),
            (f"app CPU per submit ≤ {GOAL_CPU_VS_ECHO}× a bare echo's (per core)",
             f"{vs_echo:.2f}× ({app['cpu_us']:.0f} / {echo['cpu_us']:.0f} µs)",
             vs_echo <= GOAL_CPU_VS_ECHO),
        ]  # fmt: skip
        return "\n".join(lines)

    def engine(self) -> str:
        script = ROOT / "bench" / "engine.py"
        header = "## 2. Engine\n\n"
        if not script.exists():
            return header + "bench/engine.py is not there yet: no engine figures.\n"
        result = subprocess.run(
            [sys.executable, str(script), *(["--quick"] if self.plan == QUICK else [])],
            cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            return header + f"bench/engine.py failed:\n\n```\n{result.stderr[-2000:]}\n```\n"
        return header + result.stdout.strip() + "\n"

    def api(self) -> str:
        """The HTTP API's evaluate beside plain Django views (bench/api.py, servers of its own)."""
        quick = ["--quick"] if self.plan == QUICK else []
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "api.py"), *quick],
            cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            return f"## HTTP API\n\nbench/api.py failed:\n\n```\n{result.stderr[-2000:]}\n```\n"
        return result.stdout.strip() + "\n"

    def idle_memory(self, server: servers.Server, protocol: str, redis_port: int | None) -> dict:
        n = self.plan.idle_sockets
        process = loadgen(
            "idle", [server.ws_url], "--protocol", protocol, "--sockets", str(n), "--warm", "20"
        )
        expect(process, "sessions")
        time.sleep(1.0)
        before = server.rss_kb()
        redis_before = redis_used_memory(redis_port) if redis_port else 0
        tell(process, "open")
        expect(process, "ready")
        time.sleep(2.0)
        after = server.rss_kb()
        redis_after = redis_used_memory(redis_port) if redis_port else 0
        tell(process, "close")
        process.stdout.readline()
        process.wait(30)
        return {
            "before": before,
            "after": after,
            "per_socket": (after - before) / n,
            "redis_per_socket": (redis_after - redis_before) / 1024 / n,
        }

    def idle_server(self, kind: str, redis_url: str, layer: str) -> servers.Server:
        """A server for the memory table: `kind` on the in-memory layer, or on Redis's `layer`."""
        extra = {"REDIS_URL": redis_url, "CALC_REDIS_LAYER": layer} if redis_url else {}
        if kind == "echo":
            return servers.baseline_daphne("echo", server_env())
        if kind == "one-group":
            return servers.baseline_daphne("one-group", self.app_env(**extra))
        if kind == "uvicorn":
            return servers.app_uvicorn(self.app_env(**extra))
        return servers.app_daphne(self.app_env(**extra))

    def memory(self) -> str:
        n = self.plan.idle_sockets
        labels = {"none": "none", "memory": "in-memory",
                  "core": "`RedisChannelLayer`", "pubsub": "`RedisPubSubChannelLayer`"}  # fmt: skip
        # (layer, server, kind, protocol): the yardstick first on each layer.
        cases = [
            ("none", ECHO, "echo", "echo"),
            ("memory", ONE_GROUP, "one-group", "echo"),
            ("memory", APP, "app", "app"),
            ("memory", UVICORN, "uvicorn", "app"),
        ]
        redis_reason = redis.available()
        if not redis_reason:
            cases += [
                (layer, name, kind, "echo" if kind == "one-group" else "app")
                for layer in ("core", "pubsub")
                for name, kind in ((ONE_GROUP, "one-group"), (APP, "app"))
            ]
        lines, per_socket = [], {}
        for layer, name, kind, protocol in cases:
            readings = []
            for _ in range(self.plan.repeats):
                # A fresh Redis per run: what it holds is what this run's sockets put there.
                with ExitStack() as stack:
                    redis_server = None
                    if layer in ("core", "pubsub"):
                        redis_server = stack.enter_context(redis.RedisServer())
                    server = stack.enter_context(
                        self.idle_server(kind, redis_server.url if redis_server else "", layer)
                    )
                    port = redis_server.port if redis_server else None
                    readings.append(self.idle_memory(server, protocol, port))
            r = sorted(readings, key=lambda reading: reading["per_socket"])[len(readings) // 2]
            per_socket[layer, name] = r["per_socket"]
            yardstick = per_socket.get((layer, ONE_GROUP))
            ratio = f"{r['per_socket'] / yardstick:.2f}" if yardstick else "–"
            redis_kb = f"{r['redis_per_socket']:.2f}" if layer in ("core", "pubsub") else "–"
            runs = ", ".join(f"{reading['per_socket']:.1f}" for reading in readings)
            lines.append(
                f"| {labels[layer]} | {name} | {r['before'] / 1024:.1f} "
                f"| {r['after'] / 1024:.1f} | **{r['per_socket']:.1f}** | {ratio} | {redis_kb} "
                f"| {runs} |"
            )
        goals = []
        for layer in ("memory", "core", "pubsub"):
            if (layer, APP) not in per_socket:
                continue
            app, yardstick = per_socket[layer, APP], per_socket[layer, ONE_GROUP]
            ok = app / yardstick <= GOAL_MEMORY_VS_ONE_GROUP
            goals.append(f"{labels[layer]} **{app / yardstick:.2f}×** ({met(ok)})")
            self.goals.append(
                (f"memory per idle socket ≤ {GOAL_MEMORY_VS_ONE_GROUP}× the stock one-group "
                 f"consumer's, {labels[layer]}",
                 f"{app / yardstick:.2f}× ({app:.1f} / {yardstick:.1f} KB)", ok)
            )  # fmt: skip
        app_kb = per_socket["memory", APP]
        self.goals.append(
            (f"memory per idle socket ≤ {GOAL_KB_PER_SOCKET} KB (in-memory layer, daphne)",
             f"{app_kb:.1f} KB", app_kb <= GOAL_KB_PER_SOCKET)
        )  # fmt: skip
        return "\n".join(
            [
                "## 3. Memory per idle connection",
                "",
                f"Server RSS before and after {n} more idle sockets are open (sessions and 20 "
                "warm-up sockets come before the first reading, so one-time work is not counted "
                "per socket); a fresh server (and Redis) per run, median of "
                f"{self.plan.repeats}. In-memory: the layer the app's settings name when no "
                "REDIS_URL is set. The yardstick on each layer: a stock "
                "`AsyncWebsocketConsumer` that joins one group of its own, in the app's ASGI "
                "stack and settings (bench/apps/one_group_asgi.py). Redis KB: what Redis itself "
                "holds per socket (its `used_memory`), outside the server's RSS."
                + (f" Redis rows skipped: {redis_reason}." if redis_reason else ""),
                "",
                "| layer | server | RSS before MiB | RSS after MiB | KB per socket "
                "| × stock one-group | Redis KB per socket | runs KB |",
                "|---|---|---:|---:|---:|---:|---:|---|",
                *lines,
                "",
                f"Goals: app ≤ {GOAL_MEMORY_VS_ONE_GROUP}× the stock one-group consumer on the "
                f"same layer: {'; '.join(goals)}. App ≤ {GOAL_KB_PER_SOCKET} KB "
                f"(in-memory, daphne): **{app_kb:.1f} KB** ({met(app_kb <= GOAL_KB_PER_SOCKET)}).",
                "",
            ]
        )

    def browser(self) -> str:
        if not Path("/usr/bin/chromium").exists():
            return "## 4. Time to first result\n\nskipped: /usr/bin/chromium is not installed\n"
        with servers.app_daphne(self.app_env()) as server:
            result = subprocess.run(
                [sys.executable, str(ROOT / "bench" / "browser.py"), server.url + "/",
                 "--runs", str(self.plan.browser_runs)],
                cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
        if result.returncode != 0:
            return f"## 4. Time to first result\n\nfailed:\n```\n{result.stderr[-2000:]}\n```\n"
        r = json.loads(result.stdout)
        for visit in ("cold", "warm"):
            total = r[visit]["total_ms"]
            self.goals.append(
                (f"time to first result < {GOAL_FIRST_RESULT_MS} ms, {visit} visit",
                 f"{total:.0f} ms", total < GOAL_FIRST_RESULT_MS)
            )  # fmt: skip
        self.goals.append(
            (f"page weight < {GOAL_PAGE_BYTES:,} B", f"{r['page_bytes']:,} B",
             r["page_bytes"] < GOAL_PAGE_BYTES)
        )  # fmt: skip
        weights = ", ".join(f"{k} {v:,} B" for k, v in sorted(r["weights"].items()))
        return "\n".join(
            [
                "## 4. Time to first result in a browser",
                "",
                f"Chromium via Playwright, median of {r['runs']}: navigate → socket `live` → "
                "type an expression + Enter → its entry shows. Cold: a new browser context (empty "
                "cache, new session). Warm: the same visitor loading the page again in that tab, "
                "static files from the browser cache. Long: once more after 200 more entries. "
                "Times from in-page `performance.now()`; "
                "total = navigation → live, plus Enter → answer (the typing is the person's time).",
                "",
                "| visit | DOMContentLoaded ms | socket created ms | socket open ms "
                "| navigation → live ms | Enter → answer ms | **total ms** |",
                "|---|---:|---:|---:|---:|---:|---:|",
                *(
                    f"| {visit} | {r[visit]['dom_ready_ms']:.0f} "
                    f"| {r[visit]['socket_created_ms']:.0f} | {r[visit]['socket_open_ms']:.0f} "
                    f"| {r[visit]['load_to_live_ms']:.0f} | {r[visit]['enter_to_answer_ms']:.1f} "
                    f"| **{r[visit]['total_ms']:.0f}** |"
                    for visit in ("cold", "warm", "long")
                ),
                "",
                "The browser's own share, same server and headers, median of "
                f"{r['runs']}: a new context loading a trivial document (`/healthz`) reaches "
                f"DOMContentLoaded at {r['floor']['dom_ready_ms']:.0f} ms; a socket opened from "
                f"it gets its first message {r['floor']['socket_first_message_ms']:.1f} ms later.",
                "",
                f"Page weight (HTML+CSS+JS, uncompressed, cold): **{r['page_bytes']:,} B**.",
                "",
                f"Goals: < {GOAL_FIRST_RESULT_MS} ms, < {GOAL_PAGE_BYTES:,} B. Bytes by type "
                f"(uncompressed): {weights}. Files: "
                + ", ".join(f"`{name}` {size:,} B" for name, size in r["files"].items())
                + ".",
                "",
            ]
        )

    def fairness(self) -> str:
        rows = []
        for label, limit in (("off (CALC_RATE_LIMIT=0)", "0"), ("default (30/s)", "30")):
            with servers.app_daphne(self.app_env(CALC_RATE_LIMIT=limit)) as server:
                process = loadgen("fairness", [server.ws_url], "--seconds",
                                  str(self.plan.fairness_seconds))  # fmt: skip
                expect(process, "ready")
                tell(process, "go")
                r = json.loads(process.stdout.readline())
                process.wait(30)
            latencies = [x / 1000 for x in r["latencies_us"]]
            p99 = percentile(latencies, 0.99)
            self.goals.append(
                (f"fairness: probe p99 < {GOAL_FAIRNESS_P99_MS} ms, rate limit {label}",
                 f"{p99:.1f} ms", p99 < GOAL_FAIRNESS_P99_MS)
            )  # fmt: skip
            rows.append(
                f"| {label} | {r['entries'] / r['seconds']:.0f} "
                f"| {r['refusals'] / r['seconds']:.0f} | {len(latencies)} "
                f"| {percentile(latencies, 0.5):.1f} | **{p99:.1f}** "
                f"| {max(latencies):.1f} |"
            )
        return "\n".join(
            [
                "## 5. Fairness under a flood",
                "",
                "One socket keeps 8 `9^9^9` submits in flight (pipelined, as a script would, a "
                "new one per reply); another socket of another session submits `1+1` every "
                "50 ms (under the default limit). Goal: the probe's p99 < "
                f"{GOAL_FAIRNESS_P99_MS} ms.",
                "",
                "| rate limit | flood answered/s | flood refused/s | probes | probe p50 ms "
                "| probe p99 ms | max ms |",
                "|---|---:|---:|---:|---:|---:|---:|",
                *rows,
                "",
            ]
        )

    def scaleout(self) -> str:
        for reason in (redis.available(), postgres.available()):
            if reason:
                return f"## 6. Scale-out\n\nskipped: {reason}\n"
        setups = [(layer, count) for layer in ("core", "pubsub") for count in (1, 2)]
        runs: dict[tuple[str, int], list[dict]] = {setup: [] for setup in setups}
        # "Stored before answered" holds in what is measured: PostgreSQL's durable defaults.
        with redis.RedisServer() as redis_server, postgres.PostgresServer(durable=True) as pg:
            env = server_env(REDIS_URL=redis_server.url, DATABASE_URL=pg.url, **UNLIMITED)
            durability = postgres_durability(pg.url)
            migrate(env)  # one database for every setup: the layer does not touch its schema
            for _ in range(self.plan.repeats):
                for layer, count in setups:
                    layer_env = {**env, "CALC_REDIS_LAYER": layer}
                    group = [servers.app_daphne(layer_env, f"app-{i}") for i in range(count)]
                    try:
                        for server in group:
                            server.start()
                        runs[layer, count].append(self.throughput_run(group, "app"))
                    finally:
                        for server in group:
                            server.stop()
        results = {setup: self.median_run(r) for setup, r in runs.items()}
        layers = {"core": "RedisChannelLayer", "pubsub": "RedisPubSubChannelLayer"}
        lines = [
            "## 6. Scale-out: Redis channel layer + PostgreSQL",
            "",
            f"The same closed loop ({self.plan.sockets} sockets × {self.plan.messages}, each "
            "socket its own expressions), sockets split evenly over the processes, with each of "
            "channels_redis's layers (`CALC_REDIS_LAYER`). PostgreSQL runs with its durable "
            f"defaults (as it reports them: {durability}), so every answer follows a flushed "
            "commit. Nothing is pinned: Redis, PostgreSQL, the servers and "
            f"the load generator all share this machine's {os.cpu_count()} CPUs. Server CPU "
            "µs per submit: all daphne processes together (not Redis or PostgreSQL).",
            "",
            "| setup | msg/s | p50 ms | p99 ms | × 1 process | server CPU µs per submit "
            "| server cores | client cores | parse-cache hits | runs msg/s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for (layer, count), r in results.items():
            one = results[layer, 1]["rate"]
            lines.append(
                f"| {count} daphne + Redis (`{layers[layer]}`) + PostgreSQL | {r['rate']:.0f} "
                f"| {r['p50']:.1f} | {r['p99']:.1f} | {r['rate'] / one:.2f} "
                f"| {r['cpu_us']:.0f} | {r['server_cpu']:.2f} | {r['client_cpu']:.2f} "
                f"| {r['hit_rate']:.1%} | {', '.join(map(str, r['rates']))} |"
            )
        lines.append("")
        return "\n".join(lines)

    def paired_run(self, pair: dict[str, servers.Server]) -> dict[str, float]:
        """Section 1's closed loop against several servers at once, each with its own load
        generator sending the same texts: CPU µs per submit of each, read from its own process.
        Run side by side on one core, they meet the machine's other load alike."""
        plan = self.plan
        cpu = CLIENT_CPU if self.pin else None
        processes = {
            name: loadgen("throughput", [server.ws_url], "--protocol", "app", "--sockets",
                          str(plan.sockets), "--messages", str(plan.messages), cpu=cpu)
            for name, server in pair.items()
        }  # fmt: skip
        for process in processes.values():
            expect(process, "ready")
        before = {name: server.cpu_seconds() for name, server in pair.items()}
        for process in processes.values():
            tell(process, "go")
        results = {
            name: json.loads(process.stdout.readline()) for name, process in processes.items()
        }
        after = {name: server.cpu_seconds() for name, server in pair.items()}
        for process in processes.values():
            process.wait(30)
        cpu_us = {}
        for name, result in results.items():
            if result["count"] != plan.sockets * plan.messages:
                raise RuntimeError(f"{name}: {result['count']} answers")
            cpu_us[name] = (after[name] - before[name]) / result["count"] * 1e6
        return cpu_us

    def metrics(self) -> str:
        cpu = SERVER_CPU if self.pin else None
        runs: list[dict[str, float]] = []
        for _ in range(self.plan.repeats):
            on = servers.app_daphne(self.app_env(), "metrics-on", cpu=cpu)
            off = servers.app_daphne(self.app_env(CALC_METRICS="0"), "metrics-off", cpu=cpu)
            with on, off:
                runs.append(self.paired_run({METRICS_ON: on, METRICS_OFF: off}))
        ratios = sorted(run[METRICS_ON] / run[METRICS_OFF] for run in runs)
        overhead = ratios[len(ratios) // 2] - 1
        ok = overhead <= GOAL_METRICS_OVERHEAD
        median = {name: sorted(run[name] for run in runs)[len(runs) // 2] for name in runs[0]}
        self.goals.append(
            (f"metrics cost ≤ {GOAL_METRICS_OVERHEAD:.0%} of server CPU per submit (per core)",
             f"{overhead:+.1%} ({median[METRICS_ON]:.0f} / {median[METRICS_OFF]:.0f} µs)", ok)
        )  # fmt: skip
        lines = [
            "## 7. What the metrics cost",
            "",
            "The app with its Prometheus metrics (the default) and without (`CALC_METRICS=0`: "
            "every metric a no-op; the `perf_counter` laps stay), side by side: both servers "
            + (f"pinned to CPU {SERVER_CPU}, " if self.pin else "unpinned, ")
            + f"each sent section 1's closed loop ({self.plan.sockets} sockets × "
            f"{self.plan.messages} submits, the same texts) by a load generator of its own at "
            "the same time, so whatever else the machine runs weighs on both alike. CPU µs per "
            f"submit of each process; the overhead is the median of {self.plan.repeats} runs' "
            "ratios. `bench/stages.py` measures the same calls alone, in-process.",
            "",
            "| run | **metrics on** CPU µs per submit | metrics off | on ÷ off |",
            "|---|---:|---:|---:|",
        ]
        for number, run in enumerate(runs, 1):
            lines.append(
                f"| {number} | {run[METRICS_ON]:.0f} | {run[METRICS_OFF]:.0f} "
                f"| {run[METRICS_ON] / run[METRICS_OFF]:.3f} |"
            )
        lines += [
            "",
            f"Goal: metrics ≤ {GOAL_METRICS_OVERHEAD:.0%} of server CPU per submit: "
            f"**{overhead:+.1%}** ({met(ok)}).",
            "",
        ]
        return "\n".join(lines)


if __name__ == "__main__":
    main()
