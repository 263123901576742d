"""Fails fast at server start when the database or Redis the environment names cannot be reached,
or the static files were never collected.

A bad DATABASE_URL or REDIS_URL gets one line on stderr naming the URL (password masked) and the
reason, and a non-zero exit, instead of a traceback on the first message (or a 500 on every page).
"""

from __future__ import annotations

import os
import sys
import urllib.parse

from django.conf import settings
from django.db import connections
from django.db.utils import load_backend

# The values of CALC_REDIS_LAYER: channels_redis's list-based layer, or its pub/sub one.
REDIS_LAYERS = ("core", "pubsub")

# How long a check waits for a server that does not answer (a firewall dropping packets).
CONNECT_TIMEOUT_SECONDS = 5


def verify_backends() -> None:
    """Exit with one line if the secret key is missing, the default database or the Redis
    channel layer is unreachable, or the static files are not collected.

    CALC_STARTUP_CHECK=0 skips it: the test runner, which imports the ASGI app, owns the test
    databases itself (the servers the tests start as subprocesses turn the check back on).
    """
    if not os.environ.get("DJANGO_SECRET_KEY") and not settings.DEBUG:
        sys.exit(
            "error: DJANGO_SECRET_KEY is not set: set it, or DJANGO_DEBUG=1 for local development"
        )
    if settings.CALC_REDIS_LAYER not in REDIS_LAYERS:
        sys.exit(
            f"error: CALC_REDIS_LAYER must be one of {', '.join(REDIS_LAYERS)}, "
            f"not {settings.CALC_REDIS_LAYER!r}"
        )
    if os.environ.get("CALC_STARTUP_CHECK", "1") == "0":
        return
    problem = database_problem() or redis_problem(settings.REDIS_URL) or static_problem()
    if problem:
        sys.exit(problem)


def database_problem() -> str | None:
    config = connections.settings["default"]
    url = (
        os.environ.get("DATABASE_URL") or f"{config['ENGINE'].rsplit('.', 1)[-1]}:{config['NAME']}"
    )
    options = dict(config.get("OPTIONS", {}))
    if config["ENGINE"] == "django.db.backends.postgresql":
        options.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    # A connection of its own, closed at once: the app's connections start fresh in its threads.
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(
        {**config, "OPTIONS": options}, alias="startup-check"
    )
    try:
        wrapper.ensure_connection()
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return f"error: cannot reach DATABASE_URL={mask_password(url)}: {reason(error)}"
    finally:
        wrapper.close()
    return None


def redis_problem(url: str) -> str | None:
    if not url:
        return None
    import redis

    try:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=CONNECT_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:
        return f"error: cannot reach REDIS_URL={mask_password(url)}: {reason(error)}"
    return None


def static_problem() -> str | None:
    """Without DEBUG, pages name the content-hashed files that only collectstatic writes."""
    if settings.DEBUG:
        return None
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        staticfiles_storage.url("calculator/calculator.css")
    except ValueError:
        return (
            f"error: static files are not collected in STATIC_ROOT={settings.STATIC_ROOT}: "
            "run `python manage.py collectstatic`"
        )
    return None


def reason(error: BaseException) -> str:
    """The cause in a few words: the OS error if there is one, else the message's first line."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if not lines:
        return error.__class__.__name__
    # libpq says 'connection to server at "h", port p failed: FATAL:  <why>': the URL names
    # the server already, the why is what helps.
    return lines[0].rsplit(" failed: ", 1)[-1].removeprefix("FATAL:").strip()


def mask_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username or ''}:***@{host}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
