"""Channel-layer inspection on the layers the app runs on: Channels' in-memory layer (read from
the layer) and channels_redis on real redis-servers (read with SCAN, over two shards), with
groups by members and channels by messages waiting, the largest first, key-like names cut."""

from __future__ import annotations

import pytest
import redis as redis_py
from channels.layers import InMemoryChannelLayer

from calculator.live.layer import RedisChannelLayer
from calculator.ops import inspection
from testing import redis
from testing.required import require

SESSION_KEY = "k3v9x0q2w8e7r6t5y4u3i2o1p0a9s8d7"


@pytest.fixture(scope="module")
def redis_servers():
    """Two redis-servers, a layer's two shards."""
    require(redis.available())
    with redis.RedisServer() as first, redis.RedisServer() as second:
        yield first, second


def allow_keys(layer, allowed: bool) -> None:
    """Let the layer's Redis hosts run KEYS, or not (channels_redis's flush() needs it)."""
    for host in getattr(layer, "hosts", []):
        with redis_py.Redis.from_url(host["address"]) as client:
            client.execute_command("ACL", "SETUSER", "default", "+keys" if allowed else "-keys")


async def inspect(layer, processes=None) -> inspection.Inspection:
    """The inspection, on Redis with KEYS refused: it must SCAN."""
    allow_keys(layer, False)
    try:
        return await inspection.inspect(layer, processes)
    finally:
        allow_keys(layer, True)


@pytest.fixture(params=["in-memory", "redis", "redis-two-shards"])
async def layer(request):
    if request.param == "in-memory":
        yield InMemoryChannelLayer(capacity=100, expiry=30)
        return
    servers = request.getfixturevalue("redis_servers")
    hosts = [server.url for server in servers[: 1 if request.param == "redis" else 2]]
    layer = RedisChannelLayer(hosts=hosts, capacity=100, expiry=30, group_expiry=600)
    await layer.flush()
    yield layer
    await layer.flush()
    await layer.close_pools()


async def test_groups_and_waiting_messages_largest_first(layer):
    members = [await layer.new_channel() for _ in range(25)]
    # 25 groups: group i has i+1 members; the session group has 3.
    for size in range(25):
        for channel in members[: size + 1]:
            await layer.group_add(f"g{size:02d}", channel)
    for channel in members[:3]:
        await layer.group_add(f"calc.{SESSION_KEY}", channel)
    # Messages waiting on general channels: "queue.n" holds n.
    for count in range(1, 26):
        for _ in range(count):
            await layer.send(f"queue.{count:02d}", {"type": "x"})

    found = await inspect(layer)

    assert found.group_count == 26
    assert len(found.groups) == inspection.TOP
    assert found.groups[:3] == [("g24", 25), ("g23", 24), ("g22", 23)]
    assert found.groups[-1] == ("g05", 6)
    assert len(found.channels) == inspection.TOP
    assert found.channels[:2] == [("queue.25", 25), ("queue.24", 24)]
    assert found.waiting == sum(range(1, 26))
    assert not found.partial

    # Small groups leave the top 20; the session group is named by a prefix only.
    for size in range(3, 25):
        for channel in members[: size + 1]:
            await layer.group_discard(f"g{size:02d}", channel)
    found = await inspect(layer)
    assert (f"calc.{SESSION_KEY[:6]}…", 3) in found.groups
    assert all(SESSION_KEY not in name for name, _ in found.groups)


async def test_an_empty_layer(layer):
    found = await inspect(layer)
    assert (found.groups, found.channels, found.group_count, found.waiting) == ([], [], 0, 0)


async def test_redis_inbox_is_named_by_its_process(redis_servers):
    layer = RedisChannelLayer(hosts=[redis_servers[0].url], capacity=100, expiry=30)
    try:
        channel = await layer.new_channel()
        for _ in range(4):
            await layer.send(channel, {"type": "x"})
        found = await inspect(layer, {layer.client_prefix: "web1:42"})
        assert found.channels == [("inbox of web1:42", 4)]
        # Unknown to the dashboard: shown by its name, the key-like prefix cut.
        found = await inspect(layer)
        assert found.channels == [(f"specific.{layer.client_prefix[:6]}…!", 4)]
    finally:
        await layer.flush()
        await layer.close_pools()


async def test_redis_scan_stops_at_the_cap(redis_servers, monkeypatch):
    layer = RedisChannelLayer(hosts=[redis_servers[0].url], group_expiry=600)
    try:
        channel = await layer.new_channel()
        for number in range(30):
            await layer.group_add(f"g{number}", channel)
        monkeypatch.setattr(inspection, "MAX_SCANNED_KEYS", 10)
        found = await inspect(layer)
        assert found.partial
        assert found.group_count == 10
    finally:
        await layer.flush()
        await layer.close_pools()


async def test_the_pubsub_layer_says_it_keeps_nothing_to_read():
    from channels_redis.pubsub import RedisPubSubChannelLayer

    found = await inspection.inspect(RedisPubSubChannelLayer(hosts=["redis://127.0.0.1:1"]))
    assert found.backend == "RedisPubSubChannelLayer"
    assert found.note
