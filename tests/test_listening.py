"""A listening consumer keeps Channels' guarantees while an idle socket waits in one task."""

from __future__ import annotations

import asyncio

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from calculator.listening import ListeningConsumer

# Channels' disconnect handler closes stale database connections.
pytestmark = pytest.mark.django_db


class Recorder(ListeningConsumer, AsyncWebsocketConsumer):
    """Notes what it handles; a client frame holds its handler until the test lets it go."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handled = []
        self.release = asyncio.Event()

    async def connect(self):
        await self.accept()
        await self.send(self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        self.handled.append(f"client {text_data} start")
        await self.release.wait()
        self.handled.append(f"client {text_data} end")

    async def note(self, event):
        self.handled.append(f"layer {event['n']}")
        await self.send(f"layer {event['n']}")

    async def fail(self, event):
        raise ValueError("handler failed")


async def connected():
    consumer = Recorder()

    async def application(scope, receive, send):
        await consumer(scope, receive, send)

    communicator = WebsocketCommunicator(application, "/")
    assert (await communicator.connect())[0]
    return consumer, communicator, await communicator.receive_from()


async def test_an_idle_socket_waits_in_one_task():
    before = len(asyncio.all_tasks())
    _, communicator, _ = await connected()
    await asyncio.sleep(0)
    assert len(asyncio.all_tasks()) == before + 1  # the communicator's application task
    await communicator.disconnect()


async def test_a_layer_message_reaches_an_idle_socket():
    _, communicator, channel = await connected()
    await get_channel_layer().send(channel, {"type": "note", "n": 1})
    assert await communicator.receive_from() == "layer 1"
    await communicator.disconnect()


async def test_handlers_run_one_at_a_time():
    consumer, communicator, channel = await connected()
    await communicator.send_to("a")
    await asyncio.sleep(0.01)
    await get_channel_layer().send(channel, {"type": "note", "n": 1})
    await asyncio.sleep(0.01)
    assert consumer.handled == ["client a start"]
    consumer.release.set()
    assert await communicator.receive_from() == "layer 1"
    assert consumer.handled == ["client a start", "client a end", "layer 1"]
    await communicator.disconnect()


async def test_a_client_frame_waits_for_layer_messages_being_handled():
    consumer, communicator, channel = await connected()
    consumer.release.set()
    layer = get_channel_layer()
    for n in (1, 2):
        await layer.send(channel, {"type": "note", "n": n})
    await communicator.send_to("a")
    for n in (1, 2):
        assert await communicator.receive_from() == f"layer {n}"
    await asyncio.sleep(0.01)
    assert consumer.handled == ["layer 1", "layer 2", "client a start", "client a end"]
    await communicator.disconnect()


async def test_an_error_in_a_layer_handler_ends_the_consumer_with_it():
    _, communicator, channel = await connected()
    await get_channel_layer().send(channel, {"type": "fail"})
    with pytest.raises(ValueError, match="handler failed"):
        await communicator.wait(timeout=1)


async def test_the_channel_is_forgotten_after_disconnect():
    _, communicator, channel = await connected()
    await communicator.disconnect()
    assert channel not in get_channel_layer().channels
