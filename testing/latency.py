"""A TCP proxy that delays every byte by a fixed time each way, for browser tests of a slow network.

Order is kept (each direction is one queue); the delay is added to whatever loopback costs, so
a round trip through it takes at least twice `delay`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

from testing.daphne import free_port

# A phone on a poor mobile network: the latency the issue reproduced its bugs with.
DEFAULT_DELAY = 0.120


class LatencyProxy:
    """Listens on a free loopback port and forwards to `target_port`, `delay` seconds late.

    Runs its own event loop in a thread, so a synchronous test (Playwright's sync API) can use it.
    """

    def __init__(self, target_port: int, delay: float = DEFAULT_DELAY) -> None:
        self.target_port = target_port
        self.delay = delay
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LatencyProxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        future.result(timeout=5)
        return self

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            # Let them finish cancelling: a loop stopped with tasks pending logs "Task was
            # destroyed but it is pending!" for each of them when they are collected.
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> LatencyProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter):
        try:
            server_in, server_out = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_out.close()  # the server is down: the browser sees a refused connection
            return
        await asyncio.gather(self._pipe(client_in, server_out), self._pipe(server_in, client_out))

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        """Copy `source` to `sink`, each chunk held back until `delay` after it was read."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, chunk = await queue.get()
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                if not chunk:
                    with contextlib.suppress(OSError):
                        sink.write_eof()
                    return
                sink.write(chunk)
                await sink.drain()

        delivery = asyncio.create_task(deliver())
        try:
            while True:
                chunk = await source.read(65536)
                queue.put_nowait((time.monotonic() + self.delay, chunk))
                if not chunk:
                    break
            await delivery
        except (OSError, asyncio.CancelledError):
            delivery.cancel()
        finally:
            sink.close()
