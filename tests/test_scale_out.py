"""Scale-out for real: two daphne processes sharing one Redis and one PostgreSQL.

A session's socket on process A and its socket on process B act as two tabs of one browser: a
submit on A reaches B through the Redis channel layer, variables set on A are known on B (they
live in the database, not in a process), and a reload on either port shows the whole history.
"""

from __future__ import annotations

import asyncio
import re
import urllib.request

import pytest

from testing import client, postgres, redis
from testing.daphne import DaphneServer, migrate, server_env
from testing.required import require

pytestmark = pytest.mark.services

BROADCAST = 'hx-swap-oob="beforeend:#transcript"'


@pytest.fixture(scope="module")
def backends():
    require(redis.available(), postgres.available())
    with redis.RedisServer() as redis_server, postgres.PostgresServer() as database:
        yield redis_server, database


@pytest.fixture(scope="module", params=["core", "pubsub"])
def two_processes(backends, request):
    """Two processes on either of channels_redis's layers (CALC_REDIS_LAYER)."""
    redis_server, database = backends
    env = server_env(
        REDIS_URL=redis_server.url,
        DATABASE_URL=database.url,
        CALC_RATE_LIMIT="0",
        CALC_REDIS_LAYER=request.param,
    )
    migrate(env)
    with DaphneServer(env) as a, DaphneServer(env) as b:
        yield a, b


async def next_entry(ws) -> str:
    """The next message that carries an entry (a broadcast from the other tab)."""
    while True:
        message = await asyncio.wait_for(ws.recv(), timeout=10)
        if client.ENTRY_MARK in message:
            return message


def page(base_url: str, cookie: str) -> str:
    request = urllib.request.Request(f"{base_url}/", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


async def test_a_submit_on_one_process_reaches_the_tab_on_the_other(two_processes):
    a, b = two_processes
    cookie = client.open_session(a.url)
    tab_a = await client.open_socket(a.ws_url, cookie)
    tab_b = await client.open_socket(b.ws_url, cookie)
    try:
        answer = await client.submit(tab_a, "6*7")
        assert client.result_of(answer) == "42"
        broadcast = await next_entry(tab_b)
        assert BROADCAST in broadcast
        assert client.result_of(broadcast) == "42"

        # State is in the database and the channel layer: set on A, used on B, and back.
        assert client.result_of(await client.submit(tab_a, "x = 7")) == "7"
        await next_entry(tab_b)
        assert client.result_of(await client.submit(tab_b, "x*6")) == "42"
        assert client.result_of(await next_entry(tab_a)) == "42"
        assert client.result_of(await client.submit(tab_a, "ans + x")) == "49"
    finally:
        await tab_a.close()
        await tab_b.close()

    for server in (a, b):
        html = await asyncio.to_thread(page, server.url, cookie)
        assert re.findall(r'<output role="none">(.*?)</output>', html) == ["42", "7", "42", "49"]


async def test_sessions_stay_apart_across_processes(two_processes):
    a, b = two_processes
    mine, theirs = client.open_session(a.url), client.open_session(b.url)
    tab = await client.open_socket(b.ws_url, mine)
    other = await client.open_socket(a.ws_url, theirs)
    try:
        await client.submit(tab, "1+1")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(other.recv(), timeout=0.5)
    finally:
        await tab.close()
        await other.close()
    assert '<output role="none">' not in await asyncio.to_thread(page, a.url, theirs)


async def test_a_line_postgresql_cannot_store_fails_nobody_else(two_processes):
    """NUL is refused at the door with an error entry; the sessions writing in the same batch
    are stored and answered, and the sender's socket keeps serving."""
    a, _ = two_processes
    cookies = [client.open_session(a.url) for _ in range(4)]
    tabs = [await client.open_socket(a.ws_url, cookie) for cookie in cookies]
    try:
        lines = ["1+\x00", "2+2", "3+3", "1+\ud800"]
        answers = await asyncio.wait_for(
            asyncio.gather(
                *(client.submit(tab, line) for tab, line in zip(tabs, lines, strict=True))
            ),
            timeout=15,
        )
        assert [client.result_of(answer) for answer in answers[1:3]] == ["4", "6"]
        for answer in (answers[0], answers[3]):
            assert "cannot be used" in answer
        assert client.result_of(await client.submit(tabs[0], "5*5")) == "25"
    finally:
        for tab in tabs:
            await tab.close()
