"""The app's Redis channel layer rides out a Redis restart that lost every group (no persistence):
receivers wait instead of raising, joins during the outage do not fail, and this process's
memberships are back once Redis is, each member told so; a group message that failed is sent
when Redis is back. channels_redis's own layer raises ConnectionError in `receive` here, and
Channels then closes every socket of the process (1011).
"""

from __future__ import annotations

import asyncio

import pytest

from calculator.live.layer import REJOINED, UNAVAILABLE, RedisChannelLayer
from testing import redis
from testing.required import require

pytestmark = pytest.mark.services

GROUP = "calc.outage"


async def test_receivers_wait_and_groups_come_back_after_a_restart():
    require(redis.available())
    server = redis.RedisServer().start()
    layer = RedisChannelLayer(hosts=[server.url])
    sender = None
    try:
        member = await layer.new_channel()
        await layer.group_add(GROUP, member)
        receiving = asyncio.create_task(layer.receive(member))
        await asyncio.sleep(0.3)

        server.stop()
        await asyncio.sleep(1.0)
        assert not receiving.done(), receiving.exception()
        joined_during_outage = await layer.new_channel()
        await layer.group_add(GROUP, joined_during_outage)
        with pytest.raises(UNAVAILABLE):  # the caller knows it did not go out now
            await layer.group_send(GROUP, {"type": "during.outage"})

        server = redis.RedisServer(port=server.port).start()
        # Back: each member is told (other processes' fan-out meanwhile was lost), then gets
        # what this process failed to send, late, and hears the group again.
        assert await asyncio.wait_for(receiving, 10) == REJOINED
        assert await asyncio.wait_for(layer.receive(joined_during_outage), 5) == REJOINED
        sender = RedisChannelLayer(hosts=[server.url])  # another process's layer
        await sender.group_send(GROUP, {"type": "after.restart"})
        for channel in (member, joined_during_outage):
            received = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(2)]
            assert [m["type"] for m in received] == ["during.outage", "after.restart"]
    finally:
        for each in (layer, sender):
            if each is not None:
                await each.close_pools()
        server.stop()
