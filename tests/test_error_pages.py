"""Error pages in the site's layout: a person who follows a revoked link, mistypes an address or
sends an expired form learns what happened and finds the way back, not Django's bare text."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client

from testing.staff import signed_in

pytestmark = pytest.mark.django_db

STYLESHEET = re.compile(r'<link rel="stylesheet" href="/static/calculator/calculator[.\w]*\.css">')
HOME = '<a href="/">Back to the calculator</a>'


def client_of(session_key: str | None = None, **options) -> Client:
    client = Client(**options)
    if session_key:
        client.cookies["sessionid"] = session_key
    return client


@pytest.mark.parametrize(
    ("request_of", "status", "says"),
    [
        (lambda: client_of().get("/no/such/page/"), 404, "There is no page at this address."),
        (
            lambda: client_of().get("/s/revoked-or-never-made/"),
            404,
            "This link was revoked or never existed.",
        ),
        (lambda: client_of().get("/export.pdf"), 404, "No such format."),
        (
            lambda: client_of(signed_in("error-member", staff=False)).get("/ops/"),
            403,
            "This page is not open to your account.",
        ),
        (
            lambda: client_of(enforce_csrf_checks=True).post("/", {"expression": "1+1"}),
            403,
            "Go back, reload the page, and send it again.",
        ),
    ],
    ids=["unknown address", "revoked share", "export format", "not staff", "expired form"],
)
def test_error_pages_say_what_happened_in_the_sites_layout(request_of, status, says):
    response = request_of()
    assert response.status_code == status
    html = response.content.decode()
    assert says in html
    assert STYLESHEET.search(html)
    assert HOME in html


def test_the_server_error_page_needs_no_request():
    html = render_to_string("500.html")
    assert "Something went wrong" in html and STYLESHEET.search(html) and HOME in html
