"""The floor: a bare Channels `AsyncWebsocketConsumer` that sends every text frame back."""

from bench.apps.common import configure, healthz

configure()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class EchoConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=text_data)


application = ProtocolTypeRouter(
    {
        "http": healthz,
        "websocket": URLRouter([path("ws/calc/", EchoConsumer.as_asgi())]),
    }
)
