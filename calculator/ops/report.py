"""What one process tells the dashboard: its figures read from its Prometheus metrics
(calculator/metrics.py), with the short history that rates, the sparkline and the latency
window need. Built only when a dashboard asks, and at most once a second.
"""

from __future__ import annotations

import os
import socket
import time
from collections import deque
from dataclasses import dataclass, field

from calculator import metrics
from calculator.ops import figures, logbuffer

# A report asked for again within this many seconds is the same report: however many watchers
# (on however many processes) ask, a process builds at most one a second.
REPORT_INTERVAL_SECONDS = 1.0
# Rates, the sparkline and latency quantiles cover this many seconds (or since the dashboard
# began watching, when that is more recent).
WINDOW_SECONDS = 60
# Readings kept: one a second over the window, and one older to measure its first second.
KEPT_READINGS = WINDOW_SECONDS + 2

# The whole submit, then its stages, as the latency table lists them.
WHOLE_SUBMIT = "submit"


def process_name() -> str:
    """How the dashboard names this process: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def families(metric) -> list:
    """A metric's families; none when CALC_METRICS=0 made it a no-op (metrics.Disabled)."""
    collect = getattr(metric, "collect", None)
    return collect() if collect is not None else []


def counter_values(metric) -> dict[str, float]:
    """A counter's `_total` samples by their label values joined with "/"; "" unlabelled."""
    values = {}
    for family in families(metric):
        for sample in family.samples:
            if sample.name.endswith("_total"):
                values["/".join(sample.labels.values())] = sample.value
    return values


def gauge_value(metric) -> float:
    return sum(sample.value for family in families(metric) for sample in family.samples)


def histogram_buckets(metric, label: str | None = None) -> dict[str, list[tuple[float, float]]]:
    """A histogram's cumulative buckets, by the value of `label` (or "" unlabelled)."""
    buckets: dict[str, list[tuple[float, float]]] = {}
    for family in families(metric):
        for sample in family.samples:
            if sample.name.endswith("_bucket"):
                key = sample.labels.get(label, "") if label else ""
                buckets.setdefault(key, []).append((float(sample.labels["le"]), sample.value))
    return buckets


@dataclass(frozen=True)
class Reading:
    """The process's counters at one moment."""

    at: float
    submits: float
    latency: dict[str, list[tuple[float, float]]]
    refusals: dict[str, float]
    errors: dict[str, float]


def read(at: float) -> Reading:
    latency = {WHOLE_SUBMIT: histogram_buckets(metrics.submit_duration).get("", [])}
    latency.update(histogram_buckets(metrics.submit_stage, "stage"))
    errors = {f"engine: {kind}": n for kind, n in counter_values(metrics.engine_errors).items()}
    errors.update(
        (f"channel layer: {kind}", n)
        for kind, n in counter_values(metrics.channel_layer_errors).items()
    )
    errors["store"] = counter_values(metrics.store_errors).get("", 0.0)
    errors["HTTP 5xx"] = sum(
        n
        for labels, n in counter_values(metrics.http_requests).items()
        if labels.rpartition("/")[2].startswith("5")
    )
    return Reading(
        at=at,
        submits=counter_values(metrics.websocket_frames).get("submit", 0.0),
        latency=latency,
        refusals=counter_values(metrics.refused_frames),
        errors=errors,
    )


@dataclass
class Reports:
    """Builds this process's reports, keeping the readings of the last minute it was watched."""

    name: str = field(default_factory=process_name)
    readings: deque[Reading] = field(default_factory=lambda: deque(maxlen=KEPT_READINGS))
    last: dict | None = None
    built = 0  # reports built since the process started (the dashboard's own cost)

    def report(self, layer_prefix: str = "", now: float | None = None) -> dict:
        """The latest report, built anew unless one is less than a second old."""
        now = time.time() if now is None else now
        if self.last is not None and now - self.last["at"] < REPORT_INTERVAL_SECONDS:
            return self.last
        self.built += 1
        reading = read(now)
        while self.readings and now - self.readings[0].at > WINDOW_SECONDS + 1:
            self.readings.popleft()
        start = self.readings[0] if self.readings else None
        self.readings.append(reading)
        self.last = build(self.name, layer_prefix, reading, start, list(self.readings))
        return self.last


def build(
    name: str, layer_prefix: str, now: Reading, start: Reading | None, readings: list[Reading]
) -> dict:
    """A report as plain data (it travels through the channel layer)."""
    series = [
        (now.at - b.at, max(0.0, b.submits - a.submits) / (b.at - a.at))
        for a, b in zip(readings, readings[1:], strict=False)
        if b.at > a.at
    ]
    latency = []
    for stage, buckets in now.latency.items():
        window = figures.window_buckets(buckets, start.latency.get(stage) if start else None)
        count = window[-1][1] if window else 0
        latency.append(
            (stage, count, figures.quantile(0.5, window), figures.quantile(0.99, window))
        )
    refusals = figures.window(now.refusals, start.refusals if start else None)
    errors = figures.window(now.errors, start.errors if start else None)
    return {
        "process": name,
        "layer_prefix": layer_prefix,
        "at": now.at,
        # Seconds the window covers; None: since the process started (its first reading).
        "window": now.at - start.at if start else None,
        "sockets": int(gauge_value(metrics.websocket_connections)),
        "submits": now.submits,
        "rate": series[-1][1] if series else None,
        "series": series,
        "latency": latency,
        "refusals": sorted((k, refusals[k], now.refusals[k]) for k in now.refusals),
        "errors": sorted((k, errors[k], now.errors[k]) for k in now.errors),
        "capacity_hits": counter_values(metrics.channel_layer_errors).get("ChannelFull", 0.0),
        "logs": [tuple(entry) for entry in logbuffer.recent()],
    }
