"""Scripted users for the fault tests: each types distinct lines into its own session through the
load balancer, lives through disconnects as a person with htmx would, and keeps the score.

A typist's socket closes (a process was killed, restarted, or failed): it reconnects after
htmx's full-jitter delay, looks at the transcript it is sent, and presses Enter again only if
the line it was waiting for is not there. A "Not stored" notice gets Enter again after a pause.
A second socket of the same session (the "other tab") counts the entries fanned out to it.
Afterwards the database says what was stored, so lost and duplicated lines are counted, not
assumed.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field

from websockets.exceptions import InvalidStatus, WebSocketException

from testing import client

# What a person waits for an answer before giving up on the socket (htmx would keep waiting;
# a person reloads). Longer than any outage the tests inject.
ANSWER_TIMEOUT = 15.0
# How long the other tabs keep watching after the typists stop: the last lines are in flight
# (a second was too short for them on a loaded 2-core machine).
OTHER_TAB_GRACE = 3.0
# A person presses Enter again this long after a "Not stored" notice.
RETRY_PAUSE = 0.5
NOT_STORED = "Not stored"
CODE = re.compile(r'<code class="entry__expression">(.*?)</code>', re.S)
NOTICE = re.compile(r'<p id="notice"[^>]*>(.*?)</p>', re.S)


def notice_text(message: str) -> str:
    match = NOTICE.search(message)
    return match.group(1).strip() if match else ""


def reconnect_delay(attempt: int) -> float:
    """htmx's ws extension: full jitter, doubling from one second up to 64."""
    return random.random() * 2 ** min(attempt, 6)


def p99(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


@dataclass
class Score:
    """What every typist saw, added up."""

    sent: set[str] = field(default_factory=set)
    answered: set[str] = field(default_factory=set)
    seen_in_snapshot: set[str] = field(default_factory=set)  # stored, answer lost in a reconnect
    wrong: list[str] = field(default_factory=list)  # answered with another result
    not_stored_notices: int = 0
    other_notices: list[str] = field(default_factory=list)
    notice_times: list[float] = field(default_factory=list)
    reconnects: int = 0
    handshake_failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    answer_times: dict[int, list[float]] = field(default_factory=dict)  # typist → monotonic
    fanned_out: dict[int, list[float]] = field(default_factory=dict)  # typist → monotonic
    close_codes: list[int | None] = field(default_factory=list)
    answered_at: dict[str, float] = field(default_factory=dict)
    # Watching and idle tabs whose socket closed: [closed at, open again at (None until then)].
    drops: list[list[float | None]] = field(default_factory=list)

    def recovery(self, since: float) -> float:
        """Seconds from `since` until every typist had an answer again."""
        firsts = [next((t for t in times if t >= since), float("inf"))
                  for times in self.answer_times.values()]  # fmt: skip
        return max(firsts) - since

    def reconnected(self, since: float) -> tuple[int, int, float]:
        """Tabs dropped after `since`, how many are open again, and the seconds until the last."""
        drops = [d for d in self.drops if d[0] >= since]
        back = [d[1] for d in drops if d[1] is not None]
        return len(drops), len(back), max(back, default=since) - since

    def longest_wait(self, since: float) -> float:
        """The longest any typist went without an answer after `since`: how long the fault
        kept someone waiting (a typist answers every `interval` when all is well)."""
        longest = 0.0
        for times in self.answer_times.values():
            previous = since
            for t in (t for t in times if t >= since):
                longest = max(longest, t - previous)
                previous = t
        return longest

    def fanout_recovery(self, since: float) -> float:
        """Seconds from `since` until every other tab had received an entry again."""
        firsts = [next((t for t in times if t >= since), float("inf"))
                  for times in self.fanned_out.values()]  # fmt: skip
        return max(firsts) - since


class Typist:
    def __init__(
        self, number: int, base_url: str, ws_url: str, score: Score, interval: float,
        typing: bool = True,
    ) -> None:  # fmt: skip
        self.number = number
        self.base_url = base_url
        self.ws_url = ws_url
        self.score = score
        self.interval = interval
        self.cookie = ""
        self.count = 0
        self.shown_in_other_tab: set[str] = set()  # lines the watching tab has shown
        self.live = False  # the watching tab has been greeted
        if typing:
            score.answer_times[number] = []
            score.fanned_out[number] = []

    def line(self) -> tuple[str, str]:
        """A distinct line and its answer."""
        self.count += 1
        return f"{self.number}*10000+{self.count}", str(self.number * 10000 + self.count)

    async def connect(self, attempt: int = 0):
        """A socket, retried as htmx retries; returns (socket, transcript text it was sent)."""
        while True:
            try:
                ws = await client.open_socket(self.ws_url, self.cookie, greeting=False)
            except (OSError, WebSocketException, TimeoutError) as error:
                if isinstance(error, InvalidStatus):
                    self.score.handshake_failures.append(str(error.response.status_code))
                else:
                    self.score.handshake_failures.append(type(error).__name__)
                await asyncio.sleep(reconnect_delay(attempt))
                attempt += 1
                continue
            try:
                # A preview is answered after the snapshot: everything up to its value (`= 1`;
                # the snapshot's own preview is blank) is the snapshot.
                await ws.send(client.preview_frame("1"))
                transcript = []
                while not transcript or "preview__value" not in transcript[-1]:
                    transcript.append(await asyncio.wait_for(ws.recv(), 10))
                return ws, "".join(transcript)
            except (WebSocketException, TimeoutError):
                self.score.close_codes.append(ws.close_code)
                await ws.close()
                await asyncio.sleep(reconnect_delay(attempt))
                attempt += 1

    async def type(self, stop: asyncio.Event) -> None:
        """Type lines every `interval` until `stop`; then finish the line being typed."""
        self.cookie = await asyncio.to_thread(client.open_session, self.base_url)
        ws, _ = await self.connect()
        pending: tuple[str, str] | None = None
        try:
            while pending is not None or not stop.is_set():
                if pending is None:
                    pending = self.line()
                    self.score.sent.add(pending[0])
                expression, expected = pending
                started = time.monotonic()
                try:
                    await ws.send(client.submit_frame(expression))
                    outcome = await asyncio.wait_for(self.answer(ws, expression), ANSWER_TIMEOUT)
                except (WebSocketException, TimeoutError):
                    self.score.close_codes.append(ws.close_code)
                    await ws.close()
                    self.score.reconnects += 1
                    ws, transcript = await self.connect()
                    if expression in CODE.findall(transcript):
                        self.score.seen_in_snapshot.add(expression)
                        pending = None
                    continue
                if outcome is None:  # "Not stored": Enter again after a moment
                    await asyncio.sleep(RETRY_PAUSE)
                    continue
                now = time.monotonic()
                self.score.latencies.append(now - started)
                self.score.answer_times[self.number].append(now)
                self.score.answered.add(expression)
                self.score.answered_at[expression] = now
                if outcome != expected:
                    self.score.wrong.append(f"{expression} = {outcome}")
                pending = None
                await asyncio.sleep(self.interval)
        finally:
            await ws.close()

    async def answer(self, ws, expression: str) -> str | None:
        """The result of the entry answering `expression`, or None for a "Not stored" notice."""
        while True:
            message = await ws.recv()
            if NOT_STORED in message:
                self.score.not_stored_notices += 1
                return None
            # A submit's own answer carries the blank preview with its entry; a broadcast does not.
            if client.ENTRY_MARK in message and 'id="preview"' in message:
                if expression in CODE.findall(message):
                    return client.result_of(message)
            elif client.ENTRY_MARK not in message and (text := notice_text(message)):
                self.score.other_notices.append(text)
                self.score.notice_times.append(time.monotonic())

    async def watch(self, stop: asyncio.Event) -> None:
        """The session's other tab: counts the entries fanned out to it, reconnecting as needed."""
        while not self.cookie:
            await asyncio.sleep(0.05)
        ws, transcript = await self.connect()
        self.live = True
        self.shown_in_other_tab.update(CODE.findall(transcript))
        try:
            while not stop.is_set():
                try:
                    message = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                except WebSocketException:
                    self.score.close_codes.append(ws.close_code)
                    drop: list[float | None] = [time.monotonic(), None]
                    self.score.drops.append(drop)
                    await ws.close()
                    await asyncio.sleep(reconnect_delay(0))
                    ws, transcript = await self.connect(attempt=1)
                    drop[1] = time.monotonic()
                    self.shown_in_other_tab.update(CODE.findall(transcript))
                    continue
                self.shown_in_other_tab.update(CODE.findall(message))
                if client.ENTRY_MARK in message and self.number in self.score.fanned_out:
                    self.score.fanned_out[self.number].append(time.monotonic())
        finally:
            await ws.close()


class Crowd:
    """`typists` sessions, each a typing tab and a watching tab, started at once, and `idle`
    sessions with one tab that types nothing (the bulk of a real server's sockets)."""

    def __init__(
        self, base_url: str, ws_url: str, typists: int, interval: float, idle: int = 0
    ) -> None:
        self.score = Score()
        self.stop = asyncio.Event()
        self.stop_watching = asyncio.Event()
        # Numbers no other crowd on the same database uses: every line typed is distinct.
        first = random.randrange(1, 10**6) * 1000
        self.typists = [
            Typist(first + n, base_url, ws_url, self.score, interval) for n in range(1, typists + 1)
        ]
        self.idle = [
            Typist(first + typists + n, base_url, ws_url, self.score, interval, typing=False)
            for n in range(1, idle + 1)
        ]
        self.tasks: list[asyncio.Task] = []

    async def __aenter__(self) -> Crowd:
        for tab in self.idle:
            tab.cookie = await asyncio.to_thread(client.open_session, tab.base_url)
        self.typing = [asyncio.create_task(t.type(self.stop)) for t in self.typists]
        self.watching = [
            asyncio.create_task(t.watch(self.stop_watching)) for t in self.typists + self.idle
        ]
        self.tasks = self.typing + self.watching
        return self

    def missing_in_other_tabs(self) -> set[str]:
        """Lines a typist saw confirmed that its session's other tab never showed."""
        confirmed = self.score.answered | self.score.seen_in_snapshot
        return {
            line
            for t in self.typists
            for line in confirmed
            if line.startswith(f"{t.number}*") and line not in t.shown_in_other_tab
        }

    async def warmed_up(self, answers: int = 3, timeout: float = 30.0) -> None:
        """Until every typist has had `answers` answers and every tab is open."""
        deadline = time.monotonic() + timeout
        while any(len(t) < answers for t in self.score.answer_times.values()) or not all(
            tab.live for tab in self.typists + self.idle
        ):
            if time.monotonic() > deadline:
                raise TimeoutError("the crowd did not warm up")
            for task in self.tasks:
                if task.done():
                    task.result()
            await asyncio.sleep(0.1)

    async def __aexit__(self, *exc) -> None:
        self.stop.set()
        await asyncio.wait(self.typing, timeout=ANSWER_TIMEOUT * 3)
        await asyncio.sleep(OTHER_TAB_GRACE)  # the last lines' fan-out
        self.stop_watching.set()
        done, pending = await asyncio.wait(self.tasks, timeout=ANSWER_TIMEOUT)
        for task in pending:
            task.cancel()
        if exc[0] is None:
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    raise task.exception()


def stored_counts(database_url: str, expressions: set[str]) -> dict[str, int]:
    """How many rows the database holds for each of `expressions`."""
    import psycopg

    url = database_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT expression, count(*) FROM calculator_calculation"
            " WHERE expression = ANY(%s) GROUP BY expression",
            (list(expressions),),
        ).fetchall()
    return dict(rows)


@dataclass
class Tally:
    """One fault's row of the table."""

    fault: str
    sent: int
    answered: int
    stored: int
    lost: int  # answered, or seen in a transcript, yet not stored
    duplicated: int  # stored more than once
    unresolved: int  # sent, never answered nor stored (the typist gave up)
    recovery_s: float  # the longest any typist waited for an answer after the fault began
    p99_ms: float
    notes: str = ""

    @classmethod
    def of(cls, fault: str, score: Score, database_url: str, since: float, notes: str = ""):
        counts = stored_counts(database_url, score.sent)
        confirmed = score.answered | score.seen_in_snapshot
        return cls(
            fault=fault,
            sent=len(score.sent),
            answered=len(score.answered),
            stored=len(counts),
            lost=len(confirmed - set(counts)),
            duplicated=sum(1 for n in counts.values() if n > 1),
            unresolved=len(score.sent - confirmed - set(counts)),
            recovery_s=round(score.longest_wait(since), 2),
            p99_ms=round(p99(score.latencies) * 1000, 1),
            notes=notes,
        )

    def row(self) -> str:
        return (
            f"| {self.fault} | {self.sent} | {self.answered} | {self.stored} | {self.lost} "
            f"| {self.duplicated} | {self.recovery_s} | {self.p99_ms} | {self.notes} |"
        )
