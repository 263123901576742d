"""Faults survived with nothing lost: real processes behind the shipped HAProxy config, typists
submitting throughout, then the database counts what was stored.

Each test injects one fault into a running cluster (testing/cluster.py) while scripted users
type (testing/typists.py), and checks: every answered line stored, none stored twice, none left
unanswered, and how long until every typist was answered again. Each prints its row of the
README's fault table.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from testing import cluster as topology
from testing.cluster import Cluster
from testing.haproxy import server_name
from testing.required import require
from testing.typists import Crowd, Tally

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(240)]

# Sessions typing at once, and the pause between one's answer and its next line: about 60
# submits a second over 3 processes, a steady load that leaves CPU for the faults to show.
TYPISTS = 12
INTERVAL = 0.2
# Part of the notice a typing tab gets when its other tabs could not be told (Redis is down).
FANOUT_DOWN = "other tabs"
# HAProxy's checks mark a process down after 2 failures 2 s apart (deploy/haproxy.cfg).
CHECKS_DOWN = 6.0
# Tabs that type nothing, beside the typists: a third of them are on the process killed.
IDLE_TABS = 90
# How long Redis and PostgreSQL stay down.
OUTAGE = 10.0
# Every typist answered again within this long after a process dies or a service returns.
RECOVERY_LIMIT = 10.0


@pytest.fixture(scope="module")
def cluster():
    require(*topology.available())
    with Cluster(3, CALC_RATE_LIMIT="0") as running:
        yield running


def crowd(cluster: Cluster) -> Crowd:
    return Crowd(cluster.url, cluster.ws_url, TYPISTS, INTERVAL)


def check(tally: Tally) -> None:
    print(f"\n{tally.row()}")
    assert (tally.lost, tally.duplicated, tally.unresolved) == (0, 0, 0), tally
    assert tally.stored == tally.sent, tally


async def test_kill_9_one_of_three_processes(cluster: Cluster):
    async with Crowd(cluster.url, cluster.ws_url, TYPISTS, INTERVAL, idle=IDLE_TABS) as users:
        await users.warmed_up()
        killed = time.monotonic()
        await asyncio.to_thread(cluster.kill, 0)
        await until(lambda: users.score.recovery(killed) < float("inf"), RECOVERY_LIMIT * 2)
        await until(lambda: all_back(users.score, killed), RECOVERY_LIMIT * 2)
        await asyncio.to_thread(cluster.start_again, 0)
        await asyncio.sleep(2)
    score = users.score
    dropped, back, seconds = score.reconnected(killed)
    tally = Tally.of("kill -9 one of 3 daphne", score, cluster.database.url, killed,
                     notes=f"{score.reconnects + dropped} sockets dropped, all open again after "
                           f"{seconds:.1f} s")  # fmt: skip
    check(tally)
    assert dropped >= IDLE_TABS // 6 and back == dropped, (dropped, back)
    missing = users.missing_in_other_tabs()
    assert not missing, when(missing, score, killed)
    assert score.wrong == []
    assert not [status for status in score.handshake_failures if status.startswith("5")]
    assert tally.recovery_s < RECOVERY_LIMIT
    assert score.recovery(killed) < RECOVERY_LIMIT


async def test_rolling_restart_of_all_three(cluster: Cluster):
    async with crowd(cluster) as users:
        await users.warmed_up()
        started = time.monotonic()
        for index in range(3):
            await asyncio.to_thread(cluster.rolling_restart, index)
        await asyncio.sleep(1)
    score = users.score
    tally = Tally.of("rolling restart of 3 (drain, SIGTERM, start)", score, cluster.database.url,
                     started, notes=f"{score.reconnects} sockets reconnected")  # fmt: skip
    check(tally)
    assert score.wrong == []


async def test_redis_stopped_for_10_seconds(cluster: Cluster):
    """A socket's own submits are answered and stored while Redis is down; fan-out to the other
    tab comes back by itself when Redis returns."""
    async with crowd(cluster) as users:
        await users.warmed_up()
        stopped = time.monotonic()
        await asyncio.to_thread(cluster.redis.stop)
        await asyncio.sleep(CHECKS_DOWN)
        # Every /healthz says 503 now and HAProxy has marked every process down: it fails open
        # to the unchecked twins, so a page still loads and a new tab still connects.
        states = await asyncio.to_thread(cluster.balancer.states)
        page = await asyncio.to_thread(cluster.balancer.get, "/")
        newcomer = Crowd(cluster.url, cluster.ws_url, 1, INTERVAL)
        async with newcomer:
            await newcomer.warmed_up(1, timeout=5)
        await asyncio.sleep(OUTAGE - (time.monotonic() - stopped))
        await asyncio.to_thread(cluster.redis.start)
        back = time.monotonic()
        await until(lambda: users.score.fanout_recovery(back) < float("inf"), RECOVERY_LIMIT * 2)
        await asyncio.sleep(1)
    score = users.score
    answered_during = [
        sum(1 for t in times if stopped + 1 < t < stopped + OUTAGE)
        for times in score.answer_times.values()
    ]
    tally = Tally.of("Redis stopped 10 s", score, cluster.database.url, stopped,
                     notes=f"fan-out back {score.fanout_recovery(back):.1f} s after Redis; "
                           f"close codes {sorted(set(map(str, score.close_codes)))}")  # fmt: skip
    check(tally)
    assert (states, page) == ({"s1": "DOWN", "s2": "DOWN", "s3": "DOWN"}, 200)
    assert min(answered_during) > 0, f"typists unanswered while Redis was down: {answered_during}"
    assert score.close_codes == []  # no socket closed: Redis is not the socket's business
    assert score.fanout_recovery(back) < RECOVERY_LIMIT
    # The typing tab was told its other tabs were not reached; they caught up when Redis came
    # back (lines stored meanwhile included), without a reload.
    assert any(FANOUT_DOWN in notice for notice in score.other_notices), score.other_notices[:3]
    missing = users.missing_in_other_tabs()
    assert not missing, when(missing, score, stopped)


async def test_postgresql_stopped_for_10_seconds(cluster: Cluster):
    """Submits during the outage get "Not stored" and are sent again; nothing is answered
    without being stored, and everything recovers without a restart."""
    async with crowd(cluster) as users:
        await users.warmed_up()
        stopped = time.monotonic()
        await asyncio.to_thread(cluster.database.halt)
        await asyncio.sleep(OUTAGE)
        await asyncio.to_thread(cluster.database.resume)
        back = time.monotonic()
        await until(lambda: users.score.recovery(back) < float("inf"), RECOVERY_LIMIT * 2)
        await asyncio.sleep(1)
    score = users.score
    tally = Tally.of("PostgreSQL stopped 10 s", score, cluster.database.url, stopped,
                     notes=f"{score.not_stored_notices} 'not stored' notices; answered again "
                           f"{score.recovery(back):.1f} s after PostgreSQL")  # fmt: skip
    check(tally)
    assert score.not_stored_notices > 0
    assert score.recovery(back) < RECOVERY_LIMIT
    for index in range(3):  # back in HAProxy by themselves: rise 2 checks of /healthz
        await asyncio.to_thread(cluster.balancer.wait_state, server_name(index), "UP", 10)


def all_back(score, since: float) -> bool:
    dropped, back, _ = score.reconnected(since)
    return dropped > 0 and back == dropped


def when(lines: set[str], score, since: float) -> list[str]:
    """Each line with the second it was answered, counted from the fault."""
    return sorted(f"{score.answered_at.get(line, 0) - since:.2f}s {line}" for line in lines)


async def until(condition, timeout: float) -> None:
    """Waits for `condition`, at most `timeout`: the assertions after it say what was missed."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


@pytest.fixture(scope="module")
def sentinel_cluster():
    require(*topology.available())
    with Cluster(2, use_sentinel=True, CALC_RATE_LIMIT="0") as running:
        yield running


async def test_sentinel_failover_of_the_redis_primary(sentinel_cluster: Cluster):
    """kill -9 the primary: Sentinel promotes the replica, the layer finds it through the
    sentinel, and fan-out comes back by itself; own submits are answered throughout."""
    cluster = sentinel_cluster
    async with crowd(cluster) as users:
        await users.warmed_up()
        killed = time.monotonic()
        promoted_after = await asyncio.to_thread(cluster.sentinels.failover_by_killing_primary)
        back = time.monotonic()
        await until(lambda: users.score.fanout_recovery(back) < float("inf"), RECOVERY_LIMIT * 2)
        await asyncio.sleep(1)
    score = users.score
    tally = Tally.of("Sentinel failover (kill -9 the primary)", score, cluster.database.url,
                     killed, notes=f"replica promoted after {promoted_after:.1f} s; fan-out back "
                                   f"{score.fanout_recovery(back):.1f} s later")  # fmt: skip
    check(tally)
    assert score.close_codes == []
    assert score.fanout_recovery(back) < RECOVERY_LIMIT
    missing = users.missing_in_other_tabs()
    assert not missing, when(missing, score, killed)
