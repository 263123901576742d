"""Signing out, however it happens: the browser's open sockets close (its other tabs showed
the person's transcript, which this browser no longer may). A new password signs the person's
other devices out (Django's session auth hash), so their sockets close at once too."""

from __future__ import annotations

from allauth.account.signals import password_changed, password_reset, password_set
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils.crypto import constant_time_compare

from calculator import owners
from calculator.live import fanout


@receiver(user_logged_out, dispatch_uid="calculator.accounts.signed_out")
def close_sockets_of_the_session(sender, request, user, **kwargs) -> None:
    # Sent before logout() flushes the session: the key is still the signed-in one.
    session_key = request.session.session_key if request is not None else None
    if session_key:
        fanout.publish_session_ended(session_key, "signed-out")


@receiver(password_changed, dispatch_uid="calculator.accounts.password_changed")
@receiver(password_set, dispatch_uid="calculator.accounts.password_set")
@receiver(password_reset, dispatch_uid="calculator.accounts.password_reset")
def close_sockets_of_the_other_devices(sender, request, user, **kwargs) -> None:
    """Sent once the new password is saved: every session of the person but one moved to its
    hash is signed out, and every socket of the person but that browser's closes now rather
    than at its next connect."""
    spared = browser_still_signed_in(request, user)
    fanout.publish_owner_ended(owners.of_user(user.pk), "password-changed", spared)


def browser_still_signed_in(request, user) -> str:
    """The browser group of the request's browser if its session still signs `user` in (a change
    or set keeps it: update_session_auth_hash), else "" (a reset keeps no session).

    Keeping it cycled the session key: the browser's sockets were opened with the key its cookie
    still carried on this request.
    """
    if request is None:
        return ""
    session = request.session
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key or session.get(SESSION_KEY) != str(user.pk):
        return ""
    if not constant_time_compare(session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
        return ""
    return fanout.browser_group(session_key)
