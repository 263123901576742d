"""How the page looks: the README screenshot, taken from a real session, and a phone-width check."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.accounts import sign_up
from e2e.browser import calculate, open_calculator

DOCS = Path(__file__).resolve().parent.parent / "docs"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LINES = [
    "r = 3",
    "2pi r^2",
    "60 km/h to m/s",
    "10 km / 20 km/h to min",
    "180 cm to ft in",
    "100 + 10%",
    "3 kmh to m/s",
]
# The README's screenshots: (file, viewport, color scheme).
SCREENSHOTS = [
    ("screenshot.png", {"width": 880, "height": 822}, "light"),
    ("screenshot-dark.png", {"width": 880, "height": 822}, "dark"),
    ("screenshot-phone.png", {"width": 360, "height": 740}, "light"),
]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(
    ("name", "viewport", "scheme"), SCREENSHOTS, ids=[s[0] for s in SCREENSHOTS]
)
def test_readme_screenshot(
    browser: Browser, base_url: str, name: str, viewport: dict, scheme: str
) -> None:
    context = browser.new_context(base_url=base_url, viewport=viewport, color_scheme=scheme)
    try:
        page = context.new_page()
        open_calculator(page)
        for line in LINES:
            calculate(page, line)
        page.locator("#expression").press_sequentially("2/3 cup to tbsp")
        expect(page.locator("#preview")).to_contain_text("= 10.6666666666667 tbsp")
        path = DOCS / name
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=path, full_page=True, animations="disabled")
        data = path.read_bytes()
        width, height = png_size(data)
        assert width == viewport["width"]
        assert height >= viewport["height"]
        assert len(data) > 10_000
    finally:
        context.close()


def test_phone_width_never_scrolls_sideways(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 640})
    open_calculator(page)
    entry = calculate(page, "100!")
    calculate(page, "1 + " * 40 + "unknown")
    expect(entry.locator(".entry__result output")).to_contain_text("93326215443944")
    assert lines_of(entry.locator(".number__count")) == 1  # "(158 digits)", not "(158 / digits)"
    expect(page.locator("#expression")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def lines_of(locator) -> int:
    """How many lines the element's text takes."""
    return locator.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size }"
    )


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_signed_in_pages_fit_a_phone(browser: Browser, base_url: str, width: int) -> None:
    """The account menu (an address, Sign out) beside the title and the status; allauth's
    session table; none of it may push the page sideways or break words letter by letter."""
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 740})
    try:
        page = context.new_page()
        sign_up(page, f"firstname.lastname.{width}@example.com")
        open_calculator(page)
        status = page.locator("#status").bounding_box()
        assert status["x"] + status["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for path in ["/accounts/email/", "/accounts/sessions/", "/account/tokens/"]:
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        page.goto("/accounts/email/")
        # The address's radio button stands beside it, not alone on a line above it.
        choice = page.locator(".account-field", has=page.locator("input[type=radio]")).first
        radio = choice.locator("input").bounding_box()
        label = choice.locator("label").bounding_box()
        assert label["y"] <= radio["y"] + radio["height"] / 2 <= label["y"] + label["height"]
        assert radio["x"] + radio["width"] <= label["x"]
        page.goto("/accounts/sessions/")
        row = page.locator(".account-table tbody tr").first
        assert lines_of(row.locator(".account-badge")) == 1  # "Current", not "C/urr/en/t"
        assert lines_of(row.locator("td").nth(1)) == 1  # the address: 127.0.0.1
        assert lines_of(row.locator("td").first) == 1  # "20 seconds ago", not "20 secon/ds ago"
    finally:
        context.close()


def first_line_of(locator) -> dict:
    """The box of the element's text's first line."""
    return locator.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " const b = [...r.getClientRects()].filter(b => b.width > 0)[0];"
        " return {x: b.x, y: b.y, width: b.width, height: b.height} }"
    )


def test_a_long_result_reads_from_its_equals_sign_on_a_phone(page: Page, tmp_path: Path) -> None:
    """100! at 375 px: "=" stands just before the number's first line (not alone at the far
    left), and the whole number, opened, wraps between digit groups, never inside one."""
    page.set_viewport_size({"width": 375, "height": 740})
    open_calculator(page)
    entry = calculate(page, "100!")
    equals = entry.locator(".entry__equals").bounding_box()
    line = first_line_of(entry.locator(".entry__result summary"))
    # A space and the disclosure triangle apart, no more.
    assert 0 <= line["x"] - (equals["x"] + equals["width"]) <= 32
    assert abs((equals["y"] + equals["height"] / 2) - (line["y"] + line["height"] / 2)) < 8
    entry.locator(".entry__result summary").click()
    groups = entry.locator(".number__digits > span")
    expect(groups.first).to_be_visible()
    page.screenshot(path=tmp_path / "long-result-375.png")
    assert all(lines_of(groups.nth(i)) == 1 for i in range(groups.count()))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
