"""Group commit: rows from every socket of this process share one INSERT and one transaction.

A commit per message caps throughput at the disk's fsync rate; batching whatever arrived while
the previous batch was being written keeps each answer stored before it is sent, at a fraction
of the cost. A batch that fails is written again row by row, so one bad row fails only itself.
"""

from __future__ import annotations

import asyncio
import logging
from time import perf_counter

from channels.db import database_sync_to_async
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from calculator import metrics
from calculator.models import Calculation

log = logging.getLogger(__name__)

# Bounds one transaction (and its statement's parameters): a larger burst is written as several.
MAX_BATCH = 500


# Every column but the key, from the model: a field added there is written here too. One
# hand-built INSERT … RETURNING for the batch: bulk_create's per-field preparation costs 2-3x the
# CPU per row (on the event loop's GIL), more than a fifth of a whole submit.
_FIELDS = [field for field in Calculation._meta.concrete_fields if not field.primary_key]
# Stamped once per batch: the rows of one transaction are stored at one moment.
_STAMPED = [field for field in _FIELDS if getattr(field, "auto_now_add", False)]


def insert(rows: list[Calculation]) -> list[Calculation]:
    """Store rows in one transaction; each gets its primary key."""
    now = timezone.now()
    stamps = {field.attname: field.get_db_prep_save(now, connection) for field in _STAMPED}
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * len(_FIELDS)) + ")"
    sql = (
        f"INSERT INTO {quote(Calculation._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in _FIELDS)}) "
        f"VALUES {', '.join([placeholders] * len(rows))} RETURNING {quote('id')}"
    )
    names = [field.attname for field in _FIELDS]
    params = [
        stamps[name] if name in stamps else getattr(row, name) for row in rows for name in names
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        # Ids are handed out in row order within the statement; RETURNING's own order is not
        # promised (SQLite says so), hence the sort.
        ids = sorted(row_id for (row_id,) in cursor.fetchall())
    for row, row_id in zip(rows, ids, strict=True):
        row.pk = row_id
        for name in stamps:
            setattr(row, name, now)
        row._state.adding = False
    return rows


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
            metrics.store_batch_size.observe(len(batch))
            started = perf_counter()
            try:
                outcomes: list = await database_sync_to_async(insert)(rows)
            except Exception as error:  # noqa: BLE001 — retried row by row below
                if len(batch) == 1:
                    outcomes = [error]
                else:
                    duration_ms = round((perf_counter() - started) * 1000, 1)
                    log.warning(
                        "store-batch-failed rows=%d retrying one by one",
                        len(batch),
                        extra={"duration_ms": duration_ms},
                    )
                    outcomes = await database_sync_to_async(insert_each)(rows)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                # A line sent twice is refused by design (its first row is answered instead).
                if isinstance(outcome, Exception) and not isinstance(outcome, IntegrityError):
                    metrics.store_errors.inc()
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
