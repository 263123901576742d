"""The stored transcript: one row per submitted line, per browser session."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Calculation(models.Model):
    """A submitted expression and what became of it.

    `value` keeps the full-precision result (not the rounded display), and `assigned` the
    variable it set, so a session's variables and `ans` can be rebuilt from rows alone.
    """

    session_key = models.CharField(max_length=40)
    expression = models.TextField()
    display = models.TextField(blank=True, default="")
    value = models.TextField(blank=True, default="")
    assigned = models.CharField(max_length=64, blank=True, default="")
    interpretation = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    error_start = models.PositiveIntegerField(null=True, blank=True)
    error_end = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["session_key", "id"], name="calc_session_order")]

    def __str__(self) -> str:
        return f"{self.expression} = {self.display or self.error}"

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def error_marks(self) -> ErrorMarks | None:
        if not self.error or self.error_start is None:
            return None
        return ErrorMarks.of(self.expression, self.error_start, self.error_end)


@dataclass(frozen=True)
class ErrorMarks:
    """An expression cut around the span an error points at, for the caret line under it."""

    before: str
    marked: str
    after: str

    @classmethod
    def of(cls, text: str, start: int, end: int | None) -> ErrorMarks:
        start = max(0, min(start, len(text)))
        end = max(start, min(end if end is not None else start, len(text)))
        return cls(text[:start], text[start:end], text[end:])

    @property
    def padding(self) -> str:
        return " " * len(self.before)

    @property
    def carets(self) -> str:
        return "^" * max(1, len(self.marked))
