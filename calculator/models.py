"""The stored transcript: one row per submitted line, per browser session."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

# Characters a database cannot store in text (PostgreSQL refuses NUL, SQLite's UTF-8 encoder a
# lone surrogate): refused at the door, so one such line never fails anybody else's write.
UNSTORABLE = frozenset(["\x00"]) | frozenset(map(chr, range(0xD800, 0xE000)))

# A submit key: an input's key and a hash of the line it sent.
SUBMIT_KEY_LENGTH = 32
# An HTTP API request's fingerprint (calculator/keys.py): 8 bytes of hash, base64.
FINGERPRINT_LENGTH = 11


class Calculation(models.Model):
    """A submitted expression and what became of it.

    `value` keeps the full-precision result (not the rounded display), and `assigned` the
    variable it set, so a session's variables and `ans` can be rebuilt from rows alone.
    """

    owner = models.CharField(max_length=40)
    expression = models.TextField()
    display = models.TextField(blank=True, default="")
    value = models.TextField(blank=True, default="")
    assigned = models.CharField(max_length=64, blank=True, default="")
    interpretation = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    error_start = models.PositiveIntegerField(null=True, blank=True)
    error_end = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The rendered input the line was submitted from, and the line (calculator/keys.py): a submit
    # is applied at most once, however often it arrives (Enter pressed again while offline,
    # frames re-sent, seen by two processes).
    submit_key = models.CharField(max_length=SUBMIT_KEY_LENGTH, null=True, blank=True)
    # A row stored by an HTTP API request with an Idempotency-Key (its submit_key): what that
    # request asked for, so the key sent again with another line is refused, not answered with
    # this row. The key alone is unique, so two requests racing under one key store one row.
    fingerprint = models.CharField(max_length=FINGERPRINT_LENGTH, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["owner", "id"], name="calc_owner_order")]
        constraints = [
            models.UniqueConstraint(fields=["owner", "submit_key"], name="calc_submit_once")
        ]

    def __str__(self) -> str:
        return f"{self.expression} = {self.display or self.error}"

    def to_message(self) -> dict:
        """The row as plain values, for a channel-layer message (Redis carries nothing else)."""
        return {
            field.attname: _plain(getattr(self, field.attname))
            for field in self._meta.concrete_fields
        }

    @classmethod
    def from_message(cls, message: dict) -> Calculation:
        fields = cls._meta.concrete_fields
        return cls(**{field.attname: field.to_python(message[field.attname]) for field in fields})

    @classmethod
    def text_fields(cls) -> list[str]:
        """The columns holding text a person typed or the engine wrote (their size is theirs)."""
        return [
            field.attname
            for field in cls._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
        ]

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


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


class Share(models.Model):
    """A read-only copy of a transcript, reachable by an unguessable token until revoked.

    A snapshot, not a live view: `entries` holds what each entry showed when it was shared
    (expression, result, reading, error and its span), never the session key, stored values or
    variables, so a link handed out today shows nothing typed later.
    """

    token = models.CharField(max_length=64, unique=True)
    owner = models.CharField(max_length=40)
    entries = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["owner", "id"], name="share_owner_order")]

    def __str__(self) -> str:
        return f"share of {len(self.entries)} entries"

    @property
    def entry_count(self) -> int:
        return len(self.entries)
