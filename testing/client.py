"""The client side of the calculator's protocol, as benchmarks and multi-process tests drive it.

A browser first loads the page (which creates the session and sets its cookie), then opens the
socket with that cookie and its own Origin; the server greets it with the transcript and the
`live` status. Every submit is answered by one message holding the new `<li id="entry-N">`.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

from websockets.asyncio.client import ClientConnection, connect

ENTRY_MARK = '<li id="entry-'
OUTPUT = re.compile(r"<output[^>]*>(.*?)</output>", re.S)
ENTRY_ID = re.compile(r'<li id="entry-(\d+)"')


def http_origin(ws_url: str) -> str:
    parts = urllib.parse.urlsplit(ws_url)
    return f"http://{parts.netloc}"


def open_session(base_url: str) -> str:
    """GET the page like a browser and return the Cookie header that names its new session."""
    with urllib.request.urlopen(f"{base_url}/", timeout=10) as response:
        cookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookie.items())


def submit_frame(expression: str) -> str:
    return json.dumps(
        {"expression": expression, "HEADERS": {"HX-Request": "true", "HX-Trigger": "calc-form"}}
    )


def preview_frame(expression: str) -> str:
    return json.dumps(
        {"expression": expression, "HEADERS": {"HX-Request": "true", "HX-Trigger": "expression"}}
    )


def tutorial_frame(expression: str) -> str:
    return json.dumps({"expression": expression})


async def open_socket(
    ws_url: str, cookie: str = "", greeting: bool = True, source: str | None = None
) -> ClientConnection:
    """Connect with the page's Origin and cookie; with `greeting`, wait for the `live` status.
    `source` is the client's own address (any 127.x.y.z on loopback: a user of its own)."""
    headers = {"Cookie": cookie} if cookie else {}
    options = {"local_addr": (source, 0)} if source else {}
    ws = await connect(
        ws_url,
        origin=http_origin(ws_url),
        additional_headers=headers,
        compression=None,
        ping_interval=None,
        max_size=2**22,
        open_timeout=30,
        **options,
    )
    if greeting:
        first = await ws.recv()
        if 'id="status"' not in first or "live" not in first:
            raise RuntimeError(f"unexpected greeting: {first[:300]!r}")
    return ws


async def submit(ws: ClientConnection, expression: str) -> str:
    """Send one submit and return the message that carries its entry."""
    await ws.send(submit_frame(expression))
    while True:
        message = await ws.recv()
        if ENTRY_MARK in message:
            return message


def result_of(message: str) -> str:
    """The first result in a message, as text: digit groups are elements, so tags go."""
    match = OUTPUT.search(message)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def post_form(
    base_url: str, cookie: str, form_page: str, path: str, fields: dict, host: str = ""
) -> tuple[str, str]:
    """Post a form as a browser does (the CSRF token from `form_page`, cookies kept, a redirect
    not followed); the Cookie header afterwards and the answer's body. `host`: the Host header
    a load balancer passes on (the same whichever process answers)."""
    jar = SimpleCookie()
    jar.load(cookie)

    def request(url: str, data: bytes | None = None) -> str:
        headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in jar.items())}
        if host:
            headers["Host"] = host
        opener = urllib.request.build_opener(NoRedirect)
        with opener.open(urllib.request.Request(url, data, headers), timeout=10) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                jar.load(header)
            return response.read().decode()

    token = CSRF_FIELD.search(request(f"{base_url}{form_page}"))[1]
    form = urllib.parse.urlencode(fields | {"csrfmiddlewaretoken": token})
    body = request(f"{base_url}{path}", form.encode())
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items() if morsel.value)
    return cookie, body


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 302 is the answer itself (its Set-Cookie is what a sign-in gives)."""

    def http_error_302(self, req, fp, code, msg, headers):
        return fp


def sign_in(base_url: str, email: str, password: str) -> str:
    """Sign in through the sign-in form, as a browser; the Cookie header of the signed-in
    session."""
    fields = {"login": email, "password": password}
    return post_form(base_url, "", "/accounts/login/", "/accounts/login/", fields)[0]


def sign_out(base_url: str, cookie: str) -> str:
    """Sign out with the page's own sign-out form; the Cookie header afterwards."""
    return post_form(base_url, cookie, "/", "/accounts/logout/", {})[0]
