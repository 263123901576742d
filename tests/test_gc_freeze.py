"""Either server keeps the loaded app out of garbage collection before it serves anyone: a full
collection that walked it stopped the event loop for 80-100 ms (calculator/server/freeze.py)."""

from __future__ import annotations

import re

import pytest

from testing.daphne import DaphneServer, migrate, server_env

FROZEN = re.compile(r"(\d+) objects of the loaded app kept out of collections")


@pytest.mark.parametrize("server", ["daphne", "uvicorn"])
def test_the_loaded_app_is_frozen_before_the_first_request(tmp_path, server):
    env = server_env(tmp_path / "db.sqlite3", CALC_SERVER=server, CALC_LOG_LEVEL="INFO")
    migrate(env)
    running = DaphneServer(env).start()  # returns once /healthz has answered
    try:
        log = running.log_text()
    finally:
        running.stop()
    frozen = [int(count) for count in FROZEN.findall(log)]
    assert len(frozen) == 1, log[-2000:]
    assert frozen[0] > 10_000  # Django, the URLconf, allauth, ninja, the engine's tables
