"""What the browser tests share: loading the page, typing a line, and watching for problems."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Locator, Page, expect

from testing.daphne import DaphneServer, migrate, server_env


def start_server(directory: Path, **extra: str) -> DaphneServer:
    """A migrated file SQLite database in `directory`, served by daphne on a free port. Mail goes
    to files in `directory/mail`, and passkeys work on its plain-http loopback origin."""
    env = server_env(
        directory / "db.sqlite3",
        CALC_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        CALC_EMAIL_FILE_PATH=str(directory / "mail"),
        CALC_WEBAUTHN_ALLOW_INSECURE_ORIGIN="1",
        **extra,
    )
    migrate(env)
    return DaphneServer(env).start()


class BrowserProblems:
    """What a user could notice went wrong besides the page itself: console errors (CSP
    violations among them), uncaught exceptions, and dialogs (an `alert` means injected script)."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []

    def watch(self, context: BrowserContext) -> None:
        context.on("console", self._on_console)
        context.on("dialog", self._on_dialog)
        context.on("page", lambda page: page.on("pageerror", self._on_page_error))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" or message.text.startswith("Refused to"):
            self.console_errors.append(message.text)

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _on_page_error(self, error: Exception) -> None:
        self.page_errors.append(str(error))

    def assert_none(self, *, console: bool = True) -> None:
        assert self.dialogs == [], "a dialog opened: injected script ran"
        assert self.page_errors == []
        if console:
            assert self.console_errors == []


def open_calculator(page: Page, url: str = "/") -> Page:
    """Load the page and wait until its socket is live, so the next Enter goes over it."""
    page.goto(url)
    expect(page.locator("#status")).to_have_text("live")
    return page


def open_calculator_for_offline(page: Page, url: str) -> Page:
    """Load the page and wait until it has fetched what it shows when the socket is down (it
    fetches that once the socket has answered): a test may stop the server right after."""
    with (
        page.expect_response(lambda response: response.url.endswith("/status/offline/")),
        page.expect_response(lambda response: response.url.endswith("/status/queued/")),
    ):
        open_calculator(page, url)
    return page


def calculate(page: Page, expression: str) -> Locator:
    """Type a line, press Enter, and return the transcript entry that answered it."""
    entries = page.locator("#transcript > li.entry")
    before = entries.count()
    field = page.locator("#expression")
    field.fill(expression)
    field.press("Enter")
    expect(entries).to_have_count(before + 1)
    expect(field).to_have_value("")  # the next input is in place: the next line goes into it
    return entries.nth(before)


def stored_expressions(server: DaphneServer, context: BrowserContext) -> list[str]:
    """The expressions stored for this context's session, read straight from the database."""
    session_key = next(c["value"] for c in context.cookies() if c["name"] == "sessionid")
    database = server.env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(
            "SELECT expression FROM calculator_calculation WHERE owner = ? ORDER BY id",
            (session_key,),
        )
        return [expression for (expression,) in rows]
