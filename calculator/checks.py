"""Deployment checks (Django's system check framework): secret key, database, Redis, static files.

`manage.py check --deploy` runs them; so does the server at start, where the first error is one
line on stderr (URL with password masked, and the reason) and a non-zero exit, instead of a
traceback on the first message or a 500 on every page.
"""

from __future__ import annotations

import os
import sys
import urllib.parse

from django.conf import settings
from django.core import checks
from django.db import connections
from django.db.utils import load_backend

# The values of CALC_REDIS_LAYER: channels_redis's list-based layer, or its pub/sub one.
REDIS_LAYERS = ("core", "pubsub")

# How long a check waits for a server that does not answer (a firewall dropping packets).
CONNECT_TIMEOUT_SECONDS = 5


# The tag of these checks: `manage.py check --deploy --tag calculator` runs them alone.
TAG = "calculator"


def verify_backends() -> None:
    """Exit with one line at server start if any of these checks fails.

    CALC_STARTUP_CHECK=0 skips the checks that connect: the test runner, which imports the ASGI
    app, owns the test databases itself (the servers the tests start turn the check back on).
    """
    messages = checks.run_checks(tags=[TAG], include_deployment_checks=True)
    # The registry keeps no order; ids do (secret key first, then the backends).
    for message in sorted(messages, key=lambda message: message.id):
        if message.is_serious():
            sys.exit(f"error: {message.msg}")


def _connecting() -> bool:
    return os.environ.get("CALC_STARTUP_CHECK", "1") != "0"


def _errors(problem: str | None, check_id: str) -> list[checks.CheckMessage]:
    return [] if problem is None else [checks.Error(problem.removeprefix("error: "), id=check_id)]


@checks.register(TAG, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    # Read from the environment: Django refuses to even read an empty SECRET_KEY setting.
    if os.environ.get("DJANGO_SECRET_KEY") or settings.DEBUG:
        return []
    problem = "DJANGO_SECRET_KEY is not set: set it, or DJANGO_DEBUG=1 for local development"
    return _errors(problem, "calculator.E001")


@checks.register(TAG, deploy=True)
def check_redis_layer(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.CALC_REDIS_LAYER in REDIS_LAYERS:
        return []
    problem = (
        f"CALC_REDIS_LAYER must be one of {', '.join(REDIS_LAYERS)}, "
        f"not {settings.CALC_REDIS_LAYER!r}"
    )
    return _errors(problem, "calculator.E002")


@checks.register(TAG, deploy=True)
def check_database(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return _errors(database_problem() if _connecting() else None, "calculator.E003")


@checks.register(TAG, deploy=True)
def check_redis(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return _errors(redis_problem(settings.REDIS_URL) if _connecting() else None, "calculator.E004")


@checks.register(TAG, deploy=True)
def check_static_files(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return _errors(static_problem() if _connecting() else None, "calculator.E005")


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
