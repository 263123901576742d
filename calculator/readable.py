"""How a long result is laid out for reading: whole digits in groups of three, and a shortened form.

The groups are separate pieces the template wraps in elements spaced by CSS, so no character is
inserted: selecting and copying a result still gives the plain number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Runs of digits shorter than this read fine as they are (a year, a small count).
GROUP_FROM_DIGITS = 5
# Longer results take several lines; they are shown shortened, the whole one a click away.
SHORTEN_OVER_CHARS = 60
# The shortened form keeps this many leading and trailing digits.
SHOWN_HEAD_DIGITS = 12
SHOWN_TAIL_DIGITS = 6

_NUMBER = re.compile(r"(-?)(\d+)(?:\.(\d+))?(.*)", re.DOTALL)


@dataclass(frozen=True)
class Readable:
    """A result cut for reading. `pieces` joined give the text back unchanged."""

    text: str
    sign: str
    whole: tuple[str, ...]
    fraction: tuple[str, ...]
    rest: str

    @property
    def pieces(self) -> tuple[str, ...]:
        """The groups as shown: the sign leads the first, the point joins its neighbours."""
        pieces = [self.sign + self.whole[0], *self.whole[1:]]
        if self.fraction:
            pieces[-1] += "." + self.fraction[0]
            pieces.extend(self.fraction[1:])
        return tuple(pieces)

    @property
    def grouped(self) -> bool:
        return len(self.pieces) > 1

    @property
    def digit_count(self) -> int:
        return sum(map(len, self.whole)) + sum(map(len, self.fraction))

    @property
    def long(self) -> bool:
        return len(self.text) > SHORTEN_OVER_CHARS

    @property
    def head(self) -> str:
        """The first digits of a long result, for its shortened form."""
        return self.text[: len(self.sign) + SHOWN_HEAD_DIGITS]

    @property
    def tail(self) -> str:
        return self.text[-SHOWN_TAIL_DIGITS:]


def groups_from_right(digits: str) -> tuple[str, ...]:
    if len(digits) < GROUP_FROM_DIGITS:
        return (digits,)
    first = len(digits) % 3 or 3
    return (digits[:first], *(digits[i : i + 3] for i in range(first, len(digits), 3)))


def readable(text: str) -> Readable:
    """`text` (a result as the engine displays it) cut into digit groups; text that is not a
    plain number is kept whole."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        return Readable(text, "", (text,), (), "")
    sign, whole, fraction, rest = match.groups()
    # Only the whole part is grouped: a fraction shows at most a display's 15 digits.
    return Readable(text, sign, groups_from_right(whole), (fraction,) if fraction else (), rest)
