"""The socket as a tab sees it: through the real application, routing and middleware included."""

from __future__ import annotations

import asyncio
import re

import pytest
from asgiref.sync import sync_to_async
from django.test import Client, override_settings

from calculator import render
from calculator.models import Calculation
from tests.conftest import clear_frame, field_token, open_socket, preview_frame, submit_frame

pytestmark = pytest.mark.django_db(transaction=True)

count_rows = sync_to_async(lambda key: Calculation.objects.filter(owner=key).count())


def field_names(html: str) -> list[str]:
    return re.findall(r'\bid="(field|expression)"', html)


def outputs(html: str) -> list[str]:
    return re.findall(r'<output role="none">(.*?)</output>', html)


async def test_connect_sends_transcript_and_live_status(session_key):
    socket = await open_socket(session_key)
    await socket.send_json_to(submit_frame("1+1"))
    await socket.receive_from()
    await socket.disconnect()

    socket = await open_socket(session_key)
    html = await socket.receive_from()
    assert 'id="transcript"' in html and 'hx-swap-oob="true"' in html
    assert outputs(html) == ["2"]
    assert re.search(r'id="status"[^>]*>\s*live', html)
    await socket.disconnect()


@sync_to_async
def socket_path_of_page(session_key: str) -> str:
    """The socket URL the page names for this session's tab, as a browser reads it."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key
    return re.search(r'ws-connect="([^"]+)"', client.get("/").content.decode()).group(1)


async def test_a_tab_showing_the_stored_transcript_is_sent_only_the_status(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    for line in ("1+1", "x = 3"):
        await socket.send_json_to(submit_frame(line))
        await socket.receive_from()
    path = await socket_path_of_page(session_key)

    fresh = await open_socket(session_key, path=path)
    html = await fresh.receive_from()
    assert 'id="transcript"' not in html and outputs(html) == []
    assert re.search(r'id="status"[^>]*>\s*live', html)
    await fresh.send_json_to(submit_frame("x*2"))  # the session state is loaded all the same
    assert outputs(await fresh.receive_from()) == ["6"]
    await fresh.disconnect()

    # The same page reconnecting after its transcript grew gets the whole transcript.
    again = await open_socket(session_key, path=path)
    assert outputs(await again.receive_from()) == ["2", "3", "6"]
    await again.disconnect()
    await socket.disconnect()


async def test_a_cleared_transcript_is_always_sent_in_full(session_key):
    path = await socket_path_of_page(session_key)  # rendered empty
    socket = await open_socket(session_key, path=path)
    assert 'id="transcript"' in await socket.receive_from()
    await socket.send_json_to(submit_frame("1+1"))
    await socket.receive_from()
    await socket.send_json_to(clear_frame())
    await socket.receive_from()
    await socket.disconnect()
    # Empty again, as when the page was rendered: but a tab that missed the clear shows an entry.
    again = await open_socket(session_key, path=path)
    html = await again.receive_from()
    assert 'id="transcript"' in html and outputs(html) == []
    await again.disconnect()


async def test_submit_answers_with_entry_and_empty_preview_leaving_the_input_alone(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("0.1+0.2"))
    html = await socket.receive_from()
    assert 'hx-swap-oob="beforeend:#transcript"' in html
    assert outputs(html) == ["0.3"]
    assert field_names(html) == []  # what was typed after Enter stays
    assert re.search(r'<output id="preview"[^>]*>\s*</output>', html)
    assert await count_rows(session_key) == 1
    await socket.disconnect()


async def test_error_entry_carries_message_and_caret(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("1/0"))
    html = await socket.receive_from()
    assert "entry--error" in html
    assert "division by zero" in html
    assert '1/<mark class="caret">0</mark>' in html
    await socket.disconnect()


async def test_interpretation_is_shown_when_it_differs(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("6/2(1+2)"))
    html = await socket.receive_from()
    assert outputs(html) == ["9"]
    assert "read as <code>(6 / 2) × (1 + 2)</code>" in html
    await socket.disconnect()


async def test_preview_answers_and_stores_nothing(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(preview_frame("6*7"))
    html = await socket.receive_from()
    assert html.strip().startswith('<output id="preview"')
    assert "= 42" in html
    assert await count_rows(session_key) == 0
    await socket.disconnect()


async def test_preview_uses_session_variables_without_changing_them(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("x = 4", field="k1"))
    await socket.receive_from()
    await socket.send_json_to(preview_frame("x^2", "k2"))
    assert "= 16" in await socket.receive_from()
    await socket.send_json_to(preview_frame("y = 2", "k2"))
    await socket.receive_from()
    await socket.send_json_to(submit_frame("y"))
    assert "unknown name" in await socket.receive_from()
    await socket.disconnect()


async def test_late_preview_from_a_submitted_input_is_ignored(session_key):
    """Typing `6*7` and pressing Enter within the debounce: the preview fires afterwards, from
    the input already submitted, and must not repaint the preview under the fresh input."""
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("6*7", field="k1"))
    assert field_names(await socket.receive_from()) == []  # the page replaced the input itself
    await socket.send_json_to(preview_frame("6*7", "k1"))
    assert await socket.receive_nothing()
    await socket.send_json_to(preview_frame("6*8", "k2"))
    assert "= 48" in await socket.receive_from()
    await socket.disconnect()


async def test_late_preview_queued_while_offline_is_ignored_after_the_reconnect(session_key):
    """Enter within the debounce, then the socket drops before the preview fires: htmx queues
    that preview and sends it to the new socket, which never saw the submit and painted the
    stale `= 42` under the empty input (an e2e run of test_offline caught it)."""
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("6*7", field="k1"))
    await socket.receive_from()
    await socket.disconnect()
    reconnected = await open_socket(session_key)
    greeting = [await reconnected.receive_from()]
    while not await reconnected.receive_nothing(timeout=0.2):  # sent a message at a time
        greeting.append(await reconnected.receive_from())
    assert "6*7" in "".join(greeting)
    await reconnected.send_json_to(preview_frame("6*7", "k1"))
    assert await reconnected.receive_nothing()
    await reconnected.send_json_to(preview_frame("6*8", "k2"))
    assert "= 48" in await reconnected.receive_from()
    await reconnected.disconnect()


async def test_ans_and_variables_survive_a_reconnect(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    for line in ("r = 3", "2pi r^2"):
        await socket.send_json_to(submit_frame(line))
        await socket.receive_from()
    await socket.disconnect()

    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("ans / r"))
    assert outputs(await socket.receive_from()) == ["18.8495559215388"]
    await socket.disconnect()


async def test_failed_line_leaves_ans_unchanged(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    for line in ("5", "1/0", "ans + 1"):
        await socket.send_json_to(submit_frame(line))
        html = await socket.receive_from()
    assert outputs(html) == ["6"]
    await socket.disconnect()


async def test_two_tabs_of_one_session_both_get_the_entry(session_key):
    first = await open_socket(session_key)
    second = await open_socket(session_key)
    await first.receive_from()
    await second.receive_from()
    await first.send_json_to(submit_frame("x = 7"))
    await first.receive_from()
    broadcast = await second.receive_from()
    assert 'hx-swap-oob="beforeend:#transcript"' in broadcast
    assert outputs(broadcast) == ["7"]
    await second.send_json_to(submit_frame("x * 6"))
    assert outputs(await second.receive_from()) == ["42"]
    assert outputs(await first.receive_from()) == ["42"]
    assert await first.receive_nothing()
    await first.disconnect()
    await second.disconnect()


async def test_sessions_do_not_see_each_other(make_session_key):
    mine = await open_socket(await make_session_key())
    theirs_key = await make_session_key()
    theirs = await open_socket(theirs_key)
    await mine.receive_from()
    await theirs.receive_from()
    await mine.send_json_to(submit_frame("12345 + 1"))
    await mine.receive_from()
    assert await theirs.receive_nothing()
    await theirs.disconnect()
    theirs = await open_socket(theirs_key)
    assert "12346" not in await theirs.receive_from()
    await mine.disconnect()
    await theirs.disconnect()


async def test_recall_puts_an_entry_back_into_the_input(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("2^10"))
    entry_id = re.search(r'id="entry-(\d+)"', await socket.receive_from()).group(1)
    await socket.send_json_to({"recall": int(entry_id), "HEADERS": {"HX-Trigger": None}})
    html = await socket.receive_from()
    assert re.search(r'<input id="expression"[^>]*value="2\^10"', html)
    await socket.disconnect()


async def test_recall_cannot_read_another_sessions_entry(make_session_key):
    owner = await open_socket(await make_session_key())
    await owner.receive_from()
    await owner.send_json_to(submit_frame("secret = 42"))
    entry_id = re.search(r'id="entry-(\d+)"', await owner.receive_from()).group(1)
    intruder = await open_socket(await make_session_key())
    await intruder.receive_from()
    await intruder.send_json_to({"recall": entry_id})
    html = await intruder.receive_from()
    assert "secret" not in html
    assert "no longer exists" in html
    await owner.disconnect()
    await intruder.disconnect()


async def test_clear_empties_every_tab_and_resets_state(session_key):
    first = await open_socket(session_key)
    second = await open_socket(session_key)
    await first.receive_from()
    await second.receive_from()
    await first.send_json_to(submit_frame("z = 1"))
    await first.receive_from()
    await second.receive_from()
    await first.send_json_to(clear_frame())
    for socket in (first, second):
        html = await socket.receive_from()
        assert outputs(html) == []
        assert "transcript__empty" in html
    assert await count_rows(session_key) == 0
    await second.send_json_to(submit_frame("z"))
    assert "unknown name" in await second.receive_from()
    await first.disconnect()
    await second.disconnect()


async def test_socket_without_a_stored_session_is_told_to_reload(transactional_db):
    socket = await open_socket("madeupsessionkeythatisnotstored")
    html = await socket.receive_from()
    assert "session expired" in html
    assert re.search(r"<a href=\"/\">session expired: reload the page</a>", html)
    closed = await socket.receive_output()
    assert closed == {"type": "websocket.close", "code": 4401}


@override_settings(CALC_CONNECT_ENTRIES=120)  # all of them: tests/test_limits.py caps them
async def test_a_long_transcript_arrives_in_messages_the_server_may_send(session_key):
    """daphne's message limit applies to what it sends too: a transcript of long entries comes
    in several messages, each within budget, together holding every entry in order."""
    rows = [
        Calculation(
            owner=session_key, expression=f"{n} + " + "1+" * 400 + "1", display="1", value="1"
        )
        for n in range(120)
    ]
    await sync_to_async(Calculation.objects.bulk_create)(rows)
    socket = await open_socket(session_key)
    messages = [await socket.receive_from()]
    while not await socket.receive_nothing(timeout=0.2):
        messages.append(await socket.receive_from())
    assert len(messages) > 1
    assert all(len(message.encode()) <= render.MESSAGE_BUDGET_BYTES for message in messages)
    assert 'id="transcript"' in messages[0] and 'id="status"' in messages[0]
    assert all('hx-swap-oob="beforeend:#transcript"' in message for message in messages[1:])
    shown = [
        int(n) for n in re.findall(r'<code class="entry__expression">(\d+) \+ ', "".join(messages))
    ]
    assert shown == list(range(120))
    await socket.disconnect()


@pytest.mark.parametrize("expression", ["1+\ud800", "\x00"])
async def test_a_character_no_database_stores_is_an_error_entry_and_the_socket_serves_on(
    session_key, expression
):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame(expression))
    html = await socket.receive_from()
    assert "cannot be used" in html and "entry--error" in html
    await socket.send_json_to(submit_frame("2*3"))
    assert outputs(await socket.receive_from()) == ["6"]
    await socket.disconnect()


async def test_deeply_nested_json_is_refused_with_a_notice(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_to(text_data="[" * 1000 + "]" * 1000)
    assert "nested too deeply" in await socket.receive_from()
    await socket.send_json_to(submit_frame("1+1"))
    assert outputs(await socket.receive_from()) == ["2"]
    await socket.disconnect()


async def test_a_rendered_inputs_submit_is_applied_at_most_once(session_key):
    """Enter pressed three times on one input while offline: htmx queues three frames and sends
    them all on reconnect. One entry; the repeats change nothing (`ans` is still 4)."""
    socket = await open_socket(session_key)
    await socket.receive_from()
    for _ in range(3):
        await socket.send_json_to(submit_frame("2+2", field="k1"))
    assert outputs(await socket.receive_from()) == ["4"]
    for _ in range(2):
        assert outputs(await socket.receive_from()) == []
    await socket.send_json_to(submit_frame("ans+1", field="k2"))
    assert outputs(await socket.receive_from()) == ["5"]
    assert await count_rows(session_key) == 2
    # Another line from the same input (Enter came before the next input did) is a new submit.
    await socket.send_json_to(submit_frame("3+3", field="k2"))
    assert outputs(await socket.receive_from()) == ["6"]
    assert await count_rows(session_key) == 3
    await socket.disconnect()


async def test_the_same_line_from_two_inputs_is_two_entries(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    for field in ("k1", "k2"):
        await socket.send_json_to(submit_frame("1+1", field=field))
        assert outputs(await socket.receive_from()) == ["2"]
    assert await count_rows(session_key) == 2
    await socket.disconnect()


async def test_a_submit_seen_by_two_sockets_at_once_is_stored_once(session_key):
    """Two sockets (as two processes would) get the same queued frame: the database keeps one."""
    first, second = await open_socket(session_key), await open_socket(session_key)
    for socket in (first, second):
        await socket.receive_from()
    frame = submit_frame("6*7", field="k1")
    await asyncio.gather(first.send_json_to(frame), second.send_json_to(frame))
    for socket in (first, second):
        while not await socket.receive_nothing(timeout=0.3):
            await socket.receive_from()
    assert await count_rows(session_key) == 1
    await first.disconnect()
    await second.disconnect()


async def test_a_clear_shows_at_once_when_the_channel_layer_is_down(session_key, monkeypatch):
    import redis.exceptions
    from channels.layers import get_channel_layer

    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("1+1"))
    await socket.receive_from()

    async def unreachable(group, message):
        raise redis.exceptions.ConnectionError("Redis is down")

    monkeypatch.setattr(get_channel_layer(), "group_send", unreachable)
    await socket.send_json_to(clear_frame())
    html = await socket.receive_from()
    assert "transcript__empty" in html and 'id="clear"' in html
    await socket.send_json_to(submit_frame("2+2"))
    assert "other tabs will show it" in await socket.receive_from() + await socket.receive_from()
    await socket.disconnect()


async def test_a_tab_deletes_and_searches_only_its_own_session(session_key, make_session_key):
    victim = await make_session_key()
    other = await open_socket(victim)
    await other.receive_from()
    await other.send_json_to(submit_frame("secret = 42"))
    await other.receive_from()
    victim_id = await sync_to_async(lambda: Calculation.objects.get(owner=victim).pk)()
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to({"remove": str(victim_id), "HEADERS": {}})
    assert "no longer exists" in await socket.receive_from()
    await socket.send_json_to({"q": "secret", "HEADERS": {"HX-Trigger": "search"}})
    found = await socket.receive_from()
    assert "Nothing matches." in found and "secret = 42" not in found
    assert await count_rows(victim) == 1
    # The owner's own delete reaches its tab as the entry's removal.
    await other.send_json_to({"remove": str(victim_id), "HEADERS": {}})
    assert f'<li id="entry-{victim_id}" hx-swap-oob="delete">' in await other.receive_from()
    assert await count_rows(victim) == 0
    await socket.disconnect()
    await other.disconnect()


async def test_a_page_loaded_with_a_search_stays_filtered_on_connect(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    for line in ("sqrt(16)", "2+2"):
        await socket.send_json_to(submit_frame(line))
        await socket.receive_from()
    filtered = await open_socket(session_key, path="/ws/calc/?q=sqrt")
    await filtered.receive_from()  # the stored transcript and the status, then the search
    found = await filtered.receive_from()
    assert "sqrt(16)" in found and "2+2" not in found and "matching “sqrt”" in found
    await socket.disconnect()
    await filtered.disconnect()


async def test_clearing_hides_the_last_result_link(session_key):
    socket = await open_socket(session_key)
    await socket.receive_from()
    await socket.send_json_to(submit_frame("1+1"))
    assert 'href="#entry-' in await socket.receive_from()
    await socket.send_json_to(clear_frame())
    assert re.search(r'<a id="latest"[^>]* hidden>', await socket.receive_from())
    await socket.disconnect()


def angle_frame(mode: str) -> dict:
    """What the angle form's button sends."""
    return {
        "csrfmiddlewaretoken": "x",
        "angle": mode,
        "HEADERS": {"HX-Request": "true", "HX-Trigger": "angle-form"},
    }


async def test_the_angle_mode_is_switched_over_the_socket_kept_and_shared(session_key):
    first, second = await open_socket(session_key), await open_socket(session_key)
    for socket in (first, second):
        await socket.receive_from()
    await first.send_json_to(submit_frame("sin(30)"))
    assert outputs(await first.receive_from()) == ["-0.988031624092862"]
    await second.receive_from()  # the entry, fanned out

    await first.send_json_to(angle_frame("deg"))
    form = await first.receive_from()
    assert 'id="angle-form"' in form and "<strong>degrees</strong>" in form
    assert "<strong>degrees</strong>" in await second.receive_from()  # the other tab shows it
    await second.send_json_to(submit_frame("sin(30)"))
    html = await second.receive_from()
    assert outputs(html) == ["0.5"] and "sin(30°)" in html
    await first.disconnect()
    await second.disconnect()

    again = await open_socket(session_key)  # kept with the session
    await again.receive_from()
    await again.send_json_to(submit_frame("cos(60)"))
    assert outputs(await again.receive_from()) == ["0.5"]
    await again.disconnect()


@pytest.mark.parametrize("field", ["", "k1"])
async def test_a_line_the_database_did_not_store_comes_back_into_the_input(
    session_key, monkeypatch, field
):
    from calculator import services

    socket = await open_socket(session_key)
    await socket.receive_from()

    async def failing(row):
        raise RuntimeError("database is down")

    monkeypatch.setattr(services._group_commit, "save", failing)
    await socket.send_json_to(submit_frame("6*7", field=field))
    html = await socket.receive_from()
    assert 'value="6*7"' in html and "Not stored" in html
    assert field_token(html) == (field or field_token(html))  # its key again, or a fresh one
    assert await count_rows(session_key) == 0
    await socket.disconnect()
