"""Counts every HTTP response by the URL name that served it and its status
(calc_http_requests_total): label values come from the URL conf, so they stay a closed set.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

from calculator import metrics


def view_name(request: HttpRequest) -> str:
    """The namespaced URL name ("calculator:index"); "static" for files WhiteNoise answered
    before any URL was resolved, "unmatched" for a path no URL matches."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if request.path_info.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


def count(request: HttpRequest, response: HttpResponseBase) -> None:
    status = response.status_code
    label = str(status) if 100 <= status <= 599 else "other"
    metrics.http_requests.labels(view=view_name(request), status=label).inc()


@sync_and_async_middleware
def count_requests(get_response):
    """First in MIDDLEWARE, so it sees every response, static files and refusals included."""
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponseBase:
            response = await get_response(request)
            count(request, response)
            return response

    else:

        def middleware(request: HttpRequest) -> HttpResponseBase:
            response = get_response(request)
            count(request, response)
            return response

    return middleware
