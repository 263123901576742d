""" "Did you mean …?": the closest known name to an unknown one, for error messages."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

from .limits import MAX_SUGGESTED_NAME_LENGTH
from .units import UNIT_NAMES, UNITS, dimension


def closest(name: str, known: Iterable[str]) -> str:
    """` (did you mean kph?)`, or "" when nothing is close (or the name is too long to try)."""
    if len(name) > MAX_SUGGESTED_NAME_LENGTH:
        return ""
    lowered = name.lower()
    matches = sorted(known_name for known_name in known if known_name.lower() == lowered)
    if not matches:
        matches = get_close_matches(name, known, n=1, cutoff=0.75)
    return f" (did you mean {matches[0]}?)" if matches else ""


_TIME = dimension("s")
_LENGTH = dimension("m")


def unit_hint(name: str, known: Iterable[str] = UNIT_NAMES) -> str:
    """For units run together, how to write them (`kmh`: km/h, `kWs`: kW·s); else the closest
    known name."""
    if len(name) <= MAX_SUGGESTED_NAME_LENGTH:
        for cut in range(1, len(name)):
            left, right = name[:cut], name[cut:]
            if left in UNITS and right in UNITS:
                speed = UNITS[left].dimension == _LENGTH and UNITS[right].dimension == _TIME
                joined = f"{left}/{right}" if speed else f"{left}·{right}"
                return f" (did you mean {joined}?)"
    return closest(name, known)
