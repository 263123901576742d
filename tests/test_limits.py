"""The socket limits of issue 10 (#8-#11), through the real application: caps on open sockets
and connect rates per session and per client address, a bounded transcript on connect, clears
that cost the same for 1 tab or 50, and floods that end the socket.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings

from calculator import render, services
from calculator.live import admission, consumer
from calculator.live.admission import CLOSE_LIMITED, Refusal, RefusalLog
from calculator.live.ratelimit import KeyedBuckets
from calculator.models import Calculation
from config.asgi import application
from tests.conftest import ORIGIN, clear_frame, new_session_key, submit_frame

ADDRESS = "192.0.2.1"


async def connect(session_key: str, address: str = ADDRESS) -> tuple[WebsocketCommunicator, str]:
    """A socket from `address`, connected; with its first message."""
    headers = [(b"origin", ORIGIN), (b"host", b"127.0.0.1")]
    headers.append((b"cookie", f"sessionid={session_key}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/calc/", headers=headers)
    communicator.scope["client"] = [address, 50000]
    connected, _ = await communicator.connect()
    assert connected
    return communicator, await communicator.receive_from()


async def closed_code(communicator: WebsocketCommunicator) -> int:
    message = await communicator.receive_output()
    assert message["type"] == "websocket.close"
    return message["code"]


def is_live(html: str) -> bool:
    return "status--live" in html


new_key = sync_to_async(new_session_key)

# (limit overridden, whether the sockets share a session, an address, stay open, status shown)
CAPS = [
    ({"CALC_MAX_SOCKETS_PER_SESSION": 3}, True, False, True, "too many tabs"),
    ({"CALC_MAX_SOCKETS_PER_ADDRESS": 3}, False, True, True, "too many connections"),
    ({"CALC_CONNECT_RATE_PER_SESSION": 3 / 20}, True, False, False, "too many connections"),
    ({"CALC_CONNECT_RATE_PER_ADDRESS": 3 / 20}, False, True, False, "too many connections"),
]


@pytest.mark.parametrize(("limit", "one_session", "one_address", "hold", "shown"), CAPS)
async def test_the_socket_over_a_limit_is_told_why_and_closed_for_good(
    transactional_db, limit, one_session, one_address, hold, shown
):
    shared_key = await new_key()
    with override_settings(**limit):
        admitted = []
        for n in range(3):
            key = shared_key if one_session else await new_key()
            socket, first = await connect(key, ADDRESS if one_address else f"192.0.2.{10 + n}")
            assert is_live(first)
            admitted.append(socket)
            if not hold:
                await socket.disconnect()
        over, html = await connect(shared_key if one_session else await new_key())
        assert shown in html
        # A final status: a link to reload, and no request for the "reconnecting…" one.
        assert '<a href="/">closed:' in html and "hx-get" not in html
        assert await closed_code(over) == CLOSE_LIMITED
        if hold:  # a cap, not a rate: one tab closed makes room for another
            await admitted[0].disconnect()
            again, html = await connect(shared_key if one_session else await new_key())
            assert is_live(html)
            await again.disconnect()
        for socket in admitted[1:] if hold else []:
            await socket.disconnect()


async def test_refusals_are_logged_by_reason_with_a_count_and_a_short_session(
    transactional_db, caplog, monkeypatch
):
    monkeypatch.setattr(admission, "refusals", RefusalLog())  # nothing logged before this test
    key = await new_key()
    with override_settings(CALC_MAX_SOCKETS_PER_SESSION=1):
        first, _ = await connect(key)
        with caplog.at_level(logging.INFO, logger="calculator"):
            for _ in range(5):
                over, _ = await connect(key)
                await closed_code(over)
        await first.disconnect()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused")]
    assert lines == [f"refused reason=session-sockets count=1 session={key[:6]}"]
    assert key not in caplog.text


def test_the_refusal_log_sums_up_each_reason_once_a_second(caplog):
    now = [0.0]
    log = RefusalLog(clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="calculator"):
        for tick in range(1000):
            now[0] = tick * 0.002
            log.note(Refusal.FLOOD)
            log.note(Refusal.ADDRESS_CONNECTS)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "refused reason=flood count=1",
        "refused reason=address-connects count=1",
        "refused reason=flood count=500",
        "refused reason=address-connects count=500",
    ]


@pytest.mark.parametrize(
    ("keys", "max_keys", "kept"),
    [
        (100, 1000, 100),  # under the bound: every bucket kept
        (5000, 1000, 1000),  # past it: the oldest go, never more than the bound
    ],
)
def test_keyed_buckets_hold_bounded_memory(keys, max_keys, kept):
    buckets = KeyedBuckets(rate=1, burst=2, max_keys=max_keys, clock=lambda: 0.0)
    for key in range(keys):
        assert buckets.take(key)
    assert len(buckets) <= kept
    assert [buckets.take(keys - 1) for _ in range(2)] == [True, False]  # the newest is kept


def test_keyed_buckets_drop_full_buckets_before_spent_ones():
    now = [0.0]
    buckets = KeyedBuckets(rate=1, burst=1, max_keys=4, clock=lambda: now[0])
    assert buckets.take("spent")
    now[0] += 0.5
    for key in ("a", "b", "c"):
        assert buckets.take(key)
    now[0] += 0.6  # "spent" is full again, the others not yet
    buckets.take("d")  # past max_keys: prune
    assert buckets.take("a") is False  # kept, still spent: refused
    assert buckets.take("spent") is True  # dropped when full: a new full bucket


@override_settings(CALC_RATE_LIMIT=5, CALC_MAX_REFUSED_FRAMES=20)
async def test_a_flood_gets_one_notice_then_the_socket_is_closed(session_key, monkeypatch):
    socket, _ = await connect(session_key)
    parsed, rendered = [], []
    monkeypatch.setattr(consumer, "parse_frame", counting(consumer.parse_frame, parsed))
    monkeypatch.setattr(render, "render", counting(render.render, rendered))
    for _ in range(10 + 20 + 50):
        await socket.send_to(text_data="x")
    replies = [await socket.receive_from() for _ in range(10 + 1 + 1)]
    assert await closed_code(socket) == CLOSE_LIMITED
    assert sum("message is not valid JSON" in reply for reply in replies) == 10
    assert sum("Too many messages" in reply for reply in replies) == 1
    assert "too many messages; reload the page" in replies[-1]
    assert len(parsed) == 10 + 1  # of the refused frames, only the first is read
    assert len(rendered) == 10 + 2  # nor rendered: one notice, one status
    await socket.disconnect()


def counting(function, calls: list):
    def counted(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return counted


TABS = 50


@override_settings(CALC_MAX_SOCKETS_PER_SESSION=TABS, CALC_CONNECT_RATE_PER_SESSION=TABS)
async def test_one_clear_costs_the_same_for_fifty_tabs_as_for_one(session_key, monkeypatch):
    """Issue 10 #8: every socket reloaded and re-rendered the snapshot on every clear."""
    tabs = [(await connect(session_key))[0] for _ in range(TABS)]
    loads, rendered = [], []
    monkeypatch.setattr(services, "load_snapshot", counting(services.load_snapshot, loads))
    monkeypatch.setattr(render, "render", counting(render.render, rendered))
    await tabs[0].send_json_to(clear_frame())
    for tab in tabs:
        assert "transcript__empty" in await tab.receive_from()
    assert loads == []
    # The empty transcript, the hidden last-result link and the preview once; the origin's panel.
    assert len(rendered) <= 4
    for tab in tabs:
        await tab.disconnect()


LONG = 500


async def test_a_connect_sends_the_latest_entries_and_a_link_to_the_page(session_key):
    """Issue 10 #9: a connect rendered the whole (up to 500 entries) transcript."""
    rows = [
        Calculation(owner=session_key, expression=f"{n}+0", display=str(n), value=str(n))
        for n in range(LONG)
    ]
    await sync_to_async(Calculation.objects.bulk_create)(rows)
    socket, html = await connect(session_key)
    while not await socket.receive_nothing(timeout=0.2):
        html += await socket.receive_from()
    shown = [int(n) for n in re.findall(r'<output role="none">(\d+)</output>', html)]
    assert shown == list(range(LONG - 50, LONG))
    assert '450 earlier entries stored, not shown: <a href="/">show more</a>' in html
    await socket.disconnect()

    page = await sync_to_async(page_for)(session_key)
    assert page.count('<output role="none">') == LONG and "show more" not in page


def page_for(session_key: str) -> str:
    browser = Client()
    browser.cookies["sessionid"] = session_key
    return browser.get("/").content.decode()


async def test_a_submit_still_works_next_to_a_refused_socket(session_key):
    with override_settings(CALC_MAX_SOCKETS_PER_SESSION=1):
        socket, _ = await connect(session_key)
        over, _ = await connect(session_key)
        await closed_code(over)
        await socket.send_json_to(submit_frame("6*7"))
        assert '<output role="none">42</output>' in await socket.receive_from()
        await socket.disconnect()


@override_settings(CALC_RATE_LIMIT=5)
async def test_the_tabs_of_a_session_share_one_frame_budget(session_key):
    """Issue 10 #8: per socket, 20 tabs had 20 budgets, and each clear went to all 20."""
    first, _ = await connect(session_key)
    second, _ = await connect(session_key)
    for _ in range(10):  # the burst: twice the rate
        await first.send_json_to(submit_frame("1+1"))
        assert '<output role="none">2</output>' in await first.receive_from()
        await second.receive_from()  # the entry, shown in the other tab too
    await second.send_json_to(submit_frame("1+1"))
    assert "Too many messages" in await second.receive_from()
    await first.disconnect()
    await second.disconnect()


@override_settings(CALC_RATE_LIMIT=5)  # bursts of 10 frames
async def test_a_line_refused_as_too_fast_goes_back_into_the_field(session_key):
    """Enter empties the field as it sends: a refused submit gave only a notice, and the line
    was gone (one more press of Enter in a burst, or a line of a session with many tabs)."""
    socket, _ = await connect(session_key)
    for _ in range(10):
        await socket.send_json_to(submit_frame("1+1"))
        await socket.receive_from()
    await socket.send_json_to(submit_frame("6*7", field="kept-key"))
    reply = await socket.receive_from()
    assert 'id="expression"' in reply and 'value="6*7"' in reply and "kept-key" in reply
    assert consumer.TOO_FAST_LINE_BACK in reply
    await socket.send_json_to(submit_frame("7*8"))  # the same run: not read, a notice at most
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


TABS_AT_ONCE = 20  # CALC_CONNECT_RATE_PER_SESSION's burst: all of them admitted


async def test_another_session_is_answered_during_a_burst_of_connects(session_key):
    """A session's connects take turns (admission.ConnectTurns): all at once, their database
    work and rendering went ahead of everyone else's, and another session's `1+1` was answered
    after 17-19 of its 20 greetings."""
    bystander, _ = await connect(await new_key(), "192.0.2.2")
    greeted = []

    async def open_tab() -> WebsocketCommunicator:
        socket, first = await connect(session_key)
        greeted.append(is_live(first))
        return socket

    tabs = [asyncio.create_task(open_tab()) for _ in range(TABS_AT_ONCE)]
    while not greeted:
        await asyncio.sleep(0)
    await bystander.send_json_to(submit_frame("1+1"))
    assert '<output role="none">2</output>' in await bystander.receive_from()
    greeted_meanwhile = len(greeted) - 1
    for tab in await asyncio.gather(*tabs):
        await tab.disconnect()
    await bystander.disconnect()
    assert greeted == [True] * TABS_AT_ONCE
    assert greeted_meanwhile <= 1
    assert len(admission.current().connects) == 0  # no lock kept once the burst is over


async def received(socket: WebsocketCommunicator) -> list[str]:
    """Every message the socket has been sent until it is sent nothing for a moment."""
    messages = []
    while not await socket.receive_nothing(timeout=0.05):
        messages.append(await socket.receive_from())
    return messages


@override_settings(CALC_RATE_LIMIT=5)  # bursts of 10 frames
async def test_many_tabs_cannot_multiply_a_sessions_frames_into_sends(session_key):
    """Issue 10 #8's clear storm: each of a session's frames went on to every tab, so 20 tabs
    made its burst of 10 clears 200 sends at once, and another session waited 130-280 ms."""
    tabs = [(await connect(session_key))[0] for _ in range(TABS_AT_ONCE)]
    for tab in tabs:
        await tab.send_json_to(clear_frame())
    messages = [message for tab in tabs for message in await received(tab)]
    sent_on = sum("transcript__empty" in message for message in messages)
    # Its sends to tabs: admission.FANOUT_TABS (2) times its burst of 10, one clear to 20 tabs.
    assert sent_on == TABS_AT_ONCE
    assert sum("Too many messages" in message for message in messages) == TABS_AT_ONCE - 1
    await tabs[0].send_json_to(submit_frame("6*7"))  # over the budget of sends as well
    reply = await tabs[0].receive_from()
    assert 'value="6*7"' in reply and consumer.TOO_FAST_LINE_BACK in reply
    for tab in tabs:
        await tab.disconnect()


async def test_a_long_greeting_lets_other_sockets_work_between_its_messages(
    session_key, monkeypatch
):
    """Rendered and sent at once, 50 lines of 1,000 characters held the event loop for 14 ms
    (issue 10 #9's looping handshakes): now each of its messages is rendered in a turn of its
    own, and every ready task runs between two of them."""
    line = "1+" * 499 + "1"
    rows = [
        Calculation(owner=session_key, expression=line, display="500", value="500")
        for _ in range(50)
    ]
    await sync_to_async(Calculation.objects.bulk_create)(rows)
    events: list[str] = []
    monkeypatch.setattr(render, "render", counting(render.render, events))

    async def others() -> None:
        while True:
            if events[-1:] != ["tick"]:
                events.append("tick")
            await asyncio.sleep(0)

    ticker = asyncio.create_task(others())
    socket, _ = await connect(session_key)
    while not await socket.receive_nothing(timeout=0.1):
        await socket.receive_from()
    ticker.cancel()
    greeting = [n for n, event in enumerate(events) if event[0] in ("connected", "appended")]
    assert len(greeting) > 5  # several messages
    assert all("tick" in events[a:b] for a, b in itertools.pairwise(greeting))
    await socket.disconnect()
