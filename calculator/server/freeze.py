"""The loaded app kept out of garbage collection once a server has loaded it, under either
server: its objects (Django, the URLconf, the engine's tables) live as long as the process, and
a full collection otherwise stopped the event loop for 80-100 ms to walk them all again.

daphne calls freeze_loaded_app() from its ready hook (run.py); uvicorn, which speaks ASGI's
lifespan protocol and daphne does not, through `lifespan`.
"""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)


def freeze_loaded_app() -> int:
    """gc.freeze(), Python's own hook for this, after a collection, so no garbage is kept for
    good. Returns how many objects are now out of the collector's sight."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.info("%d objects of the loaded app kept out of collections", frozen)
    return frozen


async def lifespan(scope, receive, send) -> None:
    """The ASGI lifespan application: the app is frozen at startup, before the first request."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            freeze_loaded_app()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
