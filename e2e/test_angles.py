"""The angle mode: shown near the input, switched with a button (socket or plain form post)."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from e2e.browser import calculate, open_calculator


def test_sin_30_says_radians_and_the_mode_switches_to_degrees(context: BrowserContext) -> None:
    page = open_calculator(context.new_page())
    other = open_calculator(context.new_page())
    entry = calculate(page, "sin(30)")
    expect(entry.locator(".entry__reading")).to_have_text("read as sin(30 rad)")
    mode = page.locator("#angle-form")
    expect(mode).to_contain_text("angles in radians")
    mode.get_by_role("button", name="use degrees").click()
    expect(mode).to_contain_text("angles in degrees")
    expect(other.locator("#angle-form")).to_contain_text("angles in degrees")
    expect(page.locator("#expression")).to_be_visible()
    entry = calculate(page, "sin(30)")
    expect(entry.locator(".entry__result output")).to_have_text("0.5")
    expect(entry.locator(".entry__reading")).to_have_text("read as sin(30°)")
    page.reload()  # kept with the session
    expect(page.locator("#angle-form")).to_contain_text("angles in degrees")


def test_the_angle_mode_switches_without_javascript(browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("button", name="use degrees").click()
        expect(page.locator("#angle-form")).to_contain_text("angles in degrees")
        page.locator("#expression").fill("cos(60)")
        page.locator("#expression").press("Enter")
        expect(page.locator("#transcript .entry__result output")).to_have_text(["0.5"])
    finally:
        context.close()
