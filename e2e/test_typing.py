"""Typing as fast as people do, on a slow network: nothing typed after Enter is lost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import open_calculator
from testing.daphne import DaphneServer
from testing.latency import LatencyProxy

# How long a person's Enter stays down (they take 70-100 ms): the next key comes after it is up.
# On Enter the page swaps in the next input from the browser's cache, which takes a few ms.
KEY_PRESS_MS = 40


@pytest.fixture
def slow_url(server: DaphneServer) -> Iterator[str]:
    """The test server behind 120 ms of added latency each way."""
    with LatencyProxy(server.port) as proxy:
        yield proxy.url


def entries(page: Page):
    return page.locator("#transcript > li.entry .entry__expression")


@pytest.mark.parametrize("attempt", range(3))
def test_keys_typed_right_after_enter_stay_in_the_field(
    page: Page, slow_url: str, attempt: int
) -> None:
    open_calculator(page, slow_url)
    field = page.locator("#expression")
    field.press_sequentially("7*6")
    field.press("Enter", delay=KEY_PRESS_MS)
    page.keyboard.type("81+9")  # at once: the answer to Enter is still on its way
    expect(entries(page)).to_have_text(["7*6"])
    expect(field).to_have_value("81+9")
    expect(field).to_be_focused()
    # Two more lines, without waiting for any answer: each Enter gets an input of its own.
    for line in ("", "2^10"):
        page.keyboard.type(line)
        page.keyboard.press("Enter", delay=KEY_PRESS_MS)
    expect(entries(page)).to_have_text(["7*6", "81+9", "2^10"])
    expect(field).to_have_value("")
    expect(page.locator("#notice")).to_be_empty()
