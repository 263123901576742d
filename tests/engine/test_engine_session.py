"""Sessions: variables, ans, failed lines that change nothing, and previews that commit nothing."""

from decimal import Decimal

from calculator.engine import Session, evaluate


def test_variables_and_ans():
    session = Session()
    result = evaluate("x = 3", session)
    assert (result.assigned, result.display, result.interpretation) == ("x", "3", "x = 3")
    assert session.variables == {"x": Decimal(3)}
    assert session.ans == Decimal(3)
    assert evaluate("x^2 + 1", session).display == "10"
    assert session.ans == Decimal(10)
    assert evaluate("ans * 2", session).display == "20"
    assert evaluate("2x", session).display == "6"
    assert evaluate("x y", session).error.message == "unknown name 'y'"


def test_a_failed_line_changes_nothing():
    session = Session()
    evaluate("x = 3", session)
    for text in ["x = 1/0", "y = foo", "1/0", "x = (", "$"]:
        assert not evaluate(text, session).ok
        assert session.variables == {"x": Decimal(3)}
        assert session.ans == Decimal(3)


def test_preview_does_not_commit():
    session = Session({"x": Decimal(2)}, ans=Decimal(5))
    preview = evaluate("y = x + ans", session, commit=False)
    assert preview.display == "7" and preview.assigned == "y"
    assert session.variables == {"x": Decimal(2)}
    assert session.ans == Decimal(5)


def test_exactness_survives_within_a_session():
    session = Session()
    evaluate("third = 1/3", session)
    assert evaluate("third * 3", session).display == "1"
    assert evaluate("floor(third * 3)", session).display == "1"


def test_a_session_rebuilt_from_stored_strings():
    first = Session()
    for line in ["a = 0.1", "b = 2^100", "c = 1/3", "d = sqrt(2)", "f = 9^9^9"]:
        evaluate(line, first)
    stored = {name: str(value) for name, value in first.variables.items()}
    rebuilt = Session(
        {name: Decimal(text) for name, text in stored.items()}, Decimal(str(first.ans))
    )
    assert evaluate("a + 0.2", rebuilt, commit=False).display == "0.3"
    assert evaluate("b + 1", rebuilt, commit=False).display == "1267650600228229401496703205377"
    assert evaluate("c * 3", rebuilt, commit=False).display == "1"
    assert evaluate("d^2", rebuilt, commit=False).display == "2"
    assert evaluate("ans", rebuilt).display == "4.28124773175747e+369693099"


def test_session_values_round_trip_through_str():
    session = Session()
    for line in ["1/3", "100!", "2^-30", "pi", "1000000!", "-0.5", "3^30000"]:
        result = evaluate(line, session)
        assert Decimal(str(result.value)) == result.value


def test_ans_is_the_assigned_value_and_fresh_sessions_are_independent():
    session = Session()
    evaluate("z = 4", session)
    assert session.ans == Decimal(4)
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
    assert result.reading is not None and result.reading._interpretation is None
    assert result.interpretation == "(6 / 2) × (1 + 2)"
    assert result.interpretation_differs is True


def test_tiny_sine_keeps_its_relative_precision():
    assert evaluate("sin(1e-30)", Session()).display == "1e-30"
