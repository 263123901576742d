"""The app with Channels' own consumer loop: what the app's departures from stock Channels buy.

The consumer the app's routing serves, subclassed with `AsyncConsumer.dispatch` put back (the app
skips its close_old_connections hop), in the app's own ASGI stack.
"""

from __future__ import annotations

from channels.consumer import AsyncConsumer
from django.urls import path

from bench.apps.app_stack import application as app_stack
from calculator.live.routing import websocket_urlpatterns


def stock(consumer_class: type) -> type:
    return type(
        f"Stock{consumer_class.__name__}", (consumer_class,), {"dispatch": AsyncConsumer.dispatch}
    )


application = app_stack(
    [
        path(str(route.pattern), stock(route.callback.consumer_class).as_asgi())
        for route in websocket_urlpatterns
    ]
)
