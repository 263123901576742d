"""Group commit: rows from every socket of this process share one INSERT and one transaction.

A commit per message caps throughput at the disk's fsync rate; batching whatever arrived while
the previous batch was being written keeps each answer stored before it is sent, at a fraction
of the cost.
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from django.db import connection, transaction
from django.utils import timezone

from calculator.models import Calculation

# Bounds one transaction (and its statement's parameters): a larger burst is written as several.
MAX_BATCH = 500

# The columns a submit sets. One hand-built INSERT … RETURNING for the batch: bulk_create's
# per-field conversions cost several times more Python (and so GIL time taken from the event
# loop) for these plain text and integer columns. Measured with bench/run.py.
_COLUMNS = (
    "session_key",
    "expression",
    "display",
    "value",
    "assigned",
    "interpretation",
    "error",
    "error_start",
    "error_end",
    "created_at",
)


def _insert(rows: list[Calculation]) -> list[Calculation]:
    created_at = timezone.now()
    stored = connection.ops.adapt_datetimefield_value(created_at)
    row_placeholder = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    table = connection.ops.quote_name(Calculation._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in _COLUMNS)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_placeholder] * len(rows))} "
        f"RETURNING {connection.ops.quote_name('id')}"
    )
    params = []
    for row in rows:
        params += (
            row.session_key,
            row.expression,
            row.display,
            row.value,
            row.assigned,
            row.interpretation,
            row.error,
            row.error_start,
            row.error_end,
            stored,
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        # Ids are handed out in row order within the statement; RETURNING's own order is not
        # promised (SQLite says so), hence the sort.
        ids = sorted(row_id for (row_id,) in cursor.fetchall())
    for row, row_id in zip(rows, ids, strict=True):
        row.pk = row_id
        row.created_at = created_at
        row._state.adding = False
    return rows


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
