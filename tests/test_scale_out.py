"""Scale-out for real: two daphne processes sharing one Redis and one PostgreSQL.

A session's socket on process A and its socket on process B act as two tabs of one browser: a
submit on A reaches B through the Redis channel layer, variables set on A are known on B (they
live in the database, not in a process), and a reload on either port shows the whole history.
A person signed in on two devices, one on each process, is one transcript the same way, and the
API's writes on one process show on the other's sockets; signing out on one process closes that
browser's sockets on both, and a password changed there closes the other devices' sockets.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import urllib.error
import urllib.request

import pytest
import redis as redis_py
from prometheus_client.parser import text_string_to_metric_families
from websockets.exceptions import ConnectionClosed

from calculator.live.admission import CLOSE_SESSION_ENDED
from testing import client, postgres, redis
from testing.daphne import DaphneServer, migrate, server_env
from testing.required import require
from testing.staff import account_on_server, on_server

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


PASSWORD = "a-long-passphrase-42"


@pytest.fixture
def ann(two_processes) -> str:
    """A new account in the servers' database; its email."""
    email = f"ann-{secrets.token_hex(4)}@example.com"
    account_on_server(two_processes[0].env, email, PASSWORD)
    return email


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


def api(base_url: str, method: str, path: str, token: str, body: dict | None = None, key: str = ""):
    """(status, JSON body) of one plain HTTP request with a token and no cookie; `key`: its
    Idempotency-Key."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(f"{base_url}/api/v1{path}", data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


async def closed_with(ws) -> tuple[list[str], int | None]:
    """Every message a socket is sent until it closes, and its close code."""
    messages = []
    try:
        while True:
            messages.append(await asyncio.wait_for(ws.recv(), timeout=10))
    except ConnectionClosed:
        return messages, ws.close_code


async def test_a_person_on_two_processes_is_one_transcript_and_the_api_writes_to_it(
    two_processes, ann
):
    a, b = two_processes
    phone = await asyncio.to_thread(client.sign_in, a.url, ann, PASSWORD)
    laptop = await asyncio.to_thread(client.sign_in, b.url, ann, PASSWORD)
    assert phone != laptop  # two devices: two browser sessions of one person
    token = await asyncio.to_thread(
        on_server, a.env, "calc_token", "create", ann, "--name", "ci", "--scope", "write"
    )
    on_a = await client.open_socket(a.ws_url, phone)
    on_b = await client.open_socket(b.ws_url, laptop)
    try:
        assert client.result_of(await client.submit(on_a, "x = 6")) == "6"
        assert client.result_of(await next_entry(on_b)) == "6"
        assert client.result_of(await client.submit(on_b, "x * 7")) == "42"
        assert client.result_of(await next_entry(on_a)) == "42"

        # The API on A stores with the person's variables and shows the entry on B's socket.
        status, entry = await asyncio.to_thread(
            api, a.url, "POST", "/entries", token, {"expression": "ans + x"}
        )
        assert (status, entry["display"]) == (201, "48")
        for socket in (on_b, on_a):
            shown = await next_entry(socket)
            assert f'<li id="entry-{entry["id"]}"' in shown
            assert client.result_of(shown) == "48"

        # Deleted through the API on B: gone from A's socket too.
        status, _ = await asyncio.to_thread(api, b.url, "DELETE", f"/entries/{entry['id']}", token)
        assert status == 204
        deletion = await asyncio.wait_for(on_a.recv(), timeout=10)
        assert f'<li id="entry-{entry["id"]}" hx-swap-oob="delete">' in deletion
    finally:
        await on_a.close()
        await on_b.close()

    status, listing = await asyncio.to_thread(api, b.url, "GET", "/entries", token)
    assert (status, [row["expression"] for row in listing["entries"]]) == (200, ["x = 6", "x * 7"])
    for server, cookie in ((a, laptop), (b, phone)):
        html = await asyncio.to_thread(page, server.url, cookie)
        assert re.findall(r'<output role="none">(.*?)</output>', html) == ["6", "42"]

    # A retry sent to both processes at once (one Idempotency-Key): PostgreSQL's unique
    # (owner, submit_key) lets one row in, and both answers are that row.
    for n in range(5):
        body, key = {"expression": f"{n} + 1"}, f"retry-{n}"
        answers = await asyncio.gather(
            *(asyncio.to_thread(api, s.url, "POST", "/entries", token, body, key) for s in (a, b))
        )
        assert [status for status, _ in answers] == [201, 201]
        assert answers[0][1] == answers[1][1]
    status, listing = await asyncio.to_thread(api, a.url, "GET", "/entries", token)
    assert [row["expression"] for row in listing["entries"]][2:] == [f"{n} + 1" for n in range(5)]


DISCONNECTS = "calc_websocket_disconnects_total"


def scraped(server: DaphneServer, name: str, labels: dict) -> float:
    """One sample of a process's /metrics (answered to loopback), 0 when not there yet."""
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:
        text = response.read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


async def until(condition, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(condition):
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.1)


async def two_devices(a: DaphneServer, b: DaphneServer, person: str):
    """`person` signed in on a phone and a laptop: the phone with a socket on each process, the
    laptop with one on `b`. Returns (phone cookie, laptop cookie, phone sockets, laptop socket)."""
    phone = await asyncio.to_thread(client.sign_in, a.url, person, PASSWORD)
    laptop = await asyncio.to_thread(client.sign_in, a.url, person, PASSWORD)
    phone_sockets = [
        await client.open_socket(a.ws_url, phone),
        await client.open_socket(b.ws_url, phone),
    ]
    return phone, laptop, phone_sockets, await client.open_socket(b.ws_url, laptop)


async def assert_live(socket) -> None:
    """Nothing closed or told `socket` anything, and it still answers a line."""
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(socket.recv(), timeout=0.5)
    assert client.result_of(await client.submit(socket, "2 + 2")) == "4"


async def test_signing_out_on_one_process_closes_that_browsers_sockets_on_both(two_processes, ann):
    a, b = two_processes
    phone, laptop, phone_sockets, on_laptop = await two_devices(a, b, ann)
    ended = {"code": str(CLOSE_SESSION_ENDED)}
    before = [await asyncio.to_thread(scraped, server, DISCONNECTS, ended) for server in (a, b)]
    try:
        await asyncio.to_thread(client.sign_out, a.url, phone)
        for socket in phone_sockets:
            messages, code = await closed_with(socket)
            assert code == CLOSE_SESSION_ENDED
            assert any("signed out" in message for message in messages)
        # Each process counts its closed socket under the code (what the dashboard shows).
        for server, count in zip((a, b), before, strict=True):
            await until(lambda s=server, n=count: scraped(s, DISCONNECTS, ended) == n + 1)
        # The other device stays live and signed in.
        await assert_live(on_laptop)
    finally:
        for socket in (*phone_sockets, on_laptop):
            await socket.close()


async def test_a_password_change_on_one_process_closes_the_other_devices_sockets_on_both(
    two_processes, ann
):
    a, b = two_processes
    phone, laptop, phone_sockets, on_laptop = await two_devices(a, b, ann)
    new = "another-long-passphrase-7"
    fields = {"oldpassword": PASSWORD, "password1": new, "password2": new}
    path = "/accounts/password/change/"
    try:
        await asyncio.to_thread(client.post_form, a.url, laptop, path, path, fields)
        for socket in phone_sockets:
            messages, code = await closed_with(socket)
            assert code == CLOSE_SESSION_ENDED
            assert any("password was changed" in message for message in messages)
        # The browser that changed it stays live, on the other process too.
        await assert_live(on_laptop)
    finally:
        for socket in (*phone_sockets, on_laptop):
            await socket.close()


async def test_failed_sign_ins_are_counted_across_processes(two_processes, ann):
    """allauth's rate limits count in the cache, which is Redis with REDIS_URL: five failures
    spread over both processes refuse the next attempt on either, right password or not.

    Behind the load balancer every process sees the same Host, which allauth's per-account key
    includes (its site's domain): sent here as HAProxy passes it on.
    """
    a, b = two_processes
    with redis_py.Redis.from_url(a.env["REDIS_URL"]) as shared:  # no attempt counted yet
        for key in shared.scan_iter(match="*allauth:rl:*"):
            shared.delete(key)

    def attempt(server: DaphneServer, password: str) -> tuple[str, str]:
        fields = {"login": ann, "password": password}
        form = "/accounts/login/"
        return client.post_form(server.url, "", form, form, fields, host="localhost")

    for server in (a, b, a, b, a):
        assert "not correct" in (await asyncio.to_thread(attempt, server, "wrong"))[1]
    for server in (b, a):
        cookie, answer = await asyncio.to_thread(attempt, server, PASSWORD)
        assert "Too many failed login attempts" in answer
        assert "sessionid" not in cookie
