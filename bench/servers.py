"""Launches the servers the benchmarks measure, all through the same flags, and reads their cost.

The app runs through bin/serve exactly as in production. The baselines run through bin/serve too,
with `DAPHNE` pointing at bench/apps/daphne-app, which swaps in their ASGI app and keeps every
flag. uvicorn is measured as an alternative front end for the same app. `cpu` pins a server to
one core (taskset), so its CPU time per message is a per-core figure.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from testing.daphne import ROOT, VENV_BIN, ServerProcess, free_port

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The apps served in place of config.asgi:application. The last two run in the app's own stack
# and settings, so they take the app's environment.
BASELINES = {
    "echo": "bench.apps.echo_asgi:application",
    "tutorial": "bench.apps.tutorial_asgi:application",
    "stock-dispatch": "bench.apps.stock_dispatch_asgi:application",
    "one-group": "bench.apps.one_group_asgi:application",
}


def can_pin() -> bool:
    """Pinning needs taskset and two cores this process may use (one server, one client)."""
    return shutil.which("taskset") is not None and len(os.sched_getaffinity(0)) >= 2


def pinned(command: list[str], cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if cpu is not None else command


class Server(ServerProcess):
    """A measured server: its CPU time and resident memory, read from /proc."""

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process and its threads so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")


def app_daphne(env: dict[str, str], name: str = "app", cpu: int | None = None) -> Server:
    port = free_port()
    env = {**env, "PORT": str(port), "PYTHON": sys.executable}
    return Server(pinned([str(ROOT / "bin" / "serve")], cpu), env, port, name)


def baseline_daphne(kind: str, env: dict[str, str], cpu: int | None = None) -> Server:
    port = free_port()
    env = {
        **env,
        "PORT": str(port),
        "DAPHNE": str(ROOT / "bench" / "apps" / "daphne-app"),
        "BENCH_DAPHNE": str(VENV_BIN / "daphne"),
        "BENCH_ASGI_APP": BASELINES[kind],
    }
    return Server(pinned([str(ROOT / "bin" / "serve")], cpu), env, port, kind)


def app_uvicorn(env: dict[str, str], name: str = "app-uvicorn", cpu: int | None = None) -> Server:
    """The same app under uvicorn (uvloop, httptools, websockets), through bin/serve's limits."""
    port = free_port()
    env = {**env, "PORT": str(port), "CALC_SERVER": "uvicorn", "UVICORN": str(VENV_BIN / "uvicorn")}
    return Server(pinned([str(ROOT / "bin" / "serve"), "--no-access-log"], cpu), env, port, name)
