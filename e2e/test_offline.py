"""While the server is down: Enter says the line is queued, the preview says why it is quiet,
and each line is entered once when the connection is back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import calculate, open_calculator_for_offline, stored_expressions
from testing.daphne import DaphneServer

# htmx's ws extension retries with full-jitter backoff (up to 2^retries s, at most 64 s).
RECONNECT_TIMEOUT = 70_000


@pytest.mark.allow_console_errors  # the browser logs each refused reconnect attempt
def test_the_preview_says_offline_only_when_the_socket_drops(
    page: Page, own_server: DaphneServer
) -> None:
    """The page fetches the offline status ahead (hx-swap="none"): that answer is kept in the
    cache, not shown, so a live page's preview stays quiet until the socket really closes."""
    open_calculator_for_offline(page, own_server.url)
    # htmx swaps (out-of-band swaps included) before it takes `htmx-request` off the requester.
    for prefetch in page.locator("header > span[hidden][hx-swap='none']").all():
        expect(prefetch).not_to_have_class(re.compile("htmx-request"))
    preview = page.locator("#preview")
    expect(page.locator("#status")).to_have_text("live")
    expect(preview).to_be_empty()

    own_server.stop()
    expect(page.locator("#status")).to_contain_text("reconnecting…")
    expect(preview).to_have_text("offline: answers come back with the connection")


@pytest.mark.allow_console_errors  # the browser logs each refused reconnect attempt
def test_enter_pressed_three_times_while_offline_enters_the_line_once(
    page: Page, own_server: DaphneServer
) -> None:
    open_calculator_for_offline(page, own_server.url)
    calculate(page, "1+1")
    status, field = page.locator("#status"), page.locator("#expression")

    own_server.stop()
    expect(status).to_contain_text("reconnecting…")
    expect(page.locator("#preview")).to_contain_text("offline")
    retry = status.get_by_role("link", name="retry now")
    expect(retry).to_have_attribute("href", "/")
    field.fill("2+2")
    for _ in range(3):
        field.press("Enter")
    expect(page.locator("#notice")).to_contain_text("queued")
    expect(field).to_have_value("")

    restarted = DaphneServer(own_server.env, port=own_server.port).start()
    try:
        expect(status).to_have_text("live", timeout=RECONNECT_TIMEOUT)
        entries = page.locator("#transcript > li.entry .entry__expression")
        expect(entries).to_have_text(["1+1", "2+2"])
        expect(page.locator("#notice")).to_be_empty()
        expect(page.locator("#preview")).to_be_empty()
        assert stored_expressions(restarted, page.context) == ["1+1", "2+2"]
    finally:
        restarted.stop()


@pytest.mark.allow_console_errors
def test_the_same_input_sent_again_is_entered_once(page: Page, own_server: DaphneServer) -> None:
    """Without a next input in the cache, the field keeps its line: Enter three times on it
    queues three identical submits, and the server stores one."""
    open_calculator_for_offline(page, own_server.url)
    own_server.stop()
    expect(page.locator("#status")).to_contain_text("reconnecting…")
    # No next input: routing turns the browser's cache off, and the fetch fails.
    page.route(re.compile(r"/field/"), lambda route: route.abort())
    field = page.locator("#expression")
    field.fill("2+2")
    for _ in range(3):
        field.press("Enter")
    expect(field).to_have_value("2+2")
    restarted = DaphneServer(own_server.env, port=own_server.port).start()
    try:
        entries = page.locator("#transcript > li.entry .entry__expression")
        expect(entries).to_have_text(["2+2"], timeout=RECONNECT_TIMEOUT)
        page.unroute(re.compile(r"/field/"))
        field.fill("3+3")  # answered after the queued frames: they have all been handled
        field.press("Enter")
        expect(entries).to_have_text(["2+2", "3+3"])
        assert stored_expressions(restarted, page.context) == ["2+2", "3+3"]
    finally:
        restarted.stop()
