"""What a screen reader hears, and what a phone shows: one live region per kind of news, each
said once, and a page that never scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import calculate, open_calculator, open_calculator_for_offline
from testing.daphne import DaphneServer

# Counts, in the page, the live-region changes a screen reader would read out: elements put in
# with their text inside a region (or a region swapped in whole, as htmx does).
COUNT_ANNOUNCEMENTS = """(selector) => {
  window.announced = [];
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        if (node.nodeType !== 1 || !node.matches(selector)) continue;
        const implicit = node.getAttribute("role") === "status" ? "polite" : "off";
        const live = node.getAttribute("aria-live") || implicit;
        const text = node.textContent.trim();
        if (live !== "off" && text) window.announced.push(text);
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}"""


def test_an_entry_reads_as_expression_equals_result_in_one_live_region(page: Page) -> None:
    open_calculator(page)
    entry = calculate(page, "6/2(1+2)")
    expect(entry).to_match_aria_snapshot(
        """
        - listitem:
          - code: 6/2(1+2)
          - text: equals 9
          - paragraph:
            - text: read as
        """
    )
    expect(page.locator("#transcript")).to_have_attribute("aria-live", "polite")
    nested = page.locator("#transcript [aria-live], #transcript output:not([role=none])")
    expect(nested).to_have_count(0)


def test_the_preview_announces_values_not_every_keystrokes_error(page: Page) -> None:
    """Typing `sqrt(2)+1` at 330 ms a key (each key's preview answered before the next): the
    unfinished lines' errors are shown, not read out; values are."""
    open_calculator(page)
    page.evaluate(COUNT_ANNOUNCEMENTS, "#preview")
    field = page.locator("#expression")
    field.press_sequentially("sqrt(2)+", delay=330)
    expect(page.locator("#preview")).to_contain_text("expected")  # shown all the same
    field.press_sequentially("1", delay=330)
    expect(page.locator("#preview")).to_have_text("= 2.4142135623731")
    announced = page.evaluate("window.announced")
    # Values only (`s` alone is one second): none of the unfinished lines' errors.
    assert all(text.startswith("= ") for text in announced), announced
    assert announced[-2:] == ["= 1.4142135623731", "= 2.4142135623731"]


@pytest.mark.allow_console_errors  # each refused reconnect attempt is logged
def test_the_status_is_announced_once_while_reconnect_attempts_fail(
    page: Page, own_server: DaphneServer
) -> None:
    open_calculator_for_offline(page, own_server.url)
    page.evaluate(COUNT_ANNOUNCEMENTS, "#status")
    page.evaluate(
        "window.closes = 0;"
        " document.body.addEventListener('htmx:wsClose', () => { window.closes += 1; })"
    )
    own_server.stop()
    page.wait_for_function("() => window.closes >= 3", timeout=30_000)
    assert page.evaluate("window.announced") == ["reconnecting… retry now"]


@pytest.mark.parametrize("width", [320, 360])
def test_nothing_sticks_out_at_phone_width(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 640})
    open_calculator(page)
    calculate(page, "2 +")
    go = page.get_by_role("button", name="=", exact=True).bounding_box()
    assert go["x"] + go["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
