"""The WebSocket protocol stops reading a socket whose frames the app has not caught up with,
and reads again once it has (tests/test_attacks.py floods the real server)."""

from __future__ import annotations

import asyncio

import pytest

from calculator.live import backpressure
from calculator.live.backpressure import MAX_UNREAD_FRAMES, BackpressureWebSocketProtocol


class Transport:
    def __init__(self) -> None:
        self.reading = True

    def pauseProducing(self) -> None:  # twisted's IPushProducer names
        self.reading = False

    def resumeProducing(self) -> None:
        self.reading = True


@pytest.fixture
def checks(monkeypatch) -> list:
    """The resume checks the protocol schedules, run by the test instead of a reactor."""
    scheduled: list = []
    monkeypatch.setattr(backpressure, "call_later", lambda seconds, check: scheduled.append(check))
    return scheduled


@pytest.fixture
def protocol() -> BackpressureWebSocketProtocol:
    protocol = BackpressureWebSocketProtocol()
    protocol.transport = Transport()
    protocol.application_queue = asyncio.Queue()
    protocol.client_addr = ("192.0.2.1", 50000)
    protocol.state = protocol.STATE_OPEN
    return protocol


def frames(protocol, count: int) -> None:
    for _ in range(count):
        protocol.onMessage(b"1", False)


def read(protocol, count: int) -> None:
    for _ in range(count):
        protocol.application_queue.get_nowait()


def test_a_socket_is_read_while_the_app_keeps_up(protocol, checks):
    for _ in range(10 * MAX_UNREAD_FRAMES):
        frames(protocol, 1)
        read(protocol, 1)
    assert protocol.transport.reading and checks == []


def test_a_socket_the_app_lags_behind_is_paused_until_it_catches_up(protocol, checks):
    frames(protocol, MAX_UNREAD_FRAMES - 1)
    assert protocol.transport.reading
    frames(protocol, 1)
    assert not protocol.transport.reading
    read(protocol, MAX_UNREAD_FRAMES // 2 - 1)
    checks.pop()()
    assert not protocol.transport.reading  # not yet half read: checked again later
    read(protocol, 1)
    checks.pop()()
    assert protocol.transport.reading and checks == []


def test_a_closing_socket_stays_paused_until_closed(protocol, checks):
    frames(protocol, MAX_UNREAD_FRAMES)
    read(protocol, MAX_UNREAD_FRAMES)
    protocol.state = protocol.STATE_CLOSING
    checks.pop()()
    assert not protocol.transport.reading
    protocol.state = protocol.STATE_CLOSED
    checks.pop()()
    assert checks == []
