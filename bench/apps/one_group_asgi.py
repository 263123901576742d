"""The memory yardstick: a stock `AsyncWebsocketConsumer` that joins one group of its own, in the
app's ASGI stack and with the app's channel layer (in-memory or Redis, from the environment)."""

from __future__ import annotations

import itertools

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path

from bench.apps.app_stack import application as app_stack

# One group per socket, as the app has one per session and the benchmark one session per socket.
_group_numbers = itertools.count(1)


class OneGroupConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.group = f"socket-{next(_group_numbers)}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)


application = app_stack([path("ws/calc/", OneGroupConsumer.as_asgi())])
