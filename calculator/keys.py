"""Input keys: each rendering of the input is named by one, and a line it submits is applied once.

The empty input that follows a submitted one is named by hashing the submitted one's key, so the
page can fetch the next inputs ahead of time (and the browser's cache answer Enter at once).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

# 96 bits, random or hashed: keys never collide by chance (16 characters; the column holds 32).
KEY_BYTES = 12
# What a key a client sends back may look like (URL-safe base64, as these functions make them).
PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
# How many inputs ahead a page fetches: Enter pressed this many times within one round trip
# still finds the next input in the browser's cache.
AHEAD = 2


def new() -> str:
    """The key of an input rendered with a value (the page's first, a recalled line)."""
    return secrets.token_urlsafe(KEY_BYTES)


def following(key: str) -> str:
    """The key of the empty input that replaces the input `key` once it is submitted."""
    digest = hashlib.blake2b(
        key.encode(), digest_size=KEY_BYTES, person=b"calc-next-field"
    ).digest()
    return base64.urlsafe_b64encode(digest).decode()


def submit_key(key: str, expression: str) -> str:
    """What makes a submit the same one again: the same input sending the same line (Enter
    pressed again while offline, a frame re-sent). Another line from the same input (the next
    input had not arrived yet) is another submit."""
    digest = hashlib.blake2b(expression.encode(errors="surrogatepass"), digest_size=8).digest()
    return key[:16] + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def ahead(key: str) -> list[str]:
    """The keys whose following input a page showing input `key` fetches ahead: its own first."""
    keys = [key]
    while len(keys) < AHEAD:
        keys.append(following(keys[-1]))
    return keys


# A request key (the HTTP API's Idempotency-Key, hashed) starts with a character input keys never
# have (PATTERN), so no request is ever taken for an input's submit or the reverse.
REQUEST_KEY_PREFIX = "~"


def request_key(idempotency_key: str) -> str:
    """The submit key of an API request's Idempotency-Key: any text the header allows, hashed to
    17 characters (the column holds 32), so it is stored whatever its length."""
    digest = hashlib.blake2b(
        idempotency_key.encode(), digest_size=KEY_BYTES, person=b"calc-idempotency"
    ).digest()
    return REQUEST_KEY_PREFIX + base64.urlsafe_b64encode(digest).decode()


def fingerprint(expression: str, degrees: bool) -> str:
    """What a request under a key asked for (its line and angle mode), stored beside the key: the
    key sent again with another request is told apart from a retry."""
    text = f"{'deg' if degrees else 'rad'}:{expression}"
    digest = hashlib.blake2b(text.encode(errors="surrogatepass"), digest_size=8).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
