"""Units on the page: the reference lists them by what they measure, the no-JS form answers with
them, and the entry shows how a line's units were read."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    return Client()


def test_reference_lists_units_grouped_by_dimension(visitor):
    html = visitor.get("/help/", headers={"HX-Request": "true"}).content.decode()
    groups = re.findall(r"<h3>([^<]+)</h3>", html)
    for group in ("Length", "Mass", "Time", "Speed", "Energy", "Data", "Angle", "Temperature"):
        assert group in groups
    assert "<code>in inch</code>" in html and "<code>°C degC celsius</code>" in html
    terms = html.replace("</dt>", "")
    assert "<code>KiB kibibyte</code><dd>1,024 bytes</dd>" in terms
    assert "<code>m metre meter</code><dd>metre (SI prefixes apply)</dd>" in terms
    assert "<code>3 feet to meters</code>" in html  # full names and plurals are explained
    assert "<code>60 km/h to m/s</code>" in html
    # The page itself still does not carry the reference.
    assert "<code>in inch</code>" not in visitor.get("/").content.decode()


def test_no_javascript_form_answers_with_units_and_shows_the_reading(visitor):
    page = visitor.get("/").content.decode()
    action = re.search(r'<form[^>]*id="calc-form"[^>]*action="([^"]+)"', page)
    action = action.group(1) if action else "/"
    response = visitor.post(action, {"expression": "60 km/h to m/s"}, follow=True)
    html = response.content.decode()
    assert "16.6666666666667 m/s" in html
    assert "60 × km / h to m/s" in html
