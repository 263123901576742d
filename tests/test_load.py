"""Nothing lost under load: 50 sockets × 200 submits against a real daphne (rate limit off),
every one answered, in each socket's order, and exactly the answered entries stored."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from testing import client
from testing.daphne import DaphneServer, migrate, server_env

SOCKETS = 50
SUBMITS = 200


@pytest.fixture
def database(tmp_path):
    return tmp_path / "db.sqlite3"


@pytest.fixture
def server(database):
    env = server_env(database, CALC_RATE_LIMIT="0")
    migrate(env)
    with DaphneServer(env) as daphne:
        yield daphne


async def drive(ws_url: str, cookie: str) -> list[tuple[int, str]]:
    """Closed loop: submit `k+0`, await its answer; return (entry id, shown result) per submit."""
    ws = await client.open_socket(ws_url, cookie)
    answers = []
    try:
        for k in range(SUBMITS):
            message = await client.submit(ws, f"{k}+0")
            entry_id = int(client.ENTRY_ID.search(message).group(1))
            answers.append((entry_id, client.result_of(message)))
    finally:
        await ws.close()
    return answers


async def test_every_submit_is_answered_in_order_and_stored(server, database):
    cookies = await asyncio.gather(
        *(asyncio.to_thread(client.open_session, server.url) for _ in range(SOCKETS))
    )
    results = await asyncio.wait_for(
        asyncio.gather(*(drive(server.ws_url, cookie) for cookie in cookies)), timeout=90
    )

    for answers in results:
        assert [shown for _, shown in answers] == [str(k) for k in range(SUBMITS)]
        ids = [entry_id for entry_id, _ in answers]
        assert ids == sorted(ids) and len(set(ids)) == SUBMITS

    answered = {entry_id for answers in results for entry_id, _ in answers}
    assert len(answered) == SOCKETS * SUBMITS
    with sqlite3.connect(database) as db:
        stored = {row_id for (row_id,) in db.execute("SELECT id FROM calculator_calculation")}
    assert stored == answered
