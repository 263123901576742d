"""Minimal Django settings and a `/healthz` HTTP answer shared by the baseline apps."""

from __future__ import annotations

import django
from django.conf import settings


def configure(**extra) -> None:
    """Just enough Django for Channels: no database, no channel layer, no middleware."""
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="bench-only",
            ALLOWED_HOSTS=["127.0.0.1", "localhost"],
            INSTALLED_APPS=["channels"],
            CHANNEL_LAYERS={},
            LOGGING_CONFIG=None,
            **extra,
        )
        django.setup()


async def healthz(scope, receive, send) -> None:
    """Answers every HTTP request with 200, so the server launcher's readiness probe passes."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok"})
