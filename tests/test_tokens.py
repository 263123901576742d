"""Personal access tokens: their text and storage, checking, the account page, the CLI, and logs."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from calculator.tokens import models, services
from calculator.tokens.models import AccessToken

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"calc_(\d+)_([A-Za-z0-9_-]{43})")


def person(name: str) -> User:
    return User.objects.create_user(name, f"{name}@example.com")  # no password: fast


@pytest.fixture
def ann() -> User:
    return person("ann")


def test_a_token_is_prefix_id_and_a_256_bit_secret_stored_only_as_its_hash(ann):
    token, text = services.issue(ann, "laptop", "read")
    match = TOKEN.fullmatch(text)
    assert match and int(match[1]) == token.pk
    secret = match[2]
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = json.dumps(list(AccessToken.objects.values().get(pk=token.pk).values()), default=str)
    assert secret not in stored
    other = services.issue(ann, "laptop", "read")[1]
    assert TOKEN.fullmatch(other)[2] != secret


def test_secrets_are_compared_in_constant_time(ann, monkeypatch):
    calls = []
    real = models.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(models.hmac, "compare_digest", spy)
    token, text = services.issue(ann, "t", "read")
    assert services.authenticate(text) == token
    assert services.authenticate(text[:-1] + ("A" if text[-1] != "A" else "B")) is None
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("calc_12_abc", (12, "abc")),
        ("calc_12_a_b-c", (12, "a_b-c")),
        ("calc_12_", None),
        ("calc__abc", None),
        ("calc_x_abc", None),
        ("calc_１２_abc", None),  # fullwidth digits: isdigit() but not ASCII
        ("calc_-1_abc", None),
        ("calc_99999999999999999999_abc", None),
        ("CALC_12_abc", None),
        ("12_abc", None),
        ("calc_12_" + "a" * 100, None),
        ("", None),
    ],
)
def test_parse(text, parsed):
    assert services.parse(text) == parsed


@pytest.mark.parametrize(
    ("name", "scope", "days", "message"),
    [
        ("  ", "read", None, "a token needs a name"),
        ("t", "admin", None, "the scope must be one of: read, write"),
        ("t", "read", 0, "the expiry must be 1 to 3650 days"),
        ("t", "read", 3651, "the expiry must be 1 to 3650 days"),
    ],
)
def test_issue_refuses(ann, name, scope, days, message):
    with pytest.raises(services.TokenRefused, match=f"^{re.escape(message)}$"):
        services.issue(ann, name, scope, days)
    assert not AccessToken.objects.exists()


def test_an_account_holds_a_bounded_number_of_tokens(ann):
    for number in range(services.MAX_TOKENS_PER_USER):
        services.issue(ann, f"t{number}", "read")
    with pytest.raises(services.TokenRefused, match="at most 50 tokens"):
        services.issue(ann, "one more", "read")
    services.issue(person("bob"), "bob's", "read")  # per account


@pytest.mark.parametrize(
    ("change", "usable"),
    [
        ({}, True),
        ({"expires_at": timezone.now() + timedelta(minutes=1)}, True),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, False),
        ({"revoked_at": timezone.now()}, False),
    ],
)
def test_only_usable_tokens_authenticate(ann, change, usable):
    token, text = services.issue(ann, "t", "read")
    AccessToken.objects.filter(pk=token.pk).update(**change)
    assert (services.authenticate(text) is not None) is usable


def test_an_inactive_persons_tokens_do_not_authenticate(ann):
    _, text = services.issue(ann, "t", "read")
    User.objects.filter(pk=ann.pk).update(is_active=False)
    assert services.authenticate(text) is None


@pytest.mark.parametrize(("ago", "written"), [(None, True), (30, False), (59, False), (61, True)])
def test_last_used_is_written_at_most_once_a_minute(ann, ago, written, django_assert_num_queries):
    token, text = services.issue(ann, "t", "read")
    before = None if ago is None else timezone.now() - timedelta(seconds=ago)
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=before)
    with django_assert_num_queries(2 if written else 1):
        services.authenticate(text)
    after = AccessToken.objects.get(pk=token.pk).last_used_at
    assert (after != before) is written


def test_deleting_an_account_deletes_its_tokens(ann):
    services.issue(ann, "t", "write")
    bobs = services.issue(person("bob"), "t", "write")[0]
    ann.delete()
    assert list(AccessToken.objects.all()) == [bobs]


# The account page.


@pytest.fixture
def signed_in(ann) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(ann)
    return client


def csrf_of(client: Client) -> str:
    page = client.get("/account/tokens/").content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def create(client: Client, htmx: bool = False, **fields):
    data = {"name": "script", "scope": "write", "expires_days": ""} | fields
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        "/account/tokens/", data | {"csrfmiddlewaretoken": csrf_of(client)}, headers=headers
    )


def test_the_page_needs_a_signed_in_person():
    response = Client().get("/account/tokens/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/account/tokens/"
    assert Client().post("/account/tokens/1/revoke/").status_code == 302


def test_the_page_links_to_the_apis_readable_docs(signed_in):
    """The "HTTP API" link leads a person to the interactive docs, not to the raw OpenAPI JSON."""
    html = signed_in.get("/account/tokens/").content.decode()
    assert '<a href="/api/v1/docs">HTTP API</a>' in html


def test_a_created_token_is_shown_once_and_works(signed_in, ann):
    response = create(signed_in, expires_days="30")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    text = TOKEN.search(html)[0]
    token = services.authenticate(text)
    assert (token.user, token.name, token.scope) == (ann, "script", "write")
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    listed = signed_in.get("/account/tokens/").content.decode()
    assert "script" in listed and TOKEN.search(listed) is None
    assert TOKEN.fullmatch(text)[2] not in listed


def test_with_htmx_the_panel_alone_is_answered(signed_in):
    response = create(signed_in, htmx=True, name="via htmx")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="tokens"') and "<html" not in html
    assert TOKEN.search(html)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"name": ""}, "This field is required."),
        ({"scope": "admin"}, "Select a valid choice."),
        ({"expires_days": "0"}, "greater than or equal to 1"),
        ({"expires_days": "x"}, "Enter a whole number."),
        ({"name": "n" * 101}, "at most 100 characters"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_forms_say_why(signed_in, fields, says, htmx):
    response = create(signed_in, htmx=htmx, **fields)
    assert response.status_code == (200 if htmx else 400)
    assert says in response.content.decode()
    assert not AccessToken.objects.exists()


def test_too_many_tokens_is_said_on_the_page(signed_in, ann):
    for number in range(services.MAX_TOKENS_PER_USER):
        services.issue(ann, f"t{number}", "read")
    assert "at most 50 tokens" in create(signed_in).content.decode()


def test_page_posts_need_the_csrf_token(signed_in, ann):
    token, _ = services.issue(ann, "t", "read")
    assert signed_in.post("/account/tokens/", {"name": "x", "scope": "read"}).status_code == 403
    assert signed_in.post(f"/account/tokens/{token.pk}/revoke/").status_code == 403
    assert AccessToken.objects.filter(revoked_at=None).count() == 1


@pytest.mark.parametrize("htmx", [False, True])
def test_revoke(signed_in, ann, htmx):
    token, text = services.issue(ann, "t", "read")
    headers = {"HX-Request": "true"} if htmx else {}
    response = signed_in.post(
        f"/account/tokens/{token.pk}/revoke/",
        {"csrfmiddlewaretoken": csrf_of(signed_in)},
        headers=headers,
    )
    if htmx:
        assert response.status_code == 200 and "revoked" in response.content.decode()
    else:
        assert (response.status_code, response["Location"]) == (302, "/account/tokens/")
    assert services.authenticate(text) is None


def test_another_persons_token_can_be_neither_seen_nor_revoked(signed_in):
    bobs, text = services.issue(person("bob"), "bob's token", "read")
    assert "bob&#x27;s token" not in signed_in.get("/account/tokens/").content.decode()
    signed_in.post(
        f"/account/tokens/{bobs.pk}/revoke/", {"csrfmiddlewaretoken": csrf_of(signed_in)}
    )
    assert services.authenticate(text) is not None


def test_the_page_runs_no_script_of_its_own(signed_in, ann):
    services.issue(ann, "t", "read")
    html = create(signed_in).content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert re.search(r"\s(on\w+|hx-on[\w:-]*)=", html) is None


# The command line.


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("calc_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("scope", "days"), [("read", None), ("write", 7)])
def test_cli_create_prints_the_token_on_one_line(ann, scope, days):
    extra = ("--expires-days", str(days)) if days else ()
    out, err = run("create", "ANN@example.com", "--name", "ci", "--scope", scope, *extra)
    assert TOKEN.fullmatch(out.rstrip("\n"))
    token = services.authenticate(out.strip())
    assert (token.user, token.name, token.scope) == (ann, "ci", scope)
    assert (token.expires_at is None) is (days is None)
    assert f"token {token.pk} created" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nobody@example.com", "--name", "x", "--scope", "read"), "no account has the email"),
        (("ann@example.com", "--name", " ", "--scope", "read"), "a token needs a name"),
        (("ann@example.com", "--name", "x", "--scope", "read", "--expires-days", "0"), "expiry"),
    ],
)
def test_cli_create_refuses(ann, args, message):
    with pytest.raises(CommandError, match=message):
        run("create", *args)


def test_cli_create_refuses_an_email_two_accounts_share(ann):
    User.objects.create_user("ann2", "Ann@Example.com")
    with pytest.raises(CommandError, match="several accounts"):
        run("create", "ann@example.com", "--name", "x", "--scope", "read")


def test_cli_revoke(ann):
    token, text = services.issue(ann, "t", "write")
    assert run("revoke", str(token.pk))[0] == f"token {token.pk} revoked\n"
    assert services.authenticate(text) is None
    with pytest.raises(CommandError, match=f"no active token has the id {token.pk}"):
        run("revoke", str(token.pk))


# Logs.


class Everything(logging.Handler):
    """Every record any logger emits, formatted with its arguments and traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(logging.Formatter().format(record) + repr(record.__dict__))


@pytest.fixture
def all_logs():
    handler = Everything()
    loggers = [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler.lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@override_settings(DEBUG=True)  # the most a server says
def test_no_token_secret_is_ever_logged(signed_in, all_logs):
    page_text = TOKEN.search(create(signed_in).content.decode())[0]
    cli_text = run("create", "ann@example.com", "--name", "cli", "--scope", "read")[0].strip()
    api = Client()
    for text in (page_text, cli_text):
        bearer = {"Authorization": f"Bearer {text}"}
        assert api.get("/api/v1/variables", headers=bearer).status_code == 200
        assert api.delete("/api/v1/entries", headers=bearer).status_code in (204, 403)
        wrongs = (f"Token {text}", f"Bearer {text}x", f"Bearer {text[:-1]}", text)
        malformed = (f"Bearer x{text}", f"Bearer {text}{text}", f"Bearer {text} {text}")
        for wrong in (*wrongs, *malformed):
            assert api.get("/api/v1/variables", headers={"Authorization": wrong}).status_code == 401
    page_id, cli_id = (int(TOKEN.fullmatch(text)[1]) for text in (page_text, cli_text))
    signed_in.post(
        f"/account/tokens/{page_id}/revoke/", {"csrfmiddlewaretoken": csrf_of(signed_in)}
    )
    run("revoke", str(cli_id))
    for text in (page_text, cli_text):
        assert (
            api.get("/api/v1/variables", headers={"Authorization": f"Bearer {text}"}).status_code
            == 401
        )
    logged = "\n".join(all_logs)
    for text in (page_text, cli_text):
        assert TOKEN.fullmatch(text)[2][:12] not in logged
        assert f"token-created id={int(TOKEN.fullmatch(text)[1])}" in logged
    assert f"token-revoked id={page_id}" in logged and "reason=secret" in logged
