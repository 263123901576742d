"""The stored token: who it acts for, what it may do, and a hash of its secret (not the secret)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils import timezone

READ = "read"
WRITE = "write"
SCOPES = ((READ, "read: list entries and variables"), (WRITE, "write: also add and delete"))
# A token's name is a label its owner chose ("laptop script"): a line, not a document.
MAX_NAME_LENGTH = 100


def hash_secret(secret: str) -> str:
    """SHA-256 of the secret, hex. Enough for a 256-bit random secret: nobody can guess one, so
    there is no dictionary to slow down (a password hash like Argon2 would only add milliseconds
    to every API request), and a leaked database gives no usable token."""
    return hashlib.sha256(secret.encode()).hexdigest()


class AccessToken(models.Model):
    """A personal access token. `revoked_at`, `expires_at` and `last_used_at` are kept rather than
    the row deleted, so the account page can say what became of each one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(max_length=MAX_NAME_LENGTH)
    scope = models.CharField(max_length=5, choices=SCOPES, default=READ)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"token {self.pk} ({self.name})"

    def matches(self, secret: str) -> bool:
        """Whether `secret` is this token's, compared in constant time."""
        return hmac.compare_digest(hash_secret(secret), self.secret_hash)

    @property
    def can_write(self) -> bool:
        return self.scope == WRITE

    def usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def state(self) -> str:
        """What the account page shows: active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.usable() else "expired"
