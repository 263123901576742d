"""One process's report, read from its Prometheus metrics: built at most once a second, rates and
latency quantiles over the window it watched, counts by label."""

from __future__ import annotations

import pytest

from calculator import metrics
from calculator.ops.report import REPORT_INTERVAL_SECONDS, WINDOW_SECONDS, Reports

pytestmark = pytest.mark.skipif(not metrics.ENABLED, reason="CALC_METRICS=0: nothing is counted")

T0 = 1_000_000.0


def latency_row(report: dict, stage: str) -> tuple:
    (row,) = [row for row in report["latency"] if row[0] == stage]
    return row


def test_a_report_is_built_at_most_once_a_second():
    reports = Reports()
    first = reports.report(now=T0)
    assert reports.report(now=T0 + REPORT_INTERVAL_SECONDS / 2) is first
    assert reports.built == 1
    assert reports.report(now=T0 + REPORT_INTERVAL_SECONDS) is not first
    assert reports.built == 2


def test_rates_and_latency_cover_what_happened_while_watched():
    reports = Reports()
    metrics.submit_duration.observe(2.0)  # before the window: not in its quantiles
    first = reports.report(now=T0)
    assert first["window"] is None  # a first reading covers the process's life
    assert first["rate"] is None
    for _ in range(6):
        metrics.frames["submit"].inc()
        metrics.submit_duration.observe(0.0007)
    second = reports.report(now=T0 + 2)
    assert second["window"] == 2
    assert second["rate"] == pytest.approx(3.0)
    assert second["series"] == [(0.0, pytest.approx(3.0))]
    stage, count, p50, p99 = latency_row(second, "submit")
    assert count == 6
    assert 0.0005 < p50 < p99 <= 0.001  # all six in the (0.5 ms, 1 ms] bucket


def test_readings_older_than_the_window_are_dropped():
    reports = Reports()
    for second in range(0, WINDOW_SECONDS * 2, 1):
        reports.report(now=T0 + second)
    last = reports.report(now=T0 + WINDOW_SECONDS * 2)
    assert last["window"] <= WINDOW_SECONDS + 1
    assert all(age <= WINDOW_SECONDS for age, _ in last["series"])


def test_refusals_and_errors_by_label():
    reports = Reports()
    reports.report(now=T0)
    metrics.refused["rate_limit"].inc(2)
    metrics.engine_errors.labels(kind="MathError").inc()
    report = reports.report(now=T0 + 1)
    refusals = {reason: (recent, total) for reason, recent, total in report["refusals"]}
    assert refusals["rate_limit"][0] == 2
    assert refusals["rate_limit"][1] >= 2
    errors = {kind: recent for kind, recent, _ in report["errors"]}
    assert errors["engine: MathError"] == 1
