"""Launches the servers the benchmarks measure, all through the same flags, and reads their cost.

The app runs through bin/serve exactly as in production. The baselines run through bin/serve too,
with `DAPHNE` pointing at bench/apps/daphne-app, which swaps in their ASGI app and keeps every
flag. uvicorn is measured as an alternative front end for the same app.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from testing.daphne import ROOT, VENV_BIN, free_port

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BASELINES = {
    "echo": "bench.apps.echo_asgi:application",
    "tutorial": "bench.apps.tutorial_asgi:application",
}


class Server:
    """A server process; `start()` returns once `/healthz` answers, `stop()` sends SIGTERM."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.port = port
        self.process: subprocess.Popen | None = None
        # A file, not a pipe: a chatty server must never block on a full pipe buffer.
        handle, path = tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")
        self.log = os.fdopen(handle, "w")
        self.log_path = Path(path)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/calc/"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 30.0) -> Server:
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer on port {self.port} within {timeout}s")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process and its threads so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def app_daphne(env: dict[str, str], name: str = "app") -> Server:
    port = free_port()
    env = {**env, "PORT": str(port), "DAPHNE": str(VENV_BIN / "daphne")}
    return Server(name, [str(ROOT / "bin" / "serve")], env, port)


def baseline_daphne(kind: str, env: dict[str, str]) -> Server:
    port = free_port()
    env = {
        **env,
        "PORT": str(port),
        "DAPHNE": str(ROOT / "bench" / "apps" / "daphne-app"),
        "BENCH_DAPHNE": str(VENV_BIN / "daphne"),
        "BENCH_ASGI_APP": BASELINES[kind],
    }
    return Server(kind, [str(ROOT / "bin" / "serve")], env, port)


def app_uvicorn(env: dict[str, str], name: str = "app-uvicorn") -> Server:
    """The same app under uvicorn (uvloop, httptools, websockets), through bin/serve's limits."""
    port = free_port()
    env = {**env, "PORT": str(port), "CALC_SERVER": "uvicorn", "UVICORN": str(VENV_BIN / "uvicorn")}
    return Server(name, [str(ROOT / "bin" / "serve"), "--no-access-log"], env, port)
