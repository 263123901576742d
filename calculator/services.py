"""The calculator's use cases, shared by every adapter: the socket, the no-JS views and the CLI.

Data in, data out: keys and expressions in; rows, snapshots, results and per-tab state out. No
HTML, no channel layer, no request or scope: telling other tabs is the realtime edge's job.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from time import perf_counter

from channels.db import database_sync_to_async
from django.db import IntegrityError, transaction
from django.db.models import Max

from calculator import keys, metrics
from calculator.engine import MAX_EXPRESSION_LENGTH, Num, Result, Session, evaluate, load_value
from calculator.models import UNSTORABLE, Calculation, Share
from calculator.store import GroupCommit

log = logging.getLogger(__name__)

# A page shows at most this many recent entries: bounds the cost of every (re)connect and page
# load. Older rows stay stored; variables and `ans` are rebuilt from all rows.
MAX_TRANSCRIPT_ENTRIES = 500
# A search is a substring of an expression or a result: longer text matches nothing typed.
MAX_QUERY_LENGTH = 100
# Bytes of randomness in a share link's token (secrets.token_urlsafe: 43 characters, unguessable).
SHARE_TOKEN_BYTES = 32
# Each link copies up to a page of entries: a bound on what one session can make the database hold.
MAX_SHARES_PER_SESSION = 20
# What a shared entry shows: its text and where its error points, nothing that rebuilds a session.
SHARED_FIELDS = (
    "expression",
    "display",
    "assigned",
    "interpretation",
    "error",
    "error_start",
    "error_end",
)


# Where a browser session keeps its angle mode ("deg" or "rad", the default), server side.
ANGLE_SESSION_KEY = "angle"


def reads_degrees(session_data) -> bool:
    """Whether a browser session (its stored data, a mapping) reads plain angles in degrees."""
    return session_data.get(ANGLE_SESSION_KEY) == "deg"


def angle_mode(degrees: bool) -> str:
    """The value stored under ANGLE_SESSION_KEY."""
    return "deg" if degrees else "rad"


class NotStored(Exception):
    """The database did not store a submitted line; nothing was applied, it may be sent again."""


@dataclass
class Snapshot:
    """What a (re)connecting tab needs: the visible transcript and the session state."""

    entries: list[Calculation]
    session: Session
    total: int

    @property
    def last_id(self) -> int:
        return self.entries[-1].pk if self.entries else 0

    @property
    def version(self) -> str:
        """Names a non-empty transcript exactly: rows are only appended (ids are never reused) or
        deleted, so its last id and count tell it from any other state. An empty one has no
        name: emptied by a clear, it looks like the empty one before it."""
        return f"{self.last_id}-{self.total}" if self.total else ""


@dataclass(slots=True)
class Tab:
    """One open view of a session's transcript: the state its next line is evaluated in.

    `shown_id`: rows up to this id were in the snapshot the tab was sent, so their broadcasts
    are not shown again. `applied_id`: the newest row applied to `session`, so two tabs
    submitting at once apply rows in the order they were stored.
    """

    owner: str
    session: Session
    shown_id: int = 0
    applied_id: int = 0

    def apply(self, row: Calculation, number: Num | None = None) -> None:
        """Apply a row unless a newer one is applied already; `number` is its value when the
        caller has it (its own submit), saving the decoding."""
        if row.pk is None or row.pk > self.applied_id:
            remember(self.session, row, number)
            if row.pk is not None:
                self.applied_id = row.pk

    def receive(self, row: Calculation) -> bool:
        """Another tab stored `row`: apply it; True if this tab should show it."""
        if row.pk <= self.shown_id:
            return False
        self.apply(row)
        return True

    def reset(self, cleared_id: int) -> None:
        """The transcript was cleared up to `cleared_id`: nothing before it counts any more."""
        self.session = Session(degrees=self.session.degrees)
        self.shown_id = max(self.shown_id, cleared_id)
        self.applied_id = max(self.applied_id, cleared_id)


def unstorable_at(expression: str) -> int | None:
    """The index of the first character no database can store, if any."""
    for index, character in enumerate(expression):
        if character in UNSTORABLE:
            return index
    return None


def calculate(
    owner: str, expression: str, session: Session, input_key: str = ""
) -> tuple[Calculation, Result]:
    """Evaluate a submitted line into an unsaved row; the session is left unchanged."""
    result = evaluate(expression, session, commit=False)
    if len(expression) > MAX_EXPRESSION_LENGTH:
        # Refused by the engine anyway; storing it whole would let one request fill the disk.
        expression = expression[:MAX_EXPRESSION_LENGTH] + "…"
    bad = unstorable_at(expression)
    row = Calculation(owner=owner, expression=expression)
    if input_key:
        row.submit_key = keys.submit_key(input_key, expression)
    if bad is not None:
        code = f"U+{ord(expression[bad]):04X}"
        row.expression = "".join("\ufffd" if c in UNSTORABLE else c for c in expression)
        row.error = f"the input contains a character that cannot be used ({code})"
        row.error_start, row.error_end = bad, bad + 1
    elif result.ok:
        row.display = result.display
        row.value = result.stored  # lossless: 1/3 stays a third after a reload or a restart
        row.assigned = result.assigned or ""
        if result.interpretation_differs:
            row.interpretation = result.interpretation
    else:
        metrics.engine_error(result.error)
        row.error = result.error.message
        row.error_start = result.error.span.start
        row.error_end = result.error.span.end
    return row, result


def stored_value(text: str) -> Num | None:
    """A row's stored value, or None (logged) if it cannot be read: one bad row never stops
    a session from loading."""
    try:
        return load_value(text)
    except ValueError:
        log.warning("unreadable-value length=%d", len(text))
        return None


def remember(session: Session, row: Calculation, number: Num | None = None) -> None:
    """Apply a successful row to a session: the one rule for `ans` and variables."""
    if not row.ok:
        return
    value = number if number is not None else stored_value(row.value)
    if value is not None:
        session.remember(value, row.assigned or None)


def run_line(tab: Tab, expression: str) -> Calculation:
    """Evaluate a line and apply it to the tab without storing it (the CLI's sessions)."""
    row, result = calculate(tab.owner, expression, tab.session)
    tab.apply(row, result.number)
    return row


def preview(tab: Tab, expression: str) -> Result | None:
    """What the line would give now, without storing or changing anything; None when blank."""
    if not expression.strip():
        return None
    return evaluate(expression, tab.session, commit=False)


def load_session(owner: str, degrees: bool = False) -> Session:
    """Variables and `ans` rebuilt from stored rows, so they survive restarts."""
    rows = Calculation.objects.filter(owner=owner, error="")
    session = Session(degrees=degrees)
    # Each variable's latest assignment only: the cost follows the number of names, not of rows.
    latest = rows.exclude(assigned="").values("assigned").annotate(last=Max("id"))
    for name, text in Calculation.objects.filter(pk__in=latest.values("last")).values_list(
        "assigned", "value"
    ):
        value = stored_value(text)
        if value is not None:
            session.variables[name] = value
    last_text = rows.order_by("-id").values_list("value", flat=True).first()
    if last_text is not None:
        session.ans = stored_value(last_text)
    return session


def load_snapshot(
    owner: str, limit: int = MAX_TRANSCRIPT_ENTRIES, degrees: bool = False
) -> Snapshot:
    """The session's state and its `limit` most recent entries (at most a page's)."""
    rows = Calculation.objects.filter(owner=owner)
    entries = list(reversed(rows.order_by("-id")[: min(limit, MAX_TRANSCRIPT_ENTRIES)]))
    session = load_session(owner, degrees)
    return Snapshot(entries=entries, session=session, total=rows.count())


def open_tab(
    owner: str, limit: int = MAX_TRANSCRIPT_ENTRIES, degrees: bool = False
) -> tuple[Tab, Snapshot]:
    """A tab opened on the stored transcript, and the snapshot it starts from."""
    snapshot = load_snapshot(owner, limit, degrees)
    last_id = snapshot.last_id
    return Tab(owner, snapshot.session, shown_id=last_id, applied_id=last_id), snapshot


def reopen_tab(
    owner: str, limit: int, shown_id: int, degrees: bool = False
) -> tuple[Tab, Snapshot]:
    """open_tab for a tab that may have missed broadcasts (the channel layer was away): its
    snapshot holds every row after `shown_id` too, up to a page's worth."""
    missed = Calculation.objects.filter(owner=owner, pk__gt=shown_id).count()
    return open_tab(owner, max(limit, missed), degrees)


def find_expression(owner: str, entry_id: int) -> str | None:
    """The expression of one of this session's entries (never another owner's)."""
    return (
        Calculation.objects.filter(owner=owner, pk=entry_id)
        .values_list("expression", flat=True)
        .first()
    )


def clear_history(owner: str) -> int:
    """Delete every row of the session; returns the newest id deleted (0 if none), so a tab
    can tell a late broadcast of a deleted row from a new one."""
    rows = Calculation.objects.filter(owner=owner)
    last_id = rows.aggregate(last=Max("id"))["last"] or 0
    rows.filter(pk__lte=last_id).delete()
    return last_id


def delete_entry(owner: str, entry_id: int) -> int | None:
    """Delete one of this session's entries (never another owner's). Returns the id of the
    newest entry left (0 if none), or None if there was no such entry to delete."""
    rows = Calculation.objects.filter(owner=owner)
    deleted, _ = rows.filter(pk=entry_id).delete()
    if not deleted:
        return None
    return rows.aggregate(last=Max("id"))["last"] or 0


def search(owner: str, query: str) -> list[Calculation]:
    """This session's newest entries (at most a page's) whose expression or result contains
    `query`, oldest first; case-insensitive."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    rows = Calculation.objects.filter(owner=owner)
    matching = rows.filter(expression__icontains=query) | rows.filter(display__icontains=query)
    return list(reversed(matching.order_by("-id")[:MAX_TRANSCRIPT_ENTRIES]))


def export_rows(owner: str) -> Iterator[Calculation]:
    """Every stored entry of the session, oldest first, for a download."""
    return Calculation.objects.filter(owner=owner).order_by("id").iterator()


def entries_after(owner: str, after_id: int, limit: int) -> list[Calculation]:
    """Up to `limit` of the owner's entries stored after `after_id`, oldest first (a page of the
    HTTP API's listing: ids only grow, so paging by id never skips nor repeats a row)."""
    rows = Calculation.objects.filter(owner=owner, pk__gt=after_id).order_by("id")
    return list(rows[:limit])


def share(owner: str) -> Share | None:
    """A read-only snapshot of the session's visible transcript under a new unguessable token;
    None when the session has MAX_SHARES_PER_SESSION links already."""
    if Share.objects.filter(owner=owner).count() >= MAX_SHARES_PER_SESSION:
        return None
    rows = load_snapshot(owner).entries
    entries = [{name: getattr(row, name) for name in SHARED_FIELDS} for row in rows]
    return Share.objects.create(
        token=secrets.token_urlsafe(SHARE_TOKEN_BYTES), owner=owner, entries=entries
    )


def shares(owner: str) -> list[Share]:
    return list(Share.objects.filter(owner=owner))


def revoke_share(owner: str, token: str) -> bool:
    """Delete one of this session's share links; False if it has none by that token."""
    deleted, _ = Share.objects.filter(owner=owner, token=token).delete()
    return bool(deleted)


def shared_entries(token: str) -> list[Calculation] | None:
    """The entries a share link shows, as unsaved rows numbered from 1; None if revoked."""
    found = Share.objects.filter(token=token).values_list("entries", flat=True).first()
    if found is None:
        return None
    return [Calculation(pk=number, **entry) for number, entry in enumerate(found, 1)]


def find_submitted(owner: str, submit_key: str | None) -> Calculation | None:
    """The row a submit already stored, if any."""
    if not submit_key:
        return None
    return Calculation.objects.filter(owner=owner, submit_key=submit_key).first()


def submit(owner: str, expression: str, degrees: bool = False) -> Calculation:
    """Evaluate a line in the stored session and store it (no key: always a new row)."""
    return submit_once(owner, expression, degrees=degrees)[0]


def submit_once(
    owner: str, expression: str, input_key: str = "", degrees: bool = False
) -> tuple[Calculation, bool]:
    """The synchronous use case (no-JS POST): evaluate in the stored session, store. Returns the
    row and whether it is new: a line its input submitted already gets its stored row back."""
    row, _ = calculate(owner, expression, load_session(owner, degrees), input_key)
    stored = find_submitted(owner, row.submit_key)
    if stored is not None:
        return stored, False
    return store_once(row)


def store_once(row: Calculation) -> tuple[Calculation, bool]:
    """Save a row unless a row with its submit key is stored already (by another process too:
    the unique constraint refuses it). Returns the row stored and whether it is this one."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        stored = find_submitted(row.owner, row.submit_key)
        if stored is None:
            raise
        return stored, False
    return row, True


class KeyReused(Exception):
    """An API request's Idempotency-Key came back with another request (another line or angle
    mode): the row stored under it answers the first one only. Nothing was stored."""


def submit_request(
    owner: str, expression: str, request_key: str, degrees: bool = False
) -> tuple[Calculation, bool]:
    """An HTTP API request's line under its Idempotency-Key (`request_key`, keys.request_key):
    stored and applied at most once per key and owner, as an input's line is. The key sent again
    gets its stored row back (not new); with another line or angle mode, KeyReused."""
    fingerprint = keys.fingerprint(expression, degrees)
    stored = find_submitted(owner, request_key)
    new = False
    if stored is None:
        row, _ = calculate(owner, expression, load_session(owner, degrees))
        row.submit_key, row.fingerprint = request_key, fingerprint
        stored, new = store_once(row)
    if stored.fingerprint != fingerprint:
        raise KeyReused
    return stored, new


def adopt(anonymous: str, owner: str) -> int:
    """Signing in: the browser session's entries and share links become the person's. Ids are
    handed out in time order and rows are read by id, so the two transcripts interleave as they
    were typed, and variables and `ans` (rebuilt from rows) follow. A submit key both sides
    stored (one input's line, sent before and after) stays with the person's row: the moved
    one only loses its key, which guards nothing once stored. Returns the entries moved."""
    if anonymous == owner:
        return 0
    with transaction.atomic():
        moved = Calculation.objects.filter(owner=anonymous)
        taken = Calculation.objects.filter(owner=owner, submit_key__isnull=False)
        moved.filter(submit_key__in=taken.values("submit_key")).update(submit_key=None)
        count = moved.update(owner=owner)
        Share.objects.filter(owner=anonymous).update(owner=owner)
    return count


def forget(owner: str) -> int:
    """Delete everything stored for an owner: entries and share links. Returns entries deleted."""
    with transaction.atomic():
        Share.objects.filter(owner=owner).delete()
        deleted, _ = Calculation.objects.filter(owner=owner).delete()
    return deleted


_group_commit = GroupCommit()


async def asubmit(tab: Tab, expression: str, input_key: str = "") -> tuple[Calculation, bool]:
    """Evaluate a line in the tab's session, store it (sharing one transaction with whatever
    other tabs of this process are storing), then apply it. Returns the row and whether it is
    new: the database refuses a second row for one submit, and the first one is returned
    instead (not applied again). NotStored if the write failed."""
    mark = perf_counter()
    row, result = calculate(tab.owner, expression, tab.session, input_key)
    mark = metrics.lap(mark, metrics.EVALUATE)
    try:
        await _group_commit.save(row)
    except IntegrityError as error:
        stored = await afind_submitted(tab.owner, row.submit_key)
        if stored is None:
            raise NotStored from error
        return stored, False
    except Exception as error:
        raise NotStored from error
    metrics.lap(mark, metrics.STORE)
    tab.apply(row, result.number)
    return row, True


aopen_tab = database_sync_to_async(open_tab)
areopen_tab = database_sync_to_async(reopen_tab)
afind_expression = database_sync_to_async(find_expression)
aclear_history = database_sync_to_async(clear_history)
adelete_entry = database_sync_to_async(delete_entry)
asearch = database_sync_to_async(search)
aload_session = database_sync_to_async(load_session)


afind_submitted = database_sync_to_async(find_submitted)
