"""Each process's reporter: a task listening on a channel of its own, in the channel layer's
"ops" group, that answers a dashboard's request with this process's report (report.py).

Dashboards ask (the ops consumer, once a second while a page is open); reporters only answer,
so a process does no dashboard work while nobody watches. daphne has no ASGI lifespan, so the
reporter starts with the first connection the process serves (`starting_reporter`), which the
load balancer's health checks make early.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer

from calculator.live.layer import UNAVAILABLE
from calculator.ops.report import Reports

log = logging.getLogger(__name__)

# The group every process's reporter listens in, and the messages that pass.
GROUP = "ops"
REQUEST = "ops.request"
REPORT = "ops.report"
# A group membership expires after the layer's group_expiry (a day): joined again this often.
REJOIN_SECONDS = 3600.0
# After the layer failed (a stock layer raises while Redis is away), listen again after this.
RETRY_SECONDS = 1.0

# This process's reports, and the loop and task its reporter runs in.
reports = Reports()
_running: tuple[asyncio.AbstractEventLoop, asyncio.Task] | None = None


def request(reply_to: str) -> dict:
    return {"type": REQUEST, "reply_to": reply_to}


def layer_prefix(layer) -> str:
    """What names this process's channels in the layer (channels_redis's client prefix): the
    inspection tells which process an inbox belongs to by it."""
    return getattr(layer, "client_prefix", "")


async def answer(layer, message: dict) -> None:
    if message.get("type") != REQUEST:
        return
    report = reports.report(layer_prefix(layer))
    # A watcher that went away, or a full inbox: it asks again in a second anyway.
    with contextlib.suppress(ChannelFull, *UNAVAILABLE):
        await layer.send(message["reply_to"], {"type": REPORT, "report": report})


async def listen(layer) -> None:
    """Join the group, answer requests; join again now and then (memberships expire)."""
    channel = await layer.new_channel()
    rejoin = asyncio.get_running_loop().create_task(keep_joined(layer, channel))
    try:
        while True:
            try:
                message = await layer.receive(channel)
            except UNAVAILABLE as error:
                log.warning("ops-reporter-unavailable error=%s", error.__class__.__name__)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            try:
                await answer(layer, message)
            except Exception:
                # A report that failed to build is this request's loss, not the reporter's end.
                log.exception("ops-report-failed")
    finally:
        rejoin.cancel()


async def keep_joined(layer, channel: str) -> None:
    while True:
        try:
            await layer.group_add(GROUP, channel)
        except UNAVAILABLE as error:
            log.warning("ops-reporter-join-failed error=%s", error.__class__.__name__)
            await asyncio.sleep(RETRY_SECONDS)
            continue
        await asyncio.sleep(REJOIN_SECONDS)


def ensure_started() -> None:
    """Start this process's reporter in the running loop, unless it runs there already."""
    global _running
    loop = asyncio.get_running_loop()
    if _running is not None and _running[0] is loop and not _running[1].done():
        return
    layer = get_channel_layer()
    if layer is None:
        return
    _running = (loop, loop.create_task(listen(layer), name="ops-reporter"))


def starting_reporter(application):
    """The ASGI application, starting the reporter with the first connection it serves."""

    async def app(scope, receive, send):
        ensure_started()
        return await application(scope, receive, send)

    return app
