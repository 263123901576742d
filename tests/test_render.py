"""The entry partial as every tab receives it: its markup pinned for a table of rows, so making
it cheaper to render can never change what a tab shows."""

from __future__ import annotations

import pytest
from django.template.defaultfilters import truncatechars
from django.test import override_settings
from django.urls import include, path, set_script_prefix
from hypothesis import given
from hypothesis import strategies as st

from calculator import render
from calculator.models import Calculation
from calculator.render import LABEL_CHARS
from calculator.templatetags.labels import label


def row(pk: int, **fields) -> Calculation:
    return Calculation(pk=pk, session_key="k" * 32, **fields)


@pytest.mark.parametrize("pk", [7, 12345, 1234567])
def test_ids_are_never_grouped_even_where_numbers_are(pk: int) -> None:
    with override_settings(USE_THOUSAND_SEPARATOR=True, NUMBER_GROUPING=3):
        html = render.appended(row(pk, expression="1+1", display="2", value="2"))
    assert f'id="entry-{pk}"' in html
    assert f'name="recall" value="{pk}"' in html
    assert f'name="remove" value="{pk}"' in html
    assert f'href="#entry-{pk}"' in html


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1+1", "1+1"),
        ("9" * LABEL_CHARS, "9" * LABEL_CHARS),
        ("9" * (LABEL_CHARS + 1), "9" * (LABEL_CHARS - 1) + "…"),
        ("e\u0301 + 1", "é + 1"),  # composed, as truncatechars shows it
        ("a\u0301" * LABEL_CHARS, "á" * LABEL_CHARS),  # combining marks take no room
        ("π" * (LABEL_CHARS + 5), "π" * (LABEL_CHARS - 1) + "…"),
    ],
)
def test_label_cuts_like_truncatechars(text: str, shown: str) -> None:
    assert label(text) == shown == truncatechars(text, LABEL_CHARS)


@given(st.text(max_size=3 * LABEL_CHARS))
def test_label_is_truncatechars(text: str) -> None:
    assert label(text) == truncatechars(text, LABEL_CHARS)


class MountedUnderCalc:
    """A URLconf serving the calculator under /calc/."""

    urlpatterns = [path("calc/", include("calculator.web.urls"))]


def test_a_kept_url_follows_the_urlconf_and_the_script_prefix() -> None:
    assert render.url("calculator:delete") == "/delete/"
    with override_settings(ROOT_URLCONF=MountedUnderCalc):
        assert render.url("calculator:delete") == "/calc/delete/"
        assert 'action="/calc/delete/"' in render.appended(row(1, expression="1", display="1"))
    set_script_prefix("/mounted/")
    try:
        assert render.url("calculator:delete") == "/mounted/delete/"
    finally:
        set_script_prefix("/")
    assert render.url("calculator:delete") == "/delete/"
