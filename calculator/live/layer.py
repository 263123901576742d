"""channels_redis's RedisChannelLayer, made to ride out Redis going away (a restart, a Sentinel
failover): sockets keep serving while it is gone and rejoin their groups when it is back,
instead of every consumer of the process crashing with 1011 on its next receive.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque

import redis.exceptions
from channels.exceptions import ChannelFull
from channels_redis import core

from calculator import metrics

log = logging.getLogger(__name__)

# What Redis being unreachable raises (refused, reset, timed out, no primary known to Sentinel).
UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
# Sent to each of this process's group members once Redis is back: fan-out sent while it was gone
# is lost, so a tab that missed entries is sent the stored transcript again (the consumer's
# `calc_rejoined`).
REJOINED = {"type": "calc.rejoined"}
# Group messages kept for sending when Redis is back: about a minute of one busy process's
# fan-out; older ones are superseded by the transcript each tab is sent then anyway.
MAX_UNSENT = 10_000
# While Redis is gone, it is asked again after 0.1 s, then twice as long each time up to this:
# a restart is noticed within a second or two, and a long outage costs a ping a second.
RETRY_MAX_SECONDS = 1.0


class RedisChannelLayer(core.RedisChannelLayer):
    """The stock layer, plus: `receive` waits for Redis instead of raising, `group_add` and
    `group_discard` never fail a consumer, and this process's memberships are added again when
    Redis returns (a restarted Redis may have lost them), each member then sent REJOINED.
    `send` and `group_send` still raise, so the caller knows a message did not go out now
    (live/fanout.py); a group message that failed is sent again when Redis is back.
    Failures count in calc_channel_layer_errors_total here, group_send's where fanout.py
    catches them (so every layer's are counted, and each once)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # This process's channels in each group: what a Redis that lost them is told again.
        self.memberships: defaultdict[str, set[str]] = defaultdict(set)
        self._back: asyncio.Event | None = None  # set when Redis answers again
        self._back_loop: asyncio.AbstractEventLoop | None = None
        # Group messages that failed, to send when Redis is back; the oldest dropped past this.
        self.unsent: deque[tuple[str, dict]] = deque(maxlen=MAX_UNSENT)

    async def receive(self, channel: str) -> dict:
        while True:
            loop = asyncio.get_running_loop()
            if self._back is not None and self._back_loop is loop:
                await self._back.wait()
            try:
                return await super().receive(channel)
            except UNAVAILABLE as error:
                metrics.layer_errors["connection"].inc()
                self._lost(error)
                if self._back_loop is not loop:  # watched from another loop: ask again later
                    await asyncio.sleep(RETRY_MAX_SECONDS)

    async def group_add(self, group: str, channel: str) -> None:
        self.memberships[group].add(channel)
        try:
            await super().group_add(group, channel)
        except UNAVAILABLE as error:
            metrics.layer_errors["connection"].inc()
            self._lost(error)  # added when Redis is back

    async def group_discard(self, group: str, channel: str) -> None:
        members = self.memberships.get(group)
        if members is not None:
            members.discard(channel)
            if not members:
                del self.memberships[group]
        try:
            await super().group_discard(group, channel)
        except UNAVAILABLE as error:
            metrics.layer_errors["connection"].inc()
            # Left behind in Redis, it expires after group_expiry; a message sent to it meanwhile
            # waits in a channel nobody reads until the message's own expiry.
            self._lost(error)

    async def group_send(self, group: str, message: dict) -> None:
        try:
            await super().group_send(group, message)
        except UNAVAILABLE as error:
            # Sent again once Redis answers: the other processes' tabs get it late, not never
            # (a tab that caught up meanwhile drops what its transcript already shows).
            self.unsent.append((group, message))
            self._lost(error)
            raise

    async def flush(self) -> None:
        self.memberships.clear()
        await super().flush()

    def _lost(self, error: Exception) -> None:
        """Redis is unreachable: one task per outage waits for it to answer, then rejoins."""
        if self._back is not None and not self._back_loop.is_closed():
            return
        log.warning("redis-unavailable error=%s", error.__class__.__name__)
        # The event and its task belong to the loop that noticed (daphne has one); a loop that
        # ended (a thread's async_to_sync) leaves them to the next one that notices.
        self._back, self._back_loop = asyncio.Event(), asyncio.get_running_loop()
        self._back_loop.create_task(self._wait_for_redis(self._back))

    async def _wait_for_redis(self, back: asyncio.Event) -> None:
        delay, started = 0.1, time.monotonic()
        while True:
            await asyncio.sleep(delay)
            try:
                for index in range(self.ring_size):
                    await self.connection(index).ping()
                for group, channels in list(self.memberships.items()):
                    for channel in list(channels):
                        await super().group_add(group, channel)
                for channel in set().union(*self.memberships.values()):
                    try:
                        await self.send(channel, REJOINED)
                    except ChannelFull:
                        metrics.layer_errors["ChannelFull"].inc()
                while self.unsent:
                    group, message = self.unsent[0]
                    await super().group_send(group, message)
                    self.unsent.popleft()
            except UNAVAILABLE:
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            break
        duration_ms = round((time.monotonic() - started) * 1000)
        log.warning(
            "redis-back groups=%d", len(self.memberships), extra={"duration_ms": duration_ms}
        )
        self._back = None
        back.set()
