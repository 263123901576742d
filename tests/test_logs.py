"""Logs, as a real daphne writes them in each format: one JSON object per line with
CALC_LOG_FORMAT=json, plain lines by default, and in neither a full session key (anonymous or
signed in), a share link's token, a CSRF token, a password, an API token, the metrics token or
the secret key, whatever the sessions did.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import logging
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from calculator.logs import HideShareTokens, JsonLines
from testing import client
from testing.client import open_socket, preview_frame, submit, submit_frame
from testing.daphne import DaphneServer, migrate, server_env
from testing.staff import account_on_server, on_server

pytestmark = pytest.mark.timeout(180)

SHARE_LINK = re.compile(r'href="(?:[^"]*)/s/([\w-]+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# A secret counts as leaked if any run of this many of its characters shows.
WINDOW = 8
JSON_FIELDS = {"time", "level", "logger", "process", "event"}


class Browser:
    """A cookie jar and a form poster: what a browser without JavaScript does."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == name)

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, body, headers or {})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, **fields: str):
        status, page = self.request("/")
        token = CSRF.search(page).group(1)
        return self.request(path, {"csrfmiddlewaretoken": token, **fields})


async def drain(ws, seconds: float = 0.3) -> None:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        pass


async def exercise(server: DaphneServer, browser: Browser, metrics_token: str) -> list[str]:
    """Sessions doing what people (and attackers) do; returns the share tokens it made."""
    cookie = f"sessionid={browser.cookie('sessionid')}"
    ws = await open_socket(server.ws_url, cookie)
    for line in ("1+1", "x = 2", "1/0", "nosuch(1)", "3 m + 2 s"):
        await submit(ws, line)
    await ws.send(preview_frame("2*"))
    for bad in ("not json", json.dumps({"nope": 1}), "x" * 5000, b"\x00binary"):
        await ws.send(bad)
    await drain(ws)
    for _ in range(20):  # over the server's rate limit: refused, and logged once
        await ws.send(submit_frame("1"))
    await drain(ws)
    tabs = [await open_socket(server.ws_url, cookie, greeting=False) for _ in range(3)]
    await asyncio.sleep(0.3)
    for tab in tabs:  # over the session's socket cap: refused with 4429
        await tab.close()
    with pytest.raises(InvalidStatus):  # 403 at the handshake
        await connect(server.ws_url, origin="https://evil.example",
                      additional_headers={"Cookie": cookie})  # fmt: skip
    await ws.close()

    tokens = []
    for _ in range(2):
        assert browser.post("/share/")[0] == 200
    tokens = SHARE_LINK.findall(browser.request("/?sharing")[1])
    assert len(tokens) == 2
    assert browser.request(f"/s/{tokens[0]}/")[0] == 200
    assert browser.request(f"/s/{tokens[0]}/", {"x": "1"})[0] == 403  # failed: no CSRF token
    assert browser.post(f"/s/{tokens[0]}/")[0] == 405  # failed: read-only
    assert browser.post("/share/revoke/", token=tokens[1])[0] == 200
    assert browser.request(f"/s/{tokens[1]}/")[0] == 404
    assert browser.request("/share/", {"x": "1"})[0] == 403  # no CSRF token
    assert browser.post("/delete/", entry="999999")[0] in (200, 404)
    assert browser.post("/clear/")[0] == 200
    assert browser.request("/no/such/page")[0] == 404
    wrong = {"Authorization": f"Bearer {metrics_token[:-1]}"}
    assert browser.request("/metrics", headers={**wrong, "X-Forwarded-For": "1.2.3.4"})[0] == 404
    right = {"Authorization": f"Bearer {metrics_token}"}
    assert browser.request("/metrics", headers={**right, "X-Forwarded-For": "1.2.3.4"})[0] == 200
    return tokens


def api_status(base_url: str, method: str, path: str, authorization: str) -> int:
    request = urllib.request.Request(
        f"{base_url}/api/v1{path}", method=method, headers={"Authorization": authorization}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def exercise_account(server: DaphneServer, email: str, password: str) -> dict[str, str]:
    """A person signs in (and fails to once), uses the socket, uses the API with a write token
    and a read token (and wrong ones), and signs out; returns the secrets this showed."""
    assert client.sign_in(server.url, email, password[::-1]).find("sessionid") == -1
    cookie = client.sign_in(server.url, email, password)
    session_key = cookie.partition("sessionid=")[2].partition(";")[0]
    ws = await open_socket(server.ws_url, cookie)
    await submit(ws, "y = 3")
    await ws.send("not json")
    await drain(ws)
    made = {}
    for scope in ("write", "read"):
        made[scope] = on_server(
            server.env, "calc_token", "create", email, "--name", scope, "--scope", scope
        )
    for authorization, method, path, status in [
        (f"Bearer {made['write']}", "GET", "/variables", 200),
        (f"Bearer {made['read']}", "DELETE", "/entries", 403),
        (f"Bearer {made['write']}x", "GET", "/entries", 401),
        (f"Bearer {made['read'][:-1]}", "GET", "/entries", 401),
        (f"Token {made['write']}", "GET", "/entries", 401),
        (made["read"], "GET", "/entries", 401),
    ]:
        assert api_status(server.url, method, path, authorization) == status, authorization
    client.sign_out(server.url, cookie)
    with pytest.raises(ConnectionClosed):  # the socket closes when its browser signs out
        await drain(ws, seconds=10)
    secrets_of = {"password": password, "signed-in session key": session_key}
    return secrets_of | {f"{scope} token": text for scope, text in made.items()}


def leaked(secret: str, text: str) -> str | None:
    for start in range(len(secret) - WINDOW + 1):
        if secret[start : start + WINDOW] in text:
            return secret[start : start + WINDOW]
    return None


@pytest.mark.parametrize("log_format", ["line", "json"])
def test_logs_carry_no_secret_in_either_format(tmp_path: Path, log_format: str):
    secret_key = secrets.token_urlsafe(40)
    metrics_token = secrets.token_urlsafe(24)
    env = server_env(
        tmp_path / "db.sqlite3",
        DJANGO_SECRET_KEY=secret_key,
        CALC_METRICS_TOKEN=metrics_token,
        CALC_LOG_FORMAT=log_format,
        CALC_LOG_LEVEL="INFO",
        CALC_RATE_LIMIT="5",  # a burst of 10 frames, then refusals
        CALC_MAX_SOCKETS_PER_SESSION="2",
    )
    migrate(env)
    with DaphneServer(env) as server:
        browser = Browser(server.url)
        assert browser.request("/")[0] == 200
        session_key = browser.cookie("sessionid")
        tokens = asyncio.run(asyncio.wait_for(exercise(server, browser, metrics_token), 60))
        password = secrets.token_urlsafe(16)
        account_on_server(env, "ann@example.com", password)
        account_secrets = asyncio.run(
            asyncio.wait_for(exercise_account(server, "ann@example.com", password), 90)
        )
        server.stop()
        text = server.log_text()

    secrets_shown = {
        "session key": session_key,
        "CSRF token": browser.cookie("csrftoken"),
        "secret key": secret_key,
        "metrics token": metrics_token,
        **{f"share token {n}": token for n, token in enumerate(tokens)},
        **account_secrets,
    }
    for what, secret in secrets_shown.items():
        assert leaked(secret, text) is None, f"{what} in the {log_format} log:\n{text}"

    lines = text.splitlines()
    # What the sessions did shows, under the session's 6-character prefix.
    prefix = session_key[:6]
    for event in ("connect", "bad-frame", "rate-limited", "refused reason=session-sockets",
                  "refused reason=origin", "Method Not Allowed", "Not Found",
                  "token-refused id=", "session-ended"):  # fmt: skip
        assert any(event in line for line in lines), f"no {event!r} in:\n{text}"
    if log_format == "json":
        records = [json.loads(line) for line in lines]  # every line is one object
        assert all(record.keys() >= JSON_FIELDS for record in records)
        mine = [record for record in records if record.get("session") == prefix]
        assert {"connect", "bad-frame", "rate-limited"} <= {
            record["event"].split()[0] for record in mine
        }
        assert all(record["socket"] for record in mine if "socket" in record)
        assert {record["level"] for record in records} >= {"INFO", "WARNING"}
    else:
        assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \S+ ", line)
                   or line.startswith((" ", "Traceback")) for line in lines)  # fmt: skip
        assert any(f"session={prefix}" in line for line in lines)


def log_record(message: str, *args, **extra) -> logging.LogRecord:
    made = logging.LogRecord("calculator.x", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


# (extra fields on a record, the fields its JSON line has besides the fixed ones)
EXTRAS = [
    ({}, set()),
    ({"session": "abcdef", "socket": "x1"}, {"session", "socket"}),
    ({"duration_ms": 12.5}, {"duration_ms"}),
    ({"request": "<ASGIRequest: GET '/s/token/'>", "scope": {"cookies": 1}}, set()),
]


@pytest.mark.parametrize(("extra", "added"), EXTRAS)
def test_a_json_line_has_the_fixed_fields_and_only_the_named_extras(extra, added):
    line = json.loads(JsonLines().format(log_record("store-failed %s", "session=abcdef", **extra)))
    assert line.keys() == JSON_FIELDS | added
    assert line["event"] == "store-failed session=abcdef"
    assert (line["level"], line["logger"]) == ("WARNING", "calculator.x")
    assert line["time"].endswith("+00:00")


# (message and its arguments, what the log shows)
SHARE_PATHS = [
    (("Not Found: %s", "/s/g1HNy02uv7fo0ggfWy38Jv/"), "Not Found: /s/g1HNy0…/"),
    (("Not Allowed (%s): %s", "POST", "/s/a-b_cdefgh/"), "Not Allowed (POST): /s/a-b_cd…/"),
    (("Not Found: %s", "/share/"), "Not Found: /share/"),
    (("Not Found: /s/abc/",), "Not Found: /s/abc/"),
]


@pytest.mark.parametrize(("call", "shown"), SHARE_PATHS)
def test_share_paths_lose_their_token_in_every_format(call, shown):
    made = log_record(*call)
    assert HideShareTokens().filter(made)
    assert made.getMessage() == shown
