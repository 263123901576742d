"""WebSocket URL routes: one socket per tab, at the path other tools rely on."""

from django.urls import path

from calculator.live.consumer import CalculatorConsumer

websocket_urlpatterns = [
    path("ws/calc/", CalculatorConsumer.as_asgi()),
]
