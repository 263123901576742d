"""The API against a real daphne: a token made on the account page in Chromium, used by a plain HTTP
client (urllib), its entry live in the person's open calculator, then revoked; and the API's
interactive docs under the strict CSP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from playwright.sync_api import Page, expect

from e2e.browser import BrowserProblems, open_calculator

PASSWORD = "correct horse battery staple 42"


def request(url: str, method: str = "GET", body: dict | bytes | None = None, token: str = ""):
    """(status, headers, JSON body) of one plain HTTP request, with no cookie at all."""
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data, headers, method=method), timeout=10
        ) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


def sign_up(page: Page, email: str) -> None:
    page.goto("/accounts/signup/")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password1"]', PASSWORD)
    page.fill('input[name="password2"]', PASSWORD)
    page.locator('form:has(input[name="password2"]) button[type="submit"]').click()
    expect(page.locator(".account-menu__who")).to_have_text(email)


def test_token_created_used_live_and_revoked(page: Page, base_url: str):
    sign_up(page, "api-user@example.com")
    page.goto("/account/tokens/")
    page.get_by_label("Name").fill("e2e script")
    page.get_by_label("write: also add and delete").check()
    with page.expect_response("**/account/tokens/") as created:
        page.get_by_role("button", name="Create token").click()
    assert created.value.request.headers.get("hx-request") == "true"  # swapped, not reloaded
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("calc_")
    expect(page.locator("#tokens .token-list__item")).to_have_count(1)

    calculator = page.context.new_page()
    open_calculator(calculator)
    status, _, entry = request(f"{base_url}/api/v1/entries", "POST", {"expression": "6*7"}, token)
    assert status == 201 and entry["display"] == "42"
    live = calculator.locator(f"#transcript #entry-{entry['id']}")
    expect(live).to_contain_text("6*7")
    expect(live).to_contain_text("42")

    status, _, listing = request(f"{base_url}/api/v1/entries", token=token)
    assert status == 200 and [e["id"] for e in listing["entries"]] == [entry["id"]]
    status, _, _ = request(f"{base_url}/api/v1/entries/{entry['id']}", "DELETE", token=token)
    assert status == 204
    expect(live).to_have_count(0)

    page.get_by_role("button", name="Revoke e2e script").click()
    expect(page.locator("#tokens .token-list__state")).to_have_text("revoked")
    status, headers, problem = request(f"{base_url}/api/v1/entries", token=token)
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" in problem["detail"]


def test_a_swap_copies_no_inline_style_the_csp_would_refuse(page: Page, problems: BrowserProblems):
    """Password managers and other extensions put `style` attributes on form fields. htmx's
    settling copied each swapped element's old attributes, `style` among them, onto the new one:
    under `style-src 'self'` each copy was a CSP violation in the console (and in reports)."""
    sign_up(page, "styled-fields@example.com")
    page.goto("/account/tokens/")
    page.locator("#tokens [id]").evaluate_all(
        "fields => fields.forEach(field => field.style.setProperty('outline-color', 'red'))"
    )
    page.get_by_label("Name").fill("styled")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_be_visible()
    page.get_by_role("button", name="Revoke styled").click()
    expect(page.locator("#tokens .token-list__state")).to_have_text("revoked")
    assert problems.console_errors == [], problems.console_errors


def test_anonymous_evaluate_and_the_servers_body_limit(base_url: str):
    status, _, answer = request(f"{base_url}/api/v1/evaluate", "POST", {"expression": "1/3"})
    assert (status, answer["ok"], answer["value"]) == (200, True, "frac:1/3")
    status, _, answer = request(f"{base_url}/api/v1/evaluate", "POST", b"{")
    assert status == 400
    try:
        urllib.request.urlopen(
            urllib.request.Request(f"{base_url}/api/v1/evaluate", b"x" * 200_000, method="POST"),
            timeout=10,
        )
    except urllib.error.HTTPError as error:
        assert error.code == 413
    except (ConnectionError, urllib.error.URLError):
        pass  # the server may close before reading the body it refused
    else:
        raise AssertionError("an oversized body was accepted")


def test_interactive_docs_work_offline_under_the_csp(page: Page):
    """Swagger UI from our static files: no CDN, no inline script (the fixture fails on any CSP
    violation in the console); "Try it out" really calls the API."""
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto("/api/v1/docs")
    operation = page.locator("#operations-evaluate-calculator_api_views_evaluate_line")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("textarea.body-param__text").fill('{"expression": "2^10"}')
    operation.get_by_role("button", name="Execute").click()
    expect(
        operation.locator(".live-responses-table tbody .response-col_status").first
    ).to_have_text("200")
    expect(operation.locator(".live-responses-table .microlight").first).to_contain_text("1024")
    assert all(url.startswith(page.url.split("/api/")[0]) for url in requested)
    page.get_by_role("link", name="← Live calculator").click()
    expect(page.locator("#expression")).to_be_visible()
