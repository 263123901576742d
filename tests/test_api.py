"""The HTTP API (/api/v1/): answers, tokens, scopes, isolation, limits, bad input, fan-out."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.test import AsyncClient, Client, override_settings

from calculator import keys, owners, services
from calculator.engine import Session
from calculator.live import fanout
from calculator.models import Calculation
from calculator.tokens import services as tokens

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def client() -> Client:
    # CSRF enforced as for a browser: the API must not need (nor accept) a cookie's CSRF token.
    return Client(enforce_csrf_checks=True)


def person(name: str) -> User:
    # No password: hashing one would cost most of each test's time.
    return User.objects.create_user(name, f"{name}@example.com")


def bearer(user: User, scope: str = "write") -> dict:
    _, text = tokens.issue(user, "test", scope)
    return {"Authorization": f"Bearer {text}"}


def post(client: Client, path: str, body, headers: dict | None = None):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(f"/api/v1{path}", data, content_type=JSON, headers=headers or {})


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1+2", {"ok": True, "display": "3", "value": "int:3", "interpretation": None}),
        ("1/3", {"ok": True, "display": "0.333333333333333", "value": "frac:1/3"}),
        ("2 pi", {"ok": True, "interpretation": "2 × pi"}),
        ("42 km", {"ok": True, "display": "42 km", "value": "int:42;unit=km"}),
        ("1/0", {"ok": False, "error": {"message": "division by zero", "start": 2, "end": 3}}),
        ("2 +", {"ok": False, "error": {"start": 3, "end": 3}}),
        ("x", {"ok": False, "error": {"message": "unknown name 'x'", "start": 0, "end": 1}}),
        ("1" * 1001, {"ok": False, "error": {"start": 1000, "end": 1001}}),
        ("1\x00", {"ok": False}),
    ],
)
def test_evaluate(client, expression, expected):
    response = post(client, "/evaluate", {"expression": expression})
    assert response.status_code == 200
    body = response.json()
    for key, value in expected.items():
        if isinstance(value, dict):
            assert {k: body[key][k] for k in value} == value
        else:
            assert body[key] == value
    assert Calculation.objects.count() == 0  # evaluating stores nothing


def test_evaluate_too_long_says_so(client):
    body = post(client, "/evaluate", {"expression": "1" * 1001}).json()
    assert "the limit is 1,000" in body["error"]["message"]


@pytest.mark.parametrize(("length", "ok"), [(1000, True), (1001, False)])
def test_a_stored_line_has_the_sockets_length_limit(client, length, ok):
    response = post(client, "/entries", {"expression": "1" * length}, bearer(person("ann")))
    assert response.status_code == 201
    entry = response.json()
    assert entry["ok"] is ok
    if not ok:
        assert (entry["error"]["start"], entry["error"]["end"]) == (1000, 1001)
        assert "the limit is 1,000" in entry["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{", 400, "Cannot parse request body"),
        (b"\xff\xfe", 400, "Cannot parse request body"),
        (b"[1]", 422, "valid dictionary"),
        (b"null", 422, "valid dictionary"),
        (b'"1+2"', 422, "valid dictionary"),
        (b"{}", 422, "missing"),
        (b'{"expression": 5}', 422, "valid string"),
        (b'{"expression": ["1"]}', 422, "valid string"),
        (b'{"expression": null}', 422, "valid string"),
        (b'{"expression": "1", "degrees": true}', 422, "Extra inputs"),
        (b'{"expression": "' + b"1" * 70_000 + b'"}', 413, "over 65536 bytes"),
    ],
)
@pytest.mark.parametrize("path", ["/evaluate", "/entries"])
def test_bad_bodies_get_json_errors(client, path, body, status, says):
    response = post(client, path, body, bearer(person("ann")))
    assert response.status_code == status
    assert response["Content-Type"].startswith(JSON)
    assert says in json.dumps(response.json()["detail"])


def test_lone_surrogates_and_nul_are_stored_safely(client):
    headers = bearer(person("ann"))
    response = post(client, "/entries", b'{"expression": "1 + \\ud800"}', headers)
    assert response.status_code == 201
    assert response.json()["error"] == {
        "message": "the input contains a character that cannot be used (U+D800)",
        "start": 4,
        "end": 5,
    }
    assert post(client, "/entries", {"expression": "2\x00"}, headers).status_code == 201


# Every operation that needs a token: (method, path, body, writes).
TOKEN_OPERATIONS = [
    ("post", "/entries", {"expression": "1+1"}, True),
    ("get", "/entries", None, False),
    ("delete", "/entries/1", None, True),
    ("delete", "/entries", None, True),
    ("get", "/variables", None, False),
]


def call(client: Client, method: str, path: str, body, headers: dict):
    if method == "post":
        return post(client, path, body, headers)
    return getattr(client, method)(f"/api/v1{path}", headers=headers)


@pytest.mark.parametrize(("method", "path", "body", "writes"), TOKEN_OPERATIONS)
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer nonsense",
        "Bearer calc_1_",
        "Bearer calc_1_wrongsecretwrongsecretwrongsecretwrongsec",
        "Bearer calc_99999999999999999999_x",
        "Basic YW5uOnB3",
        "Token {token}",
        "{token}",
    ],
)
def test_no_or_bad_token_is_401(client, method, path, body, writes, authorization):
    token = bearer(person("ann"))["Authorization"].removeprefix("Bearer ")
    headers = {} if authorization is None else {"Authorization": authorization.format(token=token)}
    response = call(client, method, path, body, headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(("method", "path", "body", "writes"), TOKEN_OPERATIONS)
@pytest.mark.parametrize("state", ["revoked", "expired", "inactive user"])
def test_unusable_token_is_401(client, method, path, body, writes, state):
    ann = person("ann")
    token, text = tokens.issue(ann, "t", "write", expires_days=1)
    if state == "revoked":
        tokens.revoke(token.pk)
    elif state == "expired":
        type(token).objects.filter(pk=token.pk).update(expires_at="2000-01-01T00:00Z")
    else:
        User.objects.filter(pk=ann.pk).update(is_active=False)
    response = call(client, method, path, body, {"Authorization": f"Bearer {text}"})
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "body", "writes"), TOKEN_OPERATIONS)
def test_read_token_reads_but_never_writes(client, method, path, body, writes):
    ann = person("ann")
    entry = Calculation.objects.create(owner=owners.of_user(ann.pk), expression="1")
    path = path.replace("/1", f"/{entry.pk}")
    response = call(client, method, path, body, bearer(ann, "read"))
    assert response.status_code == (403 if writes else 200)
    assert Calculation.objects.filter(pk=entry.pk).exists()
    assert Calculation.objects.count() == 1


def test_a_browser_session_alone_never_authorizes(client):
    """Signed in on the site, with its session cookie and a valid CSRF token: still 401."""
    ann = person("ann")
    client.force_login(ann)
    client.get("/")  # the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    for method, path, body, _ in TOKEN_OPERATIONS:
        headers = {"X-CSRFToken": csrf}
        assert call(client, method, path, body, headers).status_code == 401
    assert Calculation.objects.count() == 0


def test_entries_round_trip(client):
    headers = bearer(person("ann"))
    first = post(client, "/entries", {"expression": "x = 2"}, headers)
    assert first.status_code == 201
    assert first.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "expression": "x = 2",
        "ok": True,
        "display": "2",
        "value": "int:2",
        "assigned": "x",
        "interpretation": None,
        "error": None,
        "created_at": "",
    }
    second = post(client, "/entries", {"expression": "x*3 +"}, headers).json()
    assert second["error"] == {"message": second["error"]["message"], "start": 5, "end": 5}
    third = post(client, "/entries", {"expression": "x*3"}, headers).json()
    assert (third["display"], third["value"]) == ("6", "int:6")
    variables = client.get("/api/v1/variables", headers=headers).json()
    assert variables == {
        "variables": {"x": {"display": "2", "value": "int:2"}},
        "ans": {"display": "6", "value": "int:6"},
    }
    listing = client.get("/api/v1/entries", headers=headers).json()
    assert [entry["expression"] for entry in listing["entries"]] == ["x = 2", "x*3 +", "x*3"]
    assert listing["next"] is None
    assert client.delete(f"/api/v1/entries/{third['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/variables", headers=headers).json()["ans"]["display"] == "2"
    assert client.delete("/api/v1/entries", headers=headers).status_code == 204
    assert client.get("/api/v1/entries", headers=headers).json() == {"entries": [], "next": None}
    assert client.get("/api/v1/variables", headers=headers).json() == {"variables": {}, "ans": None}


def test_entries_are_paged_oldest_first(client):
    ann = person("ann")
    owner = owners.of_user(ann.pk)
    rows = [Calculation.objects.create(owner=owner, expression=str(n)) for n in range(7)]
    headers = bearer(ann, "read")
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/entries", query, headers=headers).json()
        seen += [entry["id"] for entry in page["entries"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
        assert cursor.isascii() and not cursor.isdigit()  # opaque
    assert seen == [row.pk for row in rows]
    assert pages == 3


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"limit": 0}, 422),
        ({"limit": 501}, 422),
        ({"limit": "many"}, 422),
        ({"cursor": "nonsense!"}, 400),
        ({"cursor": "MTA"}, 400),  # base64 of "10": not one of ours
        ({"cursor": "YWZ0ZXI6LTE"}, 400),  # "after:-1"
        ({"cursor": "é"}, 400),
        ({"limit": 500}, 200),
    ],
)
def test_listing_parameters(client, query, status):
    response = client.get("/api/v1/entries", query, headers=bearer(person("ann"), "read"))
    assert response.status_code == status
    assert response["Content-Type"].startswith(JSON)


@pytest.mark.parametrize("entry_id", ["0", "-1", "x", "9223372036854775808", "1e3"])
def test_entry_ids_out_of_range_are_refused(client, entry_id):
    response = client.delete(f"/api/v1/entries/{entry_id}", headers=bearer(person("ann")))
    assert response.status_code in (404, 422)
    assert response["Content-Type"].startswith(JSON)


def test_isolation_every_endpoint_with_another_persons_ids(client):
    ann, bob = person("ann"), person("bob")
    bobs = bearer(bob)
    post(client, "/entries", {"expression": "secret = 42"}, bobs)
    bob_entry = Calculation.objects.get(owner=owners.of_user(bob.pk))
    anns = bearer(ann)
    post(client, "/entries", {"expression": "mine = 1"}, anns)
    # Ann cannot delete, list or see Bob's entry or variables.
    assert client.delete(f"/api/v1/entries/{bob_entry.pk}", headers=anns).status_code == 404
    listing = client.get("/api/v1/entries", headers=anns).json()
    assert [entry["expression"] for entry in listing["entries"]] == ["mine = 1"]
    assert "secret" not in client.get("/api/v1/variables", headers=anns).json()["variables"]
    # A cursor pointing before Bob's rows still lists only Ann's.
    cursor = "YWZ0ZXI6MA"  # "after:0"
    page = client.get("/api/v1/entries", {"cursor": cursor}, headers=anns).json()
    assert [entry["expression"] for entry in page["entries"]] == ["mine = 1"]
    # Ann's clear clears only hers; her new lines do not see Bob's variables.
    assert client.delete("/api/v1/entries", headers=anns).status_code == 204
    assert post(client, "/entries", {"expression": "secret"}, anns).json()["ok"] is False
    assert Calculation.objects.filter(pk=bob_entry.pk).exists()
    # A browser session's rows are no one's token's either.
    Calculation.objects.create(owner="a" * 32, expression="7")
    assert client.get("/api/v1/variables", headers=anns).json()["ans"] is None


def listening_to(someone) -> tuple:
    """The channel layer and a channel in `someone`'s group: what their open tabs receive."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(fanout.group(owners.of_user(someone.pk)), channel)
    return layer, channel


def test_changes_are_published_to_the_persons_tabs(client):
    """What the consumer receives (calculator/live/fanout.py), in the person's group."""
    ann = person("ann")
    layer, channel = listening_to(ann)
    headers = bearer(ann)
    entry = post(client, "/entries", {"expression": "6*7"}, headers).json()
    event = async_to_sync(layer.receive)(channel)
    assert event["type"] == fanout.ENTRY
    assert fanout.row_of(event).pk == entry["id"]
    assert f'id="entry-{entry["id"]}"' in event["html"]
    client.delete(f"/api/v1/entries/{entry['id']}", headers=headers)
    event = async_to_sync(layer.receive)(channel)
    assert (event["type"], event["entry_id"]) == (fanout.DELETED, entry["id"])
    client.delete("/api/v1/entries", headers=headers)
    assert async_to_sync(layer.receive)(channel)["type"] == fanout.CLEARED


@override_settings(CALC_API_RATE_LIMIT=1)
def test_evaluate_is_rate_limited_per_address(client):
    statuses = [post(client, "/evaluate", {"expression": "1"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = post(client, "/evaluate", {"expression": "1"})
    assert refused["Retry-After"] == "1"
    assert refused.json() == {"detail": "too many requests"}
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert post(other, "/evaluate", {"expression": "1"}).status_code == 200


@override_settings(CALC_API_RATE_LIMIT=1)
def test_tokens_are_rate_limited_each(client):
    ann = person("ann")
    first, second = bearer(ann, "read"), bearer(ann, "read")
    statuses = [client.get("/api/v1/variables", headers=first).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/variables", headers=second).status_code == 200


@override_settings(CALC_API_RATE_LIMIT=1)
def test_guessing_tokens_is_rate_limited_per_address(client):
    headers = {"Authorization": "Bearer calc_1_guess"}
    statuses = [client.get("/api/v1/variables", headers=headers).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_openapi_schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/v1/evaluate",
        "/api/v1/entries",
        "/api/v1/entries/{entry_id}",
        "/api/v1/variables",
    }
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert "security" not in schema["paths"]["/api/v1/evaluate"]["post"]


def test_docs_come_from_our_static_files_under_a_strict_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    scripts = re.findall(r"<script([^>]*)>", html)
    # Scripts by src only; the one other element holds JSON settings, which never runs.
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"  # Swagger UI's stylesheet icons, and only here
    assert "data:" not in client.get("/").headers["Content-Security-Policy"]


def test_the_docs_lead_back_to_the_calculator(client):
    html = client.get("/api/v1/docs").content.decode()
    assert re.search(r'<a href="/">← Live calculator</a>', html)
    assert re.search(r'href="/static/calculator/api-docs\.[0-9a-f]{12}\.css"', html)
    assert " style=" not in html and "<style" not in html


def keyed(headers: dict, key: str) -> dict:
    return headers | {"Idempotency-Key": key}


@async_to_sync
async def published(channel_layer, channel: str) -> list[dict]:
    """The events a channel received so far (it waits a moment for none more)."""
    events = []
    while True:
        try:
            events.append(await asyncio.wait_for(channel_layer.receive(channel), 0.05))
        except TimeoutError:
            return events


def test_a_retry_with_the_same_idempotency_key_stores_and_applies_once(client):
    ann = person("ann")
    layer, channel = listening_to(ann)
    headers = bearer(ann)
    post(client, "/entries", {"expression": "2"}, headers)
    retry = keyed(headers, "7f1c0e2a-5b61-4c39-9d8e-2f0a4b6c8d10")
    first = post(client, "/entries", {"expression": "ans * 10"}, retry)
    again = post(client, "/entries", {"expression": "ans * 10"}, retry)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert first.json()["display"] == "20"
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert Calculation.objects.filter(expression="ans * 10").count() == 1
    # Applied once: `ans` is 20, not 200.
    assert client.get("/api/v1/variables", headers=headers).json()["ans"]["display"] == "20"
    events = published(layer, channel)
    assert [fanout.row_of(event).expression for event in events] == ["2", "ans * 10"]


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ({"expression": "1+1"}, {"expression": "1+2"}),
        ({"expression": "1+1"}, {"expression": "1+1 "}),
    ],
)
def test_a_key_sent_again_with_another_request_is_refused(client, first, again):
    headers = keyed(bearer(person("ann")), "key-1")
    stored = post(client, "/entries", first, headers).json()
    response = post(client, "/entries", again, headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert list(Calculation.objects.values_list("pk", flat=True)) == [stored["id"]]


def test_idempotency_keys_are_each_persons_own(client):
    anns, bobs = keyed(bearer(person("ann")), "same"), keyed(bearer(person("bob")), "same")
    ann = post(client, "/entries", {"expression": "1+1"}, anns)
    bob = post(client, "/entries", {"expression": "1+1"}, bobs)
    other = post(client, "/entries", {"expression": "5"}, keyed(bobs, "other"))
    assert (ann.status_code, bob.status_code, other.status_code) == (201, 201, 201)
    assert "Idempotent-Replayed" not in bob
    assert len({ann.json()["id"], bob.json()["id"], other.json()["id"]}) == 3
    assert Calculation.objects.count() == 3


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("", 422),
        ("x" * 256, 422),
        ("clé", 422),
        ("a\x7fb", 422),
        ("x" * 255, 201),
        ("7f1c0e2a-5b61-4c39-9d8e-2f0a4b6c8d10", 201),
        ('"an sf-string, as the draft writes it"', 201),
    ],
)
def test_idempotency_key_bounds(client, key, status):
    response = post(client, "/entries", {"expression": "1"}, keyed(bearer(person("ann")), key))
    assert response.status_code == status
    assert response["Content-Type"].startswith(JSON)
    if status == 422:
        assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
        assert Calculation.objects.count() == 0


def test_a_request_racing_its_retry_stores_one_row(monkeypatch):
    """Two processes both look the key up before either has stored it: the unique constraint
    refuses the second row, and the second request answers with the first one's."""
    owner = owners.of_user(person("ann").pk)
    key = keys.request_key("retried")
    first, new = services.submit_request(owner, "1+1", key)
    looked_up = services.find_submitted
    raced = []

    def too_early(owner: str, submit_key: str | None):
        if not raced:
            raced.append(submit_key)
            return None  # as if the first request had not committed yet
        return looked_up(owner, submit_key)

    monkeypatch.setattr(services, "find_submitted", too_early)
    again, again_new = services.submit_request(owner, "1+1", key)
    assert raced == [key]
    assert (new, again_new, again.pk) == (True, False, first.pk)
    raced.clear()
    with pytest.raises(services.KeyReused):
        services.submit_request(owner, "1+2", key)
    assert Calculation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
async def test_concurrent_posts_with_one_key_store_one_row():
    ann = await sync_to_async(person)("ann")
    headers = keyed(await sync_to_async(bearer)(ann), "double-click")
    client = AsyncClient()
    body = json.dumps({"expression": "6*7"})
    responses = await asyncio.gather(
        *(client.post("/api/v1/entries", body, content_type=JSON, headers=headers) for _ in "ab")
    )
    assert [response.status_code for response in responses] == [201, 201]
    assert len({response.json()["id"] for response in responses}) == 1
    assert await Calculation.objects.acount() == 1


def test_openapi_documents_the_idempotency_key(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/entries"]["post"]
    (header,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["in"] == "header"
    assert header["required"] is False
    (text,) = [schema for schema in header["schema"]["anyOf"] if schema["type"] == "string"]
    assert text["maxLength"] == 255
    assert "Idempotent-Replayed" in header["description"]
    assert "422" in operation["responses"]


@pytest.mark.parametrize(
    ("angle", "display", "interpretation"),
    [
        (None, "-0.988031624092862", "sin(30 rad)"),
        ("rad", "-0.988031624092862", "sin(30 rad)"),
        ("deg", "0.5", "sin(30°)"),
    ],
)
def test_lines_are_read_in_the_angle_mode_asked(client, angle, display, interpretation):
    body = {"expression": "sin(30)"} | ({"angle": angle} if angle else {})
    evaluated = post(client, "/evaluate", body).json()
    assert (evaluated["display"], evaluated["interpretation"]) == (display, interpretation)
    headers = bearer(person("ann"))
    entry = post(client, "/entries", body, headers).json()
    assert (entry["display"], entry["interpretation"]) == (display, interpretation)
    # Stored as a socket's line in that mode is: its reading says how the angle was taken.
    socket_row, _ = services.calculate("s", "sin(30)", Session(degrees=angle == "deg"))
    row = Calculation.objects.get(pk=entry["id"])
    assert (row.display, row.value, row.interpretation) == (
        socket_row.display,
        socket_row.value,
        socket_row.interpretation,
    )
    listed = client.get("/api/v1/entries", headers=headers).json()["entries"]
    assert listed[0]["interpretation"] == interpretation


@pytest.mark.parametrize("angle", ["grad", "DEG", "", None, True, 1, ["deg"]])
@pytest.mark.parametrize("path", ["/evaluate", "/entries"])
def test_other_angle_modes_are_refused(client, path, angle):
    response = post(client, path, {"expression": "sin(30)", "angle": angle}, bearer(person("a")))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "angle"]
    assert Calculation.objects.count() == 0


def test_the_angle_is_part_of_what_a_key_guards(client):
    headers = keyed(bearer(person("ann")), "k")
    post(client, "/entries", {"expression": "sin(30)"}, headers)
    same = post(client, "/entries", {"expression": "sin(30)", "angle": "rad"}, headers)
    assert (same.status_code, same["Idempotent-Replayed"]) == (201, "true")
    other = post(client, "/entries", {"expression": "sin(30)", "angle": "deg"}, headers)
    assert other.status_code == 422
    assert Calculation.objects.count() == 1


def test_openapi_documents_the_angle(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    (body,) = [schema for schema in schemas.values() if "angle" in schema.get("properties", {})]
    angle = body["properties"]["angle"]
    assert (angle["enum"], angle["default"]) == (["rad", "deg"], "rad")
    assert "degrees" in angle["description"]
