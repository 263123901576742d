"""HTTP views: the page, the no-JS form fallbacks, and the health check.

The POST views go through the same services as the socket, then redirect (POST/Redirect/GET),
so a browser without JavaScript can use the whole calculator.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.shortcuts import render as render_page
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from calculator import keys, owners, render, services
from calculator.live import fanout
from calculator.web import downloads


def session_key_of(request: HttpRequest) -> str:
    """The session's key, creating the session on first visit so the cookie precedes the socket."""
    if request.session.session_key is None:
        request.session.create()
    # Touching the session on each page view renews the cookie's expiry: history outlives it.
    request.session.modified = True
    return request.session.session_key


def owner_of(request: HttpRequest) -> str:
    """Who the transcript belongs to (calculator/owners.py): the person, else the session."""
    return owners.of_request_user(request.user, session_key_of(request))


def browser_of(request: HttpRequest) -> str:
    """The group of this browser session's sockets (calculator/live/fanout.py)."""
    return fanout.browser_group(session_key_of(request), request.user.is_authenticated)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    owner = owner_of(request)
    if request.method == "POST":
        key = request.POST.get("field", "")
        row, new = services.submit_once(
            owner,
            request.POST.get("expression", ""),
            key if keys.PATTERN.fullmatch(key) else "",
            services.reads_degrees(request.session),
        )
        if new:
            fanout.publish_entry(row)
        return redirect("calculator:index")
    expression = ""
    recall = entry_id_of(request.GET.get("recall", ""))
    if recall is not None:
        expression = services.find_expression(owner, recall) or ""
    query = request.GET.get("q", "").strip()
    snapshot = services.load_snapshot(owner)
    found = services.search(owner, query) if query else None
    shares = services.shares(owner)
    sharing = "sharing" in request.GET
    degrees = services.reads_degrees(request.session)
    context = render.page_context(
        snapshot, keys.new(), expression, degrees, query, found, shares, sharing
    )
    return render_page(request, render.PAGE, context)


@require_GET
@cache_control(max_age=86400, private=True)
def next_field(request: HttpRequest, key: str) -> HttpResponse:
    """The empty input that follows the input `key` once it is submitted, with a key of its own.
    Fetched before it is needed (calculator/keys.py), so on Enter the browser's cache answers at
    once, offline too."""
    return HttpResponse(render.next_field(keys.following(key)))


@require_POST
def angle(request: HttpRequest) -> HttpResponse:
    """Switch the session's angle mode (the no-JS form; with htmx the socket does it)."""
    degrees = request.POST.get("angle") == "deg"
    request.session[services.ANGLE_SESSION_KEY] = services.angle_mode(degrees)
    fanout.publish_angle(browser_of(request), degrees)
    return redirect("calculator:index")


@require_POST
def clear(request: HttpRequest) -> HttpResponse:
    owner = owner_of(request)
    fanout.publish_cleared(owner, services.clear_history(owner))
    return redirect("calculator:index")


@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    owner = owner_of(request)
    entry_id = entry_id_of(request.POST.get("remove", ""))
    if entry_id is not None:
        last_id = services.delete_entry(owner, entry_id)
        if last_id is not None:
            fanout.publish_deleted(owner, entry_id, last_id)
    return redirect("calculator:index")


def entry_id_of(text: str) -> int | None:
    # isdigit() alone admits '²' and other digits int() refuses.
    if text.isascii() and text.isdigit() and len(text) < 19:
        return int(text)
    return None


@require_GET
@never_cache
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """The session's whole transcript as a download: text, CSV or JSON."""
    if kind not in downloads.FORMATS:
        raise Http404("No such format.")
    owner = owner_of(request)
    content_type, body = downloads.FORMATS[kind](services.export_rows(owner))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="calculator.{kind}"'
    return response


@require_POST
def share(request: HttpRequest) -> HttpResponse:
    services.share(owner_of(request))
    return redirect(f"{reverse('calculator:index')}?sharing#shares")


@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    services.revoke_share(owner_of(request), request.POST.get("token", ""))
    return redirect(f"{reverse('calculator:index')}?sharing#shares")


@require_http_methods(["GET", "HEAD"])
@never_cache
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """A shared transcript, read-only: no input, no socket, no session of the viewer's."""
    entries = services.shared_entries(token)
    if entries is None:
        raise Http404("This link was revoked or never existed.")
    response = render_page(request, "calculator/shared.html", {"entries": entries})
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@cache_control(max_age=86400, public=True)
def offline(request: HttpRequest) -> HttpResponse:
    """The "reconnecting…" status, cacheable: the browser fetches it while the server is up,
    and its cache answers when the socket closes because the server is down."""
    return render_page(
        request,
        f"{render.PAGE}#status",
        {"offline": True, **render.status_context("reconnecting")},
    )


@require_GET
@cache_control(max_age=86400, public=True)
def queued(request: HttpRequest) -> HttpResponse:
    """What Enter says while offline, cacheable like the offline status (and fetched with it)."""
    return HttpResponse(render.queued_notice())


@require_GET
@cache_control(max_age=86400, public=True)
@vary_on_headers("HX-Request")
def reference(request: HttpRequest) -> HttpResponse:
    """Functions, constants and syntax. The help panel fetches the bare fragment when it is
    first opened (it would be half the page's bytes); without script it is a page of its own."""
    template = f"{render.PAGE}#reference" if request.htmx else "calculator/reference.html"
    return render_page(request, template, render.REFERENCE_CONTEXT)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database and the channel layer both answer."""
    checks = {"database": _check_database(), "channel_layer": _check_channel_layer()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def _check_channel_layer() -> str:
    layer = get_channel_layer()
    try:
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.send)(channel, {"type": "health.check"})
        async_to_sync(layer.receive)(channel)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"
