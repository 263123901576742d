"""Renders the dashboard: the page and the fragments the socket sends are the partials of one
template (`ops/dashboard.html`), from one context built here out of the processes' reports.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime

from django.template.loader import render_to_string

from calculator.ops import figures
from calculator.ops.inspection import Inspection
from calculator.ops.logbuffer import KEPT_RECORDS

PAGE = "ops/dashboard.html"
# The partials the socket keeps current, each an element with an id and hx-swap-oob.
PARTS = ("summary", "processes", "layer", "logs")


def clock(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%H:%M:%S")


def per_second(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.1f}"


def window_label(seconds: float | None) -> str:
    return "since the process started" if seconds is None else f"last {seconds:.0f} s"


def process_context(report: dict) -> dict:
    path, peak = figures.sparkline(report["series"])
    return {
        "name": report["process"],
        "sockets": report["sockets"],
        "submits": int(report["submits"]),
        "rate": per_second(report["rate"]),
        "spark_path": path,
        "spark_peak": f"{peak:.1f}",
        "window": window_label(report["window"]),
        "latency": [
            {
                "stage": stage,
                "count": int(count),
                "p50": figures.milliseconds(p50),
                "p99": figures.milliseconds(p99),
            }
            for stage, count, p50, p99 in report["latency"]
        ],
        "refusals": [
            {"reason": reason, "recent": int(recent), "total": int(total)}
            for reason, recent, total in report["refusals"]
            if total
        ],
        "errors": [
            {"kind": kind, "recent": int(recent), "total": int(total)}
            for kind, recent, total in report["errors"]
            if total
        ],
    }


def logs(reports: list[dict]) -> list[dict]:
    """The latest warnings and errors of all processes together, newest first."""
    entries = [
        (when, report["process"], level, logger, message)
        for report in reports
        for when, level, logger, message in report["logs"]
    ]
    entries.sort(key=lambda entry: entry[0], reverse=True)
    return [
        {
            "time": clock(when),
            "process": process,
            "level": level.lower(),
            "logger": logger,
            "message": message,
        }
        for when, process, level, logger, message in entries[:KEPT_RECORDS]
    ]


def context(reports: list[dict], inspection: Inspection, live: bool, now: float | None = None):
    """Everything the page shows; `live`: kept current by the socket (else a snapshot)."""
    reports = sorted(reports, key=lambda report: report["process"])
    rates = [report["rate"] for report in reports if report["rate"] is not None]
    return {
        "live": live,
        "updated": clock(time.time() if now is None else now),
        "sockets": sum(report["sockets"] for report in reports),
        "rate": per_second(sum(rates) if rates else None),
        "capacity_hits": int(sum(report["capacity_hits"] for report in reports)),
        "processes": [process_context(report) for report in reports],
        "layer": asdict(inspection),
        "logs": logs(reports),
        "spark_seconds": figures.SPARK_SECONDS,
        "spark_height": figures.SPARK_HEIGHT,
    }


def part(name: str, context: dict) -> str:
    return render_to_string(f"{PAGE}#{name}", context).strip()


def parts(context: dict) -> dict[str, str]:
    return {name: part(name, context) for name in PARTS}
