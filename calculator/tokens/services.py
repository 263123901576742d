"""Issuing, checking and revoking tokens: the one place a token's secret is seen.

A token reads `calc_<id>_<secret>`: the prefix makes a leaked one easy to spot (secret scanners,
grep), the id finds its row without a search by hash, and the secret is 32 random bytes. Logs
name a token by its id only.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from calculator.tokens.models import SCOPES, AccessToken, hash_secret

log = logging.getLogger(__name__)

PREFIX = "calc_"
# 256 bits: as unguessable as a key, so a fast hash stores it safely (models.hash_secret).
SECRET_BYTES = 32
# Tokens one person may hold (active or not): a bound on the rows one account makes us keep.
MAX_TOKENS_PER_USER = 50
# An expiry further than ten years ahead is no expiry: say so with none instead.
MAX_EXPIRY_DAYS = 3650
# last_used_at is written at most this often per token: one UPDATE a minute, not one a request.
LAST_USED_PRECISION = timedelta(minutes=1)
# The longest token text worth parsing: prefix, a 19-digit id, "_" and 43 characters of secret.
MAX_TOKEN_LENGTH = 80


class TokenRefused(ValueError):
    """A token could not be issued (too many, a bad scope or expiry); the message says why."""


def issue(user, name: str, scope: str, expires_days: int | None = None) -> tuple[AccessToken, str]:
    """A new token for `user` and its full text, which is never stored nor shown again."""
    name = name.strip()
    if not name:
        raise TokenRefused("a token needs a name")
    if scope not in dict(SCOPES):
        raise TokenRefused(f"the scope must be one of: {', '.join(dict(SCOPES))}")
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise TokenRefused(f"the expiry must be 1 to {MAX_EXPIRY_DAYS} days")
    secret = secrets.token_urlsafe(SECRET_BYTES)
    with transaction.atomic():
        if AccessToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
            raise TokenRefused(f"an account holds at most {MAX_TOKENS_PER_USER} tokens")
        token = AccessToken.objects.create(
            user=user,
            name=name[: AccessToken._meta.get_field("name").max_length],
            scope=scope,
            secret_hash=hash_secret(secret),
            expires_at=timezone.now() + timedelta(days=expires_days) if expires_days else None,
        )
    log.info("token-created id=%d user=%d scope=%s", token.pk, user.pk, scope)
    return token, f"{PREFIX}{token.pk}_{secret}"


def parse(text: str) -> tuple[int, str] | None:
    """A token's id and secret, or None if the text is not shaped like a token."""
    if len(text) > MAX_TOKEN_LENGTH or not text.startswith(PREFIX):
        return None
    number, _, secret = text[len(PREFIX) :].partition("_")
    if not (number.isascii() and number.isdigit() and len(number) < 19 and secret):
        return None
    return int(number), secret


def authenticate(text: str) -> AccessToken | None:
    """The usable token `text` names (its user loaded), or None; notes when it was last used."""
    parsed = parse(text)
    if parsed is None:
        log.info("token-refused reason=malformed")
        return None
    token_id, secret = parsed
    token = AccessToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or not token.matches(secret):
        reason = "unknown" if token is None else "secret"
        log.info("token-refused id=%d reason=%s", token_id, reason)
        return None
    now = timezone.now()
    if not token.usable(now) or not token.user.is_active:
        reason = token.state if not token.usable(now) else "inactive-user"
        log.info("token-refused id=%d reason=%s", token_id, reason)
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke(token_id: int, user=None) -> bool:
    """Revoke a token (only one of `user`'s, when given); False if there is no such token."""
    rows = AccessToken.objects.filter(pk=token_id, revoked_at=None)
    if user is not None:
        rows = rows.filter(user=user)
    revoked = rows.update(revoked_at=timezone.now())
    if revoked:
        log.info("token-revoked id=%d", token_id)
    return bool(revoked)


def of_user(user) -> list[AccessToken]:
    return list(AccessToken.objects.filter(user=user))


aauthenticate = database_sync_to_async(authenticate)
