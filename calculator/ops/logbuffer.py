"""The last warnings and errors of this process, kept in memory for the dashboard: a logging
handler with a bounded ring buffer, which never keeps anything that looks like a full key.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from typing import NamedTuple

# The dashboard lists this many of each process's latest warnings and errors.
KEPT_RECORDS = 50
# Characters of a message kept: a log line is read at a glance; the full text is in the logs.
MESSAGE_CHARS = 300
# A run of letters and digits this long is a key of some kind (a session key has 32): only its
# first 6 characters are shown, as the logs show sessions.
KEY_LIKE = re.compile(r"[A-Za-z0-9]{20,}")
SHOWN_KEY_CHARS = 6


class Entry(NamedTuple):
    time: float
    level: str
    logger: str
    message: str


def scrub(text: str) -> str:
    """The text with every key-like run cut to its 6-character prefix (session keys, tokens)."""
    return KEY_LIKE.sub(lambda match: match[0][:SHOWN_KEY_CHARS] + "…", text)


# The process's latest records, newest last: what settings.LOGGING's "ops" handler keeps (a
# logging reconfiguration makes a new handler, which keeps adding to the same buffer).
RECENT: deque[Entry] = deque(maxlen=KEPT_RECORDS)


class RingBufferHandler(logging.Handler):
    """Keeps the last records it handles (WARNING and above by default) in `entries` (the
    process's RECENT unless given): their time, level, logger and message, scrubbed and
    shortened; an exception adds its type only, never its text."""

    def __init__(self, level: int = logging.WARNING, entries: deque[Entry] | None = None) -> None:
        super().__init__(level)
        self.entries = RECENT if entries is None else entries

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[0] is not None:
                message = f"{message} ({record.exc_info[0].__name__})"
            message = scrub(message[: MESSAGE_CHARS * 2])[:MESSAGE_CHARS]
            self.entries.append(Entry(record.created, record.levelname, record.name, message))
        except Exception:
            self.handleError(record)

    def recent(self) -> list[Entry]:
        """The records kept, newest first."""
        return list(reversed(self.entries))


def recent() -> list[Entry]:
    """The process's latest warnings and errors, newest first."""
    return list(reversed(RECENT))
