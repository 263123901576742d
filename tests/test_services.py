"""The use cases shared by socket, views and CLI: evaluate, store, rebuild, batch."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from fractions import Fraction

import pytest
from asgiref.sync import sync_to_async

from calculator import services
from calculator.engine import Session
from calculator.models import Calculation

pytestmark = pytest.mark.django_db


def test_calculate_builds_an_unsaved_row_and_leaves_the_session_alone():
    session = Session()
    row, result = services.calculate("k", "x = 0.1 + 0.2", session)
    assert (row.display, row.value, row.assigned) == ("0.3", "frac:3/10", "x")
    assert row.pk is None
    assert session.variables == {} and session.ans is None
    services.remember(session, row)
    assert session.variables == {"x": Fraction(3, 10)} and session.ans == Fraction(3, 10)


def test_error_rows_keep_message_and_span_and_change_nothing():
    session = Session(ans=Decimal(5))
    row, _ = services.calculate("k", "2 + $", session)
    assert row.error == "unexpected character '$'"
    assert (row.error_start, row.error_end) == (4, 5)
    services.remember(session, row)
    assert session.ans == Decimal(5)
    marks = row.error_marks
    assert (marks.before, marks.marked, marks.after, marks.padding, marks.carets) == (
        "2 + ",
        "$",
        "",
        "    ",
        "^",
    )


def test_interpretation_is_kept_only_when_it_tells_something():
    session = Session()
    assert services.calculate("k", "1 + 2", session)[0].interpretation == ""
    assert services.calculate("k", "6/2(1+2)", session)[0].interpretation == "(6 / 2) × (1 + 2)"


def test_snapshot_rebuilds_variables_and_ans_from_rows():
    for line in ("x = 2", "y = 10", "x = 3", "1/0", "x * y"):
        services.submit("s1", line)
    services.submit("s2", "x = 99")
    snapshot = services.load_snapshot("s1")
    assert snapshot.session.variables == {"x": Decimal(3), "y": Decimal(10)}
    assert snapshot.session.ans == Decimal(30)
    assert [row.expression for row in snapshot.entries] == [
        "x = 2",
        "y = 10",
        "x = 3",
        "1/0",
        "x * y",
    ]


@pytest.mark.parametrize(
    ("line", "display", "value"),
    [
        ("x = 1/3", "0.333333333333333", Fraction(1, 3)),
        ("x = 2^100", "1267650600228229401496703205376", 2**100),
        ("x = sqrt(2)", "1.4142135623731", Decimal("1.414213562373095048801688724209698078570")),
    ],
)
def test_the_value_is_stored_losslessly_not_the_rounded_display(line, display, value):
    row = services.submit("s", line)
    assert row.display == display
    assert services.load_session("s").variables == {"x": value}
    assert type(services.load_session("s").variables["x"]) is type(value)


def test_a_row_stored_before_values_were_lossless_still_loads():
    Calculation.objects.create(owner="old", expression="x = 0.5", value="0.5", assigned="x")
    Calculation.objects.create(owner="old", expression="y = ?", value="#", assigned="y")
    session = services.load_session("old")
    assert session.variables == {"x": Fraction(1, 2)}


def test_snapshot_shows_the_newest_entries_and_counts_the_rest(monkeypatch):
    monkeypatch.setattr(services, "MAX_TRANSCRIPT_ENTRIES", 3)
    for n in range(5):
        services.submit("s", str(n))
    snapshot = services.load_snapshot("s")
    assert [row.display for row in snapshot.entries] == ["2", "3", "4"]
    assert snapshot.total == 5
    assert snapshot.session.ans == Decimal(4)


def test_clear_history_is_per_session_and_names_the_newest_row_it_deleted():
    first = services.submit("a", "1")
    services.submit("b", "2")
    second = services.submit("a", "3")
    assert services.clear_history("a") == second.pk > first.pk
    assert list(Calculation.objects.values_list("owner", flat=True)) == ["b"]
    assert services.clear_history("a") == 0


def test_find_expression_only_in_own_session():
    row = services.submit("a", "2^3")
    assert services.find_expression("a", row.pk) == "2^3"
    assert services.find_expression("b", row.pk) is None


def test_a_row_survives_a_channel_layer_message_whole():
    row = services.submit("a", "z = 6*7")
    message = row.to_message()
    assert all(isinstance(value, str | int | type(None)) for value in message.values())
    copy = Calculation.from_message(message)
    fields = [field.attname for field in Calculation._meta.concrete_fields]
    assert [getattr(copy, name) for name in fields] == [getattr(row, name) for name in fields]


@pytest.mark.parametrize(
    ("expression", "column"),
    [("1+\x00", 2), ("1+\ud800", 2), ("\udfff", 0), ("2*\x00\x00", 2)],
)
def test_characters_no_database_stores_are_refused_at_the_door(expression, column):
    row = services.submit("s", expression)
    assert row.pk and "cannot be used" in row.error
    assert (row.error_start, row.error_end) == (column, column + 1)
    assert "\x00" not in row.expression and "\ufffd" in row.expression


def test_tabs_apply_rows_in_stored_order_and_skip_what_they_show():
    tab, _ = services.open_tab("t")
    older, newer = services.submit("t", "x = 1"), services.submit("t", "x = 2")
    assert tab.receive(newer) and tab.session.variables == {"x": Decimal(2)}
    assert tab.receive(older)  # shown (it was not on screen), but it does not undo x = 2
    assert tab.session.variables == {"x": Decimal(2)}
    reopened, _ = services.open_tab("t")
    assert not reopened.receive(newer)


@pytest.mark.django_db(transaction=True)
async def test_concurrent_saves_share_transactions_and_all_get_ids(monkeypatch):
    from calculator import store

    batches = []
    insert = store.insert

    def recording_insert(rows):
        batches.append(len(rows))
        return insert(rows)

    monkeypatch.setattr(store, "insert", recording_insert)
    commit = store.GroupCommit()
    rows = [Calculation(owner="g", expression=str(n), display=str(n)) for n in range(200)]
    saved = await asyncio.gather(*(commit.save(row) for row in rows))
    assert all(row.pk for row in saved)
    assert len({row.pk for row in saved}) == 200
    assert await sync_to_async(Calculation.objects.filter(owner="g").count)() == 200
    stored = await sync_to_async(dict)(
        Calculation.objects.filter(owner="g").values_list("pk", "expression")
    )
    assert {row.pk: row.expression for row in saved} == stored
    assert sum(batches) == 200
    assert len(batches) <= 3  # the first row alone, then the rest that queued meanwhile


@pytest.mark.django_db(transaction=True)
async def test_one_row_the_database_refuses_fails_only_itself(monkeypatch):
    from calculator import store

    insert = store.insert

    def refuse_poison(rows):
        if any(row.expression == "poison" for row in rows):
            raise ValueError("refused by the database")
        return insert(rows)

    monkeypatch.setattr(store, "insert", refuse_poison)
    commit = store.GroupCommit()
    rows = [Calculation(owner="g", expression=text) for text in ("1", "poison", "2", "3")]
    outcomes = await asyncio.gather(*(commit.save(row) for row in rows), return_exceptions=True)
    assert [type(outcome).__name__ for outcome in outcomes] == [
        "Calculation",
        "ValueError",
        "Calculation",
        "Calculation",
    ]
    stored = await sync_to_async(list)(
        Calculation.objects.filter(owner="g").values_list("expression", flat=True)
    )
    assert sorted(stored) == ["1", "2", "3"]


def test_the_batch_insert_writes_every_field_the_model_has():
    """Its columns come from the model; this catches a field whose value needs preparing."""
    from calculator import store

    fields = [f for f in Calculation._meta.concrete_fields if not f.primary_key]
    row = Calculation(
        owner="k" * 40,
        expression="x = 1/3",
        display="0.333333333333333",
        value="1/3",
        assigned="x",
        interpretation="x = (1 / 3)",
        error="e",
        error_start=1,
        error_end=2,
        submit_key="k1",
        fingerprint="f1",
    )
    [stored] = store.insert([row])
    fresh = Calculation.objects.get(pk=stored.pk)
    assert [getattr(fresh, f.attname) for f in fields] == [getattr(row, f.attname) for f in fields]
    unset = [f.attname for f in fields if getattr(fresh, f.attname) in (None, "")]
    assert unset == [], "give the new field a value in this test"


@pytest.mark.parametrize(
    ("submits", "stored"),
    [
        ([("2+2", "k1"), ("2+2", "k1"), ("2+2", "k1")], ["2+2"]),  # Enter pressed three times
        ([("2+2", "k1"), ("2+3", "k1")], ["2+2", "2+3"]),  # another line from the same input
        ([("2+2", "k1"), ("2+2", "k2")], ["2+2", "2+2"]),  # the same line from two inputs
        ([("2+2", ""), ("2+2", "")], ["2+2", "2+2"]),  # no key (the CLI, an old page): no limit
    ],
)
def test_a_submit_is_stored_once_per_session(submits, stored):
    for expression, key in submits:
        services.submit_once("s", expression, key)
    services.submit_once("other", "2+2", "k1")  # keys belong to their session
    assert (
        list(Calculation.objects.filter(owner="s").values_list("expression", flat=True)) == stored
    )


def test_a_repeated_submit_gets_the_stored_row_back():
    first, new = services.submit_once("s", "x = 2", "k1")
    again, again_new = services.submit_once("s", "x = 2", "k1")
    assert (new, again_new, again.pk, again.display) == (True, False, first.pk, "2")


def test_the_database_refuses_a_second_row_for_a_key():
    """Two processes may both pass a look-up: the unique constraint is what holds."""
    from django.db import IntegrityError, transaction

    Calculation.objects.create(owner="s", expression="1", submit_key="k1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Calculation.objects.create(owner="s", expression="1", submit_key="k1")
    Calculation.objects.create(owner="s", expression="1")  # no key: no limit
    Calculation.objects.create(owner="s", expression="1")
