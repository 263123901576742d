"""daphne's Server and command line, extended through their public hooks only: the CLI's
`server_class`, and the Server's `ready_callable`, which runs once the HTTP factory exists and
before the reactor accepts a connection. There the factories get their `protocol` (twisted's
documented way to choose what a factory builds), the open-file limit is raised and the loaded
app is frozen out of garbage collection.
"""

from __future__ import annotations

import functools
import logging
import resource

from daphne.cli import CommandLineInterface
from daphne.server import Server
from django.conf import settings

from calculator.live.backpressure import BackpressureWebSocketProtocol
from calculator.server.channel import BoundedHTTPChannel
from calculator.server.freeze import freeze_loaded_app

logger = logging.getLogger(__name__)

# Linux's default fs.nr_open: the most a soft limit can be raised to when the hard one is
# unlimited.
MAX_OPEN_FILES = 1024 * 1024


def raise_open_file_limit() -> tuple[int, int]:
    """Raise the soft open-file limit to the hard one (idle sockets exhausted 1,024 descriptors,
    and /healthz was refused with everyone else). Returns the limit before and after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = MAX_OPEN_FILES if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as error:
            logger.warning("open file limit stays %d: %s", soft, error)
    return soft, resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class BoundedServer(Server):
    """daphne's Server whose HTTP connections are BoundedHTTPChannels (CALC_MAX_BODY_BYTES and
    CALC_REQUEST_TIMEOUT from settings), whose WebSockets are read with backpressure, and with
    the open-file limit raised before it accepts any."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, ready_callable=self.bound, **kwargs)

    def bound(self) -> None:
        before, after = raise_open_file_limit()
        self.http_factory.protocol = functools.partial(
            BoundedHTTPChannel,
            max_body_bytes=settings.CALC_MAX_BODY_BYTES,
            request_timeout=settings.CALC_REQUEST_TIMEOUT,
        )
        self.ws_factory.protocol = BackpressureWebSocketProtocol
        logger.info(
            "open file limit %d (was %d); request bodies up to %d bytes; requests arrive "
            "within %gs",
            after,
            before,
            settings.CALC_MAX_BODY_BYTES,
            settings.CALC_REQUEST_TIMEOUT,
        )
        freeze_loaded_app()


class BoundedCommandLineInterface(CommandLineInterface):
    """daphne's command line (every flag of `daphne`), serving with BoundedServer."""

    server_class = BoundedServer


def main() -> None:
    BoundedCommandLineInterface.entrypoint()
