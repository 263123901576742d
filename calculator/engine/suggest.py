""" "Did you mean …?": the closest known name to an unknown one, for error messages."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches
from functools import lru_cache

from .limits import MAX_SUGGESTED_NAME_LENGTH
from .units import UNIT_NAMES, UNITS, dimension


def closest(name: str, known: Iterable[str]) -> str:
    """` (did you mean kph?)`, or "" when nothing is close (or the name is too long to try)."""
    if len(name) > MAX_SUGGESTED_NAME_LENGTH:
        return ""
    matches = _same_but_case(name, known) or get_close_matches(name, known, n=1, cutoff=0.75)
    return f" (did you mean {matches[0]}?)" if matches else ""


def _same_but_case(name: str, known: Iterable[str]) -> list[str]:
    lowered = name.lower()
    return sorted(known_name for known_name in known if known_name.lower() == lowered)


_TIME = dimension("s")
_LENGTH = dimension("m")
# Prefixes common enough that a name run together from a unit with one is likely meant (`kWs`),
# unlike `sqm` read as s·qm (a quectometre).
_COMMON_PREFIXES = ("k", "M", "G", "T", "m", "c", "µ", "u", "n")
# The longest symbol a name run together is split into (kWh, mAh); full names are longer.
_SYMBOL_LENGTH = 3


def unit_hint(name: str, known: frozenset[str] = UNIT_NAMES) -> str:
    """A known name that differs in case only (`Kg`: kg); for units run together, how to write
    them (`kmh`: km/h, `kWs`: kW·s); else the closest known name that is not a unit with a rare
    prefix (`sqm` is not a misspelt qm)."""
    if len(name) <= MAX_SUGGESTED_NAME_LENGTH:
        same = _same_but_case(name, known)
        if "°" + name in UNITS:  # `F`: °F (`C` is the coulomb)
            same = ["°" + name]
        if same:
            return f" (did you mean {same[0]}?)"
        for cut in range(1, len(name)):
            left, right = name[:cut], name[cut:]
            if _plausible(left) and _plausible(right):
                speed = UNITS[left].dimension == _LENGTH and UNITS[right].dimension == _TIME
                joined = f"{left}/{right}" if speed else f"{left}·{right}"
                return f" (did you mean {joined}?)"
    return closest(name, _suggestible(known))


@lru_cache(maxsize=4)
def _suggestible(known: frozenset[str]) -> tuple[str, ...]:
    """The names worth suggesting: not units with a rare prefix."""
    return tuple(
        sorted(
            name
            for name in known
            if name not in UNITS
            or not UNITS[name].prefixed
            or UNITS[name].spelled  # a prefix's name: kilometre, yoctosecond
            or name.startswith(_COMMON_PREFIXES)
        )
    )


def _plausible(part: str) -> bool:
    """Whether `part` of a name run together reads as a unit someone meant: a short symbol
    (`inchs` is a misspelt `inches`, not inch/s), with a common prefix if any."""
    named = UNITS.get(part)
    return (
        named is not None
        and len(part) <= _SYMBOL_LENGTH
        and (not named.prefixed or part.startswith(_COMMON_PREFIXES))
    )
