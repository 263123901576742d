"""GET /metrics: this process's Prometheus metrics, for Prometheus on the same host (loopback,
not through the load balancer) or for whoever holds CALC_METRICS_TOKEN; a 404 to anyone else.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

# A proxy names the client it forwards in one of these: with any of them present the request
# came through a proxy (HAProxy adds X-Forwarded-For), so REMOTE_ADDR's loopback is the proxy's
# (or, with daphne --proxy-headers, whatever the client claimed), never proof of a local caller.
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def from_loopback(request: HttpRequest) -> bool:
    """Whether the request came straight from this host, not through a proxy."""
    if any(header in request.META for header in FORWARDED_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR") or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def has_token(request: HttpRequest) -> bool:
    """`Authorization: Bearer <CALC_METRICS_TOKEN>`, compared in constant time; never when the
    setting is empty."""
    expected = settings.CALC_METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """The default registry (the app's metrics and the client library's process, platform and
    GC collectors) in Prometheus's text format."""
    if not (from_loopback(request) or has_token(request)):
        raise Http404
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
