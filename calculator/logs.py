"""CALC_LOG_FORMAT=json: one JSON object per line, for log shippers; the default stays plain lines.
Either way no share link's token is written (Django logs the paths of refused requests).

Only named fields go out: a library's `extra` (Django's request, a scope) could carry a cookie
or a share link's token, so anything else on a record is left out rather than serialized.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

from calculator import metrics

# A share link's path (calculator/web/urls.py, "s/<token>/") is its credential: a log shows the
# token's first characters, as it shows a session's.
SHARE_PATH = re.compile(r"(/s/)([\w-]{6})[\w-]*")
SHOWN_TOKEN = r"\1\2…"

# channels_redis says how many of a group_send's sockets had a full inbox only in this record
# (INFO, on channels_redis.core), which names the group: a session key (live/fanout.group).
OVER_CAPACITY = "%s of %s channels over capacity in group %s"

# What every line has: LogRecord attributes, and the names they go out under.
RECORD_FIELDS = {
    "asctime": "time",
    "levelname": "level",
    "name": "logger",
    "process": "process",
    "message": "event",
}
# What a log call may add with `extra=`: the session as its 6-character prefix, the socket's id,
# how long the operation took, an HTTP status (Django's request logs), and a traceback.
EXTRA_FIELDS = ("session", "socket", "duration_ms", "status_code", "exc_info", "stack_info")
FIELDS = frozenset(RECORD_FIELDS.values()) | frozenset(EXTRA_FIELDS)


class JsonLines(JsonFormatter):
    """python-json-logger's formatter with a fixed set of fields and ISO 8601 UTC times."""

    def __init__(self) -> None:
        super().__init__(
            list(RECORD_FIELDS),
            rename_fields={key: name for key, name in RECORD_FIELDS.items() if key != name},
        )

    def formatTime(self, record, datefmt=None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def process_log_record(self, log_data: dict) -> dict:
        return {key: value for key, value in log_data.items() if key in FIELDS}


class HideShareTokens(logging.Filter):
    """Shortens the token in every share path a record's message names (a handler filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/s/" in message:
            record.msg, record.args = SHARE_PATH.sub(SHOWN_TOKEN, message), ()
        return True


class CountFullInboxes(logging.Filter):
    """On channels_redis.core: counts its over-capacity records as ChannelFull errors
    (calc_channel_layer_errors_total) and drops them, so no group name is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == OVER_CAPACITY:
            metrics.layer_errors["ChannelFull"].inc(record.args[0])
            return False
        return True
