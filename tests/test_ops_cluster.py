"""The dashboard over two daphne processes sharing real Redis and PostgreSQL: /ws/ops/ on one
process shows the sockets open on both, each process by name, and a stopped process ages out."""

from __future__ import annotations

import asyncio
import re
import socket
from dataclasses import dataclass, field

import pytest
from websockets.asyncio.client import connect

from calculator.ops import consumer
from testing import client, postgres, redis
from testing.daphne import DaphneServer, migrate, server_env
from testing.required import require
from testing.staff import signed_in_on_server

pytestmark = pytest.mark.services

# Updates come once a second; starting sockets and a process going away take a few.
WAIT_SECONDS = 20
SOCKETS = re.compile(r'<dd id="ops-sockets">(\d+)</dd>')
CARD = re.compile(r"<h2>([^<]+)</h2>\s*<p><strong>(\d+)</strong> sockets")


@pytest.fixture(scope="module")
def cluster():
    require(redis.available(), postgres.available())
    with redis.RedisServer() as redis_server, postgres.PostgresServer() as database:
        env = server_env(REDIS_URL=redis_server.url, DATABASE_URL=database.url)
        migrate(env)
        staff = signed_in_on_server(env, "cluster-staff", staff=True)
        with DaphneServer(env) as a, DaphneServer(env) as b:
            yield a, b, staff


def name_of(server: DaphneServer) -> str:
    return f"{socket.gethostname()}:{server.pid}"


@dataclass
class Seen:
    """What the dashboard shows, from the updates read so far (each part comes when it changes)."""

    processes: dict[str, int] = field(default_factory=dict)  # sockets by process name
    total: int | None = None
    layer: str = ""


async def watch_until(ops, seen: Seen, condition) -> None:
    """Reads the dashboard's updates into `seen` until `condition(seen)` holds."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while not condition(seen):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the dashboard never showed it; last seen: {seen}")
        async with asyncio.timeout(WAIT_SECONDS):
            html = await ops.recv()
        if 'id="ops-processes"' in html:
            seen.processes = {name: int(count) for name, count in CARD.findall(html)}
        if match := SOCKETS.search(html):
            seen.total = int(match.group(1))
        if 'id="ops-layer"' in html:
            seen.layer = html[html.index('id="ops-layer"') :]


def group_row(name: str, members: int) -> str:
    return f'<th scope="row"><code>{name}</code></th><td>{members}</td>'


async def test_a_dashboard_on_one_process_sees_both_processes(cluster):
    a, b, staff = cluster
    cookie = client.open_session(a.url)
    tabs = [
        await client.open_socket(a.ws_url, cookie),
        await client.open_socket(a.ws_url, cookie),
        await client.open_socket(b.ws_url, cookie),
    ]
    ops_url = a.ws_url.replace("/ws/calc/", "/ws/ops/")
    headers = {"Cookie": f"sessionid={staff}"}
    async with connect(
        ops_url, origin=client.http_origin(ops_url), additional_headers=headers
    ) as ops:
        seen = Seen()
        try:
            both = {name_of(a): 2, name_of(b): 1}
            await watch_until(ops, seen, lambda seen: seen.processes == both and seen.total == 3)
            # Read from Redis: both reporters in the "ops" group, the session's three sockets
            # in its group (named by a prefix of the session key only).
            session_key = cookie.partition("sessionid=")[2].partition(";")[0]
            await watch_until(
                ops,
                seen,
                lambda seen: (
                    "(redis)" in seen.layer
                    and group_row("ops", 2) in seen.layer
                    and group_row(f"calc.{session_key[:6]}…", 3) in seen.layer
                ),
            )
        finally:
            for tab in tabs:
                await tab.close()
        idle = {name_of(a): 0, name_of(b): 0}
        await watch_until(ops, seen, lambda seen: seen.processes == idle and seen.total == 0)

        b.stop()
        started = asyncio.get_running_loop().time()
        await watch_until(ops, seen, lambda seen: set(seen.processes) == {name_of(a)})
        assert asyncio.get_running_loop().time() - started <= consumer.AGE_OUT_SECONDS + 3
