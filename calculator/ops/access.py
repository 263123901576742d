"""Who may watch: staff only (Django's `is_staff`), on the page and on its socket alike; an open
socket is asked again now and then, so signing out or losing staff status ends it."""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

# Close codes for a socket that may not watch; htmx's ws extension retries neither.
CLOSE_SIGN_IN = 4401  # nobody is signed in (the session ended)
CLOSE_FORBIDDEN = 4403  # signed in, not staff
# An open dashboard checks its user is still signed in and staff this often: one query.
RECHECK_SECONDS = 30.0


def is_staff(user) -> bool:
    return bool(user is not None and user.is_active and user.is_staff)


def socket_refusal(user) -> int | None:
    """The close code for a socket opened by `user`, or None if they may watch."""
    if user is None or not user.is_authenticated:
        return CLOSE_SIGN_IN
    if not is_staff(user):
        return CLOSE_FORBIDDEN
    return None


@database_sync_to_async
def still_watching(user_pk, session) -> int | None:
    """The close code for an open socket whose session ended or whose user is no longer active
    staff, else None."""
    if session.session_key is None or not session.exists(session.session_key):
        return CLOSE_SIGN_IN
    user = get_user_model().objects.filter(pk=user_pk).first()
    return None if is_staff(user) else CLOSE_FORBIDDEN
