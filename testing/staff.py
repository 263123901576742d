"""Signed-in browser sessions for tests, made the way django.contrib.auth's login() stores them,
so tests need no sign-in page (allauth's forms are tested on their own)."""

from __future__ import annotations

import subprocess
import sys

from testing.daphne import ROOT

PASSWORD = "not-a-real-password-0"


def session_for(user) -> str:
    """A stored session signed in as `user` (in this process's database); its key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def signed_in(username: str, staff: bool) -> str:
    """A user (staff or not) and a session signed in as them; the session key."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.update_or_create(
        username=username, defaults={"is_staff": staff, "is_active": True}
    )
    return session_for(user)


def account(email: str, password: str) -> None:
    """An account as sign-up leaves one: a password and a verified primary email."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email.partition("@")[0], email, password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)


def on_server(env: dict[str, str], *command: str) -> str:
    """The last line a manage.py command prints, run on the database of a server started with
    `env` (another process's)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def signed_in_on_server(env: dict[str, str], username: str, staff: bool) -> str:
    """The same in the database of a server started with `env` (another process's)."""
    code = f"from testing.staff import signed_in; print(signed_in({username!r}, {staff!r}))"
    return on_server(env, "shell", "-c", code)


def account_on_server(env: dict[str, str], email: str, password: str) -> None:
    code = f"from testing.staff import account; account({email!r}, {password!r})"
    on_server(env, "shell", "-c", code)
