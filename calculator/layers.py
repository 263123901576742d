"""Channels' in-memory layer, with per-socket memory and per-message cost that stay flat.

Channels' version keeps an asyncio.Queue per socket (about 4 KB with its waiting receiver,
measured), sweeps every channel and group for expired entries on each receive and group send
(O(sockets) per message), starts a task per member in group_send, and deep-copies every
message. Here each socket has an `Inbox` (a list that exists only while messages wait, and the
receiver's future), the sweep runs at most once a second, group_send puts straight into the
members' inboxes, and flat messages of immutable values (all this app sends) are copied shallowly.
A consumer may `listen` to its channel instead of awaiting receive(): the inbox then calls it back
when a message arrives, so an idle socket needs no task waiting on the layer (listening.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
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


class Inbox:
    """One channel's undelivered messages (oldest first), the receivers waiting on it, and the
    listener told when a message arrives."""

    __slots__ = ("capacity", "listener", "messages", "waiters")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.messages: list[tuple[float, dict]] = []
        self.waiters: list[asyncio.Future] = []
        self.listener: Callable[[], None] | None = None

    def put(self, expires: float, message: dict) -> None:
        while self.waiters:
            waiter = self.waiters.pop(0)
            if not waiter.done():  # a cancelled receiver takes nothing
                waiter.set_result(message)
                return
        if len(self.messages) >= self.capacity:
            raise ChannelFull
        self.messages.append((expires, message))
        if self.listener is not None:
            self.listener()

    async def get(self) -> dict:
        if self.messages:
            return self.messages.pop(0)[1]
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            return await waiter
        finally:
            if waiter in self.waiters:
                self.waiters.remove(waiter)

    def drop_expired(self, now: float) -> bool:
        """Drops expired messages; True if there were any."""
        expired = 0
        while expired < len(self.messages) and self.messages[expired][0] < now:
            expired += 1
        del self.messages[:expired]
        return expired > 0

    @property
    def idle(self) -> bool:
        return not self.messages and not self.waiters and self.listener is None


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.channels: dict[str, Inbox] = {}
        self._last_sweep = 0.0

    def _inbox(self, channel: str) -> Inbox:
        inbox = self.channels.get(channel)
        if inbox is None:
            inbox = self.channels[channel] = Inbox(self.get_capacity(channel))
        return inbox

    async def send(self, channel: str, message: dict) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        try:
            self._inbox(channel).put(time.time() + self.expiry, copy_message(message))
        except ChannelFull:
            raise ChannelFull(channel) from None

    async def receive(self, channel: str) -> dict:
        self.require_valid_channel_name(channel)
        self._clean_expired()
        inbox = self._inbox(channel)
        try:
            return await inbox.get()
        finally:
            if inbox.idle and self.channels.get(channel) is inbox:
                del self.channels[channel]

    def listen(self, channel: str, listener: Callable[[], None]) -> None:
        """Call `listener` (without arguments) whenever a message arrives for `channel`; the
        listener takes it with `receive_nowait`. Messages wait in the inbox meanwhile, with the
        same capacity and expiry as for receive()."""
        self.require_valid_channel_name(channel)
        self._inbox(channel).listener = listener

    def stop_listening(self, channel: str) -> None:
        inbox = self.channels.get(channel)
        if inbox is not None:
            inbox.listener = None
            if inbox.idle:
                del self.channels[channel]

    def receive_nowait(self, channel: str) -> dict | None:
        """The oldest message waiting for `channel`, or None."""
        self._clean_expired()
        inbox = self.channels.get(channel)
        if inbox is None or not inbox.messages:
            return None
        return inbox.messages.pop(0)[1]

    async def group_send(self, group: str, message: dict) -> None:
        await self.group_send_except(group, message, sender="")

    async def group_send_except(self, group: str, message: dict, sender: str) -> None:
        """group_send to every member but `sender`. In one process this layer knows every
        member, so a socket telling its session's other tabs need not be told itself."""
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, ())):
            if channel == sender:
                continue
            # A full inbox loses this message; the other members still get theirs.
            with suppress(ChannelFull):
                await self.send(channel, message)

    def _clean_expired(self) -> None:
        """Channels' expiry rules: a channel with an expired message leaves all its groups."""
        now = time.monotonic()
        if now - self._last_sweep < SWEEP_INTERVAL_SECONDS:
            return
        self._last_sweep = now
        wall = time.time()
        for channel, inbox in list(self.channels.items()):
            if inbox.drop_expired(wall):
                self._remove_from_groups(channel)
                if inbox.idle:
                    del self.channels[channel]
        cutoff = int(wall) - self.group_expiry
        for members in self.groups.values():
            for channel, joined in list(members.items()):
                if joined and joined < cutoff:
                    del members[channel]
