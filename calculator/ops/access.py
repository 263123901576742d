"""Who may watch: staff only (Django's `is_staff`), on the page and on its socket alike."""

from __future__ import annotations

# Close codes for a socket that may not watch; htmx's ws extension retries neither.
CLOSE_SIGN_IN = 4401  # nobody is signed in (the session ended)
CLOSE_FORBIDDEN = 4403  # signed in, not staff


def is_staff(user) -> bool:
    return bool(user is not None and user.is_active and user.is_staff)


def socket_refusal(user) -> int | None:
    """The close code for a socket opened by `user`, or None if they may watch."""
    if user is None or not user.is_authenticated:
        return CLOSE_SIGN_IN
    if not is_staff(user):
        return CLOSE_FORBIDDEN
    return None
