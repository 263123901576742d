""" "Did you mean …?": the closest known name to an unknown one, for error messages."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

from .limits import MAX_SUGGESTED_NAME_LENGTH


def closest(name: str, known: Iterable[str]) -> str:
    """` (did you mean kph?)`, or "" when nothing is close (or the name is too long to try)."""
    if len(name) > MAX_SUGGESTED_NAME_LENGTH:
        return ""
    lowered = name.lower()
    matches = sorted(known_name for known_name in known if known_name.lower() == lowered)
    if not matches:
        matches = get_close_matches(name, known, n=1, cutoff=0.75)
    return f" (did you mean {matches[0]}?)" if matches else ""
