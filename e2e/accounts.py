"""Signing up, in and out through the pages, as a person does (for the browser tests)."""

from __future__ import annotations

from itertools import count

from playwright.sync_api import Page, expect

PASSWORD = "a-long-passphrase-42"
_people = count(1)


def new_email() -> str:
    return f"person{next(_people)}@example.com"


def sign_up(page: Page, email: str) -> None:
    page.goto("/accounts/signup/")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.locator(".account-menu__who")).to_have_text(email)


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.locator(".account-menu__who")).to_have_text(email)


def sign_out(page: Page) -> None:
    page.locator(".account-menu").get_by_role("button", name="Sign out").click()
    expect(page.locator(".account-menu").get_by_role("link", name="Sign in")).to_be_visible()
