"""The operations dashboard through the real application: who may open /ops/ and /ws/ops/, what
the socket sends while watched, and that nothing is done for it while nobody watches."""

from __future__ import annotations

import asyncio
import re

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.test import Client

from calculator import metrics
from calculator.ops import access, consumer, reporter
from calculator.ops.report import gauge_value
from config.asgi import application
from testing.staff import signed_in
from tests.conftest import ORIGIN, open_socket

# Updates come once a second: a few seconds is plenty for one, and short enough to wait for none.
UPDATE_TIMEOUT = 5


def page(session_key: str | None) -> Client:
    client = Client()
    if session_key:
        client.cookies["sessionid"] = session_key
    return client


@pytest.fixture
def staff(transactional_db) -> str:
    return signed_in("ops-staff", staff=True)


@pytest.fixture
def member(transactional_db) -> str:
    return signed_in("ops-member", staff=False)


@pytest.fixture
def sessions(staff, member) -> dict[str | None, str | None]:
    """The browser sessions of the table's people: nobody signed in, a member, staff."""
    return {None: None, "member": member, "staff": staff}


@pytest.mark.parametrize(
    ("who", "status", "location"),
    [
        (None, 302, "{login}?next=/ops/%3Fx%3D1"),
        ("member", 403, None),
        ("staff", 200, None),
    ],
)
def test_page_is_for_staff_only(sessions, who, status, location):
    response = page(sessions[who]).get("/ops/?x=1")
    assert response.status_code == status
    login = resolve_url(settings.LOGIN_URL)  # /accounts/login/ (allauth's) by default
    assert response.get("Location") == (location.format(login=login) if location else None)
    if status == 200:
        html = response.content.decode()
        assert 'ws-connect="/ws/ops/"' in html
        assert re.search(r'<dd id="ops-sockets">\d+</dd>', html)


def test_page_lists_this_process_and_the_layer(staff):
    html = page(staff).get("/ops/").content.decode()
    assert reporter.reports.name in html
    assert "Channel layer" in html and "(in-memory)" in html
    # Same CSP as the calculator: no inline script anywhere, scripts only from our origin.
    response = page(staff).get("/ops/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in html
    assert not re.search(r"<[^>]+\son\w+=", html)  # no inline handlers
    assert "hx-on" not in html


async def ops_socket(session_key: str | None, origin: bytes = ORIGIN) -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"127.0.0.1")]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    return WebsocketCommunicator(application, "/ws/ops/", headers=headers)


@pytest.mark.parametrize(
    ("who", "code"),
    [(None, access.CLOSE_SIGN_IN), ("member", access.CLOSE_FORBIDDEN)],
)
async def test_socket_of_anyone_but_staff_is_closed_and_sent_nothing(sessions, who, code):
    socket = await ops_socket(sessions[who])
    connected, _ = await socket.connect()
    assert connected
    assert await socket.receive_output(1) == {"type": "websocket.close", "code": code}
    await asyncio.sleep(consumer.UPDATE_SECONDS * 1.5)
    assert await socket.receive_nothing()


async def test_socket_from_a_foreign_origin_is_refused(staff):
    socket = await ops_socket(staff, origin=b"http://evil.example")
    connected, _ = await socket.connect()
    assert not connected


async def next_update(socket: WebsocketCommunicator) -> str:
    return await socket.receive_from(timeout=UPDATE_TIMEOUT)


async def sockets_shown(socket: WebsocketCommunicator, expected: int) -> str:
    """Reads updates until #ops-sockets shows `expected`; the update that did."""
    while True:
        html = await next_update(socket)
        match = re.search(r'<dd id="ops-sockets">(\d+)</dd>', html)
        if match and int(match.group(1)) == expected:
            return html


async def test_staff_socket_shows_open_sockets_as_they_change(staff, make_session_key):
    watcher = await ops_socket(staff)
    assert (await watcher.connect())[0]
    try:
        base = int(gauge_value(metrics.websocket_connections))
        await sockets_shown(watcher, base)
        metrics.websocket_connections.inc(2)
        html = await sockets_shown(watcher, base + 2)
        assert 'hx-swap-oob="true"' in html
        metrics.websocket_connections.dec(2)
        await sockets_shown(watcher, base)
    finally:
        await watcher.disconnect()


async def test_updates_come_at_most_once_a_second_with_only_what_changed(staff):
    watcher = await ops_socket(staff)
    assert (await watcher.connect())[0]
    try:
        first = await next_update(watcher)
        for part in ('id="ops-summary"', 'id="ops-processes"', 'id="ops-layer"', 'id="ops-logs"'):
            assert part in first
        loop = asyncio.get_running_loop()
        for _ in range(3):
            started = loop.time()
            later = await next_update(watcher)
            assert loop.time() - started >= consumer.UPDATE_SECONDS * 0.9
            assert 'id="ops-summary"' in later  # its clock moved
            assert 'id="ops-logs"' not in later  # no new warning: not sent again
    finally:
        await watcher.disconnect()


async def test_a_warning_reaches_the_log_table_without_the_session_key(staff):
    import logging

    watcher = await ops_socket(staff)
    assert (await watcher.connect())[0]
    try:
        await next_update(watcher)
        logging.getLogger("calculator.live.consumer").warning("store-failed session=%s", staff)
        while 'id="ops-logs"' not in (html := await next_update(watcher)):
            pass
        assert f"store-failed session={staff[:6]}…" in html
        assert staff not in html
    finally:
        await watcher.disconnect()


async def test_no_report_is_built_while_nobody_watches(staff, session_key):
    # A calculator socket starts the process's reporter, as any connection does.
    tab = await open_socket(session_key)
    try:
        await tab.receive_from()
        built = reporter.reports.built
        await asyncio.sleep(consumer.UPDATE_SECONDS * 2.5)
        assert reporter.reports.built == built  # listening, never asked

        watcher = await ops_socket(staff)
        assert (await watcher.connect())[0]
        await next_update(watcher)
        await next_update(watcher)
        assert reporter.reports.built > built
        await watcher.disconnect()

        await asyncio.sleep(consumer.UPDATE_SECONDS)  # a request in flight is answered
        built = reporter.reports.built
        await asyncio.sleep(consumer.UPDATE_SECONDS * 2.5)
        assert reporter.reports.built == built
    finally:
        await tab.disconnect()


async def test_two_watchers_cost_one_report_a_second(staff):
    watchers = [await ops_socket(staff) for _ in range(2)]
    for watcher in watchers:
        assert (await watcher.connect())[0]
    try:
        await asyncio.gather(*(next_update(watcher) for watcher in watchers))
        built = reporter.reports.built
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(3):
            await asyncio.gather(*(next_update(watcher) for watcher in watchers))
        elapsed = loop.time() - started
        assert reporter.reports.built - built <= elapsed / consumer.UPDATE_SECONDS + 1
    finally:
        for watcher in watchers:
            await watcher.disconnect()


async def test_a_process_that_stops_answering_ages_out(staff):
    """A report from another process shows it; once it stops answering it goes."""
    watcher = await ops_socket(staff)
    assert (await watcher.connect())[0]
    try:
        await next_update(watcher)
        layer = get_channel_layer()
        ghost = {**reporter.reports.report(), "process": "elsewhere:1", "sockets": 5}
        # The watcher's channel name is private: answer its next request as a process would.
        listener = await layer.new_channel()
        await layer.group_add(reporter.GROUP, listener)
        request = await asyncio.wait_for(layer.receive(listener), UPDATE_TIMEOUT)
        await layer.group_discard(reporter.GROUP, listener)
        await layer.send(request["reply_to"], {"type": reporter.REPORT, "report": ghost})
        while "elsewhere:1" not in (html := await next_update(watcher)):
            pass
        while (
            "elsewhere:1" in (html := await next_update(watcher))
            or 'id="ops-processes"' not in html
        ):
            pass
    finally:
        await watcher.disconnect()


async def test_a_report_that_fails_to_build_leaves_the_reporter_answering(staff, monkeypatch):
    watcher = await ops_socket(staff)
    assert (await watcher.connect())[0]
    try:
        await next_update(watcher)
        calls = []

        def broken(*args, **kwargs):
            calls.append(1)
            raise ValueError("broken report")

        with monkeypatch.context() as patch:
            patch.setattr(reporter.reports, "report", broken)
            while len(calls) < 2:
                await asyncio.sleep(0.1)
        # Answering again: this process shows up in the next updates.
        while reporter.reports.name not in await next_update(watcher):
            pass
    finally:
        await watcher.disconnect()


@pytest.mark.parametrize(
    ("change", "code"),
    [("sign-out", access.CLOSE_SIGN_IN), ("not-staff", access.CLOSE_FORBIDDEN)],
)
async def test_an_open_dashboard_ends_when_its_user_may_no_longer_watch(
    staff, monkeypatch, change, code
):
    monkeypatch.setattr(access, "RECHECK_SECONDS", 1.0)
    watcher = await ops_socket(staff)
    assert (await watcher.connect())[0]
    await next_update(watcher)
    if change == "sign-out":
        await sync_to_async(SessionStore(staff).delete)()
    else:
        await sync_to_async(get_user_model().objects.filter(username="ops-staff").update)(
            is_staff=False
        )
    while True:
        output = await watcher.receive_output(UPDATE_TIMEOUT)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == code


@pytest.mark.parametrize(
    ("counts", "says"),
    [
        (
            (1, 1, 1, 1),
            "1 group · 1 message waiting in 1 channel · 1 send refused by a full channel",
        ),
        ((2, 0, 3, 0), "2 groups · 0 messages waiting in 3 channels · 0 sends refused by a full"),
    ],
)
def test_the_layers_counts_read_as_english(counts, says):
    groups, waiting, channels, hits = counts
    layer = {"backend": "in-memory", "group_count": groups, "waiting": waiting}
    layer |= {"channel_count": channels, "groups": [], "channels": []}
    html = render_to_string("ops/dashboard.html#layer", {"layer": layer, "capacity_hits": hits})
    assert says in html
