"""The calculator's use cases, shared by the WebSocket consumer, the no-JS views and the CLI.

One path for data: evaluate with the engine, store a `Calculation`, rebuild a session's
variables and `ans` from stored rows, tell the session's other tabs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db.models import Max

from calculator import fragments
from calculator.engine import MAX_EXPRESSION_LENGTH, Result, Session, evaluate
from calculator.group_commit import GroupCommit
from calculator.models import Calculation

# A page shows at most this many recent entries: bounds the cost of every (re)connect and page
# load. Older rows stay stored; variables and `ans` are rebuilt from all rows.
MAX_TRANSCRIPT_ENTRIES = 500


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
        all deleted together, so its last id and count tell it from any other state. An empty
        one has no name: emptied by a clear, it looks like the empty one before it."""
        return f"{self.last_id}-{self.total}" if self.total else ""


def session_group(session_key: str) -> str:
    """The channel-layer group joined by every socket of one browser session."""
    return f"calc.{session_key}"


def calculate(session_key: str, expression: str, session: Session) -> tuple[Calculation, Result]:
    """Evaluate a submitted line into an unsaved row; the session is left unchanged."""
    result = evaluate(expression, session, commit=False)
    if len(expression) > MAX_EXPRESSION_LENGTH:
        # Refused by the engine anyway; storing it whole would let one request fill the disk.
        expression = expression[:MAX_EXPRESSION_LENGTH] + "…"
    row = Calculation(session_key=session_key, expression=expression)
    if result.ok:
        row.display = result.display
        row.value = str(result.value)
        row.assigned = result.assigned or ""
        if result.interpretation_differs:
            row.interpretation = result.interpretation
    else:
        row.error = result.error.message
        row.error_start = result.error.span.start
        row.error_end = result.error.span.end
    return row, result


def remember(session: Session, row: Calculation) -> None:
    """Apply a stored successful row to a session: the one rule for `ans` and variables."""
    if not row.ok:
        return
    value = Decimal(row.value)
    session.ans = value
    if row.assigned:
        session.variables[row.assigned] = value


def preview(expression: str, session: Session) -> Result:
    """What the line would give now, without storing or changing anything."""
    return evaluate(expression, session, commit=False)


def load_session(session_key: str) -> Session:
    """Variables and `ans` rebuilt from stored rows, so they survive restarts."""
    rows = Calculation.objects.filter(session_key=session_key, error="")
    session = Session()
    # Each variable's latest assignment only: the cost follows the number of names, not of rows.
    latest = rows.exclude(assigned="").values("assigned").annotate(last=Max("id"))
    for name, value in Calculation.objects.filter(pk__in=latest.values("last")).values_list(
        "assigned", "value"
    ):
        session.variables[name] = Decimal(value)
    last_value = rows.order_by("-id").values_list("value", flat=True).first()
    if last_value is not None:
        session.ans = Decimal(last_value)
    return session


def load_snapshot(session_key: str) -> Snapshot:
    rows = Calculation.objects.filter(session_key=session_key)
    entries = list(reversed(rows.order_by("-id")[:MAX_TRANSCRIPT_ENTRIES]))
    return Snapshot(entries=entries, session=load_session(session_key), total=rows.count())


def find_expression(session_key: str, entry_id: int) -> str | None:
    """The expression of one of this session's entries (never another session's)."""
    return (
        Calculation.objects.filter(session_key=session_key, pk=entry_id)
        .values_list("expression", flat=True)
        .first()
    )


def clear_history(session_key: str) -> int:
    deleted, _ = Calculation.objects.filter(session_key=session_key).delete()
    return deleted


def submit(session_key: str, expression: str) -> Calculation:
    """The synchronous use case (no-JS POST): evaluate, store, tell the session's open tabs."""
    row, _ = calculate(session_key, expression, load_session(session_key))
    row.save()
    broadcast_entry(session_key, row, fragments.appended(row))
    return row


# Every socket of the session (the clearing one included) reloads its now empty transcript.
CLEARED_EVENT = {"type": "calc.cleared"}


def broadcast_entry(session_key: str, row: Calculation, html: str) -> None:
    async_to_sync(get_channel_layer().group_send)(
        session_group(session_key), entry_event(row, html, origin="")
    )


def broadcast_cleared(session_key: str) -> None:
    async_to_sync(get_channel_layer().group_send)(session_group(session_key), CLEARED_EVENT)


def entry_event(row: Calculation, html: str, origin: str) -> dict:
    """A channel-layer message carrying a stored row and its rendered entry (rendered once,
    whichever tab or process shows it); plain types only, so Redis can carry it."""
    return {
        "type": "calc.entry",
        "origin": origin,
        "html": html,
        "id": row.pk,
        "expression": row.expression,
        "display": row.display,
        "value": row.value,
        "assigned": row.assigned,
        "interpretation": row.interpretation,
        "error": row.error,
        "error_start": row.error_start,
        "error_end": row.error_end,
    }


def row_from_event(event: dict) -> Calculation:
    fields = {k: v for k, v in event.items() if k not in {"type", "origin", "id", "html"}}
    return Calculation(pk=event["id"], **fields)


async def tell_other_tabs(layer, session_key: str, event: dict, sender: str) -> None:
    """Fan an event out to the session's other sockets. A layer that knows every member (the
    in-memory one) skips the sender; others (Redis: members may be in any process) deliver to it
    too, and its consumer drops the event by its `origin`."""
    group = session_group(session_key)
    send_except = getattr(layer, "group_send_except", None)
    if send_except is not None:
        await send_except(group, event, sender)
    else:
        await layer.group_send(group, event)


_group_commit = GroupCommit()

aload_snapshot = database_sync_to_async(load_snapshot)
afind_expression = database_sync_to_async(find_expression)
aclear_history = database_sync_to_async(clear_history)


async def asave(row: Calculation) -> Calculation:
    """Store a row, sharing one transaction with whatever other sockets are saving right now."""
    return await _group_commit.save(row)
