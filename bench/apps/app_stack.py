"""The app's own ASGI stack around another consumer, for the bench apps that vary only the consumer.

Same settings, the same Django HTTP app and the same WebSocket middleware: both come from
config/asgi.py itself, so the stack cannot drift from the app's.
"""

from __future__ import annotations

from channels.routing import ProtocolTypeRouter

from config.asgi import django_asgi_app, websocket_app


def application(websocket_routes: list):
    """config/asgi.py's `application`, with these WebSocket routes in place of the app's."""
    return ProtocolTypeRouter(
        {"http": django_asgi_app, "websocket": websocket_app(websocket_routes)}
    )
