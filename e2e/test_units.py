"""Units in the browser: the preview answers while `60 km/h to m/s` is typed, Enter stores it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.browser import open_calculator


def test_typing_a_conversion_shows_the_preview_then_the_entry(page: Page) -> None:
    open_calculator(page)
    field = page.locator("#expression")
    field.press_sequentially("60 km/h to m/s")
    expect(page.locator("#preview .preview__value")).to_have_text("= 16.6666666666667 m/s")
    expect(page.locator("#preview .preview__reading")).to_contain_text("60 × km / h to m/s")
    entries = page.locator("#transcript > li.entry")
    expect(entries).to_have_count(0)
    field.press("Enter")
    expect(entries).to_have_count(1)
    entry = entries.first
    expect(entry.locator(".entry__expression")).to_have_text("60 km/h to m/s")
    expect(entry.locator(".entry__result output")).to_have_text("16.6666666666667 m/s")
    expect(entry.locator(".entry__reading")).to_contain_text("60 × km / h to m/s")
    expect(field).to_have_value("")
