"""What the channel layer holds now: its groups by member count and its channels by messages
waiting. On Redis from channels_redis's keys (SCAN, never KEYS, on every shard), on the in-memory
layer from the layer itself. Group names are shown with key-like parts cut (a session's group is
named by its session key).
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field

from channels.layers import InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer

from calculator.ops.logbuffer import scrub

# The dashboard lists the largest this many groups and the fullest this many channels.
TOP = 20
# Keys read per SCAN call, and at most this many keys per inspection: one group per browser
# session, so a busy Redis holds many; past the cap the counts say they are partial.
SCAN_COUNT = 1000
MAX_SCANNED_KEYS = 20_000
# channels_redis's receive keeps a message in flight under the channel's key plus this.
INFLIGHT_SUFFIX = "$inflight"


@dataclass
class Inspection:
    backend: str
    groups: list[tuple[str, int]] = field(default_factory=list)
    group_count: int = 0
    channels: list[tuple[str, int]] = field(default_factory=list)
    channel_count: int = 0
    waiting: int = 0  # messages waiting in all channels
    partial: bool = False  # MAX_SCANNED_KEYS reached
    note: str = ""


def top(counts: dict[str, int], names: dict[str, str] | None = None) -> list[tuple[str, int]]:
    """The TOP largest counts, their names scrubbed (or replaced by `names`)."""
    names = names or {}
    largest = heapq.nlargest(TOP, counts.items(), key=lambda item: (item[1], item[0]))
    return [(names.get(name) or scrub(name), count) for name, count in largest]


def summarised(
    backend: str,
    groups: dict[str, int],
    channels: dict[str, int],
    inboxes: dict[str, str] | None = None,
    **kw,
) -> Inspection:
    """Counted and cut to the top; channels with nothing waiting are left out (a listening
    socket's channel is empty almost always)."""
    channels = {name: count for name, count in channels.items() if count}
    return Inspection(
        backend=backend,
        groups=top(groups),
        group_count=len(groups),
        channels=top(channels, inboxes),
        channel_count=len(channels),
        waiting=sum(channels.values()),
        **kw,
    )


def in_memory(layer: InMemoryChannelLayer) -> Inspection:
    """Read in the event loop's thread, which is the only one that changes the layer."""
    groups = {name: len(members) for name, members in layer.groups.items() if members}
    channels = {name: queue.qsize() for name, queue in layer.channels.items()}
    return summarised("in-memory", groups, channels)


def inbox(layer_prefix: str) -> str:
    """The channel channels_redis keeps all specific channels of one process in."""
    return f"specific.{layer_prefix}!"


async def redis(layer: RedisChannelLayer, processes: dict[str, str]) -> Inspection:
    """channels_redis's layout: a group is the sorted set `<prefix>:group:<name>` of its member
    channels (scored by when they joined); a channel's messages wait in the sorted set
    `<prefix><name>` (scored by when they were sent; a process's specific channels share one, up
    to the "!"). Members and messages past the layer's expiries are not counted: the layer drops
    them on its next use. A group or specific channel is on the shard its name hashes to; a
    general channel's messages go to the shards in turn. `processes` names the
    process of each client prefix, so its inbox is shown as the process's."""
    group_prefix = f"{layer.prefix}:group:"
    now = time.time()
    groups: dict[str, int] = {}
    channels: dict[str, int] = {}
    scanned = 0
    for index in range(layer.ring_size):
        connection = layer.connection(index)
        keys = []
        async for key in connection.scan_iter(match=f"{layer.prefix}*", count=SCAN_COUNT):
            keys.append(key.decode())
            scanned += 1
            if scanned >= MAX_SCANNED_KEYS:
                break
        async with connection.pipeline(transaction=False) as pipe:
            for key in keys:
                oldest = now - (
                    layer.group_expiry if key.startswith(group_prefix) else layer.expiry
                )
                pipe.zcount(key, oldest, "+inf")
            counts = await pipe.execute()
        for key, count in zip(keys, counts, strict=True):
            # A general channel's messages are spread over every shard: its counts add up.
            if key.startswith(group_prefix):
                if count:
                    name = key.removeprefix(group_prefix)
                    groups[name] = groups.get(name, 0) + count
            elif not key.endswith(INFLIGHT_SUFFIX):
                name = key.removeprefix(layer.prefix)
                channels[name] = channels.get(name, 0) + count
        if scanned >= MAX_SCANNED_KEYS:
            break
    inboxes = {inbox(prefix): f"inbox of {name}" for prefix, name in processes.items()}
    return summarised("redis", groups, channels, inboxes, partial=scanned >= MAX_SCANNED_KEYS)


async def inspect(layer, processes: dict[str, str] | None = None) -> Inspection:
    """The layer's groups and channels; `processes`: process names by layer client prefix."""
    if isinstance(layer, RedisChannelLayer):
        return await redis(layer, processes or {})
    if isinstance(layer, InMemoryChannelLayer):
        return in_memory(layer)
    return Inspection(
        backend=type(layer).__name__,
        note="This layer keeps no groups or queues to read (Redis pub/sub holds no backlog).",
    )
