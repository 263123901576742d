"""Quantities and formats everywhere the engine shows: stored rows keep value, unit and format;
variables hold quantities across reloads and restarts; the CLI prints the same text."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from calculator import services
from calculator.engine import Quantity, Session, display_stored, evaluate, load_value
from calculator.engine.units import single

pytestmark = pytest.mark.django_db


def test_a_variable_holds_a_quantity_across_a_restart():
    first = services.submit("k", "d = 42 km")
    assert (first.display, first.value, first.assigned) == ("42 km", "int:42;unit=km", "d")
    # A new process: the session is rebuilt from the stored rows alone.
    snapshot = services.load_snapshot("k")
    assert snapshot.session.variables == {"d": Quantity(42, single("km"))}
    row = services.submit("k", "d / 2 h to km/h")
    assert (row.display, row.value) == ("21 km/h", "int:21;unit=km*h^-1")
    assert services.load_session("k").ans == load_value("int:21;unit=km*h^-1")
    assert services.submit("k", "ans * 30 min").display == "10.5 km"


ROWS = [
    ("60 km/h to m/s", "16.6666666666667 m/s", "frac:50/3;unit=m*s^-1"),
    ("255 to hex", "0xFF", "int:255;fmt=hex"),
    ("255 to base 7", "513 (base 7)", "int:255;fmt=base7"),
    ("0.75 to frac", "3/4", "frac:3/4;fmt=frac"),
    ("123456 to sci", "1.23456e+5", "int:123456;fmt=sci"),
    ("1 km to sci", "1e+0 km", "int:1;unit=km;fmt=sci"),
    ("20 °C to °F", "68 °F", "int:68;unit=°F"),
    ("sin(30°)", "0.5", "approx:0.5000000000000000000000000000000000000000"),
    ("30°", "30°", "int:30;unit=°"),
    ("1 kg*m^2/s^2", "1 kg·m^2/s^2", "int:1;unit=kg*m^2*s^-2"),
]


@pytest.mark.parametrize(("expression", "display", "value"), ROWS)
def test_rows_keep_value_unit_and_format(expression, display, value):
    row = services.submit("k", expression)
    assert (row.display, row.value) == (display, value)
    # The stored text alone gives the display back, and the value for the next line.
    assert display_stored(row.value) == display
    session = Session(ans=load_value(row.value))
    assert evaluate("ans", session).display == evaluate(expression, Session()).display.replace(
        display, display_stored(value.split(";fmt=")[0])
    )


def test_a_formatted_answer_is_a_number_again_on_the_next_line():
    services.submit("k", "255 to hex")
    assert services.submit("k", "ans + 1").display == "256"


def test_calc_command_prints_units():
    out = io.StringIO()
    call_command("calc", "60 km/h to m/s", "d = 42 km", "d / 2 h to km/h", "255 to hex", stdout=out)
    assert out.getvalue().splitlines() == ["16.6666666666667 m/s", "42 km", "21 km/h", "0xFF"]


def test_a_variable_named_like_a_unit_shadows_it_and_the_reading_says_so():
    services.submit("k", "m = 5")
    row = services.submit("k", "2 m")
    assert row.display == "10"
    assert row.interpretation == "2 × m   (m is your variable, not the unit)"
    assert services.submit("k", "3 km to m").display == "3000 m"  # a target is always a unit
