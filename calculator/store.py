"""Group commit: rows from every socket of this process share one INSERT and one transaction.

A commit per message caps throughput at the disk's fsync rate; batching whatever arrived while
the previous batch was being written keeps each answer stored before it is sent, at a fraction
of the cost. A batch that fails is written again row by row, so one bad row fails only itself.
"""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from django.db import transaction

from calculator.models import Calculation

log = logging.getLogger(__name__)

# Bounds one transaction (and its statement's parameters): a larger burst is written as several.
MAX_BATCH = 500


def insert(rows: list[Calculation]) -> list[Calculation]:
    """Store rows in one transaction; each gets its primary key (RETURNING, on SQLite and
    PostgreSQL alike)."""
    with transaction.atomic():
        return Calculation.objects.bulk_create(rows)


def insert_each(rows: list[Calculation]) -> list[Calculation | Exception]:
    """Store rows one transaction each: what a failed batch falls back to."""
    outcomes: list[Calculation | Exception] = []
    for row in rows:
        try:
            outcomes.append(insert([row])[0])
        except Exception as error:  # noqa: BLE001 — handed to that row's waiter
            outcomes.append(error)
    return outcomes


class GroupCommit:
    """Queues rows and writes them in batches from one task per event loop."""

    def __init__(self) -> None:
        self._pending: list[tuple[Calculation, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def save(self, row: Calculation) -> Calculation:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((row, future))
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
            self._writer = loop.create_task(self._write_all())
        return await future

    async def _write_all(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            rows = [row for row, _ in batch]
            try:
                outcomes: list = await database_sync_to_async(insert)(rows)
            except Exception as error:  # noqa: BLE001 — retried row by row below
                if len(batch) == 1:
                    outcomes = [error]
                else:
                    log.warning("store-batch-failed rows=%d retrying one by one", len(batch))
                    outcomes = await database_sync_to_async(insert_each)(rows)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
