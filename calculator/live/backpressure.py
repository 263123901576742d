"""daphne's WebSocket protocol with backpressure: it stops reading a socket whose frames the app
has not caught up with, so a flood fills the flooder's buffers instead of the server's loop.

daphne reads and parses whatever arrives (64 KiB, some 9,000 one-byte frames, per read) and
queues every frame for the app without bound: a one-byte flood took the whole process before
the consumer could close the socket. The server installs it as its WebSocket factory's protocol
(twisted's documented way to choose what a factory builds).
"""

from __future__ import annotations

from daphne.ws_protocol import WebSocketProtocol

# Frames received and not yet read by the app past which the socket is no longer read. A tab
# has one or two in flight; the consumer refuses (cheaply) what a flood gets past this.
MAX_UNREAD_FRAMES = 64
# Bytes read from a WebSocket at a time (twisted reads 64 KiB): at most this much of a flood is
# parsed before the check above applies again. A genuine frame is under 4 KiB.
READ_BYTES = 16 * 1024
# How often a paused socket checks whether the app has read enough of its frames to resume.
RESUME_CHECK_SECONDS = 0.02


def call_later(seconds: float, function) -> None:
    # Imported here, so the reactor is the one daphne installs (asyncio), not twisted's default.
    from twisted.internet import reactor

    reactor.callLater(seconds, function)


class BackpressureWebSocketProtocol(WebSocketProtocol):
    paused = False

    def connectionMade(self):
        super().connectionMade()
        if hasattr(self.transport, "bufferSize"):
            self.transport.bufferSize = READ_BYTES

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
