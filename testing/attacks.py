"""Issue 10's attacks, as coroutines testing/fairness.py runs in a process of their own.

Each takes the server's socket URL and what it needs, runs for about `seconds`, and returns a
report of plain values: `started` and `ended` (wall clock, the window the bystander is judged
in) and its own counts (close codes seen, frames sent...).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.request
from collections import Counter

from websockets.exceptions import ConnectionClosed, InvalidHandshake

from testing import client

# The attacker's client addresses: not the bystander's (testing/fairness.py), and one per attack,
# so one test's spent connect budget is not the next one's.
SOURCES = {
    "clear": "127.0.0.11",
    "handshakes": "127.0.0.12",
    "flood": "127.0.0.13",
    "idle": "127.0.0.14",
    "idle-sessions": "127.0.0.16",
    "engine": "127.0.0.15",
}


def close_code(error: ConnectionClosed) -> int:
    """The code the server closed with; 1006 when no close frame came (dropped connection)."""
    return error.rcvd.code if error.rcvd is not None else 1006


async def until_closed(ws) -> int:
    """Read (and drop) messages until the server closes; the close code."""
    try:
        while True:
            await ws.recv()
    except ConnectionClosed as closed:
        return close_code(closed)


# A preview sent after connecting: its answer comes after everything the connect sent.
MARKER = client.preview_frame("7")
MARKER_ANSWER = 'preview__value">= 7<'


async def greeting(ws) -> list[str]:
    """Everything the server sends a new socket (the transcript may take several messages)."""
    messages = [await ws.recv()]
    if "status--live" in messages[0]:
        await ws.send(MARKER)
        while MARKER_ANSWER not in messages[-1]:
            messages.append(await ws.recv())
        messages.pop()
    return messages


async def try_open(ws_url: str, cookie: str, source: str, codes: Counter) -> object | None:
    """A socket if the server let it in (greeted it `live`); else the close code is counted."""
    ws = await client.open_socket(ws_url, cookie, greeting=False, source=source)
    try:
        first = await ws.recv()
    except ConnectionClosed as closed:
        codes[close_code(closed)] += 1
        return None
    if 'id="status"' in first and "status--live" in first:
        return ws
    codes[await until_closed(ws)] += 1
    return None


async def clear_storm(ws_url: str, cookie: str, sockets: int, *, seconds: float) -> dict:
    """Issue 10 #8: many sockets of one session, each sending "Delete all" ten times a second."""
    source = SOURCES["clear"]
    codes: Counter = Counter()
    opened = await asyncio.gather(
        *(try_open(ws_url, cookie, source, codes) for _ in range(sockets))
    )
    admitted = [ws for ws in opened if ws is not None]
    readers = [asyncio.ensure_future(until_closed(ws)) for ws in admitted]
    frame = json.dumps({"HEADERS": {"HX-Request": "true", "HX-Trigger": "clear-form"}})
    started = time.time()
    deadline = time.monotonic() + seconds
    clears = 0
    while time.monotonic() < deadline:
        for ws in admitted:
            with contextlib.suppress(ConnectionClosed):
                await ws.send(frame)
                clears += 1
        await asyncio.sleep(0.1)
    ended = time.time()
    for ws in admitted:
        await ws.close()
    await asyncio.gather(*readers, return_exceptions=True)
    return {
        "started": started,
        "ended": ended,
        "admitted": len(admitted),
        "refused": dict(codes),
        "clears": clears,
    }


async def handshake_loop(ws_url: str, cookie: str, clients: int, *, seconds: float) -> dict:
    """Issue 10 #9: clients that connect to a long transcript, read it, and connect again."""
    source = SOURCES["handshakes"]
    deadline = time.monotonic() + seconds
    codes: Counter = Counter()
    received = 0

    async def loop() -> None:
        nonlocal received
        while time.monotonic() < deadline:
            try:
                ws = await client.open_socket(ws_url, cookie, greeting=False, source=source)
            except (OSError, InvalidHandshake):
                # The server ended the handshake unanswered (as frame_flood counts it): refused,
                # and the attacker tries again, where it used to stop the whole attack.
                codes["refused"] += 1
                await asyncio.sleep(0.05)
                continue
            try:
                messages = await greeting(ws)
                received += sum(len(message) for message in messages)
                if "status--live" in messages[0]:
                    codes["live"] += 1
                    await ws.close()
                else:
                    codes[await until_closed(ws)] += 1
            except ConnectionClosed as closed:
                codes[close_code(closed)] += 1

    started = time.time()
    await asyncio.gather(*(loop() for _ in range(clients)))
    return {"started": started, "ended": time.time(), "connects": dict(codes), "bytes": received}


async def frame_flood(ws_url: str, cookie: str, *, seconds: float) -> dict:
    """Issue 10 #10: one-byte frames as fast as they go, reconnecting whenever closed."""
    source = SOURCES["flood"]
    codes: Counter = Counter()
    sockets = []
    sent = 0

    async def flood() -> None:
        nonlocal sent
        while True:
            try:
                ws = await client.open_socket(ws_url, cookie, greeting=False, source=source)
                sockets.append(ws)
                reader = asyncio.ensure_future(until_closed(ws))
                while not reader.done():
                    await ws.send("1")
                    sent += 1
                    if sent % 100 == 0:
                        await asyncio.sleep(0)  # let the reader see a close
                codes[reader.result()] += 1
            except ConnectionClosed as closed:
                codes[close_code(closed)] += 1
            except (OSError, InvalidHandshake):
                codes["refused"] += 1
                await asyncio.sleep(0.05)

    started = time.time()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(flood(), seconds)
    ended = time.time()
    for ws in sockets:
        ws.transport.abort()
    return {"started": started, "ended": ended, "frames": sent, "closed": dict(codes)}


async def idle_sockets(
    ws_url: str, base_url: str, cookies: list[str], per_cookie: int, source: str, *, seconds: float
) -> dict:
    """Issue 10 #11: open many sockets at once (`per_cookie` per session), ask /healthz, and
    hold them for `seconds`: the window judged is the holding, not the burst of handshakes
    (a connect flood, which the server pays for whatever the app decides: #9)."""
    codes: Counter = Counter()

    async def one(cookie: str):
        try:
            return await try_open(ws_url, cookie, source, codes)
        except (OSError, InvalidHandshake, ConnectionClosed) as error:
            codes[type(error).__name__] += 1
            return None

    opened = await asyncio.gather(*(one(c) for c in cookies for _ in range(per_cookie)))
    admitted = [ws for ws in opened if ws is not None]
    started = time.time()
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
            health = response.status
    except OSError as error:
        health = type(error).__name__
    await asyncio.sleep(max(0.0, started + seconds - time.time()))
    ended = time.time()
    await asyncio.gather(*(ws.close() for ws in admitted), return_exceptions=True)
    return {
        "started": started,
        "ended": ended,
        "admitted": len(admitted),
        "refused": dict(codes),
        "healthz": health,
    }


async def evaluations(
    ws_url: str, cookie: str, lines: list[tuple[str, str]], *, seconds: float
) -> dict:
    """Issue 10 #1-3: ("submit" | "preview", expression) sent one after another, each answer
    awaited (the window ends after `seconds` even if the server is still busy with one)."""
    ws = await client.open_socket(ws_url, cookie, source=SOURCES["engine"])
    started = time.time()
    deadline = time.monotonic() + seconds
    answered = 0

    async def send_all() -> None:
        nonlocal answered
        for action, expression in lines:
            if action == "submit":
                await ws.send(client.submit_frame(expression))
            else:
                headers = {"HX-Request": "true", "HX-Trigger": "expression"}
                await ws.send(json.dumps({"expression": expression, "HEADERS": headers}))
            await ws.recv()
            answered += 1

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(send_all(), seconds)
    await asyncio.sleep(max(0.0, deadline - time.monotonic()))
    ended = time.time()
    ws.transport.abort()
    return {"started": started, "ended": ended, "lines": len(lines), "answered": answered}
