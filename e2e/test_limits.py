"""A tab over a limit, as a browser shows it: the reason, a link to reload, and no retries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e.browser import open_calculator
from testing.daphne import DaphneServer, migrate, server_env

TOO_MANY_TABS = "closed: too many tabs of this page are open; close some, then reload"
# htmx's first retry after a retried code comes within a second (full jitter); twice that and more.
RETRY_WINDOW_MS = 2_500


@pytest.fixture
def one_tab_server(tmp_path: Path) -> Iterator[DaphneServer]:
    env = server_env(tmp_path / "db.sqlite3", CALC_MAX_SOCKETS_PER_SESSION="1")
    migrate(env)
    server = DaphneServer(env).start()
    yield server
    server.stop()


def test_the_tab_over_the_cap_says_why_and_does_not_reconnect(
    context: BrowserContext, one_tab_server: DaphneServer
) -> None:
    open_calculator(context.new_page(), one_tab_server.url)
    second = context.new_page()
    with second.expect_event("websocket") as opened:
        second.goto(one_tab_server.url)
    opened.value.wait_for_event("close")
    status = second.locator("#status")
    # Still the reason after the close (not "reconnecting…"), as a link that reloads the page.
    expect(status).to_have_text(TOO_MANY_TABS)
    expect(status.get_by_role("link")).to_have_attribute("href", "/")
    expect(status).not_to_have_attribute("hx-get", "/status/offline/")
    # 4429 is not among the codes htmx's ws extension retries (1006, 1011, 1012, 1013).
    with pytest.raises(PlaywrightTimeout):
        second.wait_for_event("websocket", timeout=RETRY_WINDOW_MS)
