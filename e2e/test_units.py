"""Units in the browser: the preview answers while `60 km/h to m/s` is typed, Enter stores it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.browser import open_calculator

# Where screenshots of a run go, to be looked at (not compared).
SHOTS = Path(os.environ.get("CALC_SHOTS", tempfile.gettempdir()))


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


def test_an_error_in_a_sum_of_quantities_marks_the_quantity_and_says_what_m_is(page: Page) -> None:
    """`1 h 30 m`: the preview says m is the metre, and the stored entry marks all of `30 m`."""
    open_calculator(page)
    field = page.locator("#expression")
    field.press_sequentially("1 h 30 m")
    expect(page.locator("#preview .preview__error")).to_have_text(
        "cannot add time and length (m is the metre: write min for minutes)"
    )
    field.press("Enter")
    entry = page.locator("#transcript > li.entry").first
    expect(entry.locator(".entry__expression mark.caret")).to_have_text("30 m")
    expect(entry.locator(".entry__error")).to_contain_text("m is the metre: write min for minutes")
    field.press_sequentially("1 pc to ly")
    expect(page.locator("#preview .preview__value")).to_have_text("= 3.26156377716743 ly")
    field.press("Enter")
    expect(page.locator("#transcript > li.entry")).to_have_count(2)
    page.screenshot(path=str(SHOTS / "units-errors.png"))
