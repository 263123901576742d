"""Signing out, however it happens: the browser's open sockets close (its other tabs showed
the person's transcript, which this browser no longer may)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from calculator.live import fanout


@receiver(user_logged_out, dispatch_uid="calculator.accounts.signed_out")
def close_sockets_of_the_session(sender, request, user, **kwargs) -> None:
    # Sent before logout() flushes the session: the key is still the signed-in one.
    session_key = request.session.session_key if request is not None else None
    if session_key:
        fanout.publish_session_ended(session_key, "signed-out")
