"""The WebSocket Origin check through the real application: only the handshake's own origin
(scheme, host and port) and the explicitly trusted origins may open a socket with a cookie."""

from __future__ import annotations

import logging

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "127.0.0.1:8000"
TRUSTED = ["https://calc.example.com", "https://*.example.org"]
PROXY = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}

# (origin or None when the header is missing, extra headers, settings, admitted)
CASES = {
    "same origin": ("http://127.0.0.1:8000", {}, {}, True),
    "same origin, upper case": ("HTTP://127.0.0.1:8000", {}, {}, True),
    "foreign port": ("http://127.0.0.1:9999", {}, {}, False),
    "default port for a non-default one": ("http://127.0.0.1", {}, {}, False),
    "foreign scheme": ("https://127.0.0.1:8000", {}, {}, False),
    "websocket scheme is no page origin": ("ws://127.0.0.1:8000", {}, {}, False),
    "foreign host": ("http://evil.example", {}, {}, False),
    "missing Origin": (None, {}, {}, False),
    "null Origin (sandboxed frame)": ("null", {}, {}, False),
    "trusted origin": ("https://calc.example.com", {}, {}, True),
    "trusted origin, other scheme": ("http://calc.example.com", {}, {}, False),
    "trusted origin, other port": ("https://calc.example.com:8443", {}, {}, False),
    "trusted subdomain wildcard": ("https://app.example.org", {}, {}, True),
    "trusted wildcard's own domain": ("https://example.org", {}, {}, True),
    "look-alike of a trusted domain": ("https://evilexample.org", {}, {}, False),
    "https behind a trusted proxy": (
        "https://127.0.0.1:8000",
        {"x-forwarded-proto": "https"},
        PROXY,
        True,
    ),
    "http page behind a trusted proxy that says https": (
        "http://127.0.0.1:8000",
        {"x-forwarded-proto": "https"},
        PROXY,
        False,
    ),
    "X-Forwarded-Proto from an untrusted client": (
        "https://127.0.0.1:8000",
        {"x-forwarded-proto": "https"},
        {},
        False,
    ),
    "X-Forwarded-Host from an untrusted client": (
        "http://localhost:9999",
        {"x-forwarded-host": "localhost:9999"},
        {},
        False,
    ),
    "X-Forwarded-Host from a trusted proxy": (
        "http://localhost:9999",
        {"x-forwarded-host": "localhost:9999"},
        {"USE_X_FORWARDED_HOST": True},
        True,
    ),
}


async def handshake(session_key: str, origin: str | None, extra: dict[str, str]) -> bool:
    headers = [(b"host", HOST.encode()), (b"cookie", f"sessionid={session_key}".encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    headers += [(name.encode(), value.encode()) for name, value in extra.items()]
    communicator = WebsocketCommunicator(application, "/ws/calc/", headers=headers)
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


@pytest.mark.parametrize(
    ("origin", "extra", "overrides", "admitted"), CASES.values(), ids=CASES.keys()
)
async def test_origin_check(session_key, origin, extra, overrides, admitted):
    with override_settings(CSRF_TRUSTED_ORIGINS=TRUSTED, **overrides):
        assert await handshake(session_key, origin, extra) is admitted


async def test_a_host_outside_allowed_hosts_is_never_its_own_origin(session_key):
    """DNS rebinding: a page on evil.example resolving to us would otherwise be same-origin."""
    communicator = WebsocketCommunicator(
        application,
        "/ws/calc/",
        headers=[(b"host", b"evil.example:8000"), (b"origin", b"http://evil.example:8000")],
    )
    connected, _ = await communicator.connect()
    assert not connected


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def test_a_refusal_is_logged_once_with_its_reason_and_no_cookie(session_key):
    lines = Lines()
    logger = logging.getLogger("calculator.live.origin")
    logger.addHandler(lines)
    try:
        assert not await handshake(session_key, "http://127.0.0.1:9999", {})
        assert await handshake(session_key, "http://127.0.0.1:8000", {})
    finally:
        logger.removeHandler(lines)
    assert len(lines.lines) == 1
    assert lines.lines[0].startswith("refused reason=origin")
    assert session_key not in lines.lines[0]
