"""The only module that renders: the page's context and the partials of `calculator/index.html`.

The page and every live update come from the same template, so they cannot drift apart; a
project overrides any of them by shipping its own `calculator/index.html`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

from calculator import keys
from calculator.engine import (
    CONSTANTS,
    FUNCTIONS,
    MAX_EXPRESSION_LENGTH,
    PREFIX_TEXT,
    UNIT_GROUPS,
    Result,
)
from calculator.models import Calculation
from calculator.services import MAX_QUERY_LENGTH, MAX_SHARES_PER_SESSION

if TYPE_CHECKING:
    from calculator.services import Snapshot

PAGE = "calculator/index.html"

STATUS_LABELS = {
    "connecting": "connecting…",
    "live": "live",
    "reconnecting": "reconnecting…",
    "expired": "session expired: reload the page",
    # The socket was refused or closed by a limit (calculator/live/admission.py).
    "too-many-tabs": "closed: too many tabs of this page are open; close some, then reload",
    "too-many-connections": "closed: too many connections from here; reload in a minute",
    "too-fast": "closed: too many messages; reload the page",
    # This browser session changed hands (calculator/live/consumer.py, calc_ended).
    "signed-out": "closed: signed out; reload the page",
    "signed-in": "closed: signed in; reload the page",
    "account-deleted": "closed: the account was deleted",
    "password-changed": "closed: the password was changed; reload the page",
}
# States after which the socket stays closed: the status links to a reload instead of turning
# into "reconnecting…".
FINAL_STATES = frozenset(
    {"expired", "too-many-tabs", "too-many-connections", "too-fast"}
    | {"signed-out", "signed-in", "account-deleted", "password-changed"}
)


def render(partial: str, context: dict) -> str:
    return render_to_string(f"{PAGE}#{partial}", context).strip()


def status_context(state: str) -> dict:
    final = state in FINAL_STATES
    status = {
        "state": state,
        "label": STATUS_LABELS[state],
        "final": final,
        # A closed socket turns it into "reconnecting…"; once that is shown, a failed attempt
        # changes nothing (swapping it again would re-announce it).
        "watches_close": not final and state != "reconnecting",
    }
    return {"status": status}


def field_context(expression: str, token: str) -> dict:
    """An input, named by `token` (its submit key), and the keys whose following inputs the page
    fetches ahead of time."""
    return {
        "expression": expression,
        "max_length": MAX_EXPRESSION_LENGTH,
        "field_token": token,
        "fields_ahead": keys.ahead(token),
    }


def preview_context(result: Result | None) -> dict:
    return {"preview": result}


def notice_context(message: str = "", fetched: bool = False) -> dict:
    """The notice partial's names, all given: one it reads that is missing costs a failed
    lookup (it is in every submit's answer). `fetched`: over HTTP, so not out of band."""
    return {"notice": message, "fetched": fetched}


def reference(descriptions: dict[str, str]) -> list[tuple[str, str]]:
    """The engine's "usage — meaning" lines, split for the reference."""
    return [tuple(line.split(" — ", 1)) for _, line in sorted(descriptions.items())]


# The reference's lists: the engine's fixed tables, split once per process; units grouped by
# what they measure, in the table's order.
REFERENCE_CONTEXT = {
    "functions": reference(FUNCTIONS),
    "constants": reference(CONSTANTS),
    "unit_groups": UNIT_GROUPS,
    "prefixes": PREFIX_TEXT,
}


def url(name: str) -> str:
    """`reverse(name)` (a URL without arguments), kept per URLconf, script prefix and language,
    all it depends on: reversing costs more than rendering an entry's tools. A URLconf
    overridden or reloaded is a new resolver, so a new key: a URL kept can never be stale."""
    return _reversed(name, get_resolver(get_urlconf()), get_script_prefix(), get_language())


@lru_cache(maxsize=64)
def _reversed(name: str, resolver: object, prefix: str, language: str | None) -> str:
    return reverse(name)


def tools_context(csrf_token: str | None = None) -> dict:
    """What the entry partial reads besides the entry, found once per render rather than once
    per entry (a name missing from the context costs a failed lookup each time it is read): the
    tools are shown, the delete form's URL, and in a fragment its forms' CSRF token ("" over
    the socket, which sends the forms itself; a page's comes from its request)."""
    context = {"read_only": False, "delete_url": url("calculator:delete")}
    if csrf_token is not None:
        context["csrf_token"] = csrf_token
    return context


def page_context(
    snapshot: Snapshot,
    token: str,
    expression: str = "",
    degrees: bool = False,
    query: str = "",
    found: list[Calculation] | None = None,
    shares: list | None = None,
    sharing: bool = False,
) -> dict:
    """The page: the transcript, or with `query` the entries `found` by a search (then the
    socket is sent no version, so it redraws the transcript it is told to show)."""
    return {
        **angle_context(degrees),
        "entries": snapshot.entries if found is None else found,
        "hidden_count": snapshot.total - len(snapshot.entries),
        "transcript_version": snapshot.version if found is None else "",
        "last_id": snapshot.last_id,
        "query": query,
        "max_query_length": MAX_QUERY_LENGTH,
        "shares": shares or [],
        "max_shares": MAX_SHARES_PER_SESSION,
        "sharing": sharing,
        **status_context("connecting"),
        **tools_context(),
        **field_context(expression, token),
        **preview_context(None),
    }


# The server's WebSocket message limit (bin/serve) bounds what it sends as well as what it
# receives, so a long transcript goes out in several messages of at most this size.
MESSAGE_BUDGET_BYTES = 48 * 1024
# Markup around one entry's text (its edit and delete forms included, whose labels repeat the
# expression's first 40 characters), with room to spare; its text may grow sixfold when escaped.
ENTRY_MARKUP_BYTES = 2048
LABEL_CHARS = 40
ESCAPE_GROWTH = 6


# Every text column may be shown (the stored value too, in a `<details>` some day): counting them
# all keeps the bound true whatever the template shows.
_TEXT_FIELDS = Calculation.text_fields()


def entry_size_bound(entry: Calculation) -> int:
    """An upper bound on the bytes one rendered entry takes."""
    # A text column may be empty (None) where the model allows it.
    texts = [getattr(entry, name) or "" for name in _TEXT_FIELDS]
    labels = 2 * len(entry.expression[:LABEL_CHARS].encode())
    # A result's digit groups are elements: at most `<span></span>` (13 bytes) per 3 digits.
    groups = 5 * len(entry.display)
    text_bytes = sum(len(text.encode()) for text in texts) + labels
    return ENTRY_MARKUP_BYTES + ESCAPE_GROWTH * text_bytes + groups


def in_messages(entries: list[Calculation]) -> list[list[Calculation]]:
    """The entries cut into runs that each fit one message (a run holds at least one entry)."""
    runs: list[list[Calculation]] = [[]]
    size = 0
    for entry in entries:
        bound = entry_size_bound(entry)
        if runs[-1] and size + bound > MESSAGE_BUDGET_BYTES:
            runs.append([])
            size = 0
        runs[-1].append(entry)
        size += bound
    return runs


def unchanged() -> str:
    """All a tab needs on connect when it already shows the stored transcript: the live status
    (and an empty preview and notice, in place of what the socket's absence showed)."""
    return render(
        "unchanged", {**status_context("live"), **preview_context(None), **notice_context()}
    )


def connected(
    entries: list[Calculation], total: int, csrf_token: str, more: bool = False, query: str = ""
) -> Iterator[str]:
    """Everything a (re)connecting tab needs, as messages: the stored transcript (its first
    run replaces the tab's, the others append to it) and the live status. With `more`, the
    line counting earlier entries links to the page, which shows more of them. Each message is
    rendered when it is asked for, so a sender can let others work between them."""
    first, *rest = in_messages(entries)
    context = {
        "entries": first,
        "hidden_count": total - len(entries),
        "more": more,
        "query": query,
        "last_id": entries[-1].pk if entries else 0,
        **status_context("live"),
        **preview_context(None),
        **tools_context(csrf_token),
    }
    yield render("connected", context)
    yield from appended_runs(rest)


def appended(row: Calculation) -> str:
    """A new entry at the end of the transcript, and the "last result" link pointing at it."""
    return render("appended", {"entries": [row], "last_id": row.pk, **tools_context("")})


def appended_runs(runs: list[list[Calculation]]) -> Iterator[str]:
    """Runs of entries appended to the transcript, one message each, rendered as asked for."""
    tools = tools_context("")
    for run in runs:
        yield render("appended", {"entries": run, "last_id": run[-1].pk, **tools})


def searched(entries: list[Calculation], query: str, csrf_token: str) -> list[str]:
    """The transcript showing what a search found (or, with no query, the stored one)."""
    context = {"entries": entries, "query": query, **tools_context(csrf_token)}
    first, *rest = in_messages(entries)
    return [render("transcript", {**context, "entries": first}), *appended_runs(rest)]


def deleted(entry_id: int, last_id: int) -> str:
    """What every tab of the session shows when one entry is deleted: the entry gone."""
    return render("deleted", {"entry_id": entry_id, "last_id": last_id})


def submitted() -> str:
    """The answer to a submit, besides the entry: an empty preview and notice. Not the input:
    the page replaced it on Enter, and the person may be typing the next line in it."""
    return render("submitted", {**preview_context(None), **notice_context()})


def transcript_cleared() -> str:
    """What every tab of a cleared session shows: an empty transcript and preview."""
    empty = render("transcript", {"entries": [], "hidden_count": 0})
    return empty + render("latest", {"last_id": 0}) + preview(None)


def angle_context(degrees: bool) -> dict:
    return {"degrees": degrees}


def angle_form(degrees: bool, csrf_token: str) -> str:
    """The session's angle mode near the input, and the button that switches it."""
    return render("angle", {**angle_context(degrees), "csrf_token": csrf_token})


def clear_form(csrf_token: str) -> str:
    """The clear panel, closed again, for the tab whose "Delete all" was pressed."""
    return render("clear", {"csrf_token": csrf_token})


def field(expression: str, token: str) -> str:
    return render("field", field_context(expression, token))


def next_field(token: str) -> str:
    """The empty input that replaces a submitted one, fetched over HTTP (so not out of band)."""
    return render("field", {**field_context("", token), "fetched": True})


def preview(result: Result | None) -> str:
    return render("preview", preview_context(result))


def notice(message: str) -> str:
    return render("notice", notice_context(message))


# What Enter says while the socket is down (htmx queues the line and sends it on reconnect).
QUEUED = "Offline: this line is queued and will be sent when the connection is back."


def queued_notice() -> str:
    """The notice a page fetches (and its cache keeps) for Enter pressed while offline."""
    return render("notice", notice_context(QUEUED, fetched=True))


def status(state: str) -> str:
    return render("status", status_context(state))
