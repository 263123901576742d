"""Browser tests against the real app: one daphne for the run, Debian's Chromium, a fresh context
(so a fresh session) per test, and every console error, page error and dialog caught.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.browser import BrowserProblems, start_server
from testing.browser import LAUNCH_OPTIONS
from testing.daphne import DaphneServer

# Generous for a loaded CI machine; a healthy run answers in milliseconds.
expect.set_options(timeout=10_000)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_console_errors: the test provokes browser console errors on purpose"
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last when collected with the others. Once started, Playwright's sync API
    leaves its event loop marked as running in the test thread, and any later `async_to_sync` or
    ORM call there fails. (pytest groups tests by playwright's session-scoped `browser_name`
    parameter, which would otherwise pull e2e tests in between the others.)"""
    here = Path(__file__).parent
    items.sort(key=lambda item: item.path.is_relative_to(here))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, **LAUNCH_OPTIONS}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaphneServer]:
    server = start_server(tmp_path_factory.mktemp("e2e"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(server: DaphneServer) -> str:
    return server.url


@pytest.fixture
def problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def context(
    context: BrowserContext, problems: BrowserProblems, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """pytest-playwright's fresh context, watched: a test fails on any browser problem."""
    problems.watch(context)
    yield context
    problems.assert_none(console=request.node.get_closest_marker("allow_console_errors") is None)


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[DaphneServer]:
    """A server this test may stop and start again on the same port, with its own database."""
    server = start_server(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def no_js_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A page in a context with JavaScript off, failing the test on any browser problem."""
    context: BrowserContext = browser.new_context(java_script_enabled=False, base_url=base_url)
    problems = BrowserProblems()
    problems.watch(context)
    try:
        yield context.new_page()
        problems.assert_none()
    finally:
        context.close()
