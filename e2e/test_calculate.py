"""One tab, one person: type a line, read the answer, the preview, the errors, recall a line."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from e2e.browser import calculate, open_calculator, stored_expressions
from testing.daphne import DaphneServer

ANSWERS = [
    (["2+3"], "5"),
    (["0.1+0.2"], "0.3"),
    (["r = 3", "2pi r^2"], "56.5486677646163"),
    (["100!/98!"], "9900"),
]


def test_status_becomes_live(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#status")).to_have_text("live")


def test_help_panel_fetches_the_reference_when_opened(page: Page) -> None:
    open_calculator(page)
    reference = page.locator(".help .reference")
    expect(reference).to_have_count(0)
    page.locator(".help summary").click()
    expect(reference.first).to_contain_text("sqrt(x)")
    expect(reference.last).to_contain_text("pi (or π)")
    expect(page.get_by_role("link", name="Open the reference")).to_have_count(0)
    calculate(page, "sqrt(16)")


@pytest.mark.parametrize(("lines", "answer"), ANSWERS, ids=[lines[-1] for lines, _ in ANSWERS])
def test_enter_answers_in_the_transcript(page: Page, lines: list[str], answer: str) -> None:
    open_calculator(page)
    field = page.locator("#expression")
    expect(field).to_be_focused()
    for line in lines:
        entry = calculate(page, line)
    expect(entry.locator(".entry__expression")).to_have_text(lines[-1])
    expect(entry.locator(".entry__result output")).to_have_text(answer)
    expect(field).to_have_value("")
    expect(field).to_be_focused()


def test_preview_answers_before_enter_and_stores_nothing(
    page: Page, context: BrowserContext, server: DaphneServer
) -> None:
    open_calculator(page)
    page.locator("#expression").press_sequentially("6*7")
    expect(page.locator("#preview")).to_have_text("= 42")
    expect(page.locator("#transcript > li.entry")).to_have_count(0)
    expect(page.locator("#expression")).to_have_value("6*7")
    assert stored_expressions(server, context) == []


def test_preview_stays_empty_after_quick_submits(page: Page) -> None:
    """The input's debounced preview fires after Enter, from the input already replaced: its
    answer must not show up under the fresh, empty input."""
    with page.expect_websocket() as socket_info:
        open_calculator(page)
    socket = socket_info.value
    calculate(page, "r = 3")

    def late_preview(payload: str | bytes) -> bool:
        return '"HX-Trigger":"expression"' in str(payload) and "2pi r^2" in str(payload)

    with socket.expect_event("framesent", predicate=late_preview):
        calculate(page, "2pi r^2")
    # A round trip after the late preview: any answer to it has been swapped in by now.
    page.locator("#transcript > li.entry").first.get_by_role("button", name="edit").click()
    expect(page.locator("#expression")).to_have_value("r = 3")
    expect(page.locator("#preview")).to_be_empty()


def test_preview_shows_a_short_error(page: Page) -> None:
    open_calculator(page)
    page.locator("#expression").press_sequentially("1/0")
    expect(page.locator("#preview .preview__error")).to_contain_text("division by zero")


@pytest.mark.parametrize(
    ("line", "message", "marked"),
    [("2 +", re.compile("expected", re.IGNORECASE), ""), ("1/0", "division by zero", "0")],
)
def test_error_shows_its_message_and_a_caret(
    page: Page, line: str, message: str | re.Pattern, marked: str
) -> None:
    open_calculator(page)
    entry = calculate(page, line)
    expect(entry).to_have_class(re.compile(r"\bentry--error\b"))
    expect(entry.locator(".entry__error")).to_contain_text(message)
    # The caret is the marked text itself (an empty span draws an insertion mark).
    expect(entry.locator(".entry__expression .caret")).to_be_visible()
    expect(entry.locator(".entry__expression .caret")).to_have_text(marked)
    expect(entry.locator(".entry__result")).to_have_count(0)


def test_caret_points_under_the_offending_span(page: Page) -> None:
    open_calculator(page)
    entry = calculate(page, "1 + foo")
    expect(entry.locator(".entry__expression")).to_have_text("1 + foo")
    expect(entry.locator(".entry__expression mark.caret")).to_have_text("foo")
    underline = entry.locator(".caret").evaluate("e => getComputedStyle(e).textDecorationLine")
    assert underline == "underline"


def test_interpretation_is_shown_when_it_differs(page: Page) -> None:
    open_calculator(page)
    entry = calculate(page, "6/2(1+2)")
    expect(entry.locator(".entry__result output")).to_have_text("9")
    expect(entry.locator(".entry__reading code")).to_have_text("(6 / 2) × (1 + 2)")
    plain = calculate(page, "2+3")
    expect(plain.locator(".entry__reading")).to_have_count(0)


def test_ans_is_usable_right_away(page: Page) -> None:
    open_calculator(page)
    calculate(page, "6*7")
    entry = calculate(page, "ans + 1")
    expect(entry.locator(".entry__result output")).to_have_text("43")


def test_click_an_entry_puts_it_back_in_the_input(page: Page) -> None:
    open_calculator(page)
    first = calculate(page, "12*12")
    calculate(page, "1+1")
    first.get_by_role("button", name="edit").click()
    field = page.locator("#expression")
    expect(field).to_have_value("12*12")
    expect(field).to_be_focused()
    # Recall goes over the socket: no navigation, the same page stays.
    expect(page).to_have_url(re.compile(r"/$"))


def test_keyboard_only(page: Page) -> None:
    open_calculator(page)
    field = page.locator("#expression")
    expect(field).to_be_focused()
    page.keyboard.type("7*6")
    page.keyboard.press("Enter")
    entry = page.locator("#transcript > li.entry").last
    expect(entry.locator(".entry__result output")).to_have_text("42")
    expect(field).to_be_focused()
    # The newest entry's buttons come just before the input in tab order: delete, then edit.
    page.keyboard.press("Shift+Tab")
    expect(entry.get_by_role("button", name="delete")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    recall = entry.get_by_role("button", name="edit")
    expect(recall).to_be_focused()
    page.keyboard.press("Enter")
    expect(field).to_have_value("7*6")
    expect(field).to_be_focused()
    # Chromium puts the caret of a freshly swapped-in, autofocused input at the start.
    page.keyboard.press("End")
    page.keyboard.type("+1")
    page.keyboard.press("Enter")
    expect(page.locator("#transcript > li.entry").last.locator("output")).to_have_text("43")
