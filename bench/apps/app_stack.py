"""The app's own ASGI stack around another consumer, for the bench apps that vary only the consumer.

Same settings (config.settings, from the environment), the same Django HTTP app and the same
WebSocket middleware as config/asgi.py: Origin check, then sessions and auth, then the URL router.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402


def application(websocket_routes: list):
    """config/asgi.py's `application`, with these WebSocket routes in place of the app's."""
    return ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_routes))
            ),
        }
    )
