"""The transcript as a file: plain text, CSV and JSON, each a (content type, body) pair."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable

from calculator.models import Calculation

COLUMNS = ("expression", "result", "assigned", "error", "error_column", "created_at")


def record(row: Calculation) -> dict:
    """One entry as a person reads it: no stored values, no session key."""
    return {
        "expression": row.expression,
        "result": row.display,
        "assigned": row.assigned,
        "error": row.error,
        "error_column": None if row.error_start is None else row.error_start + 1,
        "created_at": row.created_at.isoformat(),
    }


def as_text(rows: Iterable[Calculation]) -> tuple[str, str]:
    lines = []
    for row in rows:
        answer = f"= {row.display}" if row.ok else f"error: {row.error}"
        lines.append(f"{row.expression}\n    {answer}\n")
    return "text/plain; charset=utf-8", "".join(lines)


def as_csv(rows: Iterable[Calculation]) -> tuple[str, str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(record(row))
    return "text/csv; charset=utf-8", out.getvalue()


def as_json(rows: Iterable[Calculation]) -> tuple[str, str]:
    body = json.dumps({"entries": [record(row) for row in rows]}, ensure_ascii=False, indent=1)
    return "application/json", body


FORMATS: dict[str, Callable[[Iterable[Calculation]], tuple[str, str]]] = {
    "txt": as_text,
    "csv": as_csv,
    "json": as_json,
}
