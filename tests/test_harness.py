"""The test run's own footprint: what it writes outside pytest's tmp_path lives in one directory
that a passing run removes (testing/pytest_env.py), so hundreds of runs leave /tmp as it was."""

import asyncio
import os
import socket
from pathlib import Path

from testing.daphne import DaphneServer, server_env
from testing.latency import LatencyProxy


def test_server_logs_and_static_files_are_kept_in_the_runs_own_directory(tmp_path):
    run_dir = Path(os.environ["CALC_TEST_RUN_DIR"])
    server = DaphneServer(server_env(tmp_path / "db.sqlite3"))
    assert server.log_path.parent == run_dir
    assert Path(os.environ["DJANGO_STATIC_ROOT"]).parent == run_dir


def test_the_latency_proxy_stops_with_connections_open_and_leaves_no_pending_task():
    """Stopped with a connection open, it stopped its loop mid-cancel: every pipe task was
    then logged as "Task was destroyed but it is pending!" (six such errors per e2e run)."""
    listener = socket.create_server(("127.0.0.1", 0))
    proxy = LatencyProxy(listener.getsockname()[1], delay=0.01).start()
    client = socket.create_connection(("127.0.0.1", proxy.port))
    upstream, _ = listener.accept()
    client.sendall(b"ping")
    upstream.settimeout(2)
    assert upstream.recv(4) == b"ping"
    loop = proxy._loop
    proxy.stop()
    assert not asyncio.all_tasks(loop)
    assert loop.is_closed()
    for connection in (client, upstream, listener):
        connection.close()
