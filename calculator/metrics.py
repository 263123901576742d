"""What a server process counts, in Prometheus's terms (one registry per process, scraped at
/metrics; the operations dashboard reads the same values).

Label values are a closed set, so no metric can grow without bound; children that the hot path
touches on every submit are bound once here, since `.labels()` costs a dict lookup and a lock.
"""

from __future__ import annotations

import os
from time import perf_counter

from prometheus_client import Counter, Gauge, Histogram

from calculator.engine.errors import CalcError

# CALC_METRICS=0 records nothing (every metric below is a no-op): the benchmark's "metrics off"
# row, measured against the same server with them on (bench/run.py, section metrics).
ENABLED = os.environ.get("CALC_METRICS", "1").strip() != "0"

# A submit is answered in about a millisecond on an idle core; the alert line is 250 ms.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)

STAGES = ("evaluate", "render", "store", "send", "fanout")
FRAME_ACTIONS = (
    "submit",
    "preview",
    "recall",
    "clear",
    "delete",
    "search",
    "angle",
    "other",
)
# Frames refused by the consumer (rate limit, unparsable, binary, over the size limit), sockets
# refused at the handshake (foreign Origin) or by admission (calculator.live.admission.Refusal's
# values, hyphens as underscores), and sockets closed for a flood of refused frames.
REFUSAL_REASONS = (
    "rate_limit",
    "bad_frame",
    "binary",
    "too_large",
    "origin",
    "no_session",
    "address_connects",
    "address_sockets",
    "session_connects",
    "session_sockets",
    "flood",
)
# Close codes a socket ends with: the normal ones, the app's own (live/admission.py), and the
# ones htmx retries; any other code a client sends is "other".
CLOSE_CODES = (
    "1000",
    "1001",
    "1005",
    "1006",
    "1009",
    "1011",
    "1012",
    "4401",
    "4403",
    "4429",
    "other",
)
CHANNEL_LAYER_ERRORS = ("ChannelFull", "connection")


def _error_kinds(root: type) -> tuple[str, ...]:
    """The engine's error classes by name, the root first: a closed set, fixed by the code."""
    kinds, queue = [], [root]
    while queue:
        kind = queue.pop(0)
        kinds.append(kind.__name__)
        queue.extend(kind.__subclasses__())
    return tuple(kinds)


ENGINE_ERRORS = _error_kinds(CalcError)


class Disabled:
    """Every metric and child when CALC_METRICS=0: takes the same calls, records nothing."""

    def labels(self, *values, **labels) -> Disabled:
        return self

    def inc(self, amount: float = 1) -> None:
        pass

    def dec(self, amount: float = 1) -> None:
        pass

    def set(self, value: float) -> None:
        pass

    def observe(self, value: float) -> None:
        pass


def _metric(kind, *args, **kwargs):
    return kind(*args, **kwargs) if ENABLED else Disabled()


websocket_connections = _metric(
    Gauge, "calc_websocket_connections", "Calculator sockets open now in this process."
)
websocket_connects = _metric(
    Counter, "calc_websocket_connects", "Calculator sockets accepted since the process started."
)
websocket_disconnects = _metric(
    Counter,
    "calc_websocket_disconnects",
    "Accepted calculator sockets closed, by close code.",
    ["code"],
)
websocket_frames = _metric(
    Counter,
    "calc_websocket_frames",
    "Frames received from calculator sockets and parsed, by action.",
    ["action"],
)
refused_frames = _metric(
    Counter, "calc_refused_frames", "Frames and connections refused, by reason.", ["reason"]
)
submit_duration = _metric(
    Histogram,
    "calc_submit_duration_seconds",
    "A whole submit: parsed frame to answer sent (the fan-out to other tabs follows).",
    buckets=LATENCY_BUCKETS,
)
submit_stage = _metric(
    Histogram,
    "calc_submit_stage_seconds",
    "One stage of a submit.",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
store_batch_size = _metric(
    Histogram, "calc_store_batch_size", "Rows written by one group commit.", buckets=BATCH_BUCKETS
)
store_errors = _metric(
    Counter,
    "calc_store_errors",
    "Rows the database failed to store (a line sent twice, refused by design, not counted).",
)
channel_layer_errors = _metric(
    Counter,
    "calc_channel_layer_errors",
    "Channel-layer operations that failed, by kind (ChannelFull: a socket's inbox was full).",
    ["kind"],
)
engine_errors = _metric(
    Counter,
    "calc_engine_errors",
    "Submitted lines the engine answered with an error, by the error's class.",
    ["kind"],
)
http_requests = _metric(
    Counter,
    "calc_http_requests",
    "HTTP requests answered, by view (URL name) and status.",
    ["view", "status"],
)

stage = {name: submit_stage.labels(stage=name) for name in STAGES}
frames = {action: websocket_frames.labels(action=action) for action in FRAME_ACTIONS}
refused = {reason: refused_frames.labels(reason=reason) for reason in REFUSAL_REASONS}
disconnects = {code: websocket_disconnects.labels(code=code) for code in CLOSE_CODES}
layer_errors = {kind: channel_layer_errors.labels(kind=kind) for kind in CHANNEL_LAYER_ERRORS}
engine_error_kinds = {kind: engine_errors.labels(kind=kind) for kind in ENGINE_ERRORS}

EVALUATE, RENDER, STORE, SEND, FANOUT = (stage[name] for name in STAGES)


def lap(since: float, stage_child) -> float:
    """Observe the time since `since` in a stage's histogram; returns now, the next lap's start."""
    now = perf_counter()
    stage_child.observe(now - since)
    return now


def frame(action: str) -> None:
    frames.get(action, frames["other"]).inc()


def disconnected(code: int | None) -> None:
    disconnects.get(str(code), disconnects["other"]).inc()


def engine_error(error: CalcError) -> None:
    engine_error_kinds.get(type(error).__name__, engine_error_kinds["CalcError"]).inc()
