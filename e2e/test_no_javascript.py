"""With JavaScript off, the whole calculator works through plain forms (POST/Redirect/GET)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def submit(page: Page, expression: str) -> None:
    field = page.locator("#expression")
    field.fill(expression)
    with page.expect_navigation():
        field.press("Enter")


def test_form_posts_and_redirects_to_the_answer(no_js_page: Page, base_url: str) -> None:
    page = no_js_page
    page.goto("/")
    entries = page.locator("#transcript > li.entry")
    submit(page, "2+3")
    # POST/Redirect/GET: the page shown is a GET of "/", so a reload never resubmits.
    expect(page).to_have_url(f"{base_url}/")
    expect(entries.locator(".entry__result output")).to_have_text(["5"])
    submit(page, "ans*2")
    expect(entries.locator(".entry__result output")).to_have_text(["5", "10"])
    submit(page, "2 +")
    expect(entries.last.locator(".entry__error")).to_contain_text(
        re.compile("expected", re.IGNORECASE)
    )
    page.reload()
    expect(entries).to_have_count(3)
    expect(page.locator("#expression")).to_have_value("")


def test_recall_and_clear_without_javascript(no_js_page: Page) -> None:
    page = no_js_page
    page.goto("/")
    submit(page, "12*12")
    submit(page, "1+1")
    entries = page.locator("#transcript > li.entry")
    with page.expect_navigation():
        entries.first.locator(".entry__recall button").click()
    expect(page.locator("#expression")).to_have_value("12*12")

    page.locator("#clear summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Delete all").click()
    expect(entries).to_have_count(0)
    expect(page.locator("#transcript .transcript__empty")).to_be_visible()


def test_reference_opens_as_a_page_without_javascript(no_js_page: Page, base_url: str) -> None:
    page = no_js_page
    page.goto("/")
    page.locator(".help summary").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Open the reference").click()
    expect(page).to_have_url(f"{base_url}/help/")
    expect(page.locator(".reference").first).to_contain_text("sqrt(x)")
    with page.expect_navigation():
        page.get_by_role("link", name="Back to the calculator").click()
    expect(page.locator("#expression")).to_be_visible()


def test_sign_in_offers_no_passkey_button_that_cannot_work(no_js_page: Page) -> None:
    """A passkey needs the browser's WebAuthn script: without JavaScript its button only posted
    an empty form ("This field is required."). It is hidden, and allauth's "requires
    JavaScript" notice sits in the page's column, not loose at the window's edge."""
    page = no_js_page
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign In", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_hidden()
    column = page.locator(".account").bounding_box()
    notice = page.locator(".account noscript")
    expect(notice).to_have_count(1)
    assert "requires JavaScript" in notice.inner_text()
    notice = notice.bounding_box()
    assert column["x"] < notice["x"] < column["x"] + column["width"]
