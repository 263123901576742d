"""What every server a test starts shares: a context manager that stops what it started, even
when starting failed half-way, one way to start a child and wait until it serves, and one way to
stop it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def spawn(command: list[str], log_path: Path, **popen) -> subprocess.Popen:
    """Start `command` in its own session, its output appended to `log_path` (a file, not a
    pipe: a chatty server must never block on a full pipe buffer)."""
    popen.setdefault("stdout", subprocess.STDOUT)
    with log_path.open("ab") as log:
        if popen["stdout"] is subprocess.STDOUT:
            popen["stdout"] = log
        return subprocess.Popen(command, stderr=log, start_new_session=True, **popen)


def wait_ready(
    process: subprocess.Popen,
    ready: Callable[[], bool],
    name: str,
    log_path: Path,
    timeout: float,
    interval: float = 0.05,
) -> None:
    """Poll `ready()` (an OSError counts as not yet) until it is true; fail at once, with the end
    of the log, if the process exits first, and after `timeout` otherwise (stopping it: `spawn`
    made it a process group of its own)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = log_path.read_text(errors="replace") if log_path.exists() else ""
            raise RuntimeError(f"{name} exited: {log[-2000:]}")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(interval)
    stop_process(process, group=True)
    raise RuntimeError(f"{name} was not ready within {timeout}s")


def stop_process(
    process: subprocess.Popen | None, timeout: float = 10.0, group: bool = False
) -> None:
    """SIGTERM, then SIGKILL if the process has not exited within `timeout`; to its whole
    process group with `group` (a script that started the real server)."""
    if process is None or process.poll() is not None:
        return

    def send(sig: int) -> None:
        if group:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)

    send(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()


class HttpEndpoint:
    """The page and socket addresses of a server listening on 127.0.0.1:`self.port`."""

    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/calc/"


class Service:
    """`with Server(...) as server:`; `stop()` must be safe after a failed or partial start."""

    def start(self):
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
