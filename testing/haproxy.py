"""Runs the shipped deploy/haproxy.cfg in front of local processes, and speaks its runtime API.

Only the lines the file marks `# site` (addresses, certificate, chroot, syslog) and the server
list are replaced, so the tests exercise the same timeouts, checks, limits and fail-open rule.
"""

from __future__ import annotations

import resource
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from testing.daphne import ROOT, free_port
from testing.service import HttpEndpoint, Service, spawn, stop_process, wait_ready

CONFIG = ROOT / "deploy" / "haproxy.cfg"
BACKEND = "daphne"
HAPROXY = "haproxy"


def available() -> str | None:
    """None when haproxy can run here, else the reason it cannot."""
    if shutil.which(HAPROXY) is None and not Path("/usr/sbin/haproxy").exists():
        return "haproxy is not installed (Debian haproxy; bin/ensure-system-packages)"
    return None


def executable() -> str:
    return shutil.which(HAPROXY) or "/usr/sbin/haproxy"


def server_name(index: int) -> str:
    """The checked server for the index-th process (0-based), as the config names it."""
    return f"s{index + 1}"


def local_maxconn() -> int:
    """What this machine's descriptor limit allows: two per connection, and some to spare."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    limit = 20000 if hard == resource.RLIM_INFINITY else hard
    return min(20000, (limit - 200) // 2)


def local_config(port: int, admin_socket: Path, ports: list[int]) -> str:
    """deploy/haproxy.cfg bound to loopback `port`, over plain http, for processes on `ports`."""
    lines = []
    for line in CONFIG.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("server "):
            continue
        if stripped.endswith("# site"):
            if stripped.startswith("stats socket"):
                lines.append(f"    stats socket {admin_socket} mode 600 level admin")
            elif stripped.startswith("maxconn "):
                lines.append(f"    maxconn {local_maxconn()}")
            elif stripped.startswith("log "):
                lines.append("    log stderr format short local0 notice")
            elif stripped.startswith("bind :80"):
                lines.append(f"    bind 127.0.0.1:{port}")
            continue
        lines.append(line)
    lines += [f"    server {server_name(i)} 127.0.0.1:{p}" for i, p in enumerate(ports)]
    lines += [
        f"    server {server_name(i)}-open 127.0.0.1:{p} backup no-check"
        for i, p in enumerate(ports)
    ]
    return "\n".join(lines) + "\n"


class HAProxy(HttpEndpoint, Service):
    """One haproxy in the foreground on a free port; `start()` returns once every server is UP."""

    def __init__(self, ports: list[int], port: int | None = None) -> None:
        self.ports = ports
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="haproxy-")
        self.admin_socket = Path(self._dir.name) / "admin.sock"
        self.config_path = Path(self._dir.name) / "haproxy.cfg"
        self.log_path = Path(self._dir.name) / "haproxy.log"

    def start(self, timeout: float = 20.0) -> HAProxy:
        reason = available()
        if reason:
            raise RuntimeError(reason)
        self.config_path.write_text(local_config(self.port, self.admin_socket, self.ports))
        # The health check's Host header must be one of the app's DJANGO_ALLOWED_HOSTS.
        env = {"CALC_HOST": "127.0.0.1", "PATH": "/usr/sbin:/usr/bin:/bin"}
        command = [executable(), "-db", "-f", str(self.config_path)]
        self.process = spawn(command, self.log_path, env=env)
        wait_ready(self.process, self.all_up, "haproxy", self.log_path, timeout, interval=0.1)
        return self

    def all_up(self) -> bool:
        return self.admin_socket.exists() and all(state == "UP" for state in self.states().values())

    def command(self, line: str) -> str:
        """One runtime API command over the admin socket (what `socat` does in production)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.admin_socket))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stats(self) -> list[dict[str, str]]:
        """`show stat` as rows keyed by its header (pxname, svname, status, scur, …)."""
        text = self.command("show stat").strip().splitlines()
        header = text[0].lstrip("# ").split(",")
        return [dict(zip(header, row.split(","), strict=False)) for row in text[1:] if row]

    def states(self) -> dict[str, str]:
        """Status of each checked server of the backend: UP, DOWN, DRAIN, MAINT, …"""
        return {
            row["svname"]: row["status"].split(" ")[0]
            for row in self.stats()
            if row["pxname"] == BACKEND and row["svname"].startswith("s")
            and not row["svname"].endswith("-open")
        }  # fmt: skip

    def current_sessions(self, server: str) -> int:
        for row in self.stats():
            if row["pxname"] == BACKEND and row["svname"] == server:
                return int(row["scur"] or 0)
        raise KeyError(server)

    def set_state(self, server: str, state: str) -> None:
        """`ready`, `drain` (no new connections, open ones stay) or `maint`, for the server and
        its fail-open twin alike."""
        for name in (server, f"{server}-open"):
            answer = self.command(f"set server {BACKEND}/{name} state {state}").strip()
            if answer:
                raise RuntimeError(f"set server {name} state {state}: {answer}")

    def wait_state(self, server: str, state: str, timeout: float = 20.0) -> float:
        """Seconds until the server's status is `state`."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.states().get(server) == state:
                return time.monotonic() - started
            time.sleep(0.1)
        raise TimeoutError(f"{server} not {state} within {timeout}s: {self.states()}")

    def get(self, path: str) -> int:
        """The status of a GET through the balancer."""
        try:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self) -> None:
        stop_process(self.process)
        self._dir.cleanup()
