"""A server killed mid-load (SIGKILL: no shutdown at all) loses nothing it answered, leaves the
SQLite database intact, and the restarted server shows every stored entry again."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import urllib.request

from testing import client
from testing.daphne import DaphneServer, migrate, server_env

SOCKETS = 10


async def submit_until_cut(ws_url: str, cookie: str, answered: set[int]) -> None:
    ws = await client.open_socket(ws_url, cookie)
    k = 0
    try:
        while True:
            message = await client.submit(ws, f"{k}*2")
            answered.add(int(client.ENTRY_ID.search(message).group(1)))
            k += 1
    except Exception:
        return  # the server died under us: exactly the point


async def test_sigkill_mid_load_loses_no_answered_entry(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = server_env(database, CALC_RATE_LIMIT="0")
    migrate(env)
    server = DaphneServer(env).start()
    answered: set[int] = set()
    try:
        cookies = [await asyncio.to_thread(client.open_session, server.url) for _ in range(SOCKETS)]
        load = asyncio.gather(*(submit_until_cut(server.ws_url, c, answered) for c in cookies))
        while len(answered) < 500:
            await asyncio.sleep(0.02)
        os.killpg(server.process.pid, signal.SIGKILL)
        await asyncio.wait_for(load, timeout=30)
    finally:
        server.stop()

    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row for (row,) in db.execute("SELECT id FROM calculator_calculation")}
    assert answered <= stored

    with DaphneServer(env, port=server.port) as restarted:
        request = urllib.request.Request(restarted.url + "/", headers={"Cookie": cookies[0]})
        with urllib.request.urlopen(request, timeout=10) as response:
            page = response.read().decode()
        ws = await client.open_socket(restarted.ws_url, cookies[0], greeting=False)
        transcript = await ws.recv()
        await ws.close()
    first_session_ids = {int(entry_id) for entry_id in client.ENTRY_ID.findall(transcript)}
    assert first_session_ids and first_session_ids <= stored
    assert all(f'id="entry-{entry_id}"' in page for entry_id in first_session_ids)
