"""Fixtures for talking to the real ASGI application the way a browser tab does."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore

from config.asgi import application

ORIGIN = b"http://127.0.0.1"


def new_session_key() -> str:
    session = SessionStore()
    session.create()
    return session.session_key


async def open_socket(
    session_key: str | None, origin: bytes = ORIGIN, path: str = "/ws/calc/"
) -> WebsocketCommunicator:
    """A tab's socket through routing and middleware, connected (its first message unread)."""
    headers = [(b"origin", origin), (b"host", b"127.0.0.1")]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def submit_frame(expression: str, field: str = "") -> dict:
    """What Enter sends; `field` names the rendering of the input (the submit's idempotency key)."""
    return {
        "expression": expression,
        "field": field,
        "HEADERS": {"HX-Request": "true", "HX-Trigger": "calc-form"},
    }


def clear_frame() -> dict:
    """What the "Delete all" button sends."""
    return {
        "csrfmiddlewaretoken": "x",
        "HEADERS": {"HX-Request": "true", "HX-Trigger": "clear-form"},
    }


def preview_frame(expression: str, field: str = "") -> dict:
    """What the input sends while typing; `field` names the rendering of the input it came from."""
    return {
        "expression": expression,
        "field": field,
        "HEADERS": {"HX-Request": "true", "HX-Trigger": "expression"},
    }


def field_token(html: str) -> str:
    """The token of the input a fragment renders (its previews must carry it)."""
    return re.search(r'name="field" value="([\w-]+)"', html).group(1)


@pytest.fixture
def session_key(transactional_db) -> str:
    return new_session_key()


@pytest.fixture
def make_session_key(transactional_db):
    return sync_to_async(new_session_key)
