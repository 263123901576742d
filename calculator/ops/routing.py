"""WebSocket route of the operations dashboard (config/asgi.py serves it beside /ws/calc/)."""

from django.urls import path

from calculator.ops.consumer import OpsConsumer

websocket_urlpatterns = [
    path("ws/ops/", OpsConsumer.as_asgi()),
]
