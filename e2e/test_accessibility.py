"""axe-core over every state of the page a person meets: zero violations, light and dark, wide
and phone-narrow. One table of states; each is reached through the page as a person would."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from e2e.accounts import new_email, sign_up
from e2e.browser import calculate, open_calculator

AXE = Axe()
PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 880, "height": 800}


def assert_no_violations(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def empty(page: Page) -> None:
    open_calculator(page)


def entries(page: Page) -> None:
    open_calculator(page)
    for line in ["r = 3", "2pi r^2", "6/2(1+2)", "100!", "1000!"]:
        calculate(page, line)
    page.locator("#expression").press_sequentially("sqrt(2)")
    expect(page.locator("#preview")).to_contain_text("1.41421")


def error_entry(page: Page) -> None:
    open_calculator(page)
    calculate(page, "1 + foo")
    calculate(page, "2 +")


def help_open(page: Page) -> None:
    open_calculator(page)
    page.locator(".help summary").click()
    expect(page.locator(".help .reference").first).to_contain_text("sqrt(x)")


def clear_confirm_open(page: Page) -> None:
    open_calculator(page)
    calculate(page, "1+1")
    page.locator(".clear summary").click()
    expect(page.get_by_role("button", name="Delete all")).to_be_visible()


def share_page(page: Page) -> None:
    open_calculator(page)
    calculate(page, "2^100")
    calculate(page, "1 + foo")
    page.get_by_text("Export, share…").click()
    page.get_by_role("button", name="Share a read-only copy").click()
    page.goto(page.locator(".shares a").first.get_attribute("href") or "")
    expect(page.locator(".entry")).to_have_count(2)


def sign_in_page(page: Page) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("nobody@example.com")
    page.locator("input[name=password]").fill("not the password")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.locator(".account-field__error").first).to_be_visible()


def signed_in(page: Page) -> None:
    sign_up(page, new_email())
    open_calculator(page)
    calculate(page, "1+1")


def account_page(page: Page) -> None:
    sign_up(page, new_email())
    page.goto("/accounts/email/")


STATES: dict[str, Callable[[Page], None]] = {
    "empty": empty,
    "entries": entries,
    "error entry": error_entry,
    "help open": help_open,
    "clear confirm open": clear_confirm_open,
    "share page": share_page,
    "sign-in page": sign_in_page,
    "signed in": signed_in,
    "account page": account_page,
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("state", list(STATES))
def test_axe_finds_no_violations(
    browser: Browser, base_url: str, state: str, viewport: dict, scheme: str
) -> None:
    context = browser.new_context(base_url=base_url, viewport=viewport, color_scheme=scheme)
    try:
        page = context.new_page()
        STATES[state](page)
        assert_no_violations(page)
    finally:
        context.close()
