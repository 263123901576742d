"""Property tests: exact decimal arithmetic, displays that parse, and no input that escapes."""

from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calculator.engine import CalcError, Quantity, Session, evaluate

decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=6, min_value=-(10**12), max_value=10**12
)
TOKENS = [
    "1",
    "0",
    "2.5",
    "1e3",
    "x",
    "pi",
    "e",
    "sqrt",
    "sin",
    "log",
    "(",
    ")",
    "+",
    "-",
    "*",
    "/",
    "^",
    "**",
    "!",
    "%",
    "mod",
    ",",
    "=",
    "√",
    "π",
    " ",
    "9^9^9",
    "ans",
    ".",
    "deg",
    "km",
    "h",
    "m",
    "°C",
    "°F",
    " to ",
    "->",
    "hex",
    " of ",
    "frac",
    "base",
]


def _literal(value: Decimal) -> str:
    return f"({value})" if value < 0 else str(value)


@given(decimals, decimals)
def test_adding_then_subtracting_is_exact(a, b):
    result = evaluate(f"{_literal(a)} + {_literal(b)} - {_literal(b)}", Session())
    assert result.ok
    assert result.value == a


@given(decimals, decimals)
def test_sums_of_decimals_are_exact(a, b):
    assert evaluate(f"{_literal(a)} + {_literal(b)}", Session()).value == a + b


@settings(max_examples=300)
@given(
    st.one_of(decimals, st.integers(-(10**30), 10**30)),
    st.sampled_from(["", "/7", "*pi", "^3", "/3^40", "*10^400", "^0.5", "!"]),
)
def test_every_display_parses_and_values_round_trip(number, suffix):
    text = f"abs({number}){suffix}"
    result = evaluate(text, Session())
    if result.ok:
        Decimal(result.display)
        assert Decimal(str(result.value)) == result.value
        assert result.display != "-0"


def _check_answer(text: str) -> None:
    result = evaluate(text, Session())
    assert result.text == text
    if result.ok:
        shown = result.display
        if type(result.number) is Quantity:
            shown = shown.removesuffix(result.number.unit.text).rstrip()
        if result.format is None or result.format in ("frac", "sci"):
            Decimal(shown.split("/")[0] if result.format == "frac" else shown)
    else:
        assert isinstance(result.error, CalcError)
        assert 0 <= result.error.span.start <= result.error.span.end <= len(text)
        assert result.error.message


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_random_text_never_raises(text):
    _check_answer(text)


@settings(max_examples=500)
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_token_soup_never_raises(tokens):
    _check_answer("".join(tokens))


@given(st.from_regex(r"[0-9]{0,25}\.[0-9]{0,25}", fullmatch=True).filter(lambda t: t != "."))
def test_plain_decimal_literals_take_the_short_path_to_the_same_value(text):
    from calculator.engine.numbers import from_decimal, parse_literal

    assert parse_literal(text) == from_decimal(Decimal(text))


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-1000, max_value=1000))
def test_sine_and_cosine_agree_with_the_pythagorean_identity(x):
    session = Session()
    evaluate(f"x = {x}", session)
    result = evaluate("sin(x)^2 + cos(x)^2", session)
    assert result.ok and result.display == "1"


exact_terms = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.builds("{}/{}".format, st.integers(-999, 999), st.integers(1, 999)),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-1000, max_value=1000
    ).map(str),
    st.builds("{}^{}".format, st.integers(-9, 9), st.integers(-5, 5)),
)
operators = st.sampled_from(["+", "-", "*", "/", "mod", "^"])


def _outcome(result):
    return (True, result.display) if result.ok else (False, result.error.message)


@settings(max_examples=300)
@given(exact_terms, operators, exact_terms)
def test_a_value_kept_between_lines_is_as_exact_as_one_line(a, op, b):
    """`x = a` then `x op b` answers as `(a) op b`, also after the session is stored and loaded."""
    from calculator.engine import dump_value, load_value

    one_line = evaluate(f"({a}) {op} ({b})", Session())
    session = Session()
    if not evaluate(f"x = {a}", session).ok:
        return
    assert _outcome(evaluate(f"x {op} ({b})", session, commit=False)) == _outcome(one_line)
    assert _outcome(evaluate(f"ans {op} ({b})", session, commit=False)) == _outcome(one_line)
    restarted = Session(
        {"x": load_value(dump_value(session.variables["x"]))}, load_value(dump_value(session.ans))
    )
    assert _outcome(evaluate(f"x {op} ({b})", restarted, commit=False)) == _outcome(one_line)


@settings(max_examples=500)
@given(st.integers(-(10**40), 10**40).filter(bool), st.integers(0, 60), st.integers(0, 30))
def test_a_terminating_fraction_is_shown_as_its_exact_decimal(numerator, twos, fives):
    """present()'s short path writes a fraction's digits out itself: the display and Decimal
    (to its exponent) that formatting the exact Decimal gives."""
    from fractions import Fraction

    from calculator.engine.numbers import (
        _EXACT_CONTEXT,
        _SHORT_EXPANSION_BITS,
        _expansion,
        _format_decimal,
        present,
    )

    value = Fraction(numerator, 2**twos * 5**fives)
    assume(value.denominator > 1)  # a whole number is shown as one
    coefficient, places = _expansion(value)
    assume(coefficient.bit_length() <= _SHORT_EXPANSION_BITS)  # the short path's share
    exact = Decimal(coefficient).scaleb(-places, _EXACT_CONTEXT)
    assert exact == _EXACT_CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))
    display, decimal = present(value)
    assert (display, decimal.as_tuple()) == (_format_decimal(exact, exact=True), exact.as_tuple())
