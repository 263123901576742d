"""Group commit: rows from every socket of this process share one INSERT and one transaction.

A commit per message caps throughput at the disk's fsync rate; batching whatever arrived while
the previous batch was being written keeps each answer stored before it is sent, at a fraction
of the cost.
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from django.db import transaction

from calculator.models import Calculation

# Bounds one transaction: a burst larger than this is written as several.
MAX_BATCH = 500


def _insert(rows: list[Calculation]) -> list[Calculation]:
    with transaction.atomic():
        return Calculation.objects.bulk_create(rows)


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
        insert = database_sync_to_async(_insert)
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                await insert([row for row, _ in batch])
            except Exception as exc:  # every waiter learns its row was not stored
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for row, future in batch:
                    if not future.done():
                        future.set_result(row)
