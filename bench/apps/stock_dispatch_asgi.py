"""The app with Channels' own consumer loop: what the app's departures from stock Channels buy.

The consumer the app's routing serves, subclassed with `AsyncConsumer.__call__` and `.dispatch`
put back (the app skips dispatch's close_old_connections hop), in the app's own ASGI stack.
"""

from __future__ import annotations

import importlib

from channels.consumer import AsyncConsumer
from django.urls import path

from bench.apps.app_stack import application as app_stack

# Where the app's WebSocket routes live: after the adapters move into calculator/live/, or before.
ROUTING_MODULES = ("calculator.live.routing", "calculator.routing")


def app_routes() -> list:
    for name in ROUTING_MODULES:
        try:
            return importlib.import_module(name).websocket_urlpatterns
        except ModuleNotFoundError as error:
            if error.name is None or not name.startswith(error.name):
                raise  # the module exists but an import inside it failed: show that
    raise ModuleNotFoundError(f"none of {', '.join(ROUTING_MODULES)}")


def stock(consumer_class: type) -> type:
    return type(
        f"Stock{consumer_class.__name__}",
        (consumer_class,),
        {"__call__": AsyncConsumer.__call__, "dispatch": AsyncConsumer.dispatch},
    )


application = app_stack(
    [
        path(str(route.pattern), stock(route.callback.consumer_class).as_asgi())
        for route in app_routes()
    ]
)
