"""A page on another port of the same host is another origin: in Chromium, with the victim's
cookie (same site, so sent), its script must not open the victim's socket.

The foreign page is test fixture content served by a tiny loopback server; the product's CSP does
not apply to it, which is the point: an attacker's page runs whatever script it likes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from e2e.browser import open_calculator
from testing.daphne import DaphneServer, migrate, server_env

# Reports what its socket saw into #socket: "open" and the first message, or "closed <code>".
FOREIGN_PAGE = """<!doctype html>
<title>foreign</title>
<p id="socket">connecting</p>
<script>
const out = document.getElementById("socket");
const socket = new WebSocket(%(ws_url)r);
socket.onopen = () => { out.textContent = "open"; };
socket.onmessage = (event) => { out.textContent = "open: " + event.data.slice(0, 200); };
socket.onclose = (event) => {
  if (!out.textContent.startsWith("open")) out.textContent = "closed " + event.code;
};
</script>
"""


class ForeignSite:
    """A loopback HTTP server on its own port serving FOREIGN_PAGE aimed at `ws_url`."""

    def __init__(self) -> None:
        self.ws_url = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (FOREIGN_PAGE % {"ws_url": site.ws_url}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def foreign() -> Iterator[ForeignSite]:
    site = ForeignSite()
    yield site
    site.close()


@pytest.fixture(scope="module")
def trusting_server(tmp_path_factory, foreign: ForeignSite) -> Iterator[DaphneServer]:
    """The app with the foreign site's origin in DJANGO_CSRF_TRUSTED_ORIGINS."""
    env = server_env(
        Path(tmp_path_factory.mktemp("trusting")) / "db.sqlite3",
        DJANGO_CSRF_TRUSTED_ORIGINS=foreign.url,
    )
    migrate(env)
    with DaphneServer(env) as server:
        yield server


def foreign_page_socket(context: BrowserContext, server: DaphneServer, foreign: ForeignSite) -> str:
    """Log the victim in to `server` (its cookie in `context`), then open the foreign page in the
    same browser; return what the foreign page's socket reported."""
    open_calculator(context.new_page(), f"{server.url}/")
    assert any(cookie["name"] == "sessionid" for cookie in context.cookies())
    foreign.ws_url = server.ws_url
    page = context.new_page()
    page.goto(foreign.url)
    report = page.locator("#socket")
    expect(report).not_to_have_text("connecting")
    return report.inner_text()


@pytest.mark.allow_console_errors  # Chromium logs the refused handshake
def test_a_page_on_another_port_cannot_open_the_victims_socket(
    context: BrowserContext, server: DaphneServer, foreign: ForeignSite
) -> None:
    assert foreign_page_socket(context, server, foreign) == "closed 1006"


def test_an_origin_trusted_in_the_environment_can(
    context: BrowserContext, trusting_server: DaphneServer, foreign: ForeignSite
) -> None:
    assert foreign_page_socket(context, trusting_server, foreign).startswith("open")
