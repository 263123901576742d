"""The dashboard's socket: staff only; while open, asks every process for its report once a
second and sends the partials whose markup changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from channels.generic.websocket import AsyncWebsocketConsumer

from calculator.live.layer import UNAVAILABLE
from calculator.ops import access, reporter
from calculator.ops import render as ops_render
from calculator.ops.inspection import Inspection, inspect

log = logging.getLogger(__name__)

# The dashboard updates at most this often: its whole cost is paid per update.
UPDATE_SECONDS = 1.0
# A process that has not answered for this long is gone (stopped, killed, cut off).
AGE_OUT_SECONDS = 3.0

# The last inspection of the layer, shared by every watcher of this process for a second.
_inspected: tuple[float, Inspection] | None = None


async def inspected(layer, processes: dict[str, str]) -> Inspection:
    global _inspected
    now = time.monotonic()
    if _inspected is None or now - _inspected[0] >= UPDATE_SECONDS:
        _inspected = (now, await inspect(layer, processes))
    return _inspected[1]


class OpsConsumer(AsyncWebsocketConsumer):
    """One open dashboard. Sends nothing to a socket that may not watch: it is closed."""

    ticker: asyncio.Task | None = None

    async def connect(self) -> None:
        await self.accept()
        refusal = access.socket_refusal(self.scope.get("user"))
        if refusal is not None:
            log.warning("ops-refused code=%d", refusal)
            await self.close(code=refusal)
            return
        self.reports: dict[str, tuple[float, dict]] = {}
        self.sent: dict[str, str] = {}
        self.ticker = asyncio.get_running_loop().create_task(self.tick())

    async def disconnect(self, code: int) -> None:
        if self.ticker is not None:
            self.ticker.cancel()
            self.ticker = None

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """The page sends nothing; whatever arrives is ignored."""

    async def tick(self) -> None:
        loop = asyncio.get_running_loop()
        checked = loop.time()
        while True:
            if loop.time() - checked >= access.RECHECK_SECONDS:
                checked = loop.time()
                refusal = await access.still_watching(self.scope["user"].pk, self.scope["session"])
                if refusal is not None:
                    log.warning("ops-ended code=%d", refusal)
                    await self.close(code=refusal)
                    return
            # The layer being away skips a request; the page shows processes age out meanwhile.
            with contextlib.suppress(*UNAVAILABLE):
                await self.channel_layer.group_send(
                    reporter.GROUP, reporter.request(self.channel_name)
                )
            await asyncio.sleep(UPDATE_SECONDS)
            try:
                await self.update()
            except UNAVAILABLE as error:
                log.warning("ops-update-failed error=%s", error.__class__.__name__)
            except Exception:
                # One bad update must not freeze the page: the next second tries again.
                log.exception("ops-update-failed")

    async def ops_report(self, event: dict) -> None:
        report = event["report"]
        self.reports[report["process"]] = (time.monotonic(), report)

    def current_reports(self) -> list[dict]:
        oldest = time.monotonic() - AGE_OUT_SECONDS
        self.reports = {name: item for name, item in self.reports.items() if item[0] >= oldest}
        return [report for _, report in self.reports.values()]

    async def update(self) -> None:
        reports = self.current_reports()
        processes = {r["layer_prefix"]: r["process"] for r in reports if r["layer_prefix"]}
        inspection = await inspected(self.channel_layer, processes)
        parts = ops_render.parts(ops_render.context(reports, inspection, live=True))
        changed = [html for name, html in parts.items() if self.sent.get(name) != html]
        self.sent = parts
        if changed:
            await self.send("".join(changed))
