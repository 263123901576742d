"""Starts a throw-away PostgreSQL cluster on a free port in a temp dir, and stops it.

PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the
`postgres` user (created by the Debian package) and every command goes through `runuser`.
For tests fsync is off: the cluster lives for one test run, and durability is not what is
tested. `durable=True` keeps PostgreSQL's durable defaults, for benchmarks that must measure them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from testing.daphne import free_port
from testing.service import Service

DATABASE = "calculator"


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian layout), or `PG_BIN`."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> int:
    try:
        return int(Path(path).parent.parent.name)
    except ValueError:
        return 0


def available() -> str | None:
    """None when a cluster can be started here, else the reason it cannot (for pytest.skip)."""
    if bin_dir() is None:
        return "PostgreSQL is not installed (Debian package postgresql; bin/ensure-system-packages)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to own the cluster"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return None


class PostgresServer(Service):
    """One cluster; `start()` returns once it accepts connections and the database exists."""

    def __init__(self, port: int | None = None, durable: bool = False) -> None:
        self.port = port or free_port()
        self.durable = durable
        self._dir: tempfile.TemporaryDirectory | None = None
        self.started = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    @property
    def data(self) -> Path:
        assert self._dir is not None
        return Path(self._dir.name) / "data"

    def _run(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
        command = [str(bin_dir() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    def _check(self, result: subprocess.CompletedProcess, what: str) -> None:
        if result.returncode != 0:
            raise RuntimeError(f"{what} failed: {(result.stderr or result.stdout)[-2000:]}")

    def start(self) -> PostgresServer:
        reason = available()
        if reason:
            raise RuntimeError(reason)
        self._dir = tempfile.TemporaryDirectory(prefix="postgres-")
        root = Path(self._dir.name)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(root, user.pw_uid, user.pw_gid)
        no_sync = () if self.durable else ("--no-sync",)
        self._check(
            self._run("initdb", "-A", "trust", "-U", "postgres", "-E", "UTF8", *no_sync,
                      "-D", str(self.data)),
            "initdb",
        )  # fmt: skip
        options = f"-p {self.port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._options = options
        self._pg_ctl_start()
        self.started = True
        self._check(
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                      DATABASE),
            "createdb",
        )  # fmt: skip
        return self

    def _pg_ctl_start(self) -> None:
        log = Path(self._dir.name) / "pg.log"
        self._check(
            self._run("pg_ctl", "-D", str(self.data), "-o", self._options, "-l", str(log),
                      "-w", "-t", "30", "start"),
            "pg_ctl start",
        )  # fmt: skip

    def halt(self) -> None:
        """Stop the server (fast shutdown: clients are disconnected), keeping its data."""
        self._check(self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"), "stop")

    def resume(self) -> None:
        """Start a halted server again on the same port and data."""
        self._pg_ctl_start()

    def log_text(self) -> str:
        if self._dir is None:
            return ""
        log = Path(self._dir.name) / "pg.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.started = False
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
