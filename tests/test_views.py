"""The page, the no-JS fallback (POST/Redirect/GET), health check and headers."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from calculator import keys
from calculator.models import Calculation

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    return Client(enforce_csrf_checks=True)


def csrf_from(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_first_visit_creates_the_session_before_the_socket_opens(visitor):
    response = visitor.get("/")
    assert response.status_code == 200
    assert "sessionid" in response.cookies
    html = response.content.decode()
    assert re.search(r'ws-connect="/ws/calc/(\?seen=[0-9-]*)?"', html)
    for contract in (
        'id="calc-form"',
        'name="expression"',
        'id="transcript"',
        'id="preview"',
    ):
        assert contract in html
    assert re.search(r'<form id="calc-form"[^>]*ws-send', html)
    assert 'maxlength="1000"' in html


def test_page_loads_htmx_and_ws_extension_and_nothing_inline(visitor):
    html = visitor.get("/").content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert any(re.search(r"htmx-2\.min\.[0-9a-f]{12}\.js", tag) for tag in scripts)
    assert any(re.search(r"hx-ws-2\.min\.[0-9a-f]{12}\.js", tag) for tag in scripts)
    assert all('src="' in tag for tag in scripts)
    assert not re.search(r"<script[^>]*>[^<\s]", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "hx-on" not in html


def test_static_files_have_hashed_names_and_are_cached_for_good(visitor):
    """A returning visitor's browser reuses them without asking; a new release names new files."""
    html = visitor.get("/").content.decode()
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert {url.rsplit(".", 1)[-1] for url in urls} >= {"css", "js", "svg"}
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), url
        response = visitor.get(url)
        assert response.status_code == 200
        assert "immutable" in response["Cache-Control"]
        assert "max-age=315360000" in response["Cache-Control"]


def test_post_without_javascript_evaluates_stores_and_redirects(visitor):
    page = visitor.get("/").content.decode()
    response = visitor.post("/", {"expression": "100!/98!", "csrfmiddlewaretoken": csrf_from(page)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    html = visitor.get("/").content.decode()
    assert '<output role="none">9900</output>' in html
    assert Calculation.objects.get().display == "9900"


def test_post_carries_variables_across_requests(visitor):
    token = csrf_from(visitor.get("/").content.decode())
    visitor.post("/", {"expression": "x = 0.1", "csrfmiddlewaretoken": token})
    visitor.post("/", {"expression": "x + 0.2", "csrfmiddlewaretoken": token})
    assert '<output role="none">0.3</output>' in visitor.get("/").content.decode()


def test_post_error_is_shown_with_its_caret(visitor):
    token = csrf_from(visitor.get("/").content.decode())
    visitor.post("/", {"expression": "2 +", "csrfmiddlewaretoken": token})
    html = visitor.get("/").content.decode()
    assert "entry--error" in html
    # The end of the line is marked by an empty mark the stylesheet draws as an insertion caret.
    assert '2 +<mark class="caret caret--point"></mark>' in html


def test_post_without_csrf_token_is_refused(visitor):
    visitor.get("/")
    response = visitor.post("/", {"expression": "1+1"})
    assert response.status_code == 403
    assert not Calculation.objects.exists()


def test_no_js_recall_prefills_the_input(visitor):
    token = csrf_from(visitor.get("/").content.decode())
    visitor.post("/", {"expression": "2^8", "csrfmiddlewaretoken": token})
    entry = Calculation.objects.get()
    html = visitor.get(f"/?recall={entry.pk}").content.decode()
    assert re.search(r'<input id="expression"[^>]*value="2\^8"', html)


def test_recall_of_another_sessions_entry_prefills_nothing(visitor):
    other = Calculation.objects.create(owner="someone-else", expression="secret=1")
    html = visitor.get(f"/?recall={other.pk}").content.decode()
    assert "secret" not in html


@pytest.mark.parametrize("recall", ["²", "١٢", "1²", "-1", "x", ""])
def test_recall_of_no_entry_shows_the_page(visitor, recall):
    response = visitor.get("/", {"recall": recall})
    assert response.status_code == 200
    assert re.search(r'<input id="expression"[^>]*value=""', response.content.decode())


# A browser cannot send a lone surrogate in a form: it arrives as U+FFFD.
@pytest.mark.parametrize("expression", ["1+\x00", "1+\x00\x00"])
def test_post_of_a_character_no_database_stores_is_an_error_entry(visitor, expression):
    token = csrf_from(visitor.get("/").content.decode())
    response = visitor.post("/", {"expression": expression, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    entry = Calculation.objects.get()
    assert "cannot be used" in entry.error and entry.error_start == 2
    assert "cannot be used" in visitor.get("/").content.decode()


def test_clear_without_javascript(visitor):
    token = csrf_from(visitor.get("/").content.decode())
    visitor.post("/", {"expression": "1+1", "csrfmiddlewaretoken": token})
    response = visitor.post("/clear/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not Calculation.objects.exists()
    assert "transcript__empty" in visitor.get("/").content.decode()


def test_transcripts_are_per_session():
    alice, bob = Client(), Client()
    alice.get("/")
    alice.post("/", {"expression": "31337"})
    assert "31337" not in bob.get("/").content.decode()


def test_strict_content_security_policy(visitor):
    csp = visitor.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_security_headers(visitor):
    response = visitor.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_htmx_is_told_not_to_inject_styles_or_evaluate(visitor):
    html = visitor.get("/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'", html).group(1)
    assert '"includeIndicatorStyles": false' in config
    assert '"allowEval": false' in config


def test_offline_status_is_cacheable_and_not_an_oob_swap(visitor):
    response = visitor.get("/status/offline/")
    assert "max-age=86400" in response["Cache-Control"]
    html = response.content.decode()
    assert "reconnecting…" in html
    assert not re.search(r'id="status"[^>]*hx-swap-oob', html)
    # The preview says why no answer comes, and Enter says the line is queued. The preview is
    # not out of band: htmx would swap it in for the page's hx-swap="none" prefetch as well; the
    # page's status selects it (hx-select-oob) when the socket closes.
    assert re.search(r'<output id="preview"[^>]*>offline', html)
    assert not re.search(r'<output id="preview"[^>]*hx-swap-oob', html)
    page = visitor.get("/").content.decode()
    status = re.search(r'<p id="status"[^>]*>', page).group(0)
    assert 'hx-get="/status/offline/"' in status and 'hx-select-oob="#preview"' in status
    assert 'hx-get="/status/queued/" hx-trigger="submit from:#calc-form"' in html
    queued = visitor.get("/status/queued/")
    assert "max-age=86400" in queued["Cache-Control"]
    assert "queued" in queued.content.decode() and "hx-swap-oob" not in queued.content.decode()


def test_the_next_input_is_cacheable_and_named_by_the_one_before(visitor):
    page = visitor.get("/").content.decode()
    key = re.search(r'name="field" value="([\w-]+)"', page).group(1)
    response = visitor.get(f"/field/{key}/next/")
    assert "max-age=86400" in response["Cache-Control"] and "private" in response["Cache-Control"]
    html = response.content.decode()
    assert f'name="field" value="{keys.following(key)}"' in html
    assert 'value=""' in html and "hx-swap-oob" not in html
    assert visitor.get("/field/not a key/next/").status_code == 404


def test_a_no_javascript_post_sent_twice_is_stored_once(visitor):
    page = visitor.get("/").content.decode()
    key = re.search(r'name="field" value="([\w-]+)"', page).group(1)
    token = csrf_from(page)
    for _ in range(2):  # the browser's back and resubmit, or a double click
        visitor.post("/", {"expression": "2+2", "field": key, "csrfmiddlewaretoken": token})
    assert visitor.get("/").content.decode().count(">2+2</code>") == 1


def test_reference_is_fetched_when_the_help_opens_not_with_the_page(visitor):
    page = visitor.get("/").content.decode()
    assert "sqrt(x)" not in page
    panel = re.search(r'<details class="help"[^>]*>', page).group(0)
    assert 'hx-get="/help/"' in panel and 'hx-trigger="toggle once"' in panel
    fragment = visitor.get("/help/", headers={"HX-Request": "true"})
    assert "HX-Request" in fragment["Vary"] and "max-age=86400" in fragment["Cache-Control"]
    html = fragment.content.decode()
    assert "<code>sqrt(x)</code>" in html and "<code>pi (or π)</code>" in html
    assert "<html" not in html


def test_reference_without_javascript_is_a_page_linked_from_the_panel(visitor):
    page = visitor.get("/").content.decode()
    assert '<noscript><a href="/help/">Open the reference</a></noscript>' in page
    html = visitor.get("/help/").content.decode()
    assert html.startswith("<!doctype html>")
    assert "<code>sqrt(x)</code>" in html and 'href="/"' in html


def test_healthz_reports_database_and_channel_layer(visitor):
    response = visitor.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "channel_layer": "ok"}


def test_oversized_post_is_an_error_entry_stored_truncated(visitor):
    token = csrf_from(visitor.get("/").content.decode())
    visitor.post("/", {"expression": "1+" * 20_000 + "1", "csrfmiddlewaretoken": token})
    row = Calculation.objects.get()
    assert "too long" in row.error
    assert len(row.expression) == 1001 and row.expression.endswith("…")


def test_huge_request_body_is_refused(visitor):
    token = csrf_from(visitor.get("/").content.decode())
    response = visitor.post("/", {"expression": "1" * 100_000, "csrfmiddlewaretoken": token})
    assert response.status_code == 400
    assert not Calculation.objects.exists()


def test_the_angle_mode_switches_without_javascript(visitor):
    page = visitor.get("/").content.decode()
    assert "angles in <strong>radians</strong>" in page
    token = csrf_from(page)
    visitor.post("/angle/", {"angle": "deg", "csrfmiddlewaretoken": token})
    page = visitor.get("/").content.decode()
    assert "angles in <strong>degrees</strong>" in page
    visitor.post("/", {"expression": "sin(30)", "csrfmiddlewaretoken": csrf_from(page)})
    assert Calculation.objects.get().display == "0.5"
    assert Calculation.objects.get().interpretation == "sin(30°)"
