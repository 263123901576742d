"""Another user while an attack runs: a second session submitting `1+1` over its own socket, every
INTERVAL seconds, timing each answer. The issue's bar: p99 under 200 ms whatever the attack."""

from __future__ import annotations

import asyncio
import threading
import time

from testing import client

# A submit every 50 ms: 20 a second, under the per-socket rate limit (30 a second).
INTERVAL = 0.05
# An answer slower than this counts as never arriving (and fails any p99 bar).
ANSWER_TIMEOUT = 10.0
# Answers timed from the start of the block, however short the attack: a second's worth, so
# what the server still does after the attacker has finished is measured too.
MIN_SAMPLES = 20


class Bystander:
    """`with Bystander(url, ws_url) as bystander: <attack>`, then `bystander.p99_ms()`.
    The socket is open and has answered once before the block starts."""

    def __init__(self, url: str, ws_url: str) -> None:
        self.url = url
        self.ws_url = ws_url
        self.latencies_ms: list[float] = []
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> Bystander:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the bystander's socket did not open")
        if self.error is not None:
            raise self.error
        self.latencies_ms.clear()
        return self

    def __exit__(self, *exc) -> None:
        deadline = time.monotonic() + 2 * ANSWER_TIMEOUT
        while (
            len(self.latencies_ms) < MIN_SAMPLES
            and self._thread.is_alive()
            and time.monotonic() < deadline
        ):
            time.sleep(INTERVAL)
        self._stop.set()
        self._thread.join(ANSWER_TIMEOUT + 5)

    async def _run(self) -> None:
        try:
            ws = await client.open_socket(self.ws_url, client.open_session(self.url))
            await self._submit(ws)
        except BaseException as error:
            self.error = error
            self._ready.set()
            return
        self._ready.set()
        try:
            while not self._stop.is_set():
                await self._submit(ws)
                await asyncio.sleep(INTERVAL)
        except BaseException as error:
            self.error = error
        finally:
            await ws.close()

    async def _submit(self, ws) -> None:
        start = time.monotonic()
        answer = await asyncio.wait_for(client.submit(ws, "1+1"), ANSWER_TIMEOUT)
        if client.result_of(answer) != "2":
            raise AssertionError(f"1+1 answered {answer[:200]!r}")
        self.latencies_ms.append((time.monotonic() - start) * 1000)

    def p99_ms(self) -> float:
        """The 99th percentile answer time; infinite if the bystander failed or got no answer."""
        if self.error is not None or not self.latencies_ms:
            return float("inf")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
