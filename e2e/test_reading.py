"""Reading and copying results: digit groups that are not copied, long results shortened, a
result selected whole with one click, an expression selectable by a drag, carets that wrap."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import calculate, open_calculator

PHONE = {"width": 320, "height": 640}
TWO_TO_THE_100 = "1267650600228229401496703205376"


def selection(page: Page) -> str:
    return page.evaluate("window.getSelection().toString()")


def test_long_result_is_grouped_by_threes_and_copies_plain(page: Page) -> None:
    open_calculator(page)
    entry = calculate(page, "2^100")
    output = entry.locator(".entry__result output")
    groups = output.locator("span")
    expect(groups).to_have_count(11)
    expect(groups.nth(1)).to_have_text("267")
    # The gap between groups is drawn, not typed: the text is the plain number.
    assert output.text_content() == TWO_TO_THE_100
    first, second = groups.nth(0).bounding_box(), groups.nth(1).bounding_box()
    assert first and second
    assert second["x"] - (first["x"] + first["width"]) >= 2, "groups are spaced apart"


@pytest.mark.parametrize("click", ["click", "dblclick"])
def test_one_click_selects_exactly_the_result(page: Page, click: str) -> None:
    open_calculator(page)
    entry = calculate(page, "2^100")
    getattr(entry.locator(".entry__result output"), click)()
    assert selection(page) == TWO_TO_THE_100


def test_dragging_across_an_expression_selects_it_and_recalls_nothing(page: Page) -> None:
    open_calculator(page)
    entry = calculate(page, "123+456")
    box = entry.locator(".entry__expression").bounding_box()
    assert box
    middle = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 1, middle)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 1, middle, steps=5)
    page.mouse.up()
    assert selection(page) == "123+456"
    expect(page.locator("#expression")).to_have_value("")


def test_recall_is_its_own_button(page: Page) -> None:
    open_calculator(page)
    entry = calculate(page, "123+456")
    entry.get_by_role("button", name="edit").click()
    expect(page.locator("#expression")).to_have_value("123+456")


def test_a_huge_result_is_shortened_and_keeps_its_expression_on_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    open_calculator(page)
    entry = calculate(page, "1000!")
    expect(entry.locator(".entry__expression")).to_be_in_viewport()
    details = entry.locator(".entry__result details")
    expect(details.locator("summary")).to_contain_text("(2568 digits)")
    assert (entry.bounding_box() or {})["height"] < PHONE["height"] / 3
    # The whole number is one click away, and copies plain.
    details.locator("summary").click()
    digits = details.locator("output")
    expect(digits).to_be_visible()
    assert len(digits.text_content()) == 2568
    assert (details.bounding_box() or {})["width"] <= PHONE["width"]


def test_the_preview_never_grows_past_two_lines(page: Page) -> None:
    page.set_viewport_size(PHONE)
    open_calculator(page)
    line_height = page.locator("#expression").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    page.locator("#expression").press_sequentially("1000!")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("402387260077")
    assert (preview.bounding_box() or {})["height"] <= 2 * 1.6 * line_height


def test_caret_stays_on_the_error_when_the_expression_wraps(page: Page) -> None:
    """At phone width an error at column 132 is on the third or fourth line of the expression:
    the mark drawn under it is where the offending text is, inside the entry."""
    page.set_viewport_size(PHONE)
    open_calculator(page)
    expression = "1+" * 65 + "foo"  # 'foo' starts at column 131 (index 130)
    entry = calculate(page, expression)
    expect(entry.locator(".entry__column")).to_have_text("(column 131)")
    marked = entry.locator("mark")
    expect(marked).to_have_text("foo")
    caret = entry.locator(".caret")
    expect(caret).to_be_visible()
    mark_box, caret_box, entry_box = (
        marked.bounding_box(),
        caret.bounding_box(),
        entry.bounding_box(),
    )
    assert mark_box and caret_box and entry_box
    # The caret is under the marked characters (same columns), and inside the entry.
    assert abs(caret_box["x"] - mark_box["x"]) <= 2, (mark_box, caret_box)
    assert abs(caret_box["width"] - mark_box["width"]) <= 2, (mark_box, caret_box)
    assert 0 <= caret_box["y"] - mark_box["y"] <= 2 * mark_box["height"], (mark_box, caret_box)
    assert caret_box["x"] + caret_box["width"] <= entry_box["x"] + entry_box["width"]
