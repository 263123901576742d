"""Who a request acts for: a personal access token in `Authorization: Bearer`, nothing else.

No session or cookie authentication on the API, so a browser's cookie alone can never make a
request count as its person's (no CSRF to guard). A token is never logged: its id at most.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security.http import HttpAuthBase

from calculator.api import limits
from calculator.tokens import services as tokens
from calculator.tokens.models import AccessToken


class BearerToken(HttpAuthBase):
    """A token of at least `scope`: None (401) when missing or not usable, 403 when it may only
    read and this operation writes.

    Not ninja's HttpBearer: with DEBUG on, that one logs a malformed Authorization header whole.
    """

    openapi_scheme = "bearer"

    def __init__(self, write: bool) -> None:
        self.write = write
        super().__init__()

    async def __call__(self, request: HttpRequest) -> AccessToken | None:
        scheme, _, text = request.headers.get("Authorization", "").partition(" ")
        token = None
        if scheme.lower() == "bearer" and text.strip():
            token = await tokens.aauthenticate(text.strip())
        if token is None:
            # Guessing costs the guesser: failed attempts count against the client's address.
            limits.current().address(request.META.get("REMOTE_ADDR"))
            return None
        limits.current().token(token.pk)
        if self.write and not token.can_write:
            raise AuthorizationError(message="this token may only read")
        return token


read = BearerToken(write=False)
write = BearerToken(write=True)
