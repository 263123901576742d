"""Accounts: history that follows a person, adoption on sign-in, sign-out, deletion, isolation.

Through the real stack: allauth's views with the Django test client, sockets through the ASGI
application with the cookie a signed-in browser holds.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import password_changed, password_reset, password_set
from allauth.core.ratelimit import respond_429
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory

from calculator import owners, services
from calculator.live import admission
from calculator.models import Calculation, Share
from calculator.tokens import services as tokens
from calculator.tokens.models import AccessToken
from testing.daphne import ROOT
from tests.conftest import open_socket, submit_frame
from tests.test_consumer import angle_frame

PASSWORD = "a-long-passphrase-42"


def make_user(email: str):
    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def signed_in(email: str, client: Client | None = None) -> Client:
    """A browser that signed in through allauth's form (so its adapter ran)."""
    client = client or Client()
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def reauthenticated(client: Client) -> Client:
    """Deleting an account asks for the password again first (allauth's reauthentication)."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def submit(client: Client, expression: str) -> None:
    assert client.post("/", {"expression": expression}).status_code == 302


def transcript(owner: str) -> list[str]:
    return list(Calculation.objects.filter(owner=owner).values_list("expression", flat=True))


async def greeted_sockets(*browsers: Client) -> list:
    """A socket for each browser (a signed-in test Client), each past its greeting."""
    sockets = [await open_socket(browser.cookies["sessionid"].value) for browser in browsers]
    for socket in sockets:
        await socket.receive_from()
    return sockets


def entry_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="entry-(\d+)"', html)]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth counts attempts in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ann(db):
    return make_user("ann@example.com")


@pytest.fixture
def bob(db):
    return make_user("bob@example.com")


SETTINGS_READ = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "ACCOUNT_EMAIL_VERIFICATION", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS",
    "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "DEFAULT_FROM_EMAIL",
)} | {"cache": settings.CACHES["default"]["BACKEND"].rpartition(".")[2]}))
"""
SMTP = "django.core.mail.backends.smtp.EmailBackend"
SERVER = {
    "EMAIL_HOST": "smtp.example.org",
    "EMAIL_PORT": "587",
    "EMAIL_USE_TLS": "1",
    "EMAIL_HOST_USER": "calc",
    "EMAIL_HOST_PASSWORD": "pw",
    "DEFAULT_FROM_EMAIL": "calc@example.org",
}


# (environment, settings it gives): verification optional unless set; mail printed in debug,
# else sent over SMTP as the environment says; allauth's rate limits counted in Redis if any.
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"ACCOUNT_EMAIL_VERIFICATION": "optional", "EMAIL_BACKEND": SMTP,
              "EMAIL_HOST": "localhost", "cache": "LocMemCache"}),
        ({"CALC_EMAIL_VERIFICATION": "mandatory"}, {"ACCOUNT_EMAIL_VERIFICATION": "mandatory"}),
        ({"CALC_EMAIL_VERIFICATION": "none"}, {"ACCOUNT_EMAIL_VERIFICATION": "none"}),
        ({"DJANGO_DEBUG": "1"},
         {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (SERVER, {"EMAIL_BACKEND": SMTP, "EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": 587,
                  "EMAIL_USE_TLS": True, "EMAIL_HOST_USER": "calc", "EMAIL_HOST_PASSWORD": "pw",
                  "DEFAULT_FROM_EMAIL": "calc@example.org"}),
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, {"cache": "RedisCache"}),
    ],
)  # fmt: skip
def test_account_and_mail_settings_come_from_the_environment(env, expected):
    base = {name: value for name, value in os.environ.items()
            if not name.startswith(("EMAIL_", "CALC_EMAIL", "REDIS_"))}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", SETTINGS_READ], cwd=ROOT, check=True,
                            env=base | {"DJANGO_SETTINGS_MODULE": "config.settings"} | env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    read = json.loads(result.stdout.strip().splitlines()[-1])
    assert {name: read[name] for name in expected} == expected


def test_messages_and_mails_name_the_person_by_the_address_they_typed(db):
    """Sign-in is by email: allauth's default names a person by the username it generated
    ("Successfully signed in as ann."), a name they never chose nor saw."""
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {"email": "ann@example.com", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    html = response.content.decode()
    assert "Successfully signed in as ann@example.com." in html
    assert "signed in as ann." not in html
    confirmation = mail.outbox[-1].body
    assert "user ann@example.com has given your email address" in confirmation


def test_passwords_are_hashed_with_argon2(ann):
    assert identify_hasher(ann.password).algorithm == "argon2"


def test_failed_sign_ins_are_rate_limited_per_account(ann):
    browser = Client()
    for _ in range(5):
        response = browser.post("/accounts/login/", {"login": ann.email, "password": "wrong"})
        assert "not correct" in response.content.decode()
    response = browser.post("/accounts/login/", {"login": ann.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()


def test_too_many_requests_has_the_calculators_layout(db):
    request = RequestFactory().get("/accounts/password/reset/")
    request.user = AnonymousUser()
    response = respond_429(request)
    assert response.status_code == 429
    assert 'class="account' in response.content.decode()


def test_a_password_reset_mails_a_link_that_sets_a_new_password(ann, mailoutbox):
    browser = Client()
    response = browser.post("/accounts/password/reset/", {"email": "ANN@example.com"})
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == ["ann@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.body)[1]
    form = browser.get(link, follow=True)
    assert 'name="password1"' in form.content.decode()
    new = "another-long-passphrase-7"
    done = browser.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert done.status_code == 302
    signed = Client().post("/accounts/login/", {"login": ann.email, "password": new})
    assert signed.status_code == 302
    refused = Client().post("/accounts/login/", {"login": ann.email, "password": PASSWORD})
    assert "not correct" in refused.content.decode()
    assert 'name="password1"' not in Client().get(link, follow=True).content.decode()  # used


def test_signing_in_adopts_the_sessions_entries_merged_in_time_order(ann):
    account = signed_in("ann@example.com")
    browser = Client()
    # Typed alternately on the account (another device) and in an anonymous browser.
    submit(account, "a = 1")
    submit(browser, "b = 2")
    submit(account, "a = 10")
    submit(browser, "b + 1")
    signed_in("ann@example.com", browser)
    assert transcript(owners.of_user(ann.pk)) == ["a = 1", "b = 2", "a = 10", "b + 1"]
    session = services.load_session(owners.of_user(ann.pk))
    assert {name: str(value) for name, value in session.variables.items()} == {"a": "10", "b": "2"}
    assert str(session.ans) == "3"
    # The signed-in browser's page is the account's transcript.
    html = browser.get("/").content.decode()
    assert html.index("a = 1") < html.index("b = 2") < html.index("a = 10") < html.index("b + 1")


def test_adoption_keeps_one_row_per_submit_key(ann):
    anonymous = "s" * 32
    owner = owners.of_user(ann.pk)
    services.submit_once(owner, "1 + 1", "k" * 22)
    services.submit_once(anonymous, "1 + 1", "k" * 22)  # the same input's line, both sides
    services.submit_once(anonymous, "2 + 2", "j" * 22)
    assert services.adopt(anonymous, owner) == 2
    assert transcript(owner) == ["1 + 1", "1 + 1", "2 + 2"]
    assert Calculation.objects.filter(owner=owner, submit_key__isnull=False).count() == 2
    assert services.submit_once(owner, "1 + 1", "k" * 22)[1] is False


def test_signing_in_takes_the_sessions_share_links_along(ann):
    browser = Client()
    submit(browser, "7 * 6")
    browser.post("/share/")
    signed_in("ann@example.com", browser)
    assert Share.objects.get().owner == owners.of_user(ann.pk)


def test_signing_out_starts_a_fresh_session_and_the_history_stays_with_the_account(ann):
    browser = signed_in("ann@example.com")
    submit(browser, "mine = 5")
    key = browser.cookies["sessionid"].value
    assert browser.post("/accounts/logout/").status_code == 302
    assert browser.cookies["sessionid"].value != key
    assert "mine = 5" not in browser.get("/").content.decode()
    assert transcript(owners.of_user(ann.pk)) == ["mine = 5"]
    assert "mine = 5" in signed_in("ann@example.com", browser).get("/").content.decode()


def test_the_page_shows_who_is_signed_in_and_a_sign_out_form(ann):
    assert 'href="/accounts/login/"' in Client().get("/").content.decode()
    browser = signed_in("ann@example.com")
    html = browser.get("/").content.decode()
    assert "Successfully signed in" in html  # allauth's message, shown once, where one lands
    assert "Successfully signed in" not in browser.get("/").content.decode()
    assert "ann@example.com" in html
    assert re.search(r'<form method="post" action="/accounts/logout/">', html)


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ],
)
def test_account_pages_use_the_calculators_layout_and_no_inline_script(db, path):
    assert_our_layout_and_no_inline_script(Client().get(path).content.decode())


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/webauthn/",
        "/accounts/2fa/webauthn/add/",
        "/accounts/sessions/",
        "/accounts/reauthenticate/",
        "/accounts/delete/",
    ],
)
def test_signed_in_account_pages_use_the_calculators_layout_too(ann, path):
    response = reauthenticated(signed_in("ann@example.com")).get(path)
    assert response.status_code == 200
    assert_our_layout_and_no_inline_script(response.content.decode())


def assert_our_layout_and_no_inline_script(html: str) -> None:
    assert re.search(r'href="/static/calculator/calculator\.[0-9a-f]{12}\.css"', html)
    assert 'class="account' in html
    scripts = re.findall(r"<script([^>]*)>([^<]*)</script>", html)
    for attributes, body in scripts:
        # Executable scripts come from our static files; a data block is JSON, never run.
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes, attributes
        assert "src=" in attributes or body.strip().startswith("{")
    assert not re.search(r"\son[a-z]+=", html)


def test_deleting_an_account_removes_its_entries_shares_tokens_and_sessions(ann, bob):
    phone, laptop = signed_in("ann@example.com"), signed_in("ann@example.com")
    submit(phone, "x = 1")
    phone.post("/share/")
    _, ann_token = tokens.issue(ann, "script", "write")
    bobs_token, _ = tokens.issue(bob, "script", "write")
    other = signed_in("bob@example.com")
    submit(other, "y = 2")
    assert UserSession.objects.filter(user=ann).count() == 2
    page = laptop.get("/accounts/delete/")
    assert page.status_code == 200
    assert laptop.post("/accounts/delete/", {"confirm": "delete"})["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    reauthenticated(laptop)
    refused = laptop.post("/accounts/delete/", {"confirm": "no"})
    assert refused.status_code == 400
    assert get_user_model().objects.filter(pk=ann.pk).exists()
    deleted = laptop.post("/accounts/delete/", {"confirm": "delete"}, follow=True)
    assert deleted.redirect_chain == [("/", 302)]
    # The calculator it lands on says what happened (it looks like any signed-out visit).
    assert "Your account and its history were deleted." in deleted.content.decode()
    assert not get_user_model().objects.filter(pk=ann.pk).exists()
    assert transcript(owners.of_user(ann.pk)) == []
    assert not Share.objects.filter(owner=owners.of_user(ann.pk)).exists()
    assert not UserSession.objects.filter(user_id=ann.pk).exists()
    assert list(AccessToken.objects.all()) == [bobs_token]
    bearer = {"Authorization": f"Bearer {ann_token}"}
    assert Client().get("/api/v1/variables", headers=bearer).status_code == 401
    for session in Session.objects.all():
        assert session.get_decoded().get("_auth_user_id") != str(ann.pk)
    # The other device is signed out; Bob keeps everything.
    assert "x = 1" not in phone.get("/").content.decode()
    assert transcript(owners.of_user(bob.pk)) == ["y = 2"]


def test_a_signed_out_visitor_cannot_reach_the_deletion_page(db):
    response = Client().get("/accounts/delete/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# The account menu says "Passkeys": the pages it leads to say so too, never allauth's other words.
ALLAUTHS_OTHER_WORDS = re.compile(r"two-factor|security key|passwordless|authenticator", re.I)


def add_passkey(user) -> Authenticator:
    credential = {"clientExtensionResults": {"credProps": {"rk": True}}}
    return Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Phone", "credential": credential},
    )


@pytest.mark.parametrize(
    ("path", "passkeys", "heading"),
    [
        ("/accounts/2fa/", 0, "Passkeys"),
        ("/accounts/2fa/", 1, "Passkeys"),
        ("/accounts/2fa/webauthn/", 0, "Passkeys"),
        ("/accounts/2fa/webauthn/", 1, "Passkeys"),
        # Only without one: allauth reads the stored keys' credentials, which our fake one lacks.
        ("/accounts/2fa/webauthn/add/", 0, "Add a passkey"),
        ("/accounts/2fa/webauthn/keys/{pk}/edit/", 1, "Rename passkey"),
        ("/accounts/2fa/webauthn/keys/{pk}/remove/", 1, "Remove passkey"),
    ],
)
def test_the_passkey_pages_speak_of_passkeys(ann, path, passkeys, heading):
    client = reauthenticated(signed_in("ann@example.com"))  # before the passkey: no second step
    keys = [add_passkey(ann) for _ in range(passkeys)]
    response = client.get(path.format(pk=keys[0].pk if keys else 0))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<h1[^>]*>\s*(.*?)\s*</h1>", html, re.S).group(1) == heading
    assert re.search(r"<title>\s*Passkeys · ", html)
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
    assert not ALLAUTHS_OTHER_WORDS.search(text), ALLAUTHS_OTHER_WORDS.search(text).group()


def test_removing_a_passkey_says_passkey_removed(ann):
    client = reauthenticated(signed_in("ann@example.com"))
    key = add_passkey(ann)
    response = client.post(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/", follow=True)
    assert "Passkey removed." in response.content.decode()
    assert not Authenticator.objects.filter(pk=key.pk).exists()


# Isolation: Ann tries Bob's ids and tokens through every form post and link.


@pytest.fixture
def bobs(bob):
    """Bob's stored entry and share link, and a browser of Ann's."""
    browser = signed_in("bob@example.com")
    submit(browser, "secret = 31337")
    browser.post("/share/")
    return Calculation.objects.get(owner=owners.of_user(bob.pk)), Share.objects.get()


def test_no_form_post_or_link_reaches_another_persons_entries(ann, bobs):
    entry, share = bobs
    ann_browser = signed_in("ann@example.com")
    assert "31337" not in ann_browser.get(f"/?recall={entry.pk}").content.decode()
    ann_browser.post("/delete/", {"remove": str(entry.pk)})
    ann_browser.post("/clear/")
    ann_browser.post("/share/revoke/", {"token": share.token})
    for kind in ("txt", "csv", "json"):
        assert "31337" not in ann_browser.get(f"/export.{kind}").content.decode()
    ann_browser.post("/share/")
    ann_share = Share.objects.exclude(pk=share.pk).get()
    assert "31337" not in ann_browser.get(f"/s/{ann_share.token}/").content.decode()
    assert Calculation.objects.filter(pk=entry.pk).exists()
    assert Share.objects.filter(pk=share.pk).exists()


# Sockets: owner, groups across devices, sign-out closing one browser's sockets only.


@pytest.fixture
def ann_devices(transactional_db):
    ann = make_user("ann@example.com")
    return ann, signed_in("ann@example.com"), signed_in("ann@example.com")


async def test_every_socket_of_a_person_sees_the_others_entries(ann_devices):
    _, phone, laptop = ann_devices
    first, second = await greeted_sockets(phone, laptop)
    await first.send_json_to(submit_frame("x = 6"))
    await first.receive_from()
    assert "x = 6" in await second.receive_from()
    await second.send_json_to(submit_frame("x * 7"))
    assert "42" in await second.receive_from()
    assert "42" in await first.receive_from()
    await first.disconnect()
    await second.disconnect()


async def test_signing_out_closes_that_browsers_sockets_only(ann_devices):
    _, phone, laptop = ann_devices
    on_phone, on_laptop = await greeted_sockets(phone, laptop)
    await sync_to_async(phone.post)("/accounts/logout/")
    assert "signed out" in await on_phone.receive_from()
    assert await on_phone.receive_output() == {
        "type": "websocket.close",
        "code": admission.CLOSE_SESSION_ENDED,
    }
    assert await on_laptop.receive_nothing()
    await on_laptop.send_json_to(submit_frame("1 + 1"))
    assert "2" in await on_laptop.receive_from()
    await on_laptop.disconnect()


async def test_signing_out_the_other_devices_closes_their_sockets(ann_devices):
    _, phone, laptop = ann_devices
    on_phone, on_laptop = await greeted_sockets(phone, laptop)
    response = await sync_to_async(laptop.post)("/accounts/sessions/")
    assert response.status_code == 302
    assert "signed out" in await on_phone.receive_from()
    assert (await on_phone.receive_output())["code"] == admission.CLOSE_SESSION_ENDED
    assert await on_laptop.receive_nothing()
    await on_laptop.disconnect()


async def test_signing_in_closes_the_browsers_anonymous_sockets(ann_devices):
    browser = Client()
    await sync_to_async(browser.get)("/")
    anonymous = await open_socket(browser.cookies["sessionid"].value)
    await anonymous.receive_from()
    await sync_to_async(signed_in)("ann@example.com", browser)
    assert "signed in" in await anonymous.receive_from()
    assert (await anonymous.receive_output())["code"] == admission.CLOSE_SESSION_ENDED


async def test_deleting_the_account_closes_its_sockets_on_every_device(ann_devices):
    _, phone, laptop = ann_devices
    on_phone = await open_socket(phone.cookies["sessionid"].value)
    await on_phone.receive_from()
    await sync_to_async(reauthenticated)(laptop)
    await sync_to_async(laptop.post)("/accounts/delete/", {"confirm": "delete"})
    assert "account was deleted" in await on_phone.receive_from()
    assert (await on_phone.receive_output())["code"] == admission.CLOSE_SESSION_ENDED


async def test_a_socket_cannot_recall_or_delete_another_persons_entry(transactional_db):
    await sync_to_async(make_user)("ann@example.com")
    await sync_to_async(make_user)("bob@example.com")
    ann = await open_socket(
        (await sync_to_async(signed_in)("ann@example.com")).cookies["sessionid"].value
    )
    bob = await open_socket(
        (await sync_to_async(signed_in)("bob@example.com")).cookies["sessionid"].value
    )
    await ann.receive_from()
    await bob.receive_from()
    await bob.send_json_to(submit_frame("secret = 31337"))
    (entry_id,) = entry_ids(await bob.receive_from())
    await ann.send_json_to({"recall": str(entry_id)})
    assert "no longer exists" in await ann.receive_from()
    await ann.send_json_to({"remove": str(entry_id)})
    assert "no longer exists" in await ann.receive_from()
    await ann.send_json_to({"q": "31337", "HEADERS": {"HX-Trigger": "search"}})
    found = await ann.receive_from()
    assert "Nothing matches" in found
    assert "secret" not in found
    assert await bob.receive_nothing()
    assert await sync_to_async(Calculation.objects.filter(pk=entry_id).exists)()
    await ann.disconnect()
    await bob.disconnect()


async def test_logs_name_a_person_by_id_and_never_a_session_key(ann_devices, caplog):
    ann, phone, _ = ann_devices
    key = phone.cookies["sessionid"].value
    with caplog.at_level(logging.INFO, logger="calculator"):
        socket = await open_socket(key)
        await socket.receive_from()
        await socket.send_json_to(submit_frame("1 +"))
        await socket.receive_from()
        await socket.disconnect()
    assert f"user.{ann.pk}" in caplog.text
    assert key not in caplog.text


# A new password: the person's other devices are signed out (Django's session auth hash), and
# their open sockets close at once; the browser where it was changed stays signed in and live.

NEW_PASSWORD = "another-long-passphrase-7"


def change_password(client: Client) -> None:
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:500]


def shows_signed_in(client: Client) -> bool:
    return '<form method="post" action="/accounts/logout/">' in client.get("/").content.decode()


def test_a_password_change_signs_the_other_devices_out(ann):
    phone, laptop = signed_in("ann@example.com"), signed_in("ann@example.com")
    assert shows_signed_in(phone) and shows_signed_in(laptop)
    change_password(laptop)
    assert shows_signed_in(laptop)
    assert not shows_signed_in(phone)
    assert phone.get("/api/v1/variables").status_code == 401  # and no cookie ever did


async def assert_closed(socket, says: str) -> None:
    assert says in await socket.receive_from()
    assert await socket.receive_output() == {
        "type": "websocket.close",
        "code": admission.CLOSE_SESSION_ENDED,
    }


async def assert_live(socket) -> None:
    assert await socket.receive_nothing()
    await socket.send_json_to(submit_frame("1 + 1"))
    assert "2" in await socket.receive_from()


async def test_a_password_change_closes_the_sockets_of_the_other_devices_only(ann_devices):
    _, phone, laptop = ann_devices
    on_phone = await open_socket(phone.cookies["sessionid"].value)
    laptop_tabs = [await open_socket(laptop.cookies["sessionid"].value) for _ in "ab"]
    for socket in [on_phone, *laptop_tabs]:
        await socket.receive_from()
    await sync_to_async(change_password)(laptop)
    await assert_closed(on_phone, "password was changed")
    await assert_live(laptop_tabs[0])
    assert "1 + 1" in await laptop_tabs[1].receive_from()  # the other tab is live too
    for socket in laptop_tabs:
        await socket.disconnect()


async def test_a_password_reset_closes_every_socket_of_the_person(ann_devices, mailoutbox):
    """Reset from a link in a browser signed in as the person: that browser is signed out by it
    too (the reset keeps no session), so its sockets close with the others."""
    _, phone, laptop = ann_devices
    on_phone, on_laptop = await greeted_sockets(phone, laptop)
    await sync_to_async(laptop.post)("/accounts/password/reset/", {"email": "ann@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mailoutbox[0].body)[1]
    form = await sync_to_async(laptop.get)(link, follow=True)
    new = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    done = await sync_to_async(laptop.post)(form.redirect_chain[-1][0], new)
    assert done.status_code == 302
    await assert_closed(on_phone, "password was changed")
    await assert_closed(on_laptop, "password was changed")
    assert not await sync_to_async(shows_signed_in)(laptop)


@pytest.mark.parametrize("signal", [password_changed, password_set, password_reset])
async def test_each_new_password_signal_closes_the_other_devices_sockets(ann_devices, signal):
    """allauth's three signals, sent as its flows send them: after the password is saved and,
    where the browser stays signed in, its session moved to the new hash."""
    ann, phone, laptop = ann_devices
    on_phone, on_laptop = await greeted_sockets(phone, laptop)

    @sync_to_async
    def new_password() -> None:
        request = RequestFactory().post("/accounts/password/change/")
        request.COOKIES["sessionid"] = laptop.cookies["sessionid"].value
        request.session = SessionStore(laptop.cookies["sessionid"].value)
        request.user = ann
        ann.set_password(NEW_PASSWORD)
        ann.save()
        update_session_auth_hash(request, ann)
        signal.send(sender=type(ann), request=request, user=ann)

    await new_password()
    await assert_closed(on_phone, "password was changed")
    await assert_live(on_laptop)


async def test_the_browser_that_changed_the_password_can_still_switch_its_angle_mode(ann_devices):
    """Keeping that browser signed in gave its session a new key: its open tabs hold the old
    one, which no longer exists; switching the angle there still works (for its open tabs)."""
    _, _, laptop = ann_devices
    tabs = [await open_socket(laptop.cookies["sessionid"].value) for _ in "ab"]
    for tab in tabs:
        await tab.receive_from()
    await sync_to_async(change_password)(laptop)
    await tabs[0].send_json_to(angle_frame("deg"))
    assert "<strong>degrees</strong>" in await tabs[0].receive_from()
    assert "<strong>degrees</strong>" in await tabs[1].receive_from()
    await tabs[1].send_json_to(submit_frame("sin(30)"))
    assert "sin(30°)" in await tabs[1].receive_from()
    for tab in tabs:
        await tab.disconnect()
