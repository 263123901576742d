"""The HTTP/1.1 connection daphne serves, with the two bounds twisted and daphne leave open: a
request must arrive whole within `request_timeout`, and its body may not exceed `max_body_bytes`.

twisted resets its idle timeout on every byte (one header byte every 10 s kept a connection
forever) and daphne buffers a whole body before the app sees it (300 MB of RSS for a 300 MB POST).
"""

from __future__ import annotations

import logging

from twisted.web import http

logger = logging.getLogger(__name__)

# After a refusal the connection keeps reading (and dropping) what the client still sends, so
# the response is not lost to a reset, for at most this many seconds.
LINGER_SECONDS = 2


def status_response(code: int, reason: str, text: str) -> bytes:
    body = text.encode()
    return (
        f"HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


class BoundedHTTPChannel(http.HTTPChannel):
    """twisted's HTTPChannel (daphne sets its request factory) with a deadline per request and a
    body limit checked from Content-Length, and on the wire while a chunked body streams."""

    def __init__(self, max_body_bytes: int, request_timeout: float):
        super().__init__()
        self.max_body_bytes = max_body_bytes
        self.request_timeout = request_timeout
        self._deadline = None  # the pending close while a request is awaited
        self._started = False  # whether a byte of the awaited request has arrived
        self._chunked_bytes = None  # bytes of a chunked body so far, while one streams
        self._refused = False
        self._linger = None

    def connectionMade(self):
        super().connectionMade()
        self._await_request()

    def dataReceived(self, data):
        self._started = True
        super().dataReceived(data)

    def allHeadersReceived(self):
        if self.length is not None and self.length > self.max_body_bytes:
            self._refuse_body()
            return
        self._chunked_bytes = 0 if self.length is None else None
        super().allHeadersReceived()

    def rawDataReceived(self, data):
        if self._refused:
            return
        if self._chunked_bytes is not None:
            # Counted on the wire (chunk framing included): what this connection has to read.
            self._chunked_bytes += len(data)
            if self._chunked_bytes > self.max_body_bytes:
                self._refuse_body()
                return
        super().rawDataReceived(data)

    def allContentReceived(self):
        self._chunked_bytes = None
        self._cancel_deadline()
        super().allContentReceived()

    def requestDone(self, request):
        # Armed first: the next request may be in the buffer that requestDone replays.
        if self.persistent:
            self._await_request()
        super().requestDone(request)

    def connectionLost(self, reason):
        self._cancel_deadline()
        if self._linger is not None and self._linger.active():
            self._linger.cancel()
        super().connectionLost(reason)

    def _await_request(self):
        self._cancel_deadline()
        self._started = False
        self._deadline = self.callLater(self.request_timeout, self._request_too_slow)

    def _cancel_deadline(self):
        if self._deadline is not None and self._deadline.active():
            self._deadline.cancel()
        self._deadline = None

    def _request_too_slow(self):
        self._deadline = None
        if self._started:
            logger.info("refused reason=request_timeout")
        # twisted's own timeout: close, and abort if the peer does not let go.
        self.timeoutConnection()

    def _refuse_body(self):
        """Answer 413 and stop reading the body: the write side closes once the answer is out,
        what still arrives is dropped, and the connection is aborted after LINGER_SECONDS."""
        logger.info("refused reason=body_too_large")
        self._refused = True
        self._cancel_deadline()
        self.persistent = False
        text = f"Request bodies are limited to {self.max_body_bytes} bytes.\n"
        self.transport.write(status_response(413, "Content Too Large", text))
        self.transport.loseWriteConnection()
        self._linger = self.callLater(LINGER_SECONDS, self.transport.abortConnection)
