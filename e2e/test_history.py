"""History tools in the browser: delete one entry (synced across tabs, and without JavaScript),
search, export downloads, a read-only share link, and the keyboard's way around."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.browser import BrowserProblems, calculate, open_calculator


def entries(page: Page):
    return page.locator("#transcript > li.entry")


def test_delete_one_entry_in_every_tab(page: Page, context: BrowserContext) -> None:
    open_calculator(page)
    for line in ["1+1", "2+2", "3+3"]:
        calculate(page, line)
    other = open_calculator(context.new_page())
    expect(entries(other)).to_have_count(3)
    entries(page).nth(1).get_by_role("button", name="delete").click()
    for tab in (page, other):
        expect(entries(tab).locator(".entry__expression")).to_have_text(["1+1", "3+3"])
    # ans is rebuilt from the rows left: deleting the newest entry brings the one before back.
    entries(page).nth(1).get_by_role("button", name="delete").click()
    expect(entries(other)).to_have_count(1)
    expect(entries(page)).to_have_count(1)
    expect(calculate(page, "ans * 10").locator(".entry__result output")).to_have_text("20")


def test_delete_one_entry_without_javascript(no_js_page: Page) -> None:
    page = no_js_page
    page.goto("/")
    for line in ["1+1", "2+2"]:
        page.locator("#expression").fill(line)
        with page.expect_navigation():
            page.locator("#expression").press("Enter")
    with page.expect_navigation():
        entries(page).first.get_by_role("button", name="delete").click()
    expect(entries(page).locator(".entry__expression")).to_have_text(["2+2"])


def test_search_filters_as_you_type(page: Page) -> None:
    open_calculator(page)
    for line in ["sqrt(16)", "2+2", "sqrt(81)"]:
        calculate(page, line)
    page.locator("#search").press_sequentially("sqrt")
    expect(entries(page).locator(".entry__expression")).to_have_text(["sqrt(16)", "sqrt(81)"])
    page.locator("#search").fill("")
    page.locator("#search").press("Backspace")
    expect(entries(page)).to_have_count(3)


def test_search_without_javascript(no_js_page: Page) -> None:
    page = no_js_page
    page.goto("/")
    for line in ["sqrt(16)", "2+2"]:
        page.locator("#expression").fill(line)
        with page.expect_navigation():
            page.locator("#expression").press("Enter")
    page.locator("#search").fill("sqrt")
    with page.expect_navigation():
        page.locator("#search").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=sqrt$"))
    expect(entries(page).locator(".entry__expression")).to_have_text(["sqrt(16)"])


@pytest.mark.parametrize("kind", ["txt", "csv", "json"])
def test_export_downloads_the_transcript(page: Page, kind: str) -> None:
    open_calculator(page)
    calculate(page, "6*7")
    calculate(page, "1/0")
    page.get_by_text("Export, share…").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name={"txt": "text", "csv": "CSV", "json": "JSON"}[kind]).click()
    download = download_info.value
    assert download.suggested_filename == f"calculator.{kind}"
    text = Path(download.path()).read_text(encoding="utf-8")
    if kind == "txt":
        assert text == "6*7\n    = 42\n1/0\n    error: division by zero\n"
    elif kind == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [(r["expression"], r["result"], r["error"]) for r in rows] == [
            ("6*7", "42", ""),
            ("1/0", "", "division by zero"),
        ]
    else:
        rows = json.loads(text)["entries"]
        assert [(r["expression"], r["result"]) for r in rows] == [("6*7", "42"), ("1/0", "")]


def test_share_link_is_a_read_only_snapshot_and_can_be_revoked(
    page: Page, browser: Browser, base_url: str
) -> None:
    open_calculator(page)
    calculate(page, "x = 7")
    calculate(page, "x * 6")
    page.get_by_text("Export, share…").click()
    page.get_by_role("button", name="Share a read-only copy").click()
    link = page.locator(".shares a").first
    expect(link).to_contain_text("2 entries")
    url = link.get_attribute("href")
    assert url and re.fullmatch(r"/s/[A-Za-z0-9_-]{43}/", url)
    calculate(page, "after sharing = 1")

    stranger = browser.new_context(base_url=base_url)
    problems = BrowserProblems()  # a CSP violation on the share page shows as a console error
    problems.watch(stranger)
    try:
        shared = stranger.new_page()
        shared.goto(url)
        expect(shared.locator(".entry__expression")).to_have_text(["x = 7", "x * 6"])
        expect(shared.locator(".entry__result output").last).to_have_text("42")
        # Read-only: no input, no socket, no tools.
        expect(shared.locator("input, button, [ws-connect]")).to_have_count(0)
        page.locator(".shares").get_by_role("button", name="Revoke").click()
        expect(page.locator(".shares")).to_have_count(0)
        problems.assert_none()
        response = shared.goto(url)
        assert response and response.status == 404
    finally:
        stranger.close()


def test_focus_goes_input_then_equals_then_the_newest_entry(page: Page) -> None:
    open_calculator(page)
    calculate(page, "1+1")
    calculate(page, "6*7")
    page.keyboard.press("Tab")
    expect(page.locator(".prompt__go")).to_be_focused()
    page.keyboard.press("Tab")
    latest = page.locator("#latest")
    expect(latest).to_be_focused()
    page.keyboard.press("Enter")
    expect(entries(page).last).to_be_focused()
    expect(page.locator("*:focus .entry__result output")).to_have_text("42")


def test_access_keys_reach_the_input_the_last_result_and_clear(page: Page) -> None:
    open_calculator(page)
    calculate(page, "6*7")
    expect(page.locator("#expression")).to_have_attribute("accesskey", "i")
    expect(page.locator("#latest")).to_have_attribute("accesskey", "l")
    expect(page.locator("#latest")).to_have_attribute("href", re.compile(r"#entry-\d+$"))
    expect(page.locator(".clear > summary").first).to_have_attribute("accesskey", "c")
    # Headless Chromium does not act on access keys sent through CDP, so the attributes (and
    # their one value each on the page) are what is checked; the browser does the rest.
    assert page.locator("[accesskey]").evaluate_all("els => els.map(e => e.accessKey)") == [
        "i",
        "l",
        "c",
    ]
