"""Fan-out: telling every open tab of a session what another one (or a form post) changed.

One home for the session's channel-layer group, the events' shape, and rendering an event once
for every tab, whichever process holds them. Any adapter that changes a transcript publishes
here; the consumer is what receives.
"""

from __future__ import annotations

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from calculator import metrics, render
from calculator.live.layer import UNAVAILABLE
from calculator.models import Calculation

log = logging.getLogger(__name__)

ENTRY = "calc.entry"
CLEARED = "calc.cleared"
DELETED = "calc.deleted"
ANGLE = "calc.angle"
ENDED = "calc.ended"


def group(owner: str) -> str:
    """The channel-layer group joined by every socket of one owner (calculator/owners.py): one
    browser session's, or a signed-in person's on every device."""
    return f"calc.{owner}"


def browser_group(session_key: str, signed_in: bool = True) -> str:
    """The group of one browser session's sockets: an anonymous one's is its owner's, a signed-in
    one's its own, so signing out there (or its angle mode) reaches no other device."""
    return f"calc.browser.{session_key}" if signed_in else group(session_key)


def entry_event(row: Calculation, html: str, origin: str) -> dict:
    """A stored row and its rendered entry (rendered once, whichever tab or process shows it);
    `origin` names the socket that has shown it already.

    The row travels as one JSON string: the in-memory layer deep-copies every message for every
    member, and a string copies for free where a nested dict costs more than the rest of the
    event; only a member that shows the entry decodes it.
    """
    return {"type": ENTRY, "origin": origin, "html": html, "row": json.dumps(row.to_message())}


def row_of(event: dict) -> Calculation:
    return Calculation.from_message(json.loads(event["row"]))


def cleared_event(cleared_id: int, origin: str) -> dict:
    """The transcript was cleared up to `cleared_id`; `html` is what every tab shows now, and
    `origin` names the socket whose "Delete all" it was."""
    return {
        "type": CLEARED,
        "origin": origin,
        "cleared_id": cleared_id,
        "html": render.transcript_cleared(),
    }


def deleted_event(entry_id: int, last_id: int, origin: str) -> dict:
    """One entry was deleted; `html` removes it from every tab (`last_id`: the newest left).
    `origin` names the socket that deleted it (its state is rebuilt already)."""
    return {
        "type": DELETED,
        "origin": origin,
        "entry_id": entry_id,
        "last_id": last_id,
        "html": render.deleted(entry_id, last_id),
    }


async def entry_stored(layer, row: Calculation, html: str, origin: str = "") -> bool:
    """Tell the session's tabs; the one named by `origin` (if any) drops its own copy. False if
    the channel layer is unreachable: the entry is stored, and the other tabs get it with the
    transcript on their next connect."""
    return await _publish(layer, group(row.owner), entry_event(row, html, origin))


async def cleared(layer, owner: str, cleared_id: int, origin: str = "") -> bool:
    return await _publish(layer, group(owner), cleared_event(cleared_id, origin))


async def deleted(layer, owner: str, entry_id: int, last_id: int, origin: str = "") -> bool:
    return await _publish(layer, group(owner), deleted_event(entry_id, last_id, origin))


async def angle_changed(layer, browser: str, degrees: bool, origin: str = "") -> bool:
    """A browser session's angle mode changed: its tabs (`browser`, its group) evaluate and
    show the new one."""
    event = {"type": ANGLE, "origin": origin, "degrees": degrees}
    return await _publish(layer, browser, event)


async def session_ended(layer, session_key: str, reason: str) -> bool:
    """A browser session signed in or out (`reason`, a status of calculator.render): its open
    sockets close, whether they were anonymous or signed in."""
    event = {"type": ENDED, "reason": reason}
    sent = await _publish(layer, browser_group(session_key), event)
    return await _publish(layer, browser_group(session_key, signed_in=False), event) and sent


async def owner_ended(layer, owner: str, reason: str, spared: str = "") -> bool:
    """Every socket of an owner closes (the account was deleted, the password changed) but those
    of the browser group `spared` (the browser that changed it, still signed in)."""
    event = {"type": ENDED, "reason": reason, "spared": spared}
    return await _publish(layer, group(owner), event)


async def _publish(layer, name: str, event: dict) -> bool:
    try:
        await layer.group_send(name, event)
    except UNAVAILABLE as error:
        metrics.layer_errors["connection"].inc()
        log.warning("fanout-failed type=%s error=%s", event["type"], error.__class__.__name__)
        return False
    return True


def publish_entry(row: Calculation) -> bool:
    """From synchronous code (a form post): tell the session's open tabs about a stored row."""
    return async_to_sync(entry_stored)(get_channel_layer(), row, render.appended(row))


def publish_angle(browser: str, degrees: bool) -> bool:
    return async_to_sync(angle_changed)(get_channel_layer(), browser, degrees)


def publish_cleared(owner: str, cleared_id: int) -> bool:
    return async_to_sync(cleared)(get_channel_layer(), owner, cleared_id)


def publish_deleted(owner: str, entry_id: int, last_id: int) -> bool:
    return async_to_sync(deleted)(get_channel_layer(), owner, entry_id, last_id)


def publish_session_ended(session_key: str, reason: str) -> bool:
    return async_to_sync(session_ended)(get_channel_layer(), session_key, reason)


def publish_owner_ended(owner: str, reason: str, spared: str = "") -> bool:
    return async_to_sync(owner_ended)(get_channel_layer(), owner, reason, spared)
