"""Sessions: variables, ans, failed lines that change nothing, previews that commit nothing, and
exact values that survive being stored and rebuilt (issue 11 bug 1)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from calculator.engine import Session, dump_value, evaluate, load_value


def test_variables_and_ans():
    session = Session()
    result = evaluate("x = 3", session)
    assert (result.assigned, result.display, result.interpretation) == ("x", "3", "x = 3")
    assert session.variables == {"x": 3}
    assert session.ans == 3
    assert evaluate("x^2 + 1", session).display == "10"
    assert session.ans == 10
    assert evaluate("ans * 2", session).display == "20"
    assert evaluate("2x", session).display == "6"
    assert evaluate("x y", session).error.message == "unknown name 'y'"


def test_a_failed_line_changes_nothing():
    session = Session()
    evaluate("x = 3", session)
    for text in ["x = 1/0", "y = foo", "1/0", "x = (", "$"]:
        assert not evaluate(text, session).ok
        assert session.variables == {"x": 3}
        assert session.ans == 3


def test_preview_does_not_commit():
    session = Session({"x": 2}, ans=5)
    preview = evaluate("y = x + ans", session, commit=False)
    assert preview.display == "7" and preview.assigned == "y"
    assert session.variables == {"x": 2}
    assert session.ans == 5


def test_the_session_holds_the_exact_value_itself():
    session = Session()
    result = evaluate("third = 1/3", session)
    assert session.variables["third"] is result.number
    assert result.number == Fraction(1, 3) and session.ans == Fraction(1, 3)
    assert evaluate("third * 3", session).display == "1"
    assert evaluate("floor(third * 3)", session).display == "1"


# (lines typed one by one, then a line whose answer needs the earlier ones exactly)
ACROSS_LINES = [
    (["x = 1/3"], "x*3 mod 1", "0"),
    (["x = 1/3"], "floor(x*3)", "1"),
    (["x = 0.1", "y = 0.2"], "x + y - 0.3", "0"),
    (["x = 2^100"], "x + 1", "1267650600228229401496703205377"),
    (["x = 10^40 + 1"], "x - 10^40", "1"),
    (["1/7"], "ans * 7 mod 1", "0"),
    (["x = 2/3", "y = x^2"], "y * 9", "4"),
    (["x = sqrt(2)"], "x^2", "2"),
    (["x = 9^9^9"], "x / 9^9^9", "1"),
]


@pytest.mark.parametrize(("lines", "text", "display"), ACROSS_LINES)
def test_exactness_survives_between_lines_and_a_restart(lines, text, display):
    session = Session()
    for line in lines:
        assert evaluate(line, session).ok
    assert evaluate(text, session, commit=False).display == display
    # A restart: the values as stored, then loaded into a fresh session.
    rebuilt = Session(
        {name: load_value(dump_value(value)) for name, value in session.variables.items()},
        load_value(dump_value(session.ans)),
    )
    assert evaluate(text, rebuilt, commit=False).display == display


def test_a_session_rebuilt_from_legacy_decimal_strings():
    # Rows stored before the codec hold str(Decimal); they load as before (1/3 as 40 digits).
    legacy = {
        "a": "0.1",
        "b": "1267650600228229401496703205376",
        "c": "0.3333333333333333333333333333333333333333",
        "d": "1.414213562373095048801688724209698078570",
        "f": "4.281247731757470480369871455887567764753E+369693099",
    }  # noqa: E501
    rebuilt = Session({name: load_value(text) for name, text in legacy.items()}, load_value("5"))
    assert evaluate("a + 0.2", rebuilt, commit=False).display == "0.3"
    assert evaluate("b + 1", rebuilt, commit=False).display == "1267650600228229401496703205377"
    assert evaluate("c * 3", rebuilt, commit=False).display == "1"
    assert evaluate("d^2", rebuilt, commit=False).display == "2"
    assert evaluate("f", rebuilt, commit=False).display == "4.28124773175747e+369693099"
    assert evaluate("ans", rebuilt).display == "5"


@pytest.mark.parametrize(
    "line", ["1/3", "100!", "2^-30", "pi", "1000000!", "-0.5", "3^30000", "3^20000/2^33000"]
)
def test_results_carry_their_stored_text_and_a_decimal_that_round_trips(line):
    result = evaluate(line, Session())
    assert load_value(result.stored) == result.number
    assert type(load_value(result.stored)) is type(result.number)
    assert Decimal(str(result.value)) == result.value


def test_ans_is_the_assigned_value_and_fresh_sessions_are_independent():
    session = Session()
    evaluate("z = 4", session)
    assert session.ans == 4
    assert Session().variables == {}
    assert evaluate("ans", Session()).error.message.startswith("no previous answer")


def test_implicit_multiplication_with_variables():
    session = Session()
    evaluate("r = 2", session)
    assert evaluate("pi r^2", session).display == "12.5663706143592"
    assert evaluate("2pi r", session).display == "12.5663706143592"
    assert evaluate("2r", session).display == "4"
    assert evaluate("r(r+1)", session).display == "6"


def test_interpretation_is_computed_when_first_read():
    result = evaluate("6/2(1+2)", Session())
    assert result.reading is not None and result.reading._interpretations == {}
    assert result.interpretation == "(6 / 2) × (1 + 2)"
    assert result.interpretation_differs is True


@pytest.mark.parametrize(
    ("line", "degrees", "display", "reading"),
    [
        ("sin(30)", False, "-0.988031624092862", "sin(30 rad)"),
        ("sin(30)", True, "0.5", "sin(30°)"),
        ("cos(60) + tan(45)", True, "1.5", "cos(60°) + tan(45°)"),
        ("sin(30°)", False, "0.5", "sin(30°)"),
        ("sin(pi rad)", True, "0", "sin(pi × rad)"),  # a unit says what it is in either mode
        ("asin(1)", True, "1.5707963267949", "asin(1)"),  # inverse functions answer in radians
    ],
)
def test_a_session_reads_plain_angles_in_its_angle_mode(line, degrees, display, reading):
    result = evaluate(line, Session(degrees=degrees))
    assert (result.display, result.interpretation) == (display, reading)


def test_the_same_line_reads_differently_in_each_mode_from_one_parse():
    radians = evaluate("sin(90)", Session())
    degrees = evaluate("sin(90)", Session(degrees=True))
    assert radians.reading is degrees.reading  # one cached parse serves both
    assert (radians.interpretation, degrees.interpretation) == ("sin(90 rad)", "sin(90°)")


def test_tiny_sine_keeps_its_relative_precision():
    assert evaluate("sin(1e-30)", Session()).display == "1e-30"


def test_a_failed_line_has_no_number():
    result = evaluate("1/0", Session())
    assert (result.number, result.stored, result.value) == (None, None, None)
