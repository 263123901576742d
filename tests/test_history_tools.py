"""History tools through the HTTP adapter: delete one entry, search, export, share; each one
confined to its own session (another session's ids and tokens do nothing)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from calculator import render, services
from calculator.models import Calculation, Share

pytestmark = pytest.mark.django_db


def visitor_with(*lines: str) -> tuple[Client, str]:
    client = Client()
    client.get("/")
    key = client.session.session_key
    for line in lines:
        services.submit(key, line)
    return client, key


def csrf_of(client: Client) -> str:
    page = client.get("/").content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_delete_removes_one_entry_and_redirects():
    client, key = visitor_with("1+1", "2+2")
    first = Calculation.objects.filter(owner=key).first()
    response = client.post("/delete/", {"remove": first.pk, "csrfmiddlewaretoken": csrf_of(client)})
    assert response.status_code == 302
    assert list(Calculation.objects.filter(owner=key).values_list("expression", flat=True)) == [
        "2+2"
    ]


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [("post", "/delete/", "remove"), ("get", "/", "recall")],
)
def test_another_sessions_entry_cannot_be_deleted_or_recalled(method, path, field):
    _, victim_key = visitor_with("secret = 42")
    victim_row = Calculation.objects.get(owner=victim_key)
    attacker, _ = visitor_with()
    data = {field: victim_row.pk}
    if method == "post":
        data["csrfmiddlewaretoken"] = csrf_of(attacker)
    response = getattr(attacker, method)(path, data)
    assert Calculation.objects.filter(pk=victim_row.pk).exists()
    if method == "get":
        assert "secret" not in response.content.decode()


def test_search_and_export_see_only_their_own_session():
    _, victim_key = visitor_with("secret = 42")
    attacker, _ = visitor_with("sqrt(16)")
    found = attacker.get("/", {"q": "secret"}).content.decode()
    assert "secret = 42" not in found and "Nothing matches." in found
    for kind in ("txt", "csv", "json"):
        response = attacker.get(f"/export.{kind}")
        body = response.content.decode()
        assert "sqrt(16)" in body and "secret" not in body
        assert response["Content-Disposition"] == f'attachment; filename="calculator.{kind}"'
    assert attacker.get("/export.exe").status_code == 404


def test_search_matches_expressions_and_results():
    client, key = visitor_with("sqrt(16)", "2+2", "6*7")
    assert [row.expression for row in services.search(key, "SQRT")] == ["sqrt(16)"]
    assert [row.expression for row in services.search(key, "42")] == ["6*7"]
    assert [row.expression for row in services.search(key, "%")] == []


def test_share_is_a_snapshot_without_session_data_and_revocable_only_by_its_owner():
    owner, key = visitor_with("x = 7", "x * 6")
    owner.post("/share/", {"csrfmiddlewaretoken": csrf_of(owner)})
    share = Share.objects.get(owner=key)
    assert len(share.token) == 43
    assert set(share.entries[0]) == set(services.SHARED_FIELDS)
    services.submit(key, "later = 1")
    page = Client().get(f"/s/{share.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "x * 6" in html and "later" not in html
    assert key not in html and "ws-connect" not in html and "<input" not in html
    assert page["Referrer-Policy"] == "no-referrer"
    stranger, _ = visitor_with()
    stranger.post(
        "/share/revoke/", {"token": share.token, "csrfmiddlewaretoken": csrf_of(stranger)}
    )
    assert Client().get(f"/s/{share.token}/").status_code == 200
    owner.post("/share/revoke/", {"token": share.token, "csrfmiddlewaretoken": csrf_of(owner)})
    assert Client().get(f"/s/{share.token}/").status_code == 404


def test_json_export_holds_no_stored_values_or_session_key():
    client, key = visitor_with("1/3")
    rows = json.loads(client.get("/export.json").content)["entries"]
    assert rows[0]["expression"] == "1/3" and rows[0]["result"] == "0.333333333333333"
    assert set(rows[0]) == {
        "expression",
        "result",
        "assigned",
        "error",
        "error_column",
        "created_at",
    }


@pytest.mark.parametrize(
    "row",
    [
        Calculation(pk=10**18, expression="'", display="1", assigned="a" * 64, interpretation="'"),
        Calculation(pk=10**18, expression="'" * 1000, error="'", error_start=3, error_end=5),
        Calculation(pk=10**18, expression="1000!", display="9" * 5000, value="9" * 5000),
    ],
    ids=["short", "long error", "5000 digits"],
)
def test_an_entry_never_renders_past_its_size_bound(row):
    assert len(render.appended(row).encode()) <= render.entry_size_bound(row)


def test_a_session_holds_a_bounded_number_of_share_links():
    owner, key = visitor_with("1+1")
    token = csrf_of(owner)
    for _ in range(services.MAX_SHARES_PER_SESSION + 2):
        owner.post("/share/", {"csrfmiddlewaretoken": token})
    assert Share.objects.filter(owner=key).count() == services.MAX_SHARES_PER_SESSION
    assert "revoke one to make another" in owner.get("/?sharing").content.decode()
