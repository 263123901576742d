"""The WebSocket consumer: a thin adapter between htmx frames, the services and the partials.

Async, because one event loop serves thousands of idle sockets cheaply and the only blocking
work (the database) goes through `database_sync_to_async` helpers in services.
"""

from __future__ import annotations

import asyncio
import logging
from time import perf_counter
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.http import HttpRequest
from django.middleware.csrf import get_token

from calculator import keys, metrics, owners, render, services
from calculator.live import admission, fanout, protocol
from calculator.live.admission import Refusal
from calculator.live.protocol import Action, Frame, FrameError, parse_frame

log = logging.getLogger(__name__)

# A preview is debounced by 250 ms: lines entered faster than that leave a few inputs whose late
# previews must be ignored.
SUBMITTED_KEYS_KEPT = 4

# Frames whose work reaches every tab of the session (an entry, a clear, a deletion, an angle
# mode): each costs a send per tab from the session's budget (admission.FANOUT_TABS).
SENT_TO_EVERY_TAB = frozenset({Action.SUBMIT, Action.CLEAR, Action.DELETE, Action.ANGLE})

TOO_FAST = "Too many messages: slow down a little."
TOO_FAST_LINE_BACK = "Too many messages: your line is back in the field; press Enter again."

# Shown when a stored entry could not be sent to the session's other tabs (Redis is down); they
# are sent the whole transcript when it is back (calc_rejoined).
FANOUT_DOWN = "Stored. Your other tabs will show it when their connection is back."


def csrf_token_for(scope: dict) -> str:
    """A CSRF token matching the browser's cookie, for the no-JS forms inside fragments."""
    request = HttpRequest()
    cookie = scope.get("cookies", {}).get(settings.CSRF_COOKIE_NAME)
    if cookie:
        request.META["CSRF_COOKIE"] = cookie
    return get_token(request)


@database_sync_to_async
def session_reads_degrees(session) -> bool:
    return services.reads_degrees(session)


@database_sync_to_async
def store_angle_mode(session, degrees: bool) -> None:
    """Keep the angle mode with the browser session, as the no-JS form does."""
    session[services.ANGLE_SESSION_KEY] = services.angle_mode(degrees)
    try:
        session.save()
    except UpdateError:
        # The key this socket opened with was cycled (a password change that kept the browser
        # signed in): the mode holds in the browser's open tabs, and its next page loads have
        # the session's.
        log.info("angle-not-kept session=%s", session.session_key[:6])


@database_sync_to_async
def existing_session_key(session) -> str | None:
    """The session key only if the session is stored: a made-up cookie names no transcript."""
    key = session.session_key
    if key and session.exists(key):
        return key
    return None


class CalculatorConsumer(AsyncWebsocketConsumer):
    """One tab's socket. Its state is per socket and kept small (thousands may sit idle)."""

    # Per-socket state starts as these class defaults, so an idle socket stores none of it.
    # The browser session (admission counts by it) and who the transcript belongs to
    # (calculator/owners.py: the session, or the signed-in person on every device).
    session_key: str | None = None
    owner: str | None = None
    # The group of this browser session's sockets (its sign-out and angle mode reach them).
    browser: str | None = None
    tab: services.Tab | None = None
    refused = 0  # frames refused in the current run of refusals
    # The admission that counted this socket in (it counts it out), and the client's address.
    admitted_by: admission.Admission | None = None
    address: str | None = None
    # The submit keys (keys.submit_key: an input and its line) of the lines last submitted, by
    # this socket or stored before it connected: a late preview of one of them is stale.
    submitted_keys: tuple[str, ...] = ()

    @property
    def log_prefix(self) -> str:
        """The owner as logs show it: a user's id or a session key's prefix, never the key."""
        return owners.log_label(self.owner or "")

    @property
    def log_extra(self) -> dict:
        """The session prefix and the socket's id as fields of their own (CALC_LOG_FORMAT=json)."""
        return {"session": self.session_key[:6], "socket": self.channel_name.rpartition("!")[2]}

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch without its close_old_connections() thread hop before each message.

        That hop guards handlers that use the ORM on the event loop's thread; here every query
        runs through database_sync_to_async, which closes stale connections in its own worker
        thread (tests/test_async_orm.py fails if any consumer or services code does otherwise).
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, message: dict) -> None:
        """Channels' connect handler, in the turn of the session the cookie names
        (admission.ConnectTurns): one session's connects run one after another."""
        claimed = self.scope["session"].session_key or ""
        async with admission.current().connects.turn(claimed):
            await super().websocket_connect(message)

    async def connect(self) -> None:
        # The address first: a connect refused for it costs no query and no transcript.
        self.address = admission.client_address(self.scope)
        limits = admission.current()
        refusal = limits.check_address(self.address)
        if refusal is None:
            self.session_key = await existing_session_key(self.scope["session"])
            if self.session_key is None:
                refusal = Refusal.NO_SESSION
            else:
                refusal = limits.admit(self.session_key, self.address)
        if refusal is None:
            self.admitted_by = limits
            metrics.websocket_connects.inc()
            metrics.websocket_connections.inc()
            user = self.scope.get("user")
            self.owner = owners.of_request_user(user, self.session_key)
            self.browser = fanout.browser_group(self.session_key, self.owner != self.session_key)
        await self.accept()
        if refusal is not None:
            await self.refuse(refusal)
            return
        # Join before reading, so no entry stored in between is missed; the tab's `shown_id`
        # drops the broadcasts the snapshot already holds.
        await self.channel_layer.group_add(fanout.group(self.owner), self.channel_name)
        if self.browser != fanout.group(self.owner):
            await self.channel_layer.group_add(self.browser, self.channel_name)
        await self.send_snapshot(seen=self.seen_version())
        query = self.url_parameter("q")
        if query:  # a page loaded filtered (?q=) stays filtered
            await self.search(Frame(Action.SEARCH, query=query[: protocol.MAX_QUERY_CHARS]))
        log.info("connect %s", self.log_prefix, extra=self.log_extra)

    async def refuse(self, refusal: Refusal) -> None:
        """Say why in the status (a tab keeps showing it), then close with a code htmx does
        not retry: reconnecting at once would be refused again."""
        admission.refusals.note(refusal, self.session_key[:6] if self.session_key else "")
        metrics.refused[refusal.metric].inc()
        self.tab = None  # frames still in flight are dropped unread
        await self.send(render.status(refusal.status))
        await self.close(code=refusal.code)

    async def disconnect(self, code: int) -> None:
        if self.admitted_by is not None:
            metrics.websocket_connections.dec()
            metrics.disconnected(code)
            self.admitted_by.release(self.session_key, self.address)
            self.admitted_by = None
            await self.channel_layer.group_discard(fanout.group(self.owner), self.channel_name)
            if self.browser != fanout.group(self.owner):
                await self.channel_layer.group_discard(self.browser, self.channel_name)
            log.info("disconnect %s code=%s", self.log_prefix, code, extra=self.log_extra)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.tab is None:
            return
        if not self.admitted_by.frames.take(self.session_key):
            # Not even parsed, but for the first of a run: a line it carries goes back.
            await self.too_fast(parsed_or_none(text_data) if not self.refused else None)
            return
        if text_data is None:
            metrics.refused["binary"].inc()
            log.warning("bad-frame %s reason=binary", self.log_prefix, extra=self.log_extra)
            await self.send(render.notice("Binary messages are not accepted."))
            return
        try:
            frame = parse_frame(text_data)
        except FrameError as error:
            metrics.refused[error.reason].inc()
            log.warning("bad-frame %s reason=%r", self.log_prefix, str(error), extra=self.log_extra)
            await self.send(render.notice(f"Message refused: {error}."))
            return
        if frame.action in SENT_TO_EVERY_TAB and not self.admitted_by.fan_out(self.session_key):
            await self.too_fast(frame)
            return
        if self.refused:
            log.info(
                "rate-limit-ended %s refused=%d",
                self.log_prefix,
                self.refused,
                extra=self.log_extra,
            )
            self.refused = 0
        metrics.frame(frame.action.value)
        await self.handlers[frame.action](self, frame)

    async def too_fast(self, frame: Frame | None = None) -> None:
        """A frame over the session's rate (admission.Admission). A refused frame costs next to
        nothing: only the first of a run gets a notice (and a log line), and its line, if it is
        a submit's, goes back into the field (Enter had emptied it); a run that goes on is a
        flood, and ends the socket."""
        self.refused += 1
        metrics.refused["rate_limit"].inc()
        if self.refused == 1:
            log.warning("rate-limited %s", self.log_prefix, extra=self.log_extra)
            if frame is not None and frame.action is Action.SUBMIT and frame.expression.strip():
                field = render.field(frame.expression, frame.field or keys.new())
                await self.send(field + render.notice(TOO_FAST_LINE_BACK))
            else:
                await self.send(render.notice(TOO_FAST))
        elif self.refused >= settings.CALC_MAX_REFUSED_FRAMES > 0:
            await self.refuse(Refusal.FLOOD)

    async def submit(self, frame: Frame) -> None:
        # The input submitted is already replaced in the page (by an empty one from the browser's
        # cache): the answer leaves the field alone, so nothing typed since is lost.
        started = perf_counter()
        if frame.field:
            submitted = keys.submit_key(frame.field, frame.expression)
            self.submitted_keys = (*self.submitted_keys[1 - SUBMITTED_KEYS_KEPT :], submitted)
        if not frame.expression.strip():
            await self.send(render.submitted())
            return
        try:
            row, new = await services.asubmit(self.tab, frame.expression, frame.field)
        except services.NotStored:
            duration_ms = round((perf_counter() - started) * 1000, 1)
            log.exception(
                "store-failed %s",
                self.log_prefix,
                extra={**self.log_extra, "duration_ms": duration_ms},
            )
            await self.send(
                render.field(frame.expression, frame.field or keys.new())
                + render.notice("Not stored: the database is unavailable. Press Enter to retry.")
            )
            return
        if not new:
            await self.send(render.submitted())  # sent again: shown already, nothing changes
            return
        mark = perf_counter()  # evaluate and store: timed in services.asubmit
        html = render.appended(row)
        answer = html + render.submitted()
        mark = metrics.lap(mark, metrics.RENDER)
        await self.send(answer)
        mark = metrics.lap(mark, metrics.SEND)
        metrics.submit_duration.observe(mark - started)
        if not await fanout.entry_stored(self.channel_layer, row, html, origin=self.channel_name):
            await self.send(render.notice(FANOUT_DOWN))
        metrics.lap(mark, metrics.FANOUT)

    async def preview(self, frame: Frame) -> None:
        if frame.field and keys.submit_key(frame.field, frame.expression) in self.submitted_keys:
            return  # from an input already submitted (a debounce that fired after Enter)
        await self.send(render.preview(services.preview(self.tab, frame.expression)))

    async def recall(self, frame: Frame) -> None:
        expression = await services.afind_expression(self.owner, frame.entry_id)
        if expression is None:
            await self.send(render.notice("That entry no longer exists."))
            return
        await self.send(render.field(expression, keys.new()))

    async def clear(self, frame: Frame) -> None:
        cleared_id = await services.aclear_history(self.owner)
        log.info("cleared %s", self.log_prefix, extra=self.log_extra)
        if not await fanout.cleared(self.channel_layer, self.owner, cleared_id, self.channel_name):
            # The layer is down: this tab shows its clear now, the others when it is back.
            await self.calc_cleared(fanout.cleared_event(cleared_id, self.channel_name))

    async def delete(self, frame: Frame) -> None:
        last_id = await services.adelete_entry(self.owner, frame.entry_id)
        if last_id is None:
            await self.send(render.notice("That entry no longer exists."))
            return
        # Rebuilt now, not when the event comes back: a line sent right after the delete must
        # already see the `ans` and variables of the rows left.
        self.tab.session = await services.aload_session(self.owner, self.tab.session.degrees)
        await fanout.deleted(
            self.channel_layer, self.owner, frame.entry_id, last_id, self.channel_name
        )

    async def search(self, frame: Frame) -> None:
        """Show the entries matching the query (the whole stored transcript when it is blank)."""
        query = frame.query.strip()
        if not query:
            await self.send_snapshot()
            return
        entries = await services.asearch(self.owner, query)
        for message in render.searched(entries, query, csrf_token_for(self.scope)):
            await self.send(message)

    async def angle(self, frame: Frame) -> None:
        await store_angle_mode(self.scope["session"], frame.degrees)
        await self.calc_angle({"origin": "", "degrees": frame.degrees})
        await fanout.angle_changed(
            self.channel_layer, self.browser, frame.degrees, self.channel_name
        )

    handlers = {
        Action.SUBMIT: submit,
        Action.PREVIEW: preview,
        Action.RECALL: recall,
        Action.CLEAR: clear,
        Action.DELETE: delete,
        Action.SEARCH: search,
        Action.ANGLE: angle,
    }

    def url_parameter(self, name: str) -> str:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        return query.get(name, [""])[0]

    def seen_version(self) -> str:
        """The version of the transcript the tab's page was rendered with (`?seen=`), if any."""
        return self.url_parameter("seen")

    async def send_snapshot(self, seen: str = "", missed_after: int | None = None) -> None:
        """The stored transcript and the live status; only the status if the tab shows the
        stored transcript already (a fresh page: re-sending a long one would redraw it all).
        `missed_after`: the tab may have missed the broadcasts of rows after this id, and gets
        them all (up to a page's worth), however many that is."""
        limit = settings.CALC_CONNECT_ENTRIES
        degrees = await session_reads_degrees(self.scope["session"])
        if missed_after is None:
            self.tab, snapshot = await services.aopen_tab(self.owner, limit, degrees)
        else:
            self.tab, snapshot = await services.areopen_tab(
                self.owner, limit, missed_after, degrees
            )
        # A late preview of an input submitted just before the socket dropped reaches this socket
        # from htmx's queue after the reconnect: the stored lines' keys tell it is stale here too.
        stored = [row.submit_key for row in snapshot.entries[-SUBMITTED_KEYS_KEPT:]]
        self.submitted_keys = (*self.submitted_keys, *filter(None, stored))[
            -2 * SUBMITTED_KEYS_KEPT :
        ]
        if seen and seen == snapshot.version:
            await self.send(render.unchanged())
            return
        csrf_token = csrf_token_for(self.scope)
        # A tab sent fewer entries than a page shows gets a link to the page.
        more = limit < services.MAX_TRANSCRIPT_ENTRIES
        for message in render.connected(snapshot.entries, snapshot.total, csrf_token, more):
            await self.send(message)
            # Other sockets' ready work before the next message is rendered: a long transcript
            # (50 lines of 1,000 characters: 14 ms) holds the loop for one message's at a time.
            await asyncio.sleep(0)

    async def calc_entry(self, event: dict) -> None:
        """A tab of this session (another socket, or a form post) stored an entry."""
        if event["origin"] == self.channel_name or self.tab is None:
            return
        if self.tab.receive(fanout.row_of(event)):
            await self.send(event["html"])

    async def calc_rejoined(self, event: dict) -> None:
        """The channel layer is back after an outage (live/layer.py): entries other tabs stored
        meanwhile never reached this one, so it is sent the stored transcript again: all of what
        came after its last snapshot, however many rows the outage saw."""
        if self.tab is not None:
            await self.send_snapshot(missed_after=self.tab.shown_id)

    async def calc_deleted(self, event: dict) -> None:
        """An entry of this session was deleted (by any tab or a form post): it goes from every
        tab, and `ans` and variables are rebuilt from the rows left."""
        if self.tab is None:
            return
        if event["origin"] != self.channel_name:
            self.tab.session = await services.aload_session(self.owner, self.tab.session.degrees)
        await self.send(event["html"])

    async def calc_angle(self, event: dict) -> None:
        """The session's angle mode changed (here, in another tab, or by a form post)."""
        if event["origin"] == self.channel_name or self.tab is None:
            return
        self.tab.session.degrees = event["degrees"]
        await self.send(render.angle_form(event["degrees"], csrf_token_for(self.scope)))

    async def calc_cleared(self, event: dict) -> None:
        """The session's transcript was cleared: no reload, the event carries the empty one."""
        if self.tab is None:
            return
        self.tab.reset(event["cleared_id"])
        html = event["html"]
        if event["origin"] == self.channel_name:
            html += render.clear_form(csrf_token_for(self.scope))  # closes the panel it opened
        await self.send(html)

    async def calc_ended(self, event: dict) -> None:
        """This browser session signed in or out, or the account is gone: the transcript this
        socket shows is no longer the browser's, so it closes, saying why, with a code htmx does
        not retry (a reload opens the right one). The browser an event spares stays."""
        if self.tab is None or event.get("spared") == self.browser:
            return
        log.info("session-ended %s reason=%s", self.log_prefix, event["reason"])
        self.tab = None
        await self.send(render.status(event["reason"]))
        await self.close(code=admission.CLOSE_SESSION_ENDED)


def parsed_or_none(text_data: str | None) -> Frame | None:
    """The frame a refused message carries, if it is one (a refusal's notice says nothing of a
    frame that is not)."""
    if text_data is None:
        return None
    try:
        return parse_frame(text_data)
    except FrameError:
        return None
