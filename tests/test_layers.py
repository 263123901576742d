"""The in-memory channel layer keeps Channels' behaviour while staying cheap per message."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.exceptions import ChannelFull

from calculator.layers import InMemoryChannelLayer


@pytest.fixture
def layer() -> InMemoryChannelLayer:
    return InMemoryChannelLayer(capacity=2, expiry=30, group_expiry=86400)


async def test_group_send_reaches_every_member_once(layer):
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("calc.s", first)
    await layer.group_add("calc.s", second)
    await layer.group_send("calc.s", {"type": "calc.entry", "id": 1})
    assert await layer.receive(first) == {"type": "calc.entry", "id": 1}
    assert await layer.receive(second) == {"type": "calc.entry", "id": 1}


async def test_a_full_inbox_does_not_stop_the_others(layer):
    full, fine = await layer.new_channel(), await layer.new_channel()
    for channel in (full, fine):
        await layer.group_add("calc.s", channel)
    for n in range(2):
        await layer.send(full, {"type": "x", "n": n})
    await layer.group_send("calc.s", {"type": "calc.entry", "id": 7})
    assert await layer.receive(fine) == {"type": "calc.entry", "id": 7}
    assert [(await layer.receive(full))["n"] for _ in range(2)] == [0, 1]


async def test_receivers_get_copies(layer):
    channel = await layer.new_channel()
    flat = {"type": "calc.entry", "html": "<li>"}
    nested = {"type": "x", "items": [1, 2]}
    await layer.send(channel, flat)
    await layer.send(channel, nested)
    received_flat, received_nested = await layer.receive(channel), await layer.receive(channel)
    received_flat["html"] = "changed"
    received_nested["items"].append(3)
    assert flat["html"] == "<li>" and nested["items"] == [1, 2]


async def test_discarded_members_get_nothing(layer):
    stays, leaves = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("calc.s", stays)
    await layer.group_add("calc.s", leaves)
    await layer.group_discard("calc.s", leaves)
    await layer.group_send("calc.s", {"type": "calc.entry", "id": 2})
    assert await layer.receive(stays) == {"type": "calc.entry", "id": 2}
    assert leaves not in layer.channels


async def test_a_waiting_receiver_gets_the_next_message():
    layer = InMemoryChannelLayer()
    channel = await layer.new_channel()
    receiving = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    await layer.send(channel, {"type": "calc.entry", "id": 3})
    assert await receiving == {"type": "calc.entry", "id": 3}
    assert channel not in layer.channels  # nothing left to keep


async def test_a_cancelled_receiver_takes_nothing():
    layer = InMemoryChannelLayer()
    channel = await layer.new_channel()
    gone = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    await layer.send(channel, {"type": "x", "n": 1})
    assert await layer.receive(channel) == {"type": "x", "n": 1}


async def test_expired_messages_are_dropped_and_their_channel_leaves_its_groups(monkeypatch):
    layer = InMemoryChannelLayer(expiry=30)
    channel = await layer.new_channel()
    await layer.group_add("calc.s", channel)
    await layer.send(channel, {"type": "x"})
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 31)
    monkeypatch.setattr(time, "monotonic", lambda: now + 31)
    layer._clean_expired()
    assert channel not in layer.channels
    assert channel not in layer.groups.get("calc.s", {})


async def test_group_send_except_skips_only_the_sender(layer):
    sender, other = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("calc.s", sender)
    await layer.group_add("calc.s", other)
    await layer.group_send_except("calc.s", {"type": "calc.entry", "id": 4}, sender=sender)
    assert await layer.receive(other) == {"type": "calc.entry", "id": 4}
    assert sender not in layer.channels


async def test_a_listener_is_called_and_takes_messages_in_order(layer):
    channel = await layer.new_channel()
    calls = []
    layer.listen(channel, lambda: calls.append(layer.receive_nowait(channel)))
    await layer.send(channel, {"type": "x", "n": 1})
    await layer.send(channel, {"type": "x", "n": 2})
    assert calls == [{"type": "x", "n": 1}, {"type": "x", "n": 2}]
    assert layer.receive_nowait(channel) is None


async def test_messages_wait_for_a_busy_listener_within_capacity(layer):
    channel = await layer.new_channel()
    layer.listen(channel, lambda: None)
    for n in range(2):
        await layer.send(channel, {"type": "x", "n": n})
    with pytest.raises(ChannelFull):
        await layer.send(channel, {"type": "x", "n": 2})
    assert [layer.receive_nowait(channel)["n"] for _ in range(2)] == [0, 1]


async def test_an_inbox_goes_once_its_listener_stops(layer):
    channel = await layer.new_channel()
    layer.listen(channel, lambda: None)
    assert channel in layer.channels
    layer.stop_listening(channel)
    assert channel not in layer.channels
