"""The operations dashboard in a browser against the real server: staff watch sockets come and
go live; anyone else gets neither the page nor its socket; the README's screenshot."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from calculator.ops import access
from e2e.browser import BrowserProblems, calculate, open_calculator
from e2e.test_look import DOCS, png_size
from testing.daphne import DaphneServer
from testing.staff import signed_in_on_server

SCREENSHOT = "ops.png"
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def staff_session(server: DaphneServer) -> str:
    return signed_in_on_server(server.env, "e2e-staff", staff=True)


@pytest.fixture(scope="module")
def member_session(server: DaphneServer) -> str:
    return signed_in_on_server(server.env, "e2e-member", staff=False)


def signed_in_context(browser: Browser, base_url: str, session_key: str, **options):
    context = browser.new_context(base_url=base_url, **options)
    context.add_cookies([{"name": "sessionid", "value": session_key, "url": base_url}])
    return context


def open_dashboard(page: Page) -> int:
    """Load /ops/ and wait until it is live; the open sockets it shows then."""
    page.goto("/ops/")
    expect(page.locator("#ops-summary .status")).to_contain_text("live")
    return int(page.locator("#ops-sockets").inner_text())


def test_staff_sees_a_calculator_socket_open_and_close(
    browser: Browser, base_url: str, staff_session: str, problems: BrowserProblems
) -> None:
    staff = signed_in_context(browser, base_url, staff_session)
    problems.watch(staff)
    try:
        dashboard = staff.new_page()
        before = open_dashboard(dashboard)
        visitor = browser.new_context(base_url=base_url)
        problems.watch(visitor)
        try:
            open_calculator(visitor.new_page())
            expect(dashboard.locator("#ops-sockets")).to_have_text(str(before + 1))
        finally:
            visitor.close()
        expect(dashboard.locator("#ops-sockets")).to_have_text(str(before))
    finally:
        staff.close()
    problems.assert_none()


def test_a_member_gets_neither_the_page_nor_its_socket(
    browser: Browser, base_url: str, member_session: str
) -> None:
    member = signed_in_context(browser, base_url, member_session)
    try:
        response = member.new_page().goto("/ops/")
        assert response.status == 403
    finally:
        member.close()

    # Playwright's sync API holds this thread's event loop: websockets' sync client, then.
    url = base_url.replace("http://", "ws://") + "/ws/ops/"
    headers = {"Cookie": f"sessionid={member_session}"}
    received = []
    with (
        connect(url, origin=base_url, additional_headers=headers) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        while True:
            received.append(ws.recv(timeout=5))
    code = closed.value.rcvd.code
    assert code == access.CLOSE_FORBIDDEN
    assert received == []


def test_nobody_signed_in_is_sent_to_sign_in(context: BrowserContext) -> None:
    response = context.request.get("/ops/", max_redirects=0)
    assert response.status == 302
    assert response.headers["location"] == "/accounts/login/?next=/ops/"


LINES = ["r = 3", "2pi r^2", "1/0", "sqrt(-1 m)", "2^100", "100!/98!", "12 km/h in m/s", "2 +"]


def send_bad_frames(base_url: str, visitor: BrowserContext) -> None:
    """A client that is not a page: a binary frame and a broken one, refused with warnings."""
    (session,) = [c["value"] for c in visitor.cookies() if c["name"] == "sessionid"]
    url = base_url.replace("http://", "ws://") + "/ws/calc/"
    with connect(url, origin=base_url, additional_headers={"Cookie": f"sessionid={session}"}) as ws:
        ws.send(b"\x00binary")
        ws.send("{not json")
        while "Message refused" not in ws.recv(timeout=5):
            pass


def test_readme_screenshot(
    browser: Browser, base_url: str, staff_session: str, problems: BrowserProblems
) -> None:
    """Some traffic (tabs typing, a few error lines), then the dashboard as the README shows it."""
    staff = signed_in_context(browser, base_url, staff_session, viewport=VIEWPORT)
    problems.watch(staff)
    visitors = [browser.new_context(base_url=base_url) for _ in range(3)]
    try:
        dashboard = staff.new_page()
        open_dashboard(dashboard)
        tabs = [open_calculator(visitor.new_page()) for visitor in visitors]
        for round_ in range(3):
            for tab in tabs:
                for line in LINES:
                    calculate(tab, f"{line}" if round_ else line)
        send_bad_frames(base_url, visitors[0])
        expect(dashboard.locator("#ops-logs")).to_contain_text("bad-frame")
        expect(dashboard.locator("#ops-sockets")).not_to_have_text("0")
        expect(dashboard.locator(".ops-spark__line").first).to_be_attached()
        expect(dashboard.locator(".ops-table__whole td").first).not_to_have_text("–")
        path = DOCS / SCREENSHOT
        dashboard.screenshot(path=path, full_page=True, animations="disabled")
        width, _ = png_size(path.read_bytes())
        assert width == VIEWPORT["width"]
        assert re.fullmatch(r"\d+", dashboard.locator("#ops-sockets").inner_text())
    finally:
        for visitor in visitors:
            visitor.close()
        staff.close()
    problems.assert_none()


def test_the_log_table_keeps_its_headings_over_their_columns_on_a_phone(
    browser: Browser, base_url: str, staff_session: str
) -> None:
    """A phone hides the process column: its heading goes with it, so "message" stays over the
    messages (not over an empty column beside them, squeezed to a few letters a line)."""
    staff = signed_in_context(
        browser, base_url, staff_session, viewport={"width": 375, "height": 740}
    )
    try:
        page = staff.new_page()
        assert page.goto("/no-such-page/").status == 404  # logged as a warning
        open_dashboard(page)
        table = page.locator("#ops-logs table")
        expect(table.locator("tbody tr").first.locator("td")).not_to_have_count(1)
        headings = table.locator("thead th:visible")
        cells = table.locator("tbody tr").first.locator("td:visible")
        assert headings.all_inner_texts() == ["time", "logger", "message"]
        assert cells.count() == headings.count()
        message = headings.last.bounding_box()
        assert cells.last.bounding_box()["x"] == message["x"]
    finally:
        staff.close()
