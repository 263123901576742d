"""The API's operations, mounted at /api/v1/: async views over the same services as the socket.

An entry stored or deleted here is published to the person's open tabs through live/fanout.py,
exactly as a no-JS form post is. Every failure is a JSON answer (401, 403, 404, 413, 422, 429).
A POST of an entry may carry an Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header):
a script retrying it after a timeout stores and applies its line once.
"""

from __future__ import annotations

import base64
import binascii
import logging

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Path, Query, Status
from ninja.errors import AuthenticationError, HttpError

from calculator import keys, owners, render, services
from calculator.api import auth, limits
from calculator.api.schemas import (
    EntryOut,
    EntryPage,
    EvaluationOut,
    ExpressionIn,
    Problem,
    VariableOut,
    VariablesOut,
)
from calculator.engine import Session, display_stored, dump_value, evaluate
from calculator.live import fanout

log = logging.getLogger(__name__)

# Entries one listing answers at most: a page's worth, like the transcript's.
MAX_PAGE_ENTRIES = services.MAX_TRANSCRIPT_ENTRIES
DEFAULT_PAGE_ENTRIES = 100
# Ids are 64-bit: a bigger one in a path is refused before any query (SQLite cannot bind it).
MAX_ID = 2**63 - 1
# An Idempotency-Key is at most this long (Stripe's bound): a UUID (36) or any key a client makes
# fits with room to spare. Hashed before it is stored, so the bound is not the column's: it keeps
# a header that is no key (a body pasted there) an error, not a silent match.
MAX_IDEMPOTENCY_KEY_LENGTH = 255
# Printable ASCII, as a structured-field string (the draft's form, quotes included) or a bare
# token (Stripe's): the value as sent is the key, and a retry sends it the same.
IDEMPOTENCY_KEY_PATTERN = r"^[ -~]+$"

api = NinjaAPI(
    title="Live calculator API",
    version="1",
    description="Evaluate expressions; with a personal access token, read and write your "
    "transcript (entries appear live in your open tabs).",
    urls_namespace="api",
    # Swagger UI from our static files (ninja's own copy: no CDN, no inline script). Its
    # stylesheet draws a few icons as data: images, the one thing the page's CSP must allow.
    docs_url="/docs",
    docs_decorator=csp_update({"img-src": ["data:"]}),
)

submit = database_sync_to_async(services.submit)
submit_request = database_sync_to_async(services.submit_request)
entries_after = database_sync_to_async(services.entries_after)


def owner_of(request: HttpRequest) -> str:
    return owners.of_user(request.auth.user_id)


@api.exception_handler(limits.RateLimited)
def rate_limited(request: HttpRequest, error: limits.RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": "too many requests"}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    detail = "a valid token is needed: Authorization: Bearer <token>"
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    detail = f"the request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"
    return api.create_response(request, {"detail": detail}, status=413)


@api.post("/evaluate", response=EvaluationOut, tags=["evaluate"])
async def evaluate_line(request: HttpRequest, payload: ExpressionIn) -> EvaluationOut:
    """Evaluate one line on its own (no variables, nothing stored); no token needed."""
    limits.current().address(request.META.get("REMOTE_ADDR"))
    session = Session(degrees=payload.degrees)
    return EvaluationOut.of(evaluate(payload.expression, session, commit=False))


@api.post(
    "/entries",
    response={201: EntryOut, 401: Problem, 403: Problem, 422: Problem},
    auth=auth.write,
    tags=["entries"],
)
async def add_entry(
    request: HttpRequest,
    response: HttpResponse,
    payload: ExpressionIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Any string of yours naming this request (a UUID, say): sent again, the "
        "entry it stored is answered (same 201 and body, header `Idempotent-Replayed: true`) "
        "and nothing is stored or applied again. Sent with another expression or angle: 422.",
        max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
        pattern=IDEMPOTENCY_KEY_PATTERN,
    ),
):
    """Evaluate a line with your variables and `ans`, store it in your transcript, and show it
    in your open tabs. With an `Idempotency-Key`, a retry is answered with the stored entry."""
    owner = owner_of(request)
    if idempotency_key is None:
        row, new = await submit(owner, payload.expression, payload.degrees), True
    else:
        try:
            row, new = await submit_request(
                owner, payload.expression, keys.request_key(idempotency_key), payload.degrees
            )
        except services.KeyReused:
            detail = "this Idempotency-Key was sent with another request: use a new key per line"
            return Status(422, {"detail": detail})
    if new:
        await fanout.entry_stored(get_channel_layer(), row, render.appended(row))
    else:
        # The draft's retry answer (and Stripe's): the first one's status and body, marked.
        response["Idempotent-Replayed"] = "true"
    return Status(201, EntryOut.of(row))


@api.get("/entries", response={200: EntryPage, 400: Problem}, auth=auth.read, tags=["entries"])
async def list_entries(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_PAGE_ENTRIES, ge=1, le=MAX_PAGE_ENTRIES),
):
    """Your entries, oldest first, `limit` at a time; pass a page's `next` as `cursor`."""
    after_id = 0 if cursor is None else cursor_id(cursor)
    rows = await entries_after(owner_of(request), after_id, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return EntryPage(
        entries=[EntryOut.of(row) for row in rows],
        next=cursor_of(rows[-1].pk) if more else None,
    )


@api.delete(
    "/entries/{entry_id}", response={204: None, 404: Problem}, auth=auth.write, tags=["entries"]
)
async def delete_entry(request: HttpRequest, entry_id: int = Path(..., ge=1, le=MAX_ID)):
    """Delete one of your entries; your open tabs drop it too."""
    owner = owner_of(request)
    last_id = await services.adelete_entry(owner, entry_id)
    if last_id is None:
        return Status(404, {"detail": "no such entry"})  # another person's id is no entry of yours
    await fanout.deleted(get_channel_layer(), owner, entry_id, last_id)
    return Status(204, None)


@api.delete("/entries", response={204: None}, auth=auth.write, tags=["entries"])
async def clear_entries(request: HttpRequest):
    """Delete all your entries (and so your variables); your open tabs are emptied too."""
    owner = owner_of(request)
    cleared_id = await services.aclear_history(owner)
    await fanout.cleared(get_channel_layer(), owner, cleared_id)
    return Status(204, None)


@api.get("/variables", response=VariablesOut, auth=auth.read, tags=["entries"])
async def variables(request: HttpRequest) -> VariablesOut:
    """The variables and `ans` your next line would see."""
    session = await services.aload_session(owner_of(request))
    return VariablesOut(
        variables={name: variable(value) for name, value in sorted(session.variables.items())},
        ans=None if session.ans is None else variable(session.ans),
    )


def variable(value) -> VariableOut:
    stored = dump_value(value)
    return VariableOut(display=display_stored(stored), value=stored)


def cursor_of(last_id: int) -> str:
    """Opaque to clients: the id a page ended at, so they never build one by hand."""
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def cursor_id(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    kind, _, number = text.partition(":")
    if kind != "after" or not (number.isdigit() and len(number) < 19):
        raise HttpError(400, "bad cursor: pass a page's `next` as it is")
    return int(number)
