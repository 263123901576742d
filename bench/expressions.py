"""What the throughput benchmark sends: each socket its own random expressions, and how many of
them a server's parse cache could still answer.

The shapes mean the same in the app's grammar and in Python's (the tutorial design `eval`s them),
so every server does comparable work; random operands keep the texts distinct.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Iterable, Iterator

# A few shapes: integer and decimal arithmetic, an exact division, powers, and functions.
SHAPES = (
    "{a} * {b} + {c}",
    "{a}.{d} * {b} - {c}.{e}",
    "({a} + {b}) / {c}",
    "{d} ** 3 - {a} / {b}",
    "sqrt({a}) + {b}",
    "{d} * sin({a}) + cos({b})",
    "abs({d} - {a}) * {b}.{e}",
    "max({a}, {b}) - {c}",
)


def socket_expressions(seed: int, socket: int) -> Iterator[str]:
    """An endless, reproducible stream of expressions for one socket (its index in the run)."""
    rng = random.Random(f"{seed}:{socket}")
    while True:
        yield rng.choice(SHAPES).format(
            a=rng.randint(1, 9999),
            b=rng.randint(1, 9999),
            c=rng.randint(1, 9999),
            d=rng.randint(1, 99),
            e=rng.randint(1, 99),
        )


def cache_hits(texts: Iterable[str], size: int) -> int:
    """How many texts an LRU cache of `size` entries (functools.lru_cache's policy) would answer,
    fed the texts in the order given."""
    cache: OrderedDict[str, None] = OrderedDict()
    hits = 0
    for text in texts:
        if text in cache:
            hits += 1
            cache.move_to_end(text)
            continue
        cache[text] = None
        if len(cache) > size:
            cache.popitem(last=False)
    return hits
