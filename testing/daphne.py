"""Starts the app under a real daphne process (through bin/serve) on a free port, and stops it.

pytest-django's live_server speaks no WebSocket, so e2e tests, the scale-out test and the
benchmarks all run the real server this way.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
from contextlib import closing
from pathlib import Path

from testing.service import HttpEndpoint, Service, spawn, stop_process, wait_ready

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *command: str) -> None:
    """One quiet, non-interactive manage.py command run with `env`; raises if it fails."""
    subprocess.run(
        [sys.executable, "manage.py", *command, "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def migrate(env: dict[str, str]) -> None:
    """Migrate env's database. In a test run, a new file SQLite database is a copy of one the
    run migrated once (migrating costs a server two seconds, a copy a millisecond): the
    migrations are the same whatever else the environment sets."""
    database = _new_sqlite_file(env)
    run_dir = os.environ.get("CALC_TEST_RUN_DIR")
    if database is None or run_dir is None:
        manage(env, "migrate")
        return
    template = Path(run_dir) / "migrated.sqlite3"
    if not template.exists():
        partial = template.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        manage({**env, "DATABASE_URL": f"sqlite:///{partial}"}, "migrate")
        with closing(sqlite3.connect(partial)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the one file
        partial.replace(template)
    shutil.copyfile(template, database)


def _new_sqlite_file(env: dict[str, str]) -> Path | None:
    """The file of env's SQLite database when it does not exist yet (or is empty), else None."""
    url = env.get("DATABASE_URL", "")
    if not url.startswith("sqlite:///") or ":memory:" in url:
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return path if not path.exists() or path.stat().st_size == 0 else None


def collectstatic(env: dict[str, str]) -> None:
    """The content-hashed static files pages name without DEBUG, into env's DJANGO_STATIC_ROOT."""
    manage(env, "collectstatic")


def server_env(database_path: Path | None = None, **extra: str) -> dict[str, str]:
    """Production-mode settings over plain http on loopback, with a file SQLite database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "test-only-secret-key-not-for-production-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CALC_LOG_LEVEL": "WARNING",
        "CALC_STARTUP_CHECK": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if database_path is not None:
        env["DATABASE_URL"] = f"sqlite:///{database_path}"
    env.update(extra)
    return env


class ServerProcess(HttpEndpoint, Service):
    """A server started by `command` in its own process group; `start()` returns once `/healthz`
    answers, `stop()` sends SIGTERM (then SIGKILL)."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, name: str = "server"):
        self.command = command
        self.env = env
        self.port = port
        self.name = name
        self.process: subprocess.Popen | None = None
        # A file, not a pipe: a chatty server must never block on a full pipe buffer. In the
        # test run's own directory when there is one (testing/pytest_env.py), so a run leaves none.
        fd, log_path = tempfile.mkstemp(
            prefix=f"{name}-", suffix=".log", dir=os.environ.get("CALC_TEST_RUN_DIR")
        )
        os.close(fd)
        self.log_path = Path(log_path)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 20.0):
        self.process = spawn(
            self.command, self.log_path, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL
        )
        wait_ready(self.process, self.answers, self.name, self.log_path, timeout)
        return self

    def answers(self) -> bool:
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
            return True

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 10.0) -> None:
        stop_process(self.process, timeout, group=True)


class DaphneServer(ServerProcess):
    """The app under daphne, through bin/serve, on a free port unless one is given."""

    def __init__(self, env: dict[str, str], port: int | None = None, extra_args: tuple = ()):
        port = port or free_port()
        env = {**env, "PORT": str(port), "PYTHON": sys.executable}
        super().__init__([str(ROOT / "bin" / "serve"), *extra_args], env, port, name="daphne")
