"""ASGI entry point: HTTP to Django; WebSockets through Origin and session checks to the consumer.

The Django ASGI app is built first, so apps are loaded before consumers are imported.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from calculator.checks import verify_backends  # noqa: E402

verify_backends()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from calculator.live.origin import SameOriginValidator  # noqa: E402
from calculator.live.routing import websocket_urlpatterns  # noqa: E402
from calculator.ops import routing as ops_routing  # noqa: E402
from calculator.ops.reporter import starting_reporter  # noqa: E402
from calculator.server.freeze import lifespan  # noqa: E402


def websocket_app(routes: list):
    """What every socket passes before its consumer: the Origin check, then sessions and auth.
    (The benchmarks serve other consumers through this same stack.)"""
    return SameOriginValidator(AuthMiddlewareStack(URLRouter(routes)))


# Every process answers the operations dashboard (calculator/ops/): its reporter starts with the
# first connection served, since daphne has no ASGI lifespan.
application = starting_reporter(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": websocket_app(websocket_urlpatterns + ops_routing.websocket_urlpatterns),
            "lifespan": lifespan,  # servers that speak it (uvicorn): the app is frozen at startup
        }
    )
)
