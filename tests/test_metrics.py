"""Each metric moves as it should, measured where it is counted: sockets and frames through the
real application, the store, the channel layer, the engine and HTTP requests.

The registry is the process's own (prometheus_client's REGISTRY), so each test reads how much a
value changed while it ran, never its absolute value.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest
from channels.testing import WebsocketCommunicator
from django.db import OperationalError
from django.test import override_settings
from prometheus_client import REGISTRY

from calculator import metrics, services, store
from calculator.engine import Session
from calculator.live import fanout
from calculator.live.admission import (
    CLOSE_LIMITED,
    CLOSE_SESSION_ENDED,
    CLOSE_SESSION_EXPIRED,
    Refusal,
)
from calculator.live.layer import RedisChannelLayer
from calculator.live.protocol import MAX_FRAME_BYTES, Action
from config.asgi import application
from testing import redis
from testing.daphne import ROOT, free_port
from testing.required import require
from tests.conftest import clear_frame, open_socket, preview_frame, submit_frame

pytestmark = pytest.mark.django_db(transaction=True)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Changes:
    """`with Changes(("name", {labels}), …) as changed:` then `changed()` is each value's change."""

    def __init__(self, *series: tuple[str, dict]) -> None:
        self.series = series

    def __enter__(self):
        self.before = [value(name, **labels) for name, labels in self.series]
        return self

    def __exit__(self, *exc) -> None:
        pass

    def __call__(self) -> list[float]:
        now = [value(name, **labels) for name, labels in self.series]
        return [after - before for after, before in zip(now, self.before, strict=True)]


OPEN = ("calc_websocket_connections", {})
CONNECTS = ("calc_websocket_connects_total", {})


def refused(reason: str) -> tuple[str, dict]:
    return ("calc_refused_frames_total", {"reason": reason})


def frames(action: str) -> tuple[str, dict]:
    return ("calc_websocket_frames_total", {"action": action})


def stage_count(stage: str) -> tuple[str, dict]:
    return ("calc_submit_stage_seconds_count", {"stage": stage})


async def test_a_socket_counts_open_while_open_and_its_close_code_when_closed(session_key):
    with Changes(OPEN, CONNECTS, ("calc_websocket_disconnects_total", {"code": "1000"})) as c:
        socket = await open_socket(session_key)
        await socket.receive_from()
        assert c() == [1, 1, 0]
        await socket.disconnect(code=1000)
        assert c() == [0, 1, 1]


async def test_an_unknown_close_code_counts_as_other(session_key):
    with Changes(("calc_websocket_disconnects_total", {"code": "other"})) as changed:
        socket = await open_socket(session_key)
        await socket.receive_from()
        await socket.disconnect(code=3999)
        assert changed() == [1]


@pytest.mark.parametrize("code", [CLOSE_LIMITED, CLOSE_SESSION_EXPIRED, CLOSE_SESSION_ENDED])
async def test_the_apps_own_close_codes_count_by_their_number(session_key, code):
    """A socket the app closes (a limit, an expired session, a sign-in or sign-out elsewhere)
    ends with the code it was sent, which the client echoes."""
    disconnects = ("calc_websocket_disconnects_total", {"code": str(code)})
    with Changes(disconnects, ("calc_websocket_disconnects_total", {"code": "other"})) as c:
        socket = await open_socket(session_key)
        await socket.receive_from()
        await socket.disconnect(code=code)
        assert c() == [1, 0]


# (frame, the action it counts as)
FRAMES = [
    (submit_frame("1+1"), "submit"),
    (preview_frame("1+"), "preview"),
    (clear_frame(), "clear"),
    ({"q": "1", "HEADERS": {}}, "search"),
    ({"recall": "99999", "HEADERS": {}}, "recall"),
    ({"remove": "99999", "HEADERS": {}}, "delete"),
    ({"angle": "deg", "HEADERS": {"HX-Trigger": "angle-form"}}, "angle"),
]


@pytest.mark.parametrize(("frame", "action"), FRAMES)
async def test_each_frame_counts_by_its_action(session_key, frame, action):
    socket = await open_socket(session_key)
    await socket.receive_from()
    with Changes(frames(action), frames("other")) as changed:
        await socket.send_json_to(frame)
        await socket.receive_from()
        assert changed() == [1, 0]
    await socket.disconnect()


def test_every_action_has_its_own_label_and_every_label_an_action():
    assert set(metrics.FRAME_ACTIONS) == {action.value for action in Action} | {"other"}


def test_every_action_is_in_the_frame_table():
    assert {action for _, action in FRAMES} == {action.value for action in Action}


# (what the socket is sent, the reason counted)
BAD_FRAMES = [
    ({"text_data": "not json"}, "bad_frame"),
    ({"text_data": json.dumps({"nope": 1})}, "bad_frame"),
    ({"text_data": "x" * (MAX_FRAME_BYTES + 1)}, "too_large"),
    ({"bytes_data": b"\x00\x01"}, "binary"),
]


@pytest.mark.parametrize(("message", "reason"), BAD_FRAMES)
async def test_a_refused_frame_counts_by_its_reason(session_key, message, reason):
    socket = await open_socket(session_key)
    await socket.receive_from()
    with Changes(refused(reason), frames("submit")) as changed:
        await socket.send_to(**message)
        await socket.receive_from()
        assert changed() == [1, 0]
    await socket.disconnect()


@override_settings(CALC_RATE_LIMIT=1)
async def test_rate_limited_frames_count_each(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    with Changes(refused("rate_limit"), frames("preview")) as changed:
        for _ in range(5):  # a burst of 2 passes, 3 are refused
            await socket.send_json_to(preview_frame("1"))
        await socket.receive_from()  # the one notice, after the answers
        while not await socket.receive_nothing(timeout=0.2):
            await socket.receive_from()
        assert changed() == [3, 2]
    await socket.disconnect()


@override_settings(CALC_MAX_SOCKETS_PER_SESSION=1)
async def test_a_socket_refused_by_admission_counts_by_reason_not_as_open(session_key):
    first = await open_socket(session_key)
    await first.receive_from()
    with Changes(refused("session_sockets"), OPEN, CONNECTS) as changed:
        second = await open_socket(session_key)
        await second.receive_from()  # its status: too many tabs
        assert (await second.receive_output())["code"] == CLOSE_LIMITED
        await second.disconnect(code=CLOSE_LIMITED)
        assert changed() == [1, 0, 0]
    await first.disconnect()


def test_every_admission_refusal_has_a_label():
    assert {refusal.metric for refusal in Refusal} <= set(metrics.REFUSAL_REASONS)


async def test_a_socket_without_a_stored_session_counts_as_no_session(transactional_db):
    with Changes(refused("no_session"), OPEN) as changed:
        socket = await open_socket("made-up-session-key-0123456789ab")
        await socket.receive_from()
        await socket.disconnect()
        assert changed() == [1, 0]


async def test_a_foreign_origin_counts_at_the_handshake(session_key):
    headers = [(b"origin", b"https://evil.example"), (b"host", b"127.0.0.1")]
    headers.append((b"cookie", f"sessionid={session_key}".encode()))
    with Changes(refused("origin"), CONNECTS) as changed:
        communicator = WebsocketCommunicator(application, "/ws/calc/", headers=headers)
        connected, _ = await communicator.connect()
        assert not connected
        assert changed() == [1, 0]


async def test_a_submit_times_its_whole_and_each_stage(session_key):
    series = [("calc_submit_duration_seconds_count", {})]
    series += [stage_count(stage) for stage in metrics.STAGES]
    socket = await open_socket(session_key)
    await socket.receive_from()
    with Changes(*series, ("calc_store_batch_size_count", {})) as changed:
        await socket.send_json_to(submit_frame("2*21"))
        await socket.receive_from()
        await asyncio.sleep(0.05)  # the fan-out follows the answer
        assert changed() == [1] * (len(metrics.STAGES) + 2)
    await socket.disconnect()


# (line, the engine's error class that answers it)
ENGINE_ERRORS = [
    ("1/0", "MathError"),
    ("1+", "ParseError"),
    ("nosuchname + 1", "UnknownNameError"),
    ("3 m + 2 s", "DimensionError"),
]


@pytest.mark.parametrize(("line", "kind"), ENGINE_ERRORS)
def test_a_line_the_engine_refuses_counts_by_the_error_class(line, kind):
    with Changes(("calc_engine_errors_total", {"kind": kind})) as changed:
        row, _ = services.calculate("k" * 32, line, Session())
        assert row.error
        assert changed() == [1]


def test_a_good_line_counts_no_engine_error():
    series = [("calc_engine_errors_total", {"kind": kind}) for kind in metrics.ENGINE_ERRORS]
    with Changes(*series) as changed:
        services.calculate("k" * 32, "1+1", Session())
        assert changed() == [0] * len(series)


async def test_rows_the_database_fails_to_store_count_as_store_errors(session_key, monkeypatch):
    def unavailable(rows):
        raise OperationalError("the database is gone")

    monkeypatch.setattr(store, "insert", unavailable)
    tab = services.Tab(session_key, Session())
    with Changes(("calc_store_errors_total", {}), ("calc_store_batch_size_count", {})) as c:
        results = await asyncio.gather(
            *(services.asubmit(tab, f"{n}+1") for n in range(3)), return_exceptions=True
        )
        assert all(isinstance(result, services.NotStored) for result in results)
        assert c() == [3, 1]


async def test_a_line_sent_twice_is_no_store_error(session_key):
    tab = services.Tab(session_key, Session())
    with Changes(("calc_store_errors_total", {})) as changed:
        await services.asubmit(tab, "1+1", "input-key-1")
        other_tab = services.Tab(session_key, Session())
        _, new = await services.asubmit(other_tab, "1+1", "input-key-1")
        assert not new and changed() == [0]


async def test_redis_unreachable_counts_each_failed_layer_operation():
    layer = RedisChannelLayer(hosts=[("127.0.0.1", free_port())])
    with Changes(("calc_channel_layer_errors_total", {"kind": "connection"})) as changed:
        await layer.group_add(fanout.group("s" * 32), "calc.channel")
        assert not await fanout.cleared(layer, "s" * 32, 1)
        assert changed() == [2]
    for task in asyncio.all_tasks():  # the layer's wait for Redis to come back
        if task.get_coro().__qualname__.endswith("_wait_for_redis"):
            task.cancel()


@pytest.mark.services
async def test_full_inboxes_on_redis_count_as_channel_full_and_name_no_group(caplog):
    require(redis.available())
    group = fanout.group("f" * 32)
    with redis.RedisServer() as server:
        layer = RedisChannelLayer(hosts=[server.url], capacity=1)
        for name in ("a", "b"):
            await layer.group_add(group, f"calc.{name}")
        with Changes(("calc_channel_layer_errors_total", {"kind": "ChannelFull"})) as changed:
            await layer.group_send(group, {"type": "calc.entry"})  # each inbox now full
            assert changed() == [0]
            await layer.group_send(group, {"type": "calc.entry"})
            assert changed() == [2]
        await layer.flush()
        await layer.close_pools()
    assert group not in caplog.text


TOKEN = "scrape-token-0123456789"
FORWARDED = {"HTTP_X_FORWARDED_FOR": "127.0.0.1"}
# (client address, extra headers, status): loopback only straight from this host, or the token
SCRAPES = [
    ("127.0.0.1", {}, 200),
    ("::1", {}, 200),
    ("::ffff:127.0.0.1", {}, 200),
    ("127.0.0.2", {}, 200),
    ("192.0.2.1", {}, 404),
    ("10.0.0.1", {}, 404),
    ("", {}, 404),
    ("127.0.0.1", FORWARDED, 404),  # through HAProxy on this host (daphne without --proxy-headers)
    ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 404),
    ("127.0.0.1", {"HTTP_FORWARDED": "for=127.0.0.1"}, 404),
    ("127.0.0.1", {"HTTP_X_REAL_IP": "127.0.0.1"}, 404),
    ("192.0.2.1", {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}, 200),
    ("192.0.2.1", {"HTTP_AUTHORIZATION": f"bearer {TOKEN}"}, 200),
    ("127.0.0.1", {**FORWARDED, "HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}, 200),
    ("192.0.2.1", {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}x"}, 404),
    ("192.0.2.1", {"HTTP_AUTHORIZATION": f"Bearer {TOKEN[:-1]}"}, 404),
    ("192.0.2.1", {"HTTP_AUTHORIZATION": f"Basic {TOKEN}"}, 404),
    ("192.0.2.1", {"HTTP_AUTHORIZATION": "Bearer "}, 404),
]


# The app's metrics and the client library's process and GC collectors.
SCRAPED = [
    "calc_websocket_connections ",
    "calc_submit_stage_seconds_bucket{",
    "process_cpu_seconds_total ",
    "python_gc_objects_collected_total{",
]


@pytest.mark.parametrize(("address", "headers", "status"), SCRAPES)
@override_settings(CALC_METRICS_TOKEN=TOKEN)
def test_metrics_are_shown_to_loopback_or_the_token_holder_only(client, address, headers, status):
    response = client.get("/metrics", REMOTE_ADDR=address, **headers)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("text/plain; version=")
        text = response.content.decode()
        for name in SCRAPED:
            assert name in text
    else:
        assert b"calc_" not in response.content


@pytest.mark.parametrize("address", ["127.0.0.1", "192.0.2.1"])
@override_settings(CALC_METRICS_TOKEN="")
def test_without_a_token_set_no_bearer_is_accepted(client, address):
    response = client.get("/metrics", REMOTE_ADDR=address, HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == (200 if address == "127.0.0.1" else 404)


def test_metrics_are_read_only(client):
    assert client.post("/metrics").status_code == 405


def requests(view: str, status: str) -> tuple[str, dict]:
    return ("calc_http_requests_total", {"view": view, "status": status})


# (path, the view and status it counts as)
HTTP = [
    ("/healthz", "calculator:healthz", "200"),
    ("/help/", "calculator:reference", "200"),
    ("/no/such/page", "unmatched", "404"),
    ("/s/not-a-share-token/", "calculator:shared", "404"),
    ("/static/no-such-file.css", "static", "404"),
    ("/api/v1/variables", "api:variables", "401"),
    ("/api/v1/openapi.json", "api:openapi-json", "200"),
    ("/ops/", "ops:dashboard", "302"),
    ("/account/tokens/", "tokens:index", "302"),
    ("/accounts/login/", "account_login", "200"),
]


@pytest.mark.parametrize(("path", "view", "status"), HTTP)
def test_http_requests_count_by_view_and_status(client, path, view, status):
    with Changes(requests(view, status)) as changed:
        client.get(path)
        assert changed() == [1]


@pytest.mark.parametrize(("path", "view", "status"), HTTP[:3])
async def test_http_requests_count_when_served_async(async_client, path, view, status):
    with Changes(requests(view, status)) as changed:
        await async_client.get(path)
        assert changed() == [1]


def test_a_refused_scrape_counts_as_the_metrics_view_not_its_token(client):
    with Changes(requests("calculator:metrics", "404")) as changed:
        client.get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_AUTHORIZATION="Bearer secret")
        assert changed() == [1]


OFF_SCRIPT = """
from prometheus_client import REGISTRY, generate_latest
from calculator import metrics
from calculator.engine.errors import MathError
metrics.frame("submit"); metrics.disconnected(1000); metrics.lap(0.0, metrics.EVALUATE)
metrics.engine_error(MathError("x")); metrics.websocket_connections.inc()
metrics.http_requests.labels(view="v", status="200").inc()
print(generate_latest(REGISTRY).decode())
"""


@pytest.mark.parametrize(("switch", "recorded"), [("0", False), ("1", True), ("", True)])
def test_calc_metrics_0_records_nothing_and_takes_every_call(switch, recorded):
    env = {**os.environ, "CALC_METRICS": switch}
    result = subprocess.run([sys.executable, "-c", OFF_SCRIPT], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    assert ("calc_websocket_frames_total" in result.stdout) is recorded
    assert "process_cpu_seconds_total" in result.stdout
