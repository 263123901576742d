"""The shipped topology on one machine: HAProxy in front of N daphne processes sharing Redis (or a
Sentinel-managed primary) and PostgreSQL, every part a real process on a free port.

`bin/cluster` runs it for people; the fault tests break its parts on purpose and restart them.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from testing import haproxy, postgres, redis, sentinel
from testing.daphne import DaphneServer, collectstatic, free_port, migrate, server_env
from testing.haproxy import HAProxy, server_name
from testing.sentinel import REDIS_SERVER, Node, SentinelSet
from testing.service import Service


def available() -> list[str | None]:
    """Why each service the cluster needs cannot run here (None for those that can)."""
    return [redis.available(), postgres.available(), haproxy.available(), sentinel.available()]


def redis_config(directory: Path, port: int) -> str:
    # Saved on SIGTERM (a `save` point is set), as Debian's own redis.conf does: a stop and start
    # keeps the session groups, so open sockets receive other tabs' entries afterwards.
    return (
        f"port {port}\nbind 127.0.0.1\ndir {directory}\ndbfilename {port}.rdb\n"
        "appendonly no\nsave 3600 1\n"
    )


class Cluster(Service):
    """`start()` brings up every part and returns once HAProxy sees every process UP."""

    def __init__(
        self, processes: int = 3, use_sentinel: bool = False, durable: bool = False, **env: str
    ) -> None:
        self.count = processes
        self.use_sentinel = use_sentinel
        self.extra_env = env
        self._dir = tempfile.TemporaryDirectory(prefix="cluster-")
        self.redis: Node | None = None
        self.sentinels: SentinelSet | None = None
        self.database = postgres.PostgresServer(durable=durable)
        self.servers: list[DaphneServer] = []
        self.balancer: HAProxy | None = None
        self.env: dict[str, str] = {}

    @property
    def url(self) -> str:
        assert self.balancer is not None
        return self.balancer.url

    @property
    def ws_url(self) -> str:
        assert self.balancer is not None
        return self.balancer.ws_url

    def start(self, haproxy_port: int | None = None) -> Cluster:
        try:
            return self._start(haproxy_port)
        except BaseException:
            self.stop()
            raise

    def _start(self, haproxy_port: int | None) -> Cluster:
        if self.use_sentinel:
            self.sentinels = SentinelSet().start()
            redis_env = {"REDIS_SENTINELS": self.sentinels.sentinels,
                         "REDIS_SENTINEL_MASTER": sentinel.MASTER_NAME}  # fmt: skip
        else:
            port = free_port()
            self.redis = Node(REDIS_SERVER, Path(self._dir.name),
                              redis_config(Path(self._dir.name), port), port).start()  # fmt: skip
            redis_env = {"REDIS_URL": f"redis://127.0.0.1:{port}/0"}
        self.database.start()
        self.env = server_env(DATABASE_URL=self.database.url, **redis_env, **self.extra_env)
        if "DJANGO_STATIC_ROOT" not in os.environ:
            self.env["DJANGO_STATIC_ROOT"] = str(Path(self._dir.name) / "static")
            collectstatic(self.env)
        migrate(self.env)
        ports = [free_port() for _ in range(self.count)]
        self.servers = [self.new_server(port) for port in ports]
        # Started side by side: each spends seconds importing Django on its own.
        with ThreadPoolExecutor(len(ports)) as pool:
            list(pool.map(DaphneServer.start, self.servers))
        self.balancer = HAProxy(ports, haproxy_port).start()
        return self

    def new_server(self, port: int) -> DaphneServer:
        # --proxy-headers: the client's address and scheme come from HAProxy's X-Forwarded-*.
        return DaphneServer(self.env, port=port, extra_args=("--proxy-headers",))

    def kill(self, index: int) -> None:
        """kill -9 one daphne process (and nothing else: it leads its own process group)."""
        os.killpg(self.servers[index].pid, signal.SIGKILL)
        self.servers[index].process.wait()

    def start_again(self, index: int) -> None:
        """A new process on the port of a dead or stopped one; returns once HAProxy has it UP."""
        self.servers[index] = self.new_server(self.servers[index].port).start()
        self.balancer.wait_state(server_name(index), "UP")

    def rolling_restart(self, index: int) -> float:
        """The deploy procedure of deploy/README.md for one process: drain in HAProxy (no new
        connections), SIGTERM (its sockets close and reconnect to the others), start, ready.
        Returns the seconds the process was out of service."""
        name = server_name(index)
        started = time.monotonic()
        self.balancer.set_state(name, "drain")
        self.servers[index].stop()
        self.servers[index] = self.new_server(self.servers[index].port).start()
        self.balancer.set_state(name, "ready")
        self.balancer.wait_state(name, "UP")
        return time.monotonic() - started

    def stop(self) -> None:
        """Everything down, in reverse order; safe to call twice and after a failed start."""
        if self.balancer is not None:
            self.balancer.stop()
            self.balancer = None
        for server in self.servers:
            server.stop()
        self.servers = []
        self.database.stop()
        if self.redis is not None:
            self.redis.stop()
            self.redis = None
        if self.sentinels is not None:
            self.sentinels.stop()
            self.sentinels = None
        self._dir.cleanup()
