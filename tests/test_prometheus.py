"""Monitoring for real: Debian's Prometheus scraping two daphne processes (Redis channel layer,
PostgreSQL) sees exactly the sockets and submits the test made; and deploy/'s Prometheus config
and alerting rules pass promtool, the rules firing when they should and not otherwise.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from testing import client, haproxy, postgres, prometheus, redis
from testing.daphne import ROOT, DaphneServer, migrate, server_env
from testing.required import require

DEPLOY = ROOT / "deploy"
CONFIG = DEPLOY / "prometheus.yml"
RULES = DEPLOY / "calculator-alerts.yml"
TOKEN = "scrape-token-for-the-monitoring-test"


@pytest.fixture
def tools():
    require(prometheus.available())


def test_the_deployed_config_and_rules_pass_promtool(tools):
    for check in (("config", str(CONFIG)), ("rules", str(RULES))):
        result = prometheus.promtool("check", *check)
        assert result.returncode == 0, result.stdout + result.stderr
    assert "4 rules found" in prometheus.promtool("check", "rules", str(RULES)).stdout


INSTANCE = "127.0.0.1:8001"
LABELS = f'job="calculator",instance="{INSTANCE}"'


def series(name: str, values: str, **labels: str) -> dict:
    extra = "".join(f',{key}="{value}"' for key, value in labels.items())
    return {"series": f"{name}{{{LABELS}{extra}}}", "values": values}


def bucket(le: str, values: str) -> dict:
    return series("calc_submit_duration_seconds_bucket", values, le=le)


def alert(name: str, at: str, summary: str | None = None, **labels: str) -> dict:
    """An alert_rule_test: `name` fires at `at` with these labels and summary, or (no summary)
    does not fire."""
    expected = []
    if summary is not None:
        expected = [{"exp_labels": {"instance": INSTANCE, **labels},
                     "exp_annotations": {"summary": summary}}]  # fmt: skip
    return {"eval_time": at, "alertname": name, "exp_alerts": expected}


# Each case: input series (one sample a minute), and when each alert fires or stays quiet.
RULE_CASES = [
    (
        [
            series("up", "1 1 0 0 0 0"),
            series("calc_store_errors_total", "0 0 0 1 1 1"),
            series("calc_channel_layer_errors_total", "0 0 0 0 5 5", kind="connection"),
        ],
        [
            alert("CalculatorProcessDown", "2m"),  # down for less than a minute
            alert("CalculatorProcessDown", "3m",
                  f"Calculator process {INSTANCE} cannot be scraped",
                  job="calculator", severity="critical"),
            alert("CalculatorStoreErrors", "2m"),
            alert("CalculatorStoreErrors", "3m",
                  f"1 lines not stored on {INSTANCE} in 5 minutes", severity="critical"),
            alert("CalculatorChannelLayerErrors", "3m"),
            alert("CalculatorChannelLayerErrors", "4m",
                  f"5 channel-layer errors (connection) on {INSTANCE} in 5 minutes",
                  kind="connection", severity="warning"),
        ],
    ),
    (  # every submit answered between 250 and 500 ms: p99 about 497 ms, for 5 minutes and on
        [bucket("0.1", "0+0x20"), bucket("0.25", "0+1x20"), bucket("0.5", "0+100x20"),
         bucket("+Inf", "0+100x20")],
        [
            alert("CalculatorSubmitsSlow", "5m"),  # slow, but not yet for 5 minutes
            alert("CalculatorSubmitsSlow", "12m",
                  f"Submits on {INSTANCE} take 497.5ms (p99)", severity="warning"),
        ],
    ),
    (  # every submit within a millisecond
        [bucket("0.001", "0+100x20"), bucket("0.25", "0+100x20"), bucket("+Inf", "0+100x20")],
        [alert("CalculatorSubmitsSlow", "15m")],
    ),
]  # fmt: skip


def test_the_alerts_fire_when_they_should_and_only_then(tools, tmp_path: Path):
    tests = {
        "rule_files": [str(RULES)],
        "evaluation_interval": "1m",
        "tests": [
            {"interval": "1m", "input_series": inputs, "alert_rule_test": alerts}
            for inputs, alerts in RULE_CASES
        ],
    }
    spec = tmp_path / "alerts_test.yml"
    spec.write_text(json.dumps(tests, indent=1))  # JSON is YAML
    result = prometheus.promtool("test", "rules", str(spec))
    assert result.returncode == 0, result.stdout + result.stderr


def scrape_status(server, headers: dict) -> int:
    request = urllib.request.Request(f"{server.url}/metrics", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def two_processes():
    require(redis.available(), postgres.available(), prometheus.available())
    with redis.RedisServer() as redis_server, postgres.PostgresServer() as database:
        env = server_env(
            REDIS_URL=redis_server.url,
            DATABASE_URL=database.url,
            CALC_RATE_LIMIT="0",
            CALC_METRICS_TOKEN=TOKEN,
        )
        migrate(env)
        # --proxy-headers, as deployed behind HAProxy: the client address is X-Forwarded-For's.
        with (
            DaphneServer(env, extra_args=("--proxy-headers",)) as a,
            DaphneServer(env, extra_args=("--proxy-headers",)) as b,
        ):
            yield a, b


# (request headers, status): a request through a proxy on this host is not a local one
PROXIED = [
    ({}, 200),
    ({"X-Forwarded-For": "127.0.0.1"}, 404),
    ({"X-Forwarded-For": "203.0.113.7"}, 404),
    ({"X-Forwarded-For": "203.0.113.7", "Authorization": f"Bearer {TOKEN}"}, 200),
]


@pytest.mark.services
@pytest.mark.parametrize(("headers", "status"), PROXIED)
def test_a_real_server_behind_proxy_headers_refuses_proxied_scrapes(two_processes, headers, status):
    for server in two_processes:
        assert scrape_status(server, headers) == status


@pytest.mark.services
def test_a_scrape_through_the_deployed_haproxy_is_not_a_local_one(two_processes):
    """deploy/haproxy.cfg on this host, in front of both processes: every request reaches them
    from 127.0.0.1, and /metrics still refuses it unless it carries the token."""
    require(haproxy.available())
    with haproxy.HAProxy([server.port for server in two_processes]) as balancer:
        assert balancer.get("/healthz") == 200
        assert scrape_status(balancer, {}) == 404
        assert scrape_status(balancer, {"Authorization": f"Bearer {TOKEN}"}) == 200


async def submit_on(sockets: list, count: int) -> None:
    for n in range(count):
        await client.submit(sockets[n % len(sockets)], f"{n} + 1")


@pytest.mark.services
async def test_prometheus_sees_every_socket_and_submit_of_both_processes(two_processes):
    a, b = two_processes
    started = time.monotonic()
    targets = [server.url.removeprefix("http://") for server in (a, b)]
    with prometheus.PrometheusServer(targets, rule_files=[RULES]) as server:
        ready = time.monotonic() - started
        # What the processes had counted before this test (other tests share them).
        server.wait_for('count(up{job="calculator"} == 1)', 2)
        before = server.query('sum(calc_websocket_frames_total{action="submit"})') or 0
        open_before = server.query("sum(calc_websocket_connections)") or 0
        closed = 'sum(calc_websocket_disconnects_total{code="1000"})'
        closed_before = server.query(closed) or 0

        cookie_a, cookie_b = client.open_session(a.url), client.open_session(b.url)
        sockets_a = [await client.open_socket(a.ws_url, cookie_a) for _ in range(3)]
        sockets_b = [await client.open_socket(b.ws_url, cookie_b) for _ in range(2)]
        await submit_on(sockets_a, 7)
        await submit_on(sockets_b, 4)
        seen = time.monotonic()
        server.wait_for("sum(calc_websocket_connections)", open_before + 5)
        server.wait_for('sum(calc_websocket_frames_total{action="submit"})', before + 11)
        per_process = {
            target: server.query(f'calc_websocket_connections{{instance="{target}"}}')
            for target in targets
        }
        assert per_process == {targets[0]: 3, targets[1]: 2}
        scraped_in = time.monotonic() - seen

        for socket in (*sockets_a[:2], sockets_b[0]):
            await socket.close()
        server.wait_for("sum(calc_websocket_connections)", open_before + 2)
        server.wait_for(closed, closed_before + 3)
        for socket in (sockets_a[2], sockets_b[1]):
            await socket.close()

        # The submits were timed, stage by stage, and the alert rules loaded and evaluated.
        assert server.query("sum(calc_submit_duration_seconds_count)") >= 11
        stages = server.api("query", query="calc_submit_stage_seconds_count")["result"]
        assert {sample["metric"]["stage"] for sample in stages} == {
            "evaluate", "render", "store", "send", "fanout"
        }  # fmt: skip
        groups = server.api("rules")["groups"]
        assert [rule["name"] for group in groups for rule in group["rules"]] == [
            "CalculatorSubmitsSlow",
            "CalculatorChannelLayerErrors",
            "CalculatorStoreErrors",
            "CalculatorProcessDown",
        ]
        assert all(rule["health"] != "err" for group in groups for rule in group["rules"])
    print(f"prometheus ready in {ready:.1f} s; sockets and submits scraped in {scraped_in:.1f} s")
