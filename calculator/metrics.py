"""What a server process counts, in Prometheus's terms (one registry per process, scraped at
/metrics; the operations dashboard reads the same values).

Label values are a closed set, so no metric can grow without bound; children that the hot path
touches on every submit are bound once here, since `.labels()` costs a dict lookup and a lock.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
    "resume",
    "other",
)
REFUSAL_REASONS = ("rate_limit", "bad_frame", "too_large", "origin", "capacity")

websocket_connections = Gauge(
    "calc_websocket_connections", "Calculator sockets open now in this process."
)
websocket_connects = Counter(
    "calc_websocket_connects", "Calculator sockets accepted since the process started."
)
websocket_disconnects = Counter(
    "calc_websocket_disconnects", "Calculator sockets closed, by close code.", ["code"]
)
websocket_frames = Counter(
    "calc_websocket_frames", "Frames received from calculator sockets, by action.", ["action"]
)
refused_frames = Counter(
    "calc_refused_frames", "Frames and connections refused, by reason.", ["reason"]
)
submit_duration = Histogram(
    "calc_submit_duration_seconds",
    "A whole submit: frame received to answer sent.",
    buckets=LATENCY_BUCKETS,
)
submit_stage = Histogram(
    "calc_submit_stage_seconds",
    "One stage of a submit.",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
store_batch_size = Histogram(
    "calc_store_batch_size", "Rows written by one group commit.", buckets=BATCH_BUCKETS
)
store_errors = Counter("calc_store_errors", "Group commits that failed.")
channel_layer_errors = Counter(
    "calc_channel_layer_errors", "Channel-layer operations that failed, by kind.", ["kind"]
)
engine_errors = Counter(
    "calc_engine_errors", "Lines the engine answered with an error, by kind.", ["kind"]
)
http_requests = Counter(
    "calc_http_requests", "HTTP requests answered, by view and status.", ["view", "status"]
)

stage = {name: submit_stage.labels(stage=name) for name in STAGES}
frames = {action: websocket_frames.labels(action=action) for action in FRAME_ACTIONS}
refused = {reason: refused_frames.labels(reason=reason) for reason in REFUSAL_REASONS}
