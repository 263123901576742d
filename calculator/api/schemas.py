"""What the API reads and writes: request bodies and the shapes of its answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from calculator.engine import Result
from calculator.models import Calculation


class ExpressionIn(Schema):
    """A line, as typed: longer than the engine's MAX_EXPRESSION_LENGTH it is answered with the
    engine's error, like the page's."""

    model_config = ConfigDict(extra="forbid", strict=True)
    expression: str
    angle: Literal["rad", "deg"] = Field(
        "rad",
        description="How plain numbers given to sin, cos and tan are read: radians, or degrees "
        "(the page's angle mode). A stored entry's `interpretation` says which it was.",
    )

    @property
    def degrees(self) -> bool:
        return self.angle == "deg"


class ErrorOut(Schema):
    """Why a line failed, and the span of the expression (character offsets, end exclusive)."""

    message: str
    start: int
    end: int


class EvaluationOut(Schema):
    """`value` is lossless (calculator/engine/codec.py: `frac:1/3`, `int:42;unit=km`);
    `interpretation` is how the line was read, when that differs from how it was typed."""

    ok: bool
    display: str | None = None
    value: str | None = None
    interpretation: str | None = None
    error: ErrorOut | None = None

    @classmethod
    def of(cls, result: Result) -> EvaluationOut:
        if not result.ok:
            span = result.error.span
            return cls(
                ok=False,
                error=ErrorOut(message=result.error.message, start=span.start, end=span.end),
            )
        return cls(
            ok=True,
            display=result.display,
            value=result.stored,
            interpretation=result.interpretation if result.interpretation_differs else None,
        )


class EntryOut(Schema):
    """A stored entry: the same row the page shows."""

    id: int
    expression: str
    ok: bool
    display: str | None
    value: str | None
    assigned: str | None
    interpretation: str | None
    error: ErrorOut | None
    created_at: datetime

    @classmethod
    def of(cls, row: Calculation) -> EntryOut:
        error = None
        if row.error:
            start = row.error_start or 0
            end = row.error_end if row.error_end is not None else start
            error = ErrorOut(message=row.error, start=start, end=end)
        return cls(
            id=row.pk,
            expression=row.expression,
            ok=row.ok,
            display=row.display or None,
            value=row.value or None,
            assigned=row.assigned or None,
            interpretation=row.interpretation or None,
            error=error,
            created_at=row.created_at,
        )


class EntryPage(Schema):
    """A page of entries, oldest first; `next` is the cursor of the following page (None: the
    last page)."""

    entries: list[EntryOut]
    next: str | None


class VariableOut(Schema):
    display: str
    value: str


class VariablesOut(Schema):
    """The variables (and `ans`) the owner's next line would see."""

    variables: dict[str, VariableOut]
    ans: VariableOut | None


class Problem(Schema):
    detail: str | list
