"""Token buckets, kept per key (a session's frames, a session's or an address's connects):
generous enough for any human, firm against floods, bounded in memory."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable


class TokenBucket:
    """Allows `rate` frames per second on average, and bursts of up to `burst` frames."""

    __slots__ = ("_clock", "_tokens", "_updated", "burst", "rate")  # up to one per key

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def take(self, tokens: float = 1) -> bool:
        """Take `tokens` (at most a burst's: more could never be taken), or none if short."""
        if self.rate <= 0:
            return True
        self._refill()
        tokens = min(tokens, self.burst)
        if self._tokens >= tokens:
            self._tokens -= tokens
            return True
        return False

    def full(self) -> bool:
        """Whether the bucket is as it was made (so forgetting it changes nothing)."""
        self._refill()
        return self._tokens >= self.burst


class KeyedBuckets:
    """A token bucket per key, made full on a key's first use. At most `max_keys` are kept: past
    that, full buckets (no different from new ones) are dropped, then the least recently used,
    so a flood of distinct keys costs bounded memory and each key's refusal stays cheap."""

    def __init__(
        self,
        rate: float,
        burst: float,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[Hashable, TokenBucket] = {}  # least recently used first

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: Hashable, tokens: float = 1) -> bool:
        if self.rate <= 0:
            return True
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = TokenBucket(self.rate, self.burst, self._clock)
            if len(self._buckets) >= self.max_keys:
                self._prune()
        self._buckets[key] = bucket
        return bucket.take(tokens)

    def _prune(self) -> None:
        """Down to three quarters of `max_keys`, so the scan runs once per many new keys."""
        for key in [key for key, bucket in self._buckets.items() if bucket.full()]:
            del self._buckets[key]
        keep = self.max_keys * 3 // 4
        for key in list(self._buckets)[: max(0, len(self._buckets) - keep)]:
            del self._buckets[key]
