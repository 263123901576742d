"""The WebSocket Origin check: a socket opens only from the page's own origin (scheme, host and
port, as Django's CSRF check sees it) or from an origin in settings.CSRF_TRUSTED_ORIGINS.

channels' AllowedHostsOriginValidator compares hostnames only, so any port or scheme on an
allowed host (another local service, a plain-http page) could drive a victim's socket.
"""

from __future__ import annotations

import io
import logging

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest

from calculator import metrics

logger = logging.getLogger(__name__)

# The page that opened a ws:// socket was served over http, a wss:// one over https.
PAGE_SCHEME = {"ws": "http", "wss": "https"}

# Enough of a refused Origin to recognise it in the log; the header is the client's text.
LOGGED_ORIGIN_LENGTH = 100


def own_origin(scope: dict) -> str | None:
    """The origin of the page this handshake belongs to, as Django builds it for its CSRF check:
    the Host (X-Forwarded-Host only with USE_X_FORWARDED_HOST) checked against ALLOWED_HOSTS, and
    https when the socket is secure or SECURE_PROXY_SSL_HEADER says so. None if the host is not
    allowed (a rebound DNS name is never its own origin)."""
    page_scope = {
        **scope,
        "type": "http",
        "method": "GET",
        "scheme": PAGE_SCHEME.get(scope.get("scheme", "ws"), "http"),
    }
    request = ASGIRequest(page_scope, io.BytesIO())
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return f"{request.scheme}://{host}".lower()


def origin_headers(scope: dict) -> list[str]:
    return [value.decode("latin1") for name, value in scope["headers"] if name == b"origin"]


def trusted_patterns() -> list[str]:
    """settings.CSRF_TRUSTED_ORIGINS in OriginValidator's syntax ("https://*.x" is "https://.x");
    both match the domain itself and its subdomains, on the given scheme and port."""
    return [origin.replace("://*.", "://.", 1) for origin in settings.CSRF_TRUSTED_ORIGINS]


class SameOriginValidator(OriginValidator):
    """Admits a handshake whose single Origin header is its own origin; anything else goes to
    OriginValidator with the trusted origins, which admits or denies it (403 at the handshake)."""

    def __init__(self, application):
        # The trusted list is read per handshake (validate_origin), so settings stay the source.
        super().__init__(application, allowed_origins=[])

    async def __call__(self, scope, receive, send):
        origins = origin_headers(scope)
        if len(origins) == 1 and origins[0].lower() == own_origin(scope):
            return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)

    def valid_origin(self, parsed_origin) -> bool:
        valid = super().valid_origin(parsed_origin)
        if not valid:
            origin = parsed_origin.geturl() if parsed_origin is not None else ""
            logger.info("refused reason=origin origin=%r", origin[:LOGGED_ORIGIN_LENGTH])
            metrics.refused["origin"].inc()
        return valid

    def validate_origin(self, parsed_origin) -> bool:
        return any(
            self.match_allowed_origin(parsed_origin, pattern) for pattern in trusted_patterns()
        )
