"""Who may open a socket: caps on open sockets and connect rates per session and per client
address, so one user cannot take the file descriptors or the event loop from everyone else.

Per process (a cluster-wide cap would need shared state in Redis). Every refusal has one of a
few fixed reasons, logged at most once a second per reason with a count, so a flood of refused
connects cannot flood the log. One session's connects take their turns (ConnectTurns), so a
burst of them holds the event loop and the database thread for one connect at a time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from calculator.live.ratelimit import KeyedBuckets

log = logging.getLogger(__name__)

# A connect rate's burst is this many seconds of it: every tab of a session (or every socket of
# an address) may reconnect at once after a restart.
CONNECT_BURST_SECONDS = 20
# Close code for a socket refused or ended by a limit. htmx's ws extension does not retry it
# (it retries 1006, 1011, 1012, 1013 only): retrying at once would only be refused again.
CLOSE_LIMITED = 4429
# Close code for a socket whose browser session is gone: reloading the page can help.
CLOSE_SESSION_EXPIRED = 4401
# Close code for a socket whose browser session signed in or out, or whose account was deleted:
# the transcript it shows is no longer this browser's (a reload shows the right one). Not retried.
CLOSE_SESSION_ENDED = 4403
# A session's frames reach its other tabs (an entry, a clear, a deletion, an angle mode) for the
# price of its frame rate up to this many tabs: each such frame takes a send per open tab from a
# bucket of FANOUT_TABS times the frame rate and burst. Twenty tabs made a burst of 60 clears
# 1,200 sends at once, some 400 ms of event loop (issue 10 #8's storm: others waited 213 ms).
FANOUT_TABS = 2
# A refusal reason is logged at most this often, with how many refusals it stands for.
LOG_INTERVAL_SECONDS = 1.0


class Refusal(Enum):
    """Why a socket was refused or closed: a small fixed set (the metrics count by it)."""

    NO_SESSION = "no-session"
    ADDRESS_CONNECTS = "address-connects"
    ADDRESS_SOCKETS = "address-sockets"
    SESSION_CONNECTS = "session-connects"
    SESSION_SOCKETS = "session-sockets"
    FLOOD = "flood"

    @property
    def status(self) -> str:
        """The status the tab is left showing (calculator.render.STATUS_LABELS)."""
        return {
            Refusal.NO_SESSION: "expired",
            Refusal.SESSION_SOCKETS: "too-many-tabs",
            Refusal.FLOOD: "too-fast",
        }.get(self, "too-many-connections")

    @property
    def code(self) -> int:
        return CLOSE_SESSION_EXPIRED if self is Refusal.NO_SESSION else CLOSE_LIMITED

    @property
    def metric(self) -> str:
        """The reason as calc_refused_frames_total labels it (calculator/metrics.py)."""
        return self.value.replace("-", "_")


@dataclass(frozen=True)
class Limits:
    """The caps, from settings; 0 turns one off."""

    frame_rate_per_session: float
    sockets_per_session: int
    sockets_per_address: int
    connect_rate_per_session: float
    connect_rate_per_address: float

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            frame_rate_per_session=settings.CALC_RATE_LIMIT,
            sockets_per_session=settings.CALC_MAX_SOCKETS_PER_SESSION,
            sockets_per_address=settings.CALC_MAX_SOCKETS_PER_ADDRESS,
            connect_rate_per_session=settings.CALC_CONNECT_RATE_PER_SESSION,
            connect_rate_per_address=settings.CALC_CONNECT_RATE_PER_ADDRESS,
        )


class ConnectTurns:
    """One connect at a time per key (a browser session): the session check, the transcript
    read and rendered and the greeting sent for one socket, then the next socket's.

    A connect costs about 2 ms of event loop and 1-3 ms of the database thread (every query of
    the process goes through that one thread). A session's 20 tabs (and the refusals of its
    next 80) all at once put all of it ahead of every other socket's next step: another
    session's `1+1` waited for 17-19 of 20 greetings. In turns, it waits for one at most, and
    the session's tabs take no longer in all (they share the loop and the thread anyway).
    Memory: a lock per key while one of its connects runs or waits.
    """

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._holders: Counter[Hashable] = Counter()  # running or waiting, per key

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def turn(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key], self._locks[key]


def over(count: int, cap: int) -> bool:
    return 0 < cap <= count


class Admission:
    """The process's open sockets and connect buckets, by session and by client address, and
    the frame bucket each session's sockets share (every tab's frames are the same person's, and
    each entry or clear is sent to every tab: per socket, 20 tabs would make 20 times the work),
    and the bucket of sends to its tabs (FANOUT_TABS): shared, 20 tabs still made each frame 20
    sends.

    `address` is None when the server knows no client address (a Unix socket): then only the
    session's limits apply. Memory: a counter per open socket's key, buckets bounded by
    KeyedBuckets.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        rate = limits.frame_rate_per_session
        self.frames = KeyedBuckets(rate, 2 * rate)
        self.sends = KeyedBuckets(FANOUT_TABS * rate, FANOUT_TABS * 2 * rate)
        rate = limits.connect_rate_per_session
        self.session_connects = KeyedBuckets(rate, rate * CONNECT_BURST_SECONDS)
        rate = limits.connect_rate_per_address
        self.address_connects = KeyedBuckets(rate, rate * CONNECT_BURST_SECONDS)
        self.session_sockets: Counter[str] = Counter()
        self.address_sockets: Counter[str] = Counter()
        self.connects = ConnectTurns()

    def check_address(self, address: str | None) -> Refusal | None:
        """Before any other work for a connect: may this address connect now?"""
        if address is None:
            return None
        if not self.address_connects.take(address):
            return Refusal.ADDRESS_CONNECTS
        if over(self.address_sockets[address], self.limits.sockets_per_address):
            return Refusal.ADDRESS_SOCKETS
        return None

    def admit(self, session_key: str, address: str | None) -> Refusal | None:
        """Once the session is known: count the socket in, or say why not."""
        if not self.session_connects.take(session_key):
            return Refusal.SESSION_CONNECTS
        if over(self.session_sockets[session_key], self.limits.sockets_per_session):
            return Refusal.SESSION_SOCKETS
        # Checked again: other connects from the address may have been admitted meanwhile.
        if address is not None and over(
            self.address_sockets[address], self.limits.sockets_per_address
        ):
            return Refusal.ADDRESS_SOCKETS
        self.session_sockets[session_key] += 1
        if address is not None:
            self.address_sockets[address] += 1
        return None

    def fan_out(self, session_key: str) -> bool:
        """May a frame of this session be sent on to every tab it has open here?"""
        return self.sends.take(session_key, self.session_sockets[session_key])

    def release(self, session_key: str, address: str | None) -> None:
        """An admitted socket closed."""
        for counter, key in ((self.session_sockets, session_key), (self.address_sockets, address)):
            if key is None:
                continue
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]


_admission: Admission | None = None


def current() -> Admission:
    """The process's admission, made from settings on first use."""
    global _admission
    if _admission is None:
        _admission = Admission(Limits.from_settings())
    return _admission


@receiver(setting_changed)
def _limits_changed(setting: str, **kwargs) -> None:
    """Tests that override a limit get fresh counts under it (Django's documented hook)."""
    global _admission
    if setting.startswith("CALC_"):
        _admission = None


def client_address(scope: dict) -> str | None:
    """The client's address as the server saw it (daphne --proxy-headers: the proxy's
    X-Forwarded-For), or None."""
    client = scope.get("client")
    return client[0] if client else None


class RefusalLog:
    """One log line per reason per LOG_INTERVAL_SECONDS, with the refusals it stands for."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._pending: Counter[Refusal] = Counter()
        self._logged: dict[Refusal, float] = {}

    def note(self, refusal: Refusal, session_prefix: str = "") -> None:
        self._pending[refusal] += 1
        now = self._clock()
        if now - self._logged.get(refusal, -LOG_INTERVAL_SECONDS) < LOG_INTERVAL_SECONDS:
            return
        self._logged[refusal] = now
        level = logging.INFO if refusal is Refusal.NO_SESSION else logging.WARNING
        session = f" session={session_prefix}" if session_prefix else ""
        log.log(
            level,
            "refused reason=%s count=%d%s",
            refusal.value,
            self._pending.pop(refusal),
            session,
            extra={"session": session_prefix} if session_prefix else None,
        )


refusals = RefusalLog()
