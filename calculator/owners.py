"""Who a transcript belongs to: a signed-in person, or else one browser session.

Rows, channel-layer groups and every service call name their owner by one short string, so the
core never asks which transport or which kind of identity it is serving.
"""

from __future__ import annotations

# Session keys are 32 characters of [a-z0-9] (Django's default): with the dot, a user's owner
# string can never equal one, and it stays a valid channel-layer group name.
USER_PREFIX = "user."


def of_user(user_id: int) -> str:
    """The owner string of a signed-in person's transcript."""
    return f"{USER_PREFIX}{user_id}"


def of_session(session_key: str) -> str:
    """The owner string of an anonymous browser session's transcript."""
    return session_key


def of_request_user(user, session_key: str | None) -> str | None:
    """A signed-in user owns the transcript; otherwise the session does (None: no session yet)."""
    if user is not None and user.is_authenticated:
        return of_user(user.pk)
    return of_session(session_key) if session_key else None


def user_id(owner: str) -> int | None:
    """The user an owner string names, or None for a browser session."""
    if owner.startswith(USER_PREFIX):
        return int(owner[len(USER_PREFIX) :])
    return None


def log_label(owner: str) -> str:
    """An owner as logs may show it: a user's id, or a session key's first six characters only."""
    return owner if owner.startswith(USER_PREFIX) else f"session={owner[:6]}"
