"""Parser: how each input is read, shown as the normalized interpretation."""

import pytest

from calculator.engine.interpret import interpret, interpretation_differs
from calculator.engine.parser import parse

CASES = [
    ("1 + 2 + 3", "1 + 2 + 3"),
    ("1+2*3", "1 + (2 × 3)"),
    ("1 - 2 - 3", "1 - 2 - 3"),
    ("6/2(1+2)", "(6 / 2) × (1 + 2)"),
    ("2/3/4", "(2 / 3) / 4"),
    ("2*3/4", "2 × 3 / 4"),
    ("-2^2", "-(2^2)"),
    ("(-2)^2", "(-2)^2"),
    ("2^3^2", "2^(3^2)"),
    ("2^-1", "2^-1"),
    ("2^-3^2", "2^(-(3^2))"),
    ("3!^2", "(3!)^2"),
    ("-3!", "-(3!)"),
    ("3!!", "(3!)!"),
    ("50%", "50%"),
    ("200*15%", "200 × 15%"),
    ("100!/98!", "100! / 98!"),
    ("2^3!", "2^(3!)"),
    ("2pi r^2", "2 × pi × (r^2)"),
    ("2 pi", "2 × pi"),
    ("pi r^2", "pi × (r^2)"),
    ("3(4+5)", "3 × (4 + 5)"),
    ("(1+2)(3+4)", "(1 + 2) × (3 + 4)"),
    ("2 sqrt(2)", "2 × sqrt(2)"),
    ("sin(30deg)", "sin(30 × deg)"),
    ("30 deg", "30 × deg"),
    ("60 km/h", "60 × km / h"),
    ("5 ft 11 in", "5 × ft + (11 × in)"),  # quantities one after another: their sum
    ("5 feet in meters", "5 × feet to meters"),  # `in` before a unit converts
    ("255 in hex", "255 to hex"),
    ("10 km / 20 km/h", "10 × km / (20 × km / h)"),  # joined units: one quantity
    ("10 km / 20 km / h", "(10 × km / (20 × km)) / h"),
    ("5 m²", "5 × (m^2)"),  # superscripts read as a power
    ("2⁻¹", "2^-1"),
    ("2/3 cup", "2/3 × cup"),  # a fraction of a unit
    ("2 / 3 cup", "2 / (3 × cup)"),
    ("1 1/2 cup", "1 1/2 × cup"),
    ("2 * 1 h 30 min", "2 × (1 × h + (30 × min))"),  # binding as one quantity does
    ("60 km/h to m/s", "60 × km / h to m/s"),
    ("60 km/h -> m / s", "60 × km / h to m/s"),
    ("5 kWh / 2 h", "5 × kWh / (2 × h)"),
    ("3 ft + 20 cm", "3 × ft + (20 × cm)"),
    ("9.81 m/s^2", "9.81 × m / (s^2)"),
    ("3 m^2 s", "3 × (m^2) × s"),
    ("x = 3 ft + 2 in to cm", "x = 3 × ft + (2 × in) to cm"),
    ("100 + 10%", "100 × (1 + 10%)"),
    ("1 + 2 - 10%", "(1 + 2) × (1 - 10%)"),
    ("15% of 80", "15% of 80"),
    ("255 to hex", "255 to hex"),
    ("2 min", "2 × min"),
    ("min(2, 3)", "min(2, 3)"),
    ("∛27", "∛27"),
    ("sin(30°)", "sin(30°)"),
    # A plain number given to sin, cos or tan is in radians, and the reading says so.
    ("sin(30)", "sin(30 rad)"),
    ("cos(pi/3)", "cos((pi / 3) rad)"),
    ("tan(-1)", "tan(-1 rad)"),
    ("sin(asin(1))", "sin(asin(1) rad)"),
    ("sin(x)", "sin(x)"),  # x may hold an angle (x = 30°)
    ("sin(2x)", "sin(2 × x)"),
    ("2 * 30 °", "2 × (30°)"),
    ("2x", "2 × x"),
    ("x y", "x × y"),
    ("x(1+2)", "x × (1 + 2)"),
    ("2e", "2 × e"),
    ("2√2", "2 × √2"),
    ("√4^2", "√(4^2)"),
    ("√√16", "√√16"),
    ("2πr", "2 × π × r"),
    ("1/2x", "(1 / 2) × x"),
    ("2^3x", "(2^3) × x"),
    ("-7 mod 3", "-7 mod 3"),
    ("x mod 3 * 2", "(x mod 3) × 2"),
    ("2**3", "2^3"),
    ("3 × 4 ÷ 2 − 1", "(3 × 4 / 2) - 1"),
    ("log(8, 2)", "log(8, 2)"),
    ("max(1, 2+3)", "max(1, 2 + 3)"),
    ("x = 2y + 1", "x = (2 × y) + 1"),
    ("((1))", "1"),
    ("-(-x)", "-(-x)"),
    ("--x", "--x"),
]


@pytest.mark.parametrize(("text", "interpretation"), CASES)
def test_interpretation(text, interpretation):
    assert interpret(parse(text)) == interpretation


@pytest.mark.parametrize(
    ("text", "differs"),
    [
        ("1 + 2 + 3", False),
        ("1+2+3", False),
        ("2*3", False),
        ("2**3", False),
        ("(1+2)", False),
        ("sqrt((4))", False),
        ("1+2*3", True),
        ("6/2(1+2)", True),
        ("-2^2", True),
        ("2pi", True),
        ("2 × 3 − x", True),
        ("3 ÷ 4 − 1 + x·2", True),
        ("2 × 3 ÷ x", False),
        ("sin(30)", True),
    ],
)
def test_interpretation_differs(text, differs):
    assert interpretation_differs(text, interpret(parse(text))) is differs
