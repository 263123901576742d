"""daphne's WebSocket protocol with backpressure both ways: it stops reading a socket whose frames
the app has not caught up with, and drops one whose client has stopped reading.

daphne reads and parses whatever arrives (64 KiB, some 9,000 one-byte frames, per read) and
queues every frame for the app without bound: a one-byte flood took the whole process before
the consumer could close the socket. And its ASGI `send` never waits: answers to a client that
does not read piled up in the server's memory (172 MB in 10 s of previews). The server installs
this as its WebSocket factory's protocol (twisted's documented way to choose what a factory
builds); the client's reading is watched through autobahn's documented `registerProducer`.
"""

from __future__ import annotations

import logging

from daphne.ws_protocol import WebSocketProtocol
from twisted.internet.interfaces import IPushProducer
from zope.interface import implementer

logger = logging.getLogger(__name__)

# Frames received and not yet read by the app past which the socket is no longer read. A tab
# has one or two in flight; the consumer refuses (cheaply) what a flood gets past this.
MAX_UNREAD_FRAMES = 64
# Bytes read from a WebSocket at a time (twisted reads 64 KiB): at most this much of a flood is
# parsed before the check above applies again. A genuine frame is under 4 KiB.
READ_BYTES = 16 * 1024
# How often a paused socket checks whether the app has read enough of its frames to resume.
RESUME_CHECK_SECONDS = 0.02
# Bytes sent on past a full write buffer (the client has stopped reading) before the socket is
# dropped: htmx sees 1006, reconnects, and the transcript it is sent then has everything. A tab
# that reads drains its buffer long before.
MAX_UNREAD_BYTES = 1024 * 1024


@implementer(IPushProducer)
class ClientReading:
    """Told by the transport when its write buffer is full (the client is not reading what it is
    sent) and when it has drained again."""

    def __init__(self) -> None:
        self.stalled = False

    def pauseProducing(self) -> None:
        self.stalled = True

    def resumeProducing(self) -> None:
        self.stalled = False

    def stopProducing(self) -> None:
        self.stalled = False


def call_later(seconds: float, function) -> None:
    # Imported here, so the reactor is the one daphne installs (asyncio), not twisted's default.
    from twisted.internet import reactor

    reactor.callLater(seconds, function)


class BackpressureWebSocketProtocol(WebSocketProtocol):
    paused = False
    # Bytes sent since the client's reading stalled.
    unread_bytes = 0

    def connectionMade(self):
        super().connectionMade()
        if hasattr(self.transport, "bufferSize"):
            self.transport.bufferSize = READ_BYTES
        self.client_reading = ClientReading()
        # The HTTP connection this socket was upgraded from is still the transport's producer
        # (twisted's HTTPChannel registers itself); it has nothing more to produce.
        if getattr(self.transport, "producer", None) is not None:
            self.unregisterProducer()
        self.registerProducer(self.client_reading, True)

    def sendMessage(self, payload, isBinary=False, *args, **kwargs):
        if not self.client_reading.stalled:
            self.unread_bytes = 0
        else:
            self.unread_bytes += len(payload)
            if self.unread_bytes > MAX_UNREAD_BYTES:
                if self.state == self.STATE_OPEN:
                    logger.info("dropped reason=slow-reader unread_bytes=%d", self.unread_bytes)
                    self.dropConnection(abort=True)
                return
        super().sendMessage(payload, isBinary, *args, **kwargs)

    def onMessage(self, payload, isBinary):
        super().onMessage(payload, isBinary)
        queue = getattr(self, "application_queue", None)
        if not self.paused and queue is not None and queue.qsize() >= MAX_UNREAD_FRAMES:
            self.paused = True
            self.transport.pauseProducing()
            call_later(RESUME_CHECK_SECONDS, self.resume_when_read)

    def resume_when_read(self) -> None:
        """Read again once the app has read half of the unread frames. A socket closing stays
        paused: autobahn drops it when the close handshake times out (1 s)."""
        if self.state == self.STATE_CLOSED:
            return
        if self.state == self.STATE_OPEN and self.application_queue.qsize() <= (
            MAX_UNREAD_FRAMES // 2
        ):
            self.paused = False
            self.transport.resumeProducing()
            return
        call_later(RESUME_CHECK_SECONDS, self.resume_when_read)
