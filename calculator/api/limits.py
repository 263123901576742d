"""Rate limits of the API, per process like the socket's: per client address for anonymous
evaluation and failed sign-ins, per token for everything a token does."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from calculator.live.ratelimit import KeyedBuckets


class RateLimited(Exception):
    """Too many requests from one address or token; `retry_after` in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests")
        self.retry_after = retry_after


class Limits:
    """Token buckets at CALC_API_RATE_LIMIT requests per second, in bursts of twice that (the
    socket's frame limit has the same shape)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.addresses = KeyedBuckets(rate, 2 * rate)
        self.tokens = KeyedBuckets(rate, 2 * rate)

    def retry_after(self) -> int:
        return max(1, math.ceil(1 / self.rate)) if self.rate > 0 else 1

    def address(self, address: str | None) -> None:
        if not self.addresses.take(address or "unknown"):
            raise RateLimited(self.retry_after())

    def token(self, token_id: int) -> None:
        if not self.tokens.take(token_id):
            raise RateLimited(self.retry_after())


_limits: Limits | None = None


def current() -> Limits:
    global _limits
    if _limits is None:
        _limits = Limits(settings.CALC_API_RATE_LIMIT)
    return _limits


@receiver(setting_changed)
def _limits_changed(setting: str, **kwargs) -> None:
    """Tests that override the limit get fresh buckets under it (Django's documented hook)."""
    global _limits
    if setting.startswith("CALC_"):
        _limits = None
