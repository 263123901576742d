"""Channels' in-memory layer with per-message costs that stay flat as sockets grow.

Channels' version sweeps every channel and group for expired entries on each receive and group
send (O(sockets) per message), starts a task per member in group_send, and deep-copies every
message. Here the sweep runs at most once a second, group_send puts straight into the members'
queues, and flat messages of immutable values (all this app sends) are copied shallowly.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from copy import deepcopy

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

# Expiry is measured in tens of seconds; a sweep a second keeps it accurate enough.
SWEEP_INTERVAL_SECONDS = 1.0

_IMMUTABLE = (str, int, float, bool, type(None))


def copy_message(message: dict) -> dict:
    """A copy the receiver may change without touching the sender's message."""
    if all(isinstance(value, _IMMUTABLE) for value in message.values()):
        return dict(message)
    return deepcopy(message)


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._last_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep >= SWEEP_INTERVAL_SECONDS:
            self._last_sweep = now
            super()._clean_expired()

    async def send(self, channel: str, message: dict) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
        try:
            queue.put_nowait((time.time() + self.expiry, copy_message(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def group_send(self, group: str, message: dict) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, ())):
            # A full inbox loses this message; the other members still get theirs.
            with suppress(ChannelFull):
                await self.send(channel, message)
