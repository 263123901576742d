"""What outlives one page: reloads, other tabs of the same session, clearing, a server restart."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from e2e.browser import calculate, open_calculator
from testing.daphne import DaphneServer

# htmx's ws extension retries with full-jitter backoff: after a few failed attempts the next one
# may be several seconds away.
RECONNECT_TIMEOUT = 15_000


def results(page: Page):
    return page.locator("#transcript > li.entry .entry__result output")


def test_reload_keeps_history_and_ans(page: Page) -> None:
    open_calculator(page)
    calculate(page, "x = 20")
    calculate(page, "x + 1")
    page.reload()
    expect(page.locator("#status")).to_have_text("live")
    expect(results(page)).to_have_text(["20", "21"])
    entry = calculate(page, "ans*2 + x")
    expect(entry.locator(".entry__result output")).to_have_text("62")


def test_two_tabs_stay_in_sync(context: BrowserContext) -> None:
    first = open_calculator(context.new_page())
    second = open_calculator(context.new_page())
    calculate(first, "2+3")
    expect(results(second)).to_have_text(["5"])
    calculate(second, "ans*10")
    expect(results(first)).to_have_text(["5", "50"])
    # The other tab's input is left alone.
    expect(first.locator("#expression")).to_have_value("")


def test_other_sessions_see_nothing(page: Page, browser, base_url: str) -> None:
    open_calculator(page)
    calculate(page, "1234+1")
    stranger = browser.new_context(base_url=base_url)
    try:
        other = open_calculator(stranger.new_page())
        expect(other.locator("#transcript > li.entry")).to_have_count(0)
        expect(other.locator("#transcript")).not_to_contain_text("1234")
    finally:
        stranger.close()


def test_clear_history_empties_every_tab(context: BrowserContext) -> None:
    first = open_calculator(context.new_page())
    second = open_calculator(context.new_page())
    calculate(first, "1+1")
    calculate(first, "y = 5")
    expect(second.locator("#transcript > li.entry")).to_have_count(2)
    delete = first.get_by_role("button", name="Delete all")
    expect(delete).to_be_hidden()
    first.locator("#clear summary").click()
    delete.click()
    for page in (first, second):
        expect(page.locator("#transcript > li.entry")).to_have_count(0)
        expect(page.locator("#transcript .transcript__empty")).to_be_visible()
        expect(page.get_by_role("button", name="Delete all")).to_be_hidden()
    # Variables and `ans` went with the history.
    entry = calculate(second, "y")
    expect(entry).to_have_class(re.compile(r"\bentry--error\b"))


@pytest.mark.allow_console_errors  # the browser logs each refused reconnect attempt
def test_reconnect_answers_what_was_typed_while_down(page: Page, own_server: DaphneServer) -> None:
    open_calculator(page, own_server.url)
    calculate(page, "6*7")
    status = page.locator("#status")

    own_server.stop()
    expect(status).to_contain_text("reconnecting…", timeout=RECONNECT_TIMEOUT)
    field = page.locator("#expression")
    field.fill("11*11")
    field.press("Enter")
    expect(field).to_have_value("")  # the next input comes from the browser's cache
    expect(page.locator("#notice")).to_contain_text("queued")

    restarted = DaphneServer(own_server.env, port=own_server.port).start()
    try:
        expect(results(page)).to_have_text(["42", "121"], timeout=RECONNECT_TIMEOUT)
        expect(status).to_have_text("live")
        expect(page.locator("#notice")).to_be_empty()
    finally:
        restarted.stop()
