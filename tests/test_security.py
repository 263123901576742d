"""The attacks in one place: foreign origins, garbage frames, floods, XSS and code injection."""

from __future__ import annotations

import json
import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.models import Calculation
from config.asgi import application
from tests.conftest import open_socket, preview_frame, submit_frame

pytestmark = pytest.mark.django_db(transaction=True)


async def test_foreign_origin_is_refused_at_the_handshake(session_key):
    communicator = WebsocketCommunicator(
        application,
        "/ws/calc/",
        headers=[
            (b"origin", b"http://evil.example"),
            (b"cookie", f"sessionid={session_key}".encode()),
        ],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_missing_origin_is_refused(session_key):
    communicator = WebsocketCommunicator(
        application, "/ws/calc/", headers=[(b"cookie", f"sessionid={session_key}".encode())]
    )
    connected, _ = await communicator.connect()
    assert not connected


BAD_FRAMES = [
    ("not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('"2+2"', "must be a JSON object"),
    ('{"HEADERS": {"HX-Trigger": "calc-form"}}', "expression must be a string"),
    ('{"expression": 42, "HEADERS": {"HX-Trigger": "calc-form"}}', "expression must be a string"),
    ('{"expression": "1", "HEADERS": "x"}', "HEADERS must be an object"),
    ('{"expression": "1"}', "names no known action"),
    ('{"expression": "1", "evil": 1, "HEADERS": {"HX-Trigger": "calc-form"}}', "unexpected field"),
    ('{"recall": "abc"}', "recall must name an entry"),
    ('{"recall": -1}', "recall must name an entry"),
    ('{"recall": true}', "recall must name an entry"),
    ("{" + '"expression": "' + "1" * 5000 + '"}', "message too large"),
]


@pytest.mark.parametrize(("frame", "message"), BAD_FRAMES)
async def test_bad_frames_get_a_notice_and_the_socket_keeps_working(session_key, frame, message):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_to(text_data=frame)
    html = await socket.receive_from()
    assert html.startswith('<p id="notice"')
    assert message in html
    await socket.send_json_to(submit_frame("2+2"))
    assert '<output role="none">4</output>' in await socket.receive_from()
    await socket.disconnect()


async def test_binary_frames_are_refused_with_a_notice(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_to(bytes_data=b"\x00\x01binary")
    assert "Binary messages are not accepted" in await socket.receive_from()
    await socket.send_json_to(submit_frame("3*3"))
    assert '<output role="none">9</output>' in await socket.receive_from()
    await socket.disconnect()


async def test_expression_over_the_length_limit_is_an_error_entry(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("1+" * 600 + "1"))
    html = await socket.receive_from()
    assert "entry--error" in html
    assert "too long" in html
    await socket.disconnect()


@override_settings(CALC_RATE_LIMIT=5)
async def test_flood_is_rate_limited_with_a_notice_never_silently(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    for _ in range(30):
        await socket.send_json_to(submit_frame("1+1"))
    replies = [await socket.receive_from() for _ in range(11)]
    assert await socket.receive_nothing()
    answered = sum('<output role="none">2</output>' in reply for reply in replies)
    limited = sum("Too many messages" in reply for reply in replies)
    assert answered == 10  # the burst: twice the rate
    assert limited == 1  # once per run of refused frames: a refused frame costs no rendering
    await socket.disconnect()


CODE_INJECTION = [
    "__import__('os').system('id')",
    "().__class__",
    "'a'*3",
    "[1,2]",
    "lambda: 1",
    "x.__class__",
    "open('/etc/passwd')",
    "globals()",
]


@pytest.mark.parametrize("attack", CODE_INJECTION)
async def test_code_injection_is_just_an_error(session_key, attack):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame(attack))
    html = await socket.receive_from()
    assert "entry--error" in html
    assert "root:" not in html and "uid=" not in html
    await socket.disconnect()


XSS = ["<img src=x onerror=alert(1)>", '"><script>alert(1)</script>', "<svg/onload=alert(1)>"]


@pytest.mark.parametrize("payload", XSS)
async def test_user_text_is_escaped_in_every_fragment(session_key, payload):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame(payload))
    entry = await socket.receive_from()
    await socket.send_json_to(preview_frame(payload, "k2"))
    preview = await socket.receive_from()
    entry_id = int(re.search(r'id="entry-(\d+)"', entry).group(1))
    await socket.send_json_to({"recall": entry_id})
    recalled = await socket.receive_from()
    for html in (entry, preview, recalled):
        assert "<script>" not in html and "<img" not in html and "<svg" not in html
    assert "&lt;" in entry and "&lt;" in recalled
    await socket.disconnect()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    frame=st.one_of(
        st.text(min_size=1, max_size=300),
        st.builds(
            json.dumps,
            st.dictionaries(
                st.sampled_from(["expression", "recall", "HEADERS", "csrfmiddlewaretoken", "x"]),
                st.one_of(st.text(max_size=50), st.integers(), st.none(), st.booleans()),
            ),
        ),
        st.builds(lambda e: json.dumps(submit_frame(e)), st.text(max_size=200)),
    )
)
async def test_fuzzed_frames_never_break_the_socket(make_session_key, frame):
    socket = await open_socket(await make_session_key())  # each example its own, empty session
    await socket.receive_from()
    await socket.send_to(text_data=frame)
    reply = await socket.receive_output(timeout=5)
    assert reply["type"] == "websocket.send"
    await socket.send_json_to(submit_frame("40+2"))
    assert '<output role="none">42</output>' in await socket.receive_from()
    await socket.disconnect()


async def test_stored_rows_survive_a_flood_of_garbage(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("7*6"))
    await socket.receive_from()
    for frame in ("{", "[]", '{"recall": "x"}', "\x00" * 100):
        await socket.send_to(text_data=frame)
        await socket.receive_from()
    await socket.disconnect()
    rows = await sync_to_async(list)(
        Calculation.objects.filter(owner=session_key).values_list("display", flat=True)
    )
    assert rows == ["42"]
