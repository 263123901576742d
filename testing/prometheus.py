"""Starts a throw-away Prometheus (Debian's `prometheus`) on a free port, scraping the given
targets every `scrape_interval`, and asks it PromQL questions over its HTTP API.

The monitoring test and people trying deploy/prometheus.yml's rules use it; `promtool` comes
with the same package.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from testing.daphne import free_port
from testing.service import Service, stop_process

PROMETHEUS = "prometheus"
PROMTOOL = "promtool"


def available() -> str | None:
    """None when prometheus and promtool can run here, else the reason (for pytest.skip)."""
    for binary in (PROMETHEUS, PROMTOOL):
        if shutil.which(binary) is None:
            return f"{binary} is not installed (Debian prometheus; bin/ensure-system-packages)"
    return None


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PROMTOOL, *args], capture_output=True, text=True, timeout=60, check=False
    )


class PrometheusServer(Service):
    """One Prometheus with a config of its own (JSON is YAML): `targets` ("host:port") as the
    `calculator` job, and `rule_files` loaded as deploy/prometheus.yml loads them."""

    def __init__(
        self, targets: list[str], scrape_interval: str = "1s", rule_files: tuple = ()
    ) -> None:
        self.targets = targets
        self.scrape_interval = scrape_interval
        self.rule_files = [str(Path(path).resolve()) for path in rule_files]
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self._dir: tempfile.TemporaryDirectory | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> dict:
        return {
            "global": {
                "scrape_interval": self.scrape_interval,
                "evaluation_interval": self.scrape_interval,
            },
            "rule_files": self.rule_files,
            "scrape_configs": [
                {
                    "job_name": "calculator",
                    "metrics_path": "/metrics",
                    "scrape_timeout": self.scrape_interval,
                    "static_configs": [{"targets": self.targets}],
                }
            ],
        }

    def start(self, timeout: float = 20.0) -> PrometheusServer:
        reason = available()
        if reason:
            raise RuntimeError(reason)
        self._dir = tempfile.TemporaryDirectory(prefix="prometheus-")
        directory = Path(self._dir.name)
        config = directory / "prometheus.yml"
        config.write_text(json.dumps(self.config(), indent=2))
        with (directory / "prometheus.log").open("wb") as log:
            self.process = subprocess.Popen(
                [
                    PROMETHEUS,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={directory / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--log.level=warn",
                ],
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited: {self.log_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"prometheus did not get ready on port {self.port} within {timeout}s")

    def api(self, path: str, **params: str) -> dict | list:
        """One call of the HTTP API (/api/v1/…); its `data`, or RuntimeError with its error."""
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}?{query}", timeout=5) as response:
            reply = json.load(response)
        if reply.get("status") != "success":
            raise RuntimeError(f"prometheus: {reply}")
        return reply["data"]

    def query(self, promql: str) -> float | None:
        """The value of an instant query that yields one sample (a sum), or None if none."""
        result = self.api("query", query=promql)["result"]
        if not result:
            return None
        if len(result) > 1:
            raise RuntimeError(f"{promql!r} gave {len(result)} series, not one")
        return float(result[0]["value"][1])

    def wait_for(self, promql: str, expected: float, timeout: float = 10.0) -> float:
        """Polls until the query gives `expected`; returns the seconds that took, or raises
        AssertionError with the last value seen."""
        started = time.monotonic()
        value = None
        while time.monotonic() - started < timeout:
            value = self.query(promql)
            if value == expected:
                return time.monotonic() - started
            time.sleep(0.1)
        raise AssertionError(f"{promql} = {value}, expected {expected} within {timeout}s")

    def log_text(self) -> str:
        if self._dir is None:
            return ""
        log = Path(self._dir.name) / "prometheus.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self, timeout: float = 10.0) -> None:
        stop_process(self.process, timeout)
        self.process = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
