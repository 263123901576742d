"""Accounts in a real browser: sign-up, passkeys (Chromium's virtual authenticator), adoption on
sign-in, two devices of one person kept in sync live, and signing out on one of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect

from e2e.accounts import PASSWORD, new_email, sign_in, sign_out, sign_up
from e2e.browser import BrowserProblems, calculate, open_calculator, start_server
from testing.daphne import DaphneServer


def results(page: Page):
    return page.locator("#transcript > li.entry .entry__result output")


def mail_to(server: DaphneServer, email: str) -> str:
    """The newest mail the server wrote for `email` (the file email backend)."""
    mails = [
        path.read_text()
        for path in sorted(Path(server.env["CALC_EMAIL_FILE_PATH"]).glob("*.log"))
        if f"To: {email}" in path.read_text()
    ]
    assert mails, f"no mail to {email}"
    return mails[-1]


def verify_email(page: Page, server: DaphneServer, email: str) -> None:
    link = re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+", mail_to(server, email))
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()


def virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    """Chromium's virtual authenticator: a passkey-capable platform authenticator that says yes.
    Returns the DevTools session and the authenticator's id."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def on_localhost(browser: Browser, server: DaphneServer) -> Iterator[Page]:
    """A page on http://localhost: WebAuthn takes a domain, never an IP address, as the relying
    party (allauth names it after the request's host)."""
    context = browser.new_context(base_url=server.url.replace("127.0.0.1", "localhost"))
    problems = BrowserProblems()
    problems.watch(context)
    yield context.new_page()
    context.close()
    problems.assert_none()


@pytest.fixture
def passkey_page(browser: Browser, server: DaphneServer) -> Iterator[Page]:
    yield from on_localhost(browser, server)


def test_sign_up_register_a_passkey_sign_out_and_in_with_it(
    passkey_page: Page, server: DaphneServer
) -> None:
    page = passkey_page
    cdp, authenticator = virtual_authenticator(page)
    email = new_email()
    sign_up(page, email)
    verify_email(page, server, email)
    page.goto("/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("test key")
    page.get_by_label("Sign in with this passkey alone").check()
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Passkey added.")).to_be_visible()
    found = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    (credential,) = found["credentials"]
    assert credential["isResidentCredential"]
    sign_out(page)
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator(".account-menu__who")).to_have_text(email)


@pytest.fixture(scope="module")
def passkey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaphneServer]:
    """Passkey sign-up needs mandatory email verification by code (allauth's rule)."""
    server = start_server(
        tmp_path_factory.mktemp("passkey-signup"), CALC_EMAIL_VERIFICATION="mandatory"
    )
    yield server
    server.stop()


@pytest.fixture
def passkey_signup_page(browser: Browser, passkey_server: DaphneServer) -> Iterator[Page]:
    yield from on_localhost(browser, passkey_server)


def test_sign_up_with_a_passkey(passkey_signup_page: Page, passkey_server: DaphneServer) -> None:
    page = passkey_signup_page
    cdp, authenticator = virtual_authenticator(page)
    email = new_email()
    page.goto("/accounts/signup/passkey/")
    page.locator("input[name=email]").fill(email)
    page.get_by_role("button", name="Sign up").click()
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail_to(passkey_server, email), re.M).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator(".account-menu__who")).to_have_text(email)
    found = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert [credential["userName"] for credential in found["credentials"]] == [email]
    # No password was ever set: signing out and in again takes the passkey.
    sign_out(page)
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator(".account-menu__who")).to_have_text(email)


def test_signing_in_adopts_what_was_typed_before(page: Page) -> None:
    email = new_email()
    sign_up(page, email)
    open_calculator(page)
    calculate(page, "a = 2")
    sign_out(page)
    open_calculator(page)
    calculate(page, "b = a")  # anonymous: `a` is the account's, not known here
    calculate(page, "b = 3")
    sign_in(page, email)
    open_calculator(page)
    expect(page.locator("#transcript > li.entry .entry__expression")).to_have_text(
        ["a = 2", "b = a", "b = 3"]
    )
    entry = calculate(page, "a * b")
    expect(entry.locator(".entry__result output")).to_have_text("6")


@pytest.fixture
def two_devices(browser: Browser, base_url: str) -> Iterator[tuple[Page, Page]]:
    """One person signed in on two devices (two browser contexts: two cookie jars)."""
    problems = BrowserProblems()
    contexts: list[BrowserContext] = [browser.new_context(base_url=base_url) for _ in range(2)]
    for context in contexts:
        problems.watch(context)
    phone, laptop = (context.new_page() for context in contexts)
    email = new_email()
    sign_up(phone, email)
    sign_in(laptop, email)
    yield open_calculator(phone), open_calculator(laptop)
    for context in contexts:
        context.close()
    problems.assert_none()


def test_two_devices_of_one_person_see_entries_clears_and_deletions_live(two_devices) -> None:
    phone, laptop = two_devices
    calculate(phone, "x = 20")
    expect(results(laptop)).to_have_text(["20"])
    calculate(laptop, "x + 1")
    expect(results(phone)).to_have_text(["20", "21"])
    laptop.get_by_role("button", name="delete x = 20").click()
    expect(results(phone)).to_have_text(["21"])
    phone.locator("#clear summary").click()
    phone.get_by_role("button", name="Delete all").click()
    expect(results(laptop)).to_have_count(0)


def test_signing_out_on_one_device_closes_its_sockets_and_not_the_others(two_devices) -> None:
    phone, laptop = two_devices
    other_tab = phone.context.new_page()
    sockets = []
    other_tab.on("websocket", lambda socket: sockets.append(socket))
    open_calculator(other_tab)
    phone.locator(".account-menu").get_by_role("button", name="Sign out").click()
    expect(other_tab.locator("#status")).to_have_text("closed: signed out; reload the page")
    expect(laptop.locator("#status")).to_have_text("live")
    calculate(laptop, "6 * 7")
    # The closed tab stays closed (htmx does not retry the code) and shows nothing new.
    expect(other_tab.locator("#status")).to_have_text("closed: signed out; reload the page")
    expect(results(other_tab)).to_have_count(0)
    assert len(sockets) == 1, "the closed tab tried to reconnect"
