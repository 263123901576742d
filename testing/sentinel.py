"""A Redis primary, its replica and a Sentinel watching them, each a real process on a free port.

For the failover test and `bin/cluster --sentinel`: the app finds the primary through the
sentinel (REDIS_SENTINELS), so killing the primary and letting Sentinel promote the replica
must be followed without restarting the app.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from testing.daphne import free_port
from testing.redis import REDIS_SERVER
from testing.service import Service, spawn, stop_process, wait_ready

REDIS_SENTINEL = "redis-sentinel"
MASTER_NAME = "calculator"
# How long the primary may be silent before Sentinel calls it down: short, for a test.
DOWN_AFTER_MS = 1000


def available() -> str | None:
    for program in (REDIS_SERVER, REDIS_SENTINEL):
        if shutil.which(program) is None:
            return f"{program} is not installed (Debian {program}; bin/ensure-system-packages)"
    return None


def ask(port: int, *words: str) -> str:
    """One inline command to a Redis or Sentinel on loopback; the raw reply."""
    chunks = []
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(" ".join(words).encode() + b"\r\n")
        chunks.append(sock.recv(65536))
        sock.settimeout(0.05)  # the rest of a longer reply, if any
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks).decode(errors="replace")


class Node:
    """One redis-server (or redis-sentinel) process with a directory that outlives restarts."""

    def __init__(self, program: str, directory: Path, config: str, port: int) -> None:
        self.program = program
        self.port = port
        self.config_path = directory / f"{port}.conf"
        self.config_path.write_text(config)
        self.log_path = directory / f"{port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> Node:
        self.process = spawn([self.program, str(self.config_path)], self.log_path)
        wait_ready(self.process, self.answers, self.program, self.log_path, timeout)
        return self

    def answers(self) -> bool:
        return "PONG" in ask(self.port, "PING")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        stop_process(self.process)


def redis_config(directory: Path, port: int, primary: int | None = None) -> str:
    lines = [
        f"port {port}",
        "bind 127.0.0.1",
        f"dir {directory}",
        f"dbfilename {port}.rdb",
        "appendonly no",
        "save ''",
    ]
    if primary is not None:
        lines.append(f"replicaof 127.0.0.1 {primary}")
    return "\n".join(lines) + "\n"


def sentinel_config(port: int, primary: int) -> str:
    return (
        f"port {port}\nbind 127.0.0.1\n"
        f"sentinel monitor {MASTER_NAME} 127.0.0.1 {primary} 1\n"
        f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}\n"
        f"sentinel failover-timeout {MASTER_NAME} 10000\n"
        f"sentinel parallel-syncs {MASTER_NAME} 1\n"
    )


class SentinelSet(Service):
    """Primary + replica + one sentinel (quorum 1; production runs three sentinels)."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="sentinel-")
        directory = Path(self._dir.name)
        primary, replica, sentinel = free_port(), free_port(), free_port()
        self.nodes = [
            Node(REDIS_SERVER, directory, redis_config(directory, primary), primary),
            Node(REDIS_SERVER, directory, redis_config(directory, replica, primary), replica),
        ]
        self.sentinel = Node(
            REDIS_SENTINEL, directory, sentinel_config(sentinel, primary), sentinel
        )

    @property
    def sentinels(self) -> str:
        """REDIS_SENTINELS for the app."""
        return f"127.0.0.1:{self.sentinel.port}"

    def primary_port(self) -> int:
        reply = ask(self.sentinel.port, "SENTINEL", "get-master-addr-by-name", MASTER_NAME)
        return int(reply.split("\r\n")[-2])

    def primary(self) -> Node:
        port = self.primary_port()
        return next(node for node in self.nodes if node.port == port)

    def start(self) -> SentinelSet:
        reason = available()
        if reason:
            raise RuntimeError(reason)
        for node in self.nodes:
            node.start()
        self._wait(
            lambda: "master_link_status:up" in ask(self.nodes[1].port, "INFO", "replication")
        )
        self.sentinel.start()
        self._wait(self._replicas_known)
        return self

    def _replicas_known(self) -> bool:
        reply = ask(self.sentinel.port, "SENTINEL", "replicas", MASTER_NAME)
        return str(self.nodes[1].port) in reply

    def failover_by_killing_primary(self, timeout: float = 30.0) -> float:
        """kill -9 the primary; seconds until Sentinel names another one."""
        old = self.primary()
        old.kill()
        started = time.monotonic()
        self._wait(lambda: self.primary_port() != old.port, timeout)
        return time.monotonic() - started

    @staticmethod
    def _wait(ready, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except (OSError, ValueError, IndexError):
                pass
            time.sleep(0.1)
        raise TimeoutError("sentinel set-up did not settle")

    def stop(self) -> None:
        for node in (self.sentinel, *self.nodes):
            node.stop()
        self._dir.cleanup()
