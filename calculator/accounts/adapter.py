"""allauth's adapters, at the moments the calculator must know of: signing in and out, and
ending a person's sessions on other devices.

Django's login() cycles the session key, so the anonymous transcript's owner (that key) is read
here, before it happens; a `user_logged_in` receiver would only see the new key.
"""

from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.usersessions.adapter import DefaultUserSessionsAdapter

from calculator import owners, services
from calculator.live import fanout

log = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def login(self, request, user) -> None:
        anonymous = request.session.session_key
        was_signed_in = request.user.is_authenticated
        super().login(request, user)
        if anonymous is None or was_signed_in:
            return
        owner = owners.of_user(user.pk)
        moved = services.adopt(owners.of_session(anonymous), owner)
        log.info("signed-in %s adopted=%d", owners.log_label(owner), moved)
        # The browser's other tabs show the anonymous transcript on a key that is gone.
        fanout.publish_session_ended(anonymous, "signed-in")


def user_display(user) -> str:
    """How allauth names a person in messages and mails ("Successfully signed in as …"): by the
    address they sign in with, not the username allauth generated for them (settings'
    ACCOUNT_USER_DISPLAY)."""
    return user.email or user.get_username()


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    def end_sessions(self, sessions) -> None:
        """Signed out elsewhere ("sign out other devices", deleting the account): the sessions go,
        and so do their open sockets."""
        sessions = list(sessions)
        super().end_sessions(sessions)
        for session in sessions:
            fanout.publish_session_ended(session.session_key, "signed-out")
