"""The browser's view of the security promises: a strict CSP that nothing trips, and user text
that is only ever text."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from e2e.browser import BrowserProblems, calculate, open_calculator

PAYLOADS = ["<img src=x onerror=alert(1)>", '"><script>alert(1)</script>']


def test_csp_header_is_strict(page: Page) -> None:
    response = page.goto("/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    directives = {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_a_normal_session_logs_no_errors_and_no_csp_violations(
    context: BrowserContext, problems: BrowserProblems
) -> None:
    page = open_calculator(context.new_page())
    page.locator("#expression").press_sequentially("6*7")
    expect(page.locator("#preview")).to_have_text("= 42")
    page.locator("#expression").press("Enter")
    expect(page.locator("#transcript > li.entry")).to_have_count(1)
    calculate(page, "6/2(1+2)")
    calculate(page, "2 +")
    page.locator(".help summary").click()
    expect(page.locator(".help .reference").first).to_contain_text("sqrt(x)")
    page.locator("#transcript > li.entry").first.locator(".entry__recall button").click()
    expect(page.locator("#expression")).to_have_value("6*7")
    second = open_calculator(context.new_page())
    calculate(second, "ans")
    page.reload()
    expect(page.locator("#status")).to_have_text("live")
    page.locator("#clear summary").click()
    page.get_by_role("button", name="Delete all").click()
    expect(second.locator("#transcript > li.entry")).to_have_count(0)
    problems.assert_none()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_in_an_expression_is_shown_as_text(
    page: Page, problems: BrowserProblems, payload: str
) -> None:
    open_calculator(page)
    page.locator("#expression").press_sequentially(payload)
    expect(page.locator("#preview")).not_to_be_empty()
    entry = calculate(page, payload)
    expect(entry.locator(".entry__expression")).to_have_text(payload)
    page.reload()
    expect(page.locator("#transcript > li.entry").last.locator(".entry__expression")).to_have_text(
        payload
    )
    expect(page.locator("#calculator img, #calculator script")).to_have_count(0)
    problems.assert_none()
