"""`make bench`: the benchmarks of issue 5, side by side in one run, printed as markdown tables.

Every figure that is compared is measured in the same run on the same machine: the app under
daphne against a bare Channels echo and the classic tutorial design under the same flags; the
load generator runs in its own process and its CPU is reported. Writes bench/RESULTS.md.

    .venv/bin/python bench/run.py            # the full run (a few minutes)
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
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import servers  # noqa: E402
from testing import postgres, redis  # noqa: E402
from testing.daphne import collectstatic, migrate, server_env  # noqa: E402

LOADGEN = ROOT / "bench" / "loadgen.py"
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTIONS = ("throughput", "engine", "memory", "browser", "fairness", "scaleout")

# Goals from issue 5 (and issue 6 for fairness).
GOAL_VS_TUTORIAL = 1.30
GOAL_VS_ECHO = 0.60
GOAL_KB_PER_SOCKET = 30
GOAL_FIRST_RESULT_MS = 100
GOAL_PAGE_BYTES = 60_000
GOAL_FAIRNESS_P99_MS = 200


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
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
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
    if not args.no_write and not args.quick:
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
            "",
        ]
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def loadgen(kind: str, urls: list[str], *options: str) -> subprocess.Popen:
    command = [sys.executable, str(LOADGEN), kind, *options]
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


class Bench:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
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
        return server_env(self.fresh_sqlite(), **{"CALC_RATE_LIMIT": "0", **extra})

    def throughput_run(self, group: list[servers.Server], protocol: str) -> dict:
        """One closed-loop run against the servers in `group`, sockets split evenly over them."""
        plan = self.plan
        urls = [server.ws_url for server in group]
        share = [plan.sockets // plan.clients + (i < plan.sockets % plan.clients)
                 for i in range(plan.clients)]  # fmt: skip
        offset, processes = 0, []
        for sockets in share:
            processes.append(
                loadgen("throughput", urls, "--protocol", protocol, "--sockets", str(sockets),
                        "--messages", str(plan.messages), "--offset", str(offset))
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
        return {
            "rate": count / wall,
            "p50": percentile(latencies, 0.50),
            "p99": percentile(latencies, 0.99),
            "server_cpu": (cpu_after - cpu_before) / wall,
            "client_cpu": sum(r["client_cpu"] for r in results),
        }

    def median_run(self, runs: list[dict]) -> dict:
        ordered = sorted(runs, key=lambda run: run["rate"])
        median = dict(ordered[len(ordered) // 2])
        median["rates"] = [round(run["rate"]) for run in runs]
        return median

    # -- sections --------------------------------------------------------------------------

    def throughput(self) -> str:
        targets = {
            "bare Channels echo (daphne)": lambda: servers.baseline_daphne("echo", server_env()),
            "tutorial design (daphne)": lambda: servers.baseline_daphne("tutorial", server_env()),
            "**app** (daphne, bin/serve)": lambda: servers.app_daphne(self.app_env()),
            "app (uvicorn + uvloop)": lambda: servers.app_uvicorn(self.app_env()),
        }
        protocols = {
            "bare Channels echo (daphne)": "echo",
            "tutorial design (daphne)": "tutorial",
        }
        runs: dict[str, list[dict]] = {name: [] for name in targets}
        for _ in range(self.plan.repeats):
            # Interleaved, so a slow phase of the machine hits every target alike.
            for name, make in targets.items():
                with make() as server:
                    runs[name].append(self.throughput_run([server], protocols.get(name, "app")))
        results = {name: self.median_run(r) for name, r in runs.items()}
        echo = results["bare Channels echo (daphne)"]["rate"]
        tutorial = results["tutorial design (daphne)"]["rate"]
        lines = [
            "## 1. Full submit: throughput and latency",
            "",
            f"{self.plan.sockets} sockets × {self.plan.messages} submits each, closed loop (send, "
            "await the answer). App: evaluate + render the entry/field/preview partials + group-"
            "commit INSERT (SQLite WAL) + send + group_send. Median of "
            f"{self.plan.repeats} runs (all runs' msg/s in the last column). CPU in cores.",
            "",
            "| server | msg/s | p50 ms | p99 ms | × tutorial | × echo | server CPU | client CPU "
            "| runs msg/s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for name, r in results.items():
            lines.append(
                f"| {name} | {r['rate']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} "
                f"| {r['rate'] / tutorial:.2f} | {r['rate'] / echo:.2f} | {r['server_cpu']:.2f} "
                f"| {r['client_cpu']:.2f} | {', '.join(map(str, r['rates']))} |"
            )
        app = results["**app** (daphne, bin/serve)"]["rate"]
        lines += [
            "",
            f"Goals: app ≥ {GOAL_VS_TUTORIAL}× tutorial: **{app / tutorial:.2f}×** "
            f"({'met' if app / tutorial >= GOAL_VS_TUTORIAL else 'NOT met'}); "
            f"app ≥ {GOAL_VS_ECHO}× echo: **{app / echo:.2f}×** "
            f"({'met' if app / echo >= GOAL_VS_ECHO else 'NOT met'}).",
            "",
        ]
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

    def idle_memory(self, server: servers.Server, protocol: str) -> dict:
        n = self.plan.idle_sockets
        process = loadgen(
            "idle", [server.ws_url], "--protocol", protocol, "--sockets", str(n), "--warm", "20"
        )
        expect(process, "sessions")
        time.sleep(1.0)
        before = server.rss_kb()
        tell(process, "open")
        expect(process, "ready")
        time.sleep(2.0)
        after = server.rss_kb()
        tell(process, "close")
        process.stdout.readline()
        process.wait(30)
        return {"before": before, "after": after, "per_socket": (after - before) / n}

    def memory(self) -> str:
        n = self.plan.idle_sockets
        rows = []
        for name, make, protocol in (
            ("bare Channels echo (daphne)", lambda: servers.baseline_daphne("echo", server_env()),
             "echo"),
            ("**app** (daphne, bin/serve)", lambda: servers.app_daphne(self.app_env()), "app"),
            ("app (uvicorn + uvloop)", lambda: servers.app_uvicorn(self.app_env()), "app"),
        ):  # fmt: skip
            readings = []
            for _ in range(self.plan.repeats):
                with make() as server:
                    readings.append(self.idle_memory(server, protocol))
            r = sorted(readings, key=lambda reading: reading["per_socket"])[len(readings) // 2]
            runs = ", ".join(f"{reading['per_socket']:.1f}" for reading in readings)
            rows.append(
                f"| {name} | {r['before'] / 1024:.1f} | {r['after'] / 1024:.1f} "
                f"| **{r['per_socket']:.1f}** | {runs} |"
            )
        return "\n".join(
            [
                "## 3. Memory per idle connection",
                "",
                f"Server RSS before and after {n} more idle sockets are open (sessions and 20 "
                "warm-up sockets come before the first reading, so one-time work is not counted "
                "per socket); a fresh server per run, median of "
                f"{self.plan.repeats}. Goal ≤ {GOAL_KB_PER_SOCKET} KB.",
                "",
                "| server | RSS before MiB | RSS after MiB | KB per socket | runs KB |",
                "|---|---:|---:|---:|---|",
                *rows,
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
            rows.append(
                f"| {label} | {r['entries'] / r['seconds']:.0f} "
                f"| {r['refusals'] / r['seconds']:.0f} | {len(latencies)} "
                f"| {percentile(latencies, 0.5):.1f} | **{percentile(latencies, 0.99):.1f}** "
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
        with redis.RedisServer() as redis_server, postgres.PostgresServer() as pg:
            env = server_env(REDIS_URL=redis_server.url, DATABASE_URL=pg.url, CALC_RATE_LIMIT="0")
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
            f"The same closed loop ({self.plan.sockets} sockets × {self.plan.messages}), sockets "
            "split evenly over the processes, with each of channels_redis's layers "
            "(`CALC_REDIS_LAYER`); Redis, PostgreSQL (fsync off), the servers and the "
            f"load generator all share this machine's {os.cpu_count()} CPUs.",
            "",
            "| setup | msg/s | p50 ms | p99 ms | × 1 process | server CPU | client CPU "
            "| runs msg/s |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for (layer, count), r in results.items():
            one = results[layer, 1]["rate"]
            lines.append(
                f"| {count} daphne + Redis (`{layers[layer]}`) + PostgreSQL | {r['rate']:.0f} "
                f"| {r['p50']:.1f} | {r['p99']:.1f} | {r['rate'] / one:.2f} "
                f"| {r['server_cpu']:.2f} | {r['client_cpu']:.2f} "
                f"| {', '.join(map(str, r['rates']))} |"
            )
        lines.append("")
        return "\n".join(lines)


if __name__ == "__main__":
    main()
