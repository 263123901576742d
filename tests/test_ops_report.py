"""One process's report, read from its Prometheus metrics: built at most once a second, rates and
latency quantiles over the window it watched, counts by label."""

from __future__ import annotations

import pytest

from calculator import metrics
from calculator.ops import render
from calculator.ops.inspection import Inspection
from calculator.ops.logbuffer import KEPT_RECORDS
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


def test_latency_has_a_row_per_stage_and_full_inboxes_count_as_capacity_hits():
    reports = Reports()
    hits = reports.report(now=T0)["capacity_hits"]
    metrics.layer_errors["ChannelFull"].inc(3)
    for stage in metrics.STAGES:
        metrics.stage[stage].observe(0.002)
    report = reports.report(now=T0 + 1)
    assert report["capacity_hits"] - hits == 3
    assert [row[0] for row in report["latency"]] == ["submit", *metrics.STAGES]
    for stage in metrics.STAGES:
        _, count, p50, p99 = latency_row(report, stage)
        assert count == 1
        assert 0.001 < p50 <= p99 <= 0.0025  # the one reading's (1 ms, 2.5 ms] bucket


def test_the_dashboard_shows_each_processs_figures_and_the_totals():
    reports = Reports()
    reports.report(now=T0)
    for _ in range(4):
        metrics.frames["submit"].inc()
    here = reports.report(now=T0 + 2) | {"logs": []}  # whatever this process logged: not here
    there = here | {"process": "web2:7", "sockets": 4, "capacity_hits": here["capacity_hits"] + 2}
    there["logs"] = [(T0 + n, "WARNING", "calculator.live", f"line {n}") for n in range(60)]
    layer = Inspection("redis", groups=[("calc.user.1", 3)], group_count=1)
    context = render.context([here, there], layer, live=True, now=T0 + 2)
    parts = render.parts(context)

    total = here["sockets"] + 4
    assert f'<dd id="ops-sockets">{total}</dd>' in parts["summary"]
    assert f"<dd>{int(here['capacity_hits']) * 2 + 2}</dd>" in parts["summary"]
    assert "<dd>4.0</dd>" in parts["summary"]  # 2 submits/s on each process
    cards = parts["processes"].split('<article class="ops-card">')[1:]
    assert [card.split("<h2>")[1].split("</h2>")[0] for card in cards] == sorted(
        [here["process"], "web2:7"]
    )
    for card in cards:
        assert '<path class="ops-spark__line" d="' in card  # the sparkline, server-drawn SVG
        for stage in ("submit", *metrics.STAGES):
            assert f'<th scope="row">{stage}</th>' in card
    assert "<code>calc.user.1</code></th><td>3</td>" in parts["layer"]
    rows = parts["logs"].count('<tr class="ops-log--warning">')
    assert rows == KEPT_RECORDS
    assert "<td>web2:7</td><td>calculator.live</td><td>line 59</td>" in parts["logs"]
