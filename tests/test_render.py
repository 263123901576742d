"""The entry partial as every tab receives it: its markup pinned for a table of rows, so making
it cheaper to render can never change what a tab shows."""

from __future__ import annotations

import re

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
    return Calculation(pk=pk, owner="k" * 32, **fields)


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


# Each row's appended fragment as the entry partial rendered it before it was made cheaper
# (whitespace between tags collapsed): the markup every tab shows, pinned.
ENTRY_MARKUP = [
    (
        row(
            7,
            expression="x = 12345.5 * 2",
            display="24691",
            value="24691",
            assigned="x",
            interpretation="x = (12345.5 × 2)",
        ),
        (
            '<ol hx-swap-oob="beforeend:#transcript">'
            '<li id="entry-7" class="entry" tabindex="-1"><code class="entry__expression">'
            'x = 12345.5 * 2</code><div class="entry__result"><span class="entry__equals">'
            '<span aria-hidden="true">=</span><span class="visually-hidden">equals</span></span>'
            '<output role="none"><span>24</span><span>691</span></output>'
            '<span class="entry__assigned">→ x</span></div><p class="entry__reading">read as '
            '<code>x = (12345.5 × 2)</code></p><div class="entry__tools">'
            '<form class="entry__recall" method="get" ws-send>'
            '<input type="hidden" name="recall" value="7">'
            '<button type="submit" class="tool" title="Put this expression back into the input">'
            '↩ edit<span class="visually-hidden"> x = 12345.5 * 2</span></button></form>'
            '<form class="entry__delete" method="post" action="/delete/" ws-send>'
            '<input type="hidden" name="remove" value="7">'
            '<button type="submit" class="tool" title="Delete this entry">✕'
            '<span class="visually-hidden"> delete x = 12345.5 * 2</span></button></form></div>'
            "</li></ol>"
            '<a id="latest" class="latest" href="#entry-7" accesskey="l" hx-swap-oob="true">'
            "↑ last result</a>"
        ),
    ),
    (
        row(8, expression="2 +* 3", error="expected a number", error_start=3, error_end=4),
        (
            '<ol hx-swap-oob="beforeend:#transcript">'
            '<li id="entry-8" class="entry entry--error" tabindex="-1">'
            '<code class="entry__expression">2 +<mark class="caret">*</mark> 3</code>'
            '<p class="entry__error">expected a number <span class="entry__column">(column 4)'
            '</span></p><div class="entry__tools">'
            '<form class="entry__recall" method="get" ws-send>'
            '<input type="hidden" name="recall" value="8">'
            '<button type="submit" class="tool" title="Put this expression back into the input">'
            '↩ edit<span class="visually-hidden"> 2 +* 3</span></button></form>'
            '<form class="entry__delete" method="post" action="/delete/" ws-send>'
            '<input type="hidden" name="remove" value="8">'
            '<button type="submit" class="tool" title="Delete this entry">✕'
            '<span class="visually-hidden"> delete 2 +* 3</span></button></form></div></li></ol>'
            '<a id="latest" class="latest" href="#entry-8" accesskey="l" hx-swap-oob="true">'
            "↑ last result</a>"
        ),
    ),
    (
        row(9, expression="(1", error="missing )", error_start=2, error_end=2),
        (
            '<ol hx-swap-oob="beforeend:#transcript">'
            '<li id="entry-9" class="entry entry--error" tabindex="-1">'
            '<code class="entry__expression">(1<mark class="caret caret--point"></mark></code>'
            '<p class="entry__error">missing ) <span class="entry__column">(column 3)</span></p>'
            '<div class="entry__tools"><form class="entry__recall" method="get" ws-send>'
            '<input type="hidden" name="recall" value="9">'
            '<button type="submit" class="tool" title="Put this expression back into the input">'
            '↩ edit<span class="visually-hidden"> (1</span></button></form>'
            '<form class="entry__delete" method="post" action="/delete/" ws-send>'
            '<input type="hidden" name="remove" value="9">'
            '<button type="submit" class="tool" title="Delete this entry">✕'
            '<span class="visually-hidden"> delete (1</span></button></form></div></li></ol>'
            '<a id="latest" class="latest" href="#entry-9" accesskey="l" hx-swap-oob="true">'
            "↑ last result</a>"
        ),
    ),
    (
        row(10, expression="<b>" + "9" * 45, error="too long & odd"),
        (
            '<ol hx-swap-oob="beforeend:#transcript">'
            '<li id="entry-10" class="entry entry--error" tabindex="-1">'
            '<code class="entry__expression">'
            "&lt;b&gt;999999999999999999999999999999999999999999999</code>"
            '<p class="entry__error">too long &amp; odd</p><div class="entry__tools">'
            '<form class="entry__recall" method="get" ws-send>'
            '<input type="hidden" name="recall" value="10">'
            '<button type="submit" class="tool" title="Put this expression back into the input">'
            '↩ edit<span class="visually-hidden"> &lt;b&gt;999999999999999999999999999999999999…'
            "</span></button></form>"
            '<form class="entry__delete" method="post" action="/delete/" ws-send>'
            '<input type="hidden" name="remove" value="10">'
            '<button type="submit" class="tool" title="Delete this entry">✕'
            '<span class="visually-hidden"> delete &lt;b&gt;999999999999999999999999999999999999…'
            "</span></button></form></div></li></ol>"
            '<a id="latest" class="latest" href="#entry-10" accesskey="l" hx-swap-oob="true">'
            "↑ last result</a>"
        ),
    ),
]


@pytest.mark.parametrize(("entry", "markup"), ENTRY_MARKUP)
def test_entry_markup(entry: Calculation, markup: str) -> None:
    assert re.sub(r">\s+<", "><", render.appended(entry)).strip() == markup
