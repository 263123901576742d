"""Errors: every failure is a CalcError subclass with a friendly message and the right span."""

import pytest

from calculator.engine import (
    AssignmentError,
    CalcError,
    DimensionError,
    LimitError,
    MathError,
    ParseError,
    Session,
    Span,
    UnknownNameError,
    evaluate,
)

CASES = [
    # (text, error type, span, message)
    ("1/0", MathError, (2, 3), "division by zero"),
    ("1/(x-x)", UnknownNameError, (3, 4), "unknown name 'x'"),
    ("2*(3-3)^-1", MathError, (2, 10), "division by zero (0 to a negative power)"),
    ("5 mod 0", MathError, (6, 7), "mod by zero is undefined"),
    ("sqrt(-1)", MathError, (0, 8), "sqrt of a negative number (-1) is not a real number"),
    ("√-4", MathError, (0, 3), "sqrt of a negative number (-4) is not a real number"),
    ("(2+3", ParseError, (4, 4), "missing )"),
    ("2 +", ParseError, (3, 3), "expected a number, name or ( after '+'"),
    ("2 + * 3", ParseError, (4, 5), "expected a number, name or ( after '+', not '*'"),
    ("$", ParseError, (0, 1), "unexpected character '$'"),
    ("", ParseError, (0, 0), "empty expression"),
    ("   ", ParseError, (0, 3), "empty expression"),
    ("2)", ParseError, (1, 2), "unmatched )"),
    ("(2 3)", ParseError, (3, 4), "missing operator between '2' and '3'"),
    (
        "5 % 3",
        ParseError,
        (4, 5),
        "missing operator between '%' and '3' (% means percent; use mod for a remainder)",
    ),
    ("foo", UnknownNameError, (0, 3), "unknown name 'foo' (did you mean foot?)"),
    ("pir", UnknownNameError, (0, 3), "unknown name 'pir' (did you mean pi?)"),
    ("2 + foo(3)", UnknownNameError, (4, 7), "unknown name 'foo' (did you mean foot?)"),
    ("zzyzx", UnknownNameError, (0, 5), "unknown name 'zzyzx'"),
    ("ans", UnknownNameError, (0, 3), "no previous answer yet (ans is the last result)"),
    ("log(1,2,3)", ParseError, (0, 10), "log takes 1 or 2 arguments, got 3"),
    ("sqrt(1, 2)", ParseError, (0, 10), "sqrt takes 1 argument, got 2"),
    ("atan2(1)", ParseError, (0, 8), "atan2 takes 2 arguments, got 1"),
    ("max()", ParseError, (0, 5), "max takes at least 1 argument, got 0"),
    ("sin 30", ParseError, (0, 3), "sin needs parentheses: sin(…)"),
    ("(-1)!", MathError, (0, 5), "factorial needs a non-negative integer"),
    ("2.5!", MathError, (0, 4), "factorial needs a non-negative integer"),
    ("factorial(-3)", MathError, (0, 13), "factorial needs a non-negative integer"),
    ("ln(0)", MathError, (0, 5), "ln of zero is undefined"),
    ("ln(-2)", MathError, (0, 6), "ln of a negative number (-2) is not a real number"),
    ("log(8, 1)", MathError, (0, 9), "log base must be positive and not 1, got 1"),
    ("asin(2)", MathError, (0, 7), "asin needs a value between -1 and 1, got 2"),
    ("tan(90deg)", MathError, (0, 10), "tan is undefined where cos is 0 (odd multiples of 90°)"),
    ("atan2(0, 0)", MathError, (0, 11), "atan2(0, 0) is undefined"),
    (
        "(-8)^(1/2)",
        MathError,
        (0, 10),
        "a negative number (-8) to a fractional power is not a real number",
    ),
    ("gcd(2.5, 5)", MathError, (0, 11), "gcd needs integers"),
    ("1/sin(pi)", MathError, (2, 9), "division by zero"),
    ("x = ", ParseError, (4, 4), "expected a number, name or ( after '='"),
    ("2x = 3", AssignmentError, (0, 2), "can only assign to a name, like x = 3"),
    ("x = y = 3", ParseError, (6, 7), "only one = is allowed in a line"),
    ("pi = 3", AssignmentError, (0, 2), "'pi' is a built-in constant and cannot be assigned"),
    ("e = 3", AssignmentError, (0, 1), "'e' is a built-in constant and cannot be assigned"),
    ("sin = 3", AssignmentError, (0, 3), "'sin' is a built-in function and cannot be assigned"),
    ("ans = 3", AssignmentError, (0, 3), "'ans' is reserved and cannot be assigned"),
    ("1, 2", ParseError, (1, 2), "unexpected ','"),
    ("1.2.3", ParseError, (0, 5), "malformed number '1.2.3'"),
    ("0xZZ", ParseError, (0, 4), "malformed number '0xZZ'"),
    ("2^2^2^2^2^2", LimitError, (0, 11), "result too large (beyond 1e+1,000,000,000,000,000)"),
    ("10^-10^20", LimitError, (0, 9), "result too small (below 1e-1,000,000,000,000,000)"),
    ("exp(10^20)", LimitError, (0, 10), "result too large (beyond 1e+1,000,000,000,000,000)"),
    # sinh and cosh of a large negative number are huge (they said "too small", from e^x)
    ("sinh(-3e15)", LimitError, (0, 11), "result too large (beyond 1e+1,000,000,000,000,000)"),
    ("cosh(-3e15)", LimitError, (0, 11), "result too large (beyond 1e+1,000,000,000,000,000)"),
    ("exp(-3e15)", LimitError, (0, 10), "result too small (below 1e-1,000,000,000,000,000)"),
    (
        "1e9999999999999999",
        LimitError,
        (0, 18),
        "number too large (beyond 1e±1,000,000,000,000,000)",
    ),
    ("(9^9^9)!", LimitError, (0, 8), "factorial argument too large (over 100,000,000,000,000)"),
    ("sin(10^300)", LimitError, (0, 11), "sin argument too large (beyond 1e250)"),
    ("round(1, 10^6)", LimitError, (0, 14), "round's number of digits must be at most 5,000"),
    (
        "1" * 1001,
        LimitError,
        (1000, 1001),
        "expression too long (1,001 characters; the limit is 1,000)",
    ),
    (
        "(" * 65 + "1" + ")" * 65,
        LimitError,
        (32, 33),
        "expression nested too deeply (more than 32 levels)",
    ),
]


@pytest.mark.parametrize(("text", "error_type", "span", "message"), CASES)
def test_errors(text, error_type, span, message):
    result = evaluate(text, Session())
    assert not result.ok
    assert result.value is None and result.display is None
    assert type(result.error) is error_type
    assert isinstance(result.error, CalcError)
    assert result.error.span == Span(*span)
    assert result.error.message == message


def test_interpretation_is_kept_when_evaluation_fails():
    result = evaluate("6/2(1+y)", Session())
    assert result.error.message == "unknown name 'y'"
    assert result.interpretation == "(6 / 2) × (1 + y)"
    assert result.interpretation_differs


def test_unknown_name_made_of_known_names_gets_a_hint():
    session = Session()
    evaluate("r = 2", session)
    assert evaluate("pir", session).error.message == (
        "unknown name 'pir' (for pi × r, write 'pi r')"
    )


UNIT_ERRORS = [
    # (text, error type, span, message): units, conversions, formats, and the hints of issue 13
    ("3 m + 2 s", DimensionError, (4, 5), "cannot add length and time"),
    ("1 m + 1 kg - 2", DimensionError, (4, 5), "cannot add length and mass"),
    ("3 m + 2", DimensionError, (4, 5), "cannot add length and a plain number"),
    ("1 h to km", DimensionError, (7, 9), "cannot convert time to length"),
    ("1 km to m/s", DimensionError, (8, 11), "cannot convert length to speed"),
    ("5 to m", DimensionError, (5, 6), "cannot convert a plain number to length"),
    (
        "20 °C + 10 °F",
        DimensionError,
        (6, 7),
        "add °C and °F: ambiguous for temperatures on an offset scale; convert both to one unit "
        "first (or use K)",
    ),
    (
        "20 °C * 2 m",
        DimensionError,
        (0, 11),
        "°C is a point on a scale: multiply or divide a temperature in K",
    ),
    ("sin(3 m)", DimensionError, (0, 8), "sin needs an angle or a plain number, not length"),
    ("ln(2 kg)", DimensionError, (0, 8), "ln needs a plain number, not mass"),
    ("2^(3 m)", DimensionError, (0, 7), "an exponent must be a plain number, not length"),
    ("3 m!", DimensionError, (0, 4), "factorial needs a plain number, not length"),
    (
        "sqrt(2 m)",
        DimensionError,
        (0, 9),
        "the root of a quantity in m has no unit (its powers are not multiples of 2)",
    ),
    ("1 m^13", LimitError, (2, 6), "unit powers beyond ±12 are not supported"),
    (
        "nthroot(3 km, 10^4999)",
        DimensionError,
        (0, 22),
        "the root of a quantity in km has no unit (its powers are not multiples of the degree)",
    ),
    ("2 m to kmh", UnknownNameError, (7, 10), "unknown unit 'kmh' (did you mean km/h?)"),
    ("5 kmh", UnknownNameError, (2, 5), "unknown name 'kmh' (did you mean km/h?)"),
    ("3 ft to inchs", UnknownNameError, (8, 13), "unknown unit 'inchs' (did you mean inches?)"),
    # A name that differs from a unit in case only is that unit, not two units run together.
    ("5 Kg", UnknownNameError, (2, 4), "unknown name 'Kg' (did you mean kg?)"),
    # Names run together split into short symbols only, with common prefixes.
    (
        "5 kilometerss",
        UnknownNameError,
        (2, 13),
        "unknown name 'kilometerss' (did you mean kilometers?)",
    ),
    ("2 mAh", UnknownNameError, (2, 5), "unknown name 'mAh' (did you mean mA·h?)"),
    ("4 sqm", UnknownNameError, (2, 5), "unknown name 'sqm'"),
    # Quantities one after another are a sum: of one kind only, the one that does not fit blamed.
    (
        "1 h 30 m",
        DimensionError,
        (4, 8),
        "cannot add time and length (m is the metre: write min for minutes)",
    ),
    # A dimension without a name of its own is written in base units, those it has only.
    ("1 Hz^2 to W", DimensionError, (10, 11), "cannot convert s^-2 to power"),
    ("1/m^2 + 1 s", DimensionError, (6, 7), "cannot add m^-2 and time"),
    ("1/0 m", MathError, (0, 5), "division by zero"),  # no fraction of a unit: divided as ever
    ("1 m^2 to ft in", DimensionError, (9, 14), "cannot convert area to length"),
    ("5 to h min", DimensionError, (5, 10), "cannot convert a plain number to time"),
    # C is the coulomb: a temperature target says how to write Celsius; F alone suggests °F.
    (
        "25 C to °F",
        DimensionError,
        (8, 10),
        "cannot convert charge to temperature (C is the coulomb: write °C or degC for degrees "
        "Celsius)",
    ),
    ("25 C to F", UnknownNameError, (8, 9), "unknown unit 'F' (did you mean °F?)"),
    # A number after a quantity is still a missing operator when no unit follows it.
    (
        "5 ft 11",
        ParseError,
        (5, 7),
        "missing operator between 'ft' and '11' (give 11 a unit too, as in 5 ft 11 in)",
    ),
    ("1 1/2", ParseError, (2, 3), "missing operator between '1' and '1'"),  # no unit: no fraction
    (
        "1 h 30 min 2",
        ParseError,
        (11, 12),
        "missing operator between 'min' and '2' (give 2 a unit too, as in 5 ft 11 in)",
    ),
    ("1 m to m/m", ParseError, (7, 10), "the units cancel: convert to a unit"),
    (
        "5 to",
        ParseError,
        (4, 4),
        "expected a unit or a format (hex, bin, oct, base N, frac, sci) after 'to'",
    ),
    (
        "5 to base 37",
        ParseError,
        (5, 12),
        "write the base as a whole number from 2 to 36: to base 7",
    ),
    ("0.5 to hex", MathError, (7, 10), "to hex shows integers only (0.5 is not one)"),
    ("2 m to hex", MathError, (7, 10), "to hex needs a plain number, not length"),
    (
        "sqrt(2) to frac",
        MathError,
        (11, 15),
        "1.4142135623731 is not exact (irrational or rounded): it has no exact fraction",
    ),
    ("10 of 80", ParseError, (3, 5), "'of' takes a percentage of what follows, as in 15% of 80"),
    ("to = 3", AssignmentError, (0, 2), "'to' is reserved and cannot be assigned"),
    ("acosh(0.5)", MathError, (0, 10), "acosh needs a value at least 1, got 0.5"),
    ("atanh(1)", MathError, (0, 8), "atanh needs a value strictly between -1 and 1, got 1"),
    (
        "nthroot(-16, 4)",
        MathError,
        (0, 15),
        "an even root of a negative number (-16) is not a real number",
    ),
    ("ncr(2, 5)", MathError, (0, 9), "ncr(n, k) needs integers with 0 <= k <= n"),
    # Issue 13, item 5: name the feature, point at the culprit, suggest the closest name.
    ("1,000 * 3", ParseError, (1, 2), "thousands separators are not used: write 1000 (or 1_000)"),
    (
        "1,000,000",
        ParseError,
        (1, 2),
        "thousands separators are not used: write 1000000 (or 1_000_000)",
    ),
    ("(1,000)", ParseError, (2, 3), "thousands separators are not used: write 1000 (or 1_000)"),
    ("1.5,000", ParseError, (3, 4), "unexpected ','"),
    (
        "e^(i pi)",
        UnknownNameError,
        (3, 4),
        "unknown name 'i': complex numbers are not supported (i is free for a variable)",
    ),
    ("sqr(2)", UnknownNameError, (0, 3), "unknown name 'sqr' (did you mean sqrt?)"),
    ("Sin(1)", UnknownNameError, (0, 3), "unknown name 'Sin' (did you mean sin?)"),
]


@pytest.mark.parametrize(("text", "error_type", "span", "message"), UNIT_ERRORS)
def test_unit_errors(text, error_type, span, message):
    result = evaluate(text, Session())
    assert not result.ok
    assert type(result.error) is error_type
    assert result.error.span == Span(*span)
    assert result.error.message == message
