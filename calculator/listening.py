"""A consumer base whose idle socket waits in one task: the channel layer calls it back.

Channels' AsyncConsumer waits for the client and for the channel layer in two tasks joined by
asyncio.wait: nearly 4 KB of each idle socket's memory (bench/run.py). With a layer that can call
back when a message arrives (`listen`, in layers.py) neither is needed: the consumer's own task
awaits the client, and a layer message that comes while it waits is handled in a task that lives
only as long as that work. Handlers still run one at a time, and an error in any of them ends the
consumer as in Channels. Other layers (Redis) keep Channels' loop.
"""

from __future__ import annotations

import asyncio

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer


class ListeningConsumer(AsyncConsumer):
    # Class defaults, so an idle socket stores only what differs.
    _busy = False  # the consumer's task is running a handler
    _drainer: asyncio.Task | None = None  # the task handling layer messages, while it runs
    _failure: Exception | None = None  # what stopped that task, for the consumer's task to raise

    async def __call__(self, scope, receive, send) -> None:
        layer = get_channel_layer(self.channel_layer_alias)
        if not hasattr(layer, "listen"):
            await super().__call__(scope, receive, send)
            return
        self.scope = scope
        self.channel_layer = layer
        self.base_send = send
        self.channel_name = await layer.new_channel()
        self._task = asyncio.current_task()
        layer.listen(self.channel_name, self._layer_message_arrived)
        # One loop in this frame, no helper coroutine: each frame waiting here is kept per socket.
        try:
            while True:
                try:
                    message = await receive()
                    while self._drainer is not None:  # layer messages being handled go first
                        await asyncio.wait([self._drainer])
                except asyncio.CancelledError:
                    if self._failure is None:
                        raise
                    # Cancelled by the drainer, to raise its error here, where Channels would.
                    self._task.uncancel()
                    raise self._failure from None
                self._busy = True
                try:
                    await self.dispatch(message)
                    await self._dispatch_layer_messages()
                finally:
                    self._busy = False
        except StopConsumer:
            pass
        finally:
            layer.stop_listening(self.channel_name)
            if self._drainer is not None:
                self._drainer.cancel()

    def _layer_message_arrived(self) -> None:
        # A busy or draining consumer takes the message before it waits again.
        if not self._busy and self._drainer is None:
            self._drainer = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            await self._dispatch_layer_messages()
        except Exception as error:  # noqa: BLE001 — handed to the consumer's task, raised there
            self._failure = error
            self._task.cancel()
        finally:
            self._drainer = None

    async def _dispatch_layer_messages(self) -> None:
        while (message := self.channel_layer.receive_nowait(self.channel_name)) is not None:
            await self.dispatch(message)
