"""Starts a throw-away redis-server on a free port in a temp dir, and stops it.

Used by the scale-out test and the benchmarks: the real server Debian packages, no persistence.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from testing.daphne import free_port
from testing.service import Service, spawn, stop_process, wait_ready

REDIS_SERVER = "redis-server"


def available() -> str | None:
    """None when redis-server can run here, else the reason it cannot (for pytest.skip)."""
    if shutil.which(REDIS_SERVER) is None:
        return "redis-server is not installed (Debian redis-server; bin/ensure-system-packages)"
    return None


class RedisServer(Service):
    """One redis-server; `start()` returns once it answers PING, `stop()` shuts it down."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._dir: tempfile.TemporaryDirectory | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        reason = available()
        if reason:
            raise RuntimeError(reason)
        self._dir = tempfile.TemporaryDirectory(prefix="redis-")
        directory = Path(self._dir.name)
        self.process = spawn(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
                "--logfile",
                str(directory / "redis.log"),
            ],  # fmt: skip
            directory / "redis.log",
            stdout=subprocess.DEVNULL,
        )
        wait_ready(self.process, self.ping, "redis-server", directory / "redis.log", timeout, 0.02)
        return self

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def log_text(self) -> str:
        if self._dir is None:
            return ""
        log = Path(self._dir.name) / "redis.log"
        return log.read_text(errors="replace") if log.exists() else ""

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def stop(self, timeout: float = 10.0) -> None:
        stop_process(self.process, timeout)
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
