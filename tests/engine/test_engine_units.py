"""Units and conversions: a table per unit family, every factor against pint, and the properties
conversions must keep (there and back is the identity, sums commute)."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache

import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.engine import (
    CalcError,
    DimensionError,
    ParseError,
    Quantity,
    Session,
    Span,
    display_stored,
    evaluate,
)
from calculator.engine.numbers import WORK_CONTEXT
from calculator.engine.quantities import add, convert
from calculator.engine.units import BASE_UNITS, UNITS, single

# (expression, display): each family's everyday conversions, as a person checks them by hand.
FAMILIES = {
    "length": [
        ("1 in to cm", "2.54 cm"),
        ("1 ft to m", "0.3048 m"),
        ("1 mi to km", "1.609344 km"),
        ("1 nmi to m", "1852 m"),
        ("1 au to km", "149597870.7 km"),
        ("1 ly to km", "9460730472580.8 km"),
        ("1 ly to au", "63241.0770842663 au"),
        ("4.2 lightyears to km", "39735067984839.36 km"),
        ("1 yd to in", "36 in"),
        ("3 ft + 20 cm", "3.65616797900262 ft"),
        ("5 feet + 1 foot", "6 feet"),
        ("1 km to mm", "1000000 mm"),
        ("1 µm to nm", "1000 nm"),
        ("1 um to μm", "1 µm"),
        ("1 dam to m", "10 m"),
        ("1 Qm to Rm", "1000 Rm"),
        ("3m", "3 m"),
    ],
    "fuel economy": [
        ("30 mpg to km/L", "12.7543112229082 km/L"),
        ("100 km / 8 L to mpg", "29.4018229166667 mpg"),
    ],
    "area and volume": [
        ("1 ha to m^2", "10000 m^2"),
        ("1 acre to m^2", "4046.8564224 m^2"),
        ("1 gal to L", "3.785411784 L"),
        ("1 gal to qt", "4 qt"),
        ("1 qt to pt", "2 pt"),
        ("1 pt to cup", "2 cup"),
        ("1 cup to floz", "8 floz"),
        ("1 floz to tbsp", "2 tbsp"),
        ("1 tbsp to tsp", "3 tsp"),
        ("1 L to cm^3", "1000 cm^3"),
        ("250 ml to L", "0.25 L"),
        ("2 m * 3 m", "6 m^2"),
        ("sqrt(16 m^2)", "4 m"),
        ("sqrt(1 ha)", "100 m"),
        ("(2 m)^3 to L", "8000 L"),
        ("3 ft * 2 m", "19.6850393700787 ft^2"),
        ("1 L / 1 m^2 to mm", "1 mm"),
    ],
    "time": [
        ("1 h to min", "60 min"),
        ("1 hr to s", "3600 s"),
        ("1 hour to min", "60 min"),
        ("1 day to h", "24 h"),
        ("1 d to h", "24 h"),
        ("1 week to d", "7 d"),
        ("1 year to d", "365.2425 d"),
        ("1 yr to month", "12 month"),
        ("1 month to d", "30.436875 d"),
        ("90 min to h", "1.5 h"),
        ("1 ms to µs", "1000 µs"),
        ("2 min + 30 s", "2.5 min"),
    ],
    "mass": [
        ("1 lb to kg", "0.45359237 kg"),
        ("1 lbs to oz", "16 oz"),
        ("1 st to lb", "14 lb"),
        ("1 t to kg", "1000 kg"),
        ("1 tonne to g", "1000000 g"),
        ("1 kg to lb", "2.20462262184878 lb"),
        ("500 mg to g", "0.5 g"),
    ],
    "speed": [
        ("60 km/h to m/s", "16.6666666666667 m/s"),
        ("1 mph to km/h", "1.609344 km/h"),
        ("1 kn to km/h", "1.852 km/h"),
        ("1 knot to m/s", "0.514444444444444 m/s"),
        ("100 kph to km/h", "100 km/h"),
        ("10 m/s to km/h", "36 km/h"),
        ("60 km/h * 2 h", "120 km"),
        ("100 km / 2 h", "50 km/h"),
        ("21 km/h * 30 min", "10.5 km"),
    ],
    "force, energy, power": [
        ("1 N * 1 m", "1 J"),
        ("1 kg*m^2/s^2 to J", "1 J"),
        ("1 kg*m^2/s^2", "1 kg·m^2/s^2"),
        ("5 kWh / 2 h", "2.5 kW"),
        ("100 W * 3 h", "300 Wh"),
        ("1 kWh to J", "3600000 J"),
        ("1 kWh to MJ", "3.6 MJ"),
        ("1 cal to J", "4.184 J"),
        ("1 kcal to cal", "1000 cal"),
        ("1 eV to J", "1.602176634e-19 J"),
        ("1 BTU to J", "1055.05585262 J"),
        ("1 hp to W", "745.69987158227022 W"),
        ("1 MeV to keV", "1000 keV"),
        ("9.81 m/s^2 * 2 kg to N", "19.62 N"),
    ],
    "pressure": [
        ("1 bar to Pa", "100000 Pa"),
        ("1 atm to kPa", "101.325 kPa"),
        ("1 atm to mmHg", "759.999891725611 mmHg"),
        ("1 psi to Pa", "6894.75729316836 Pa"),
        ("1013.25 hPa to atm", "1 atm"),
    ],
    "electric": [
        ("2 A * 3 s to C", "6 C"),
        ("5 V / 2 A to Ω", "2.5 Ω"),
        ("1 kohm to ohm", "1000 ohm"),
        ("1 kΩ to Ω", "1000 Ω"),
        ("1 k\u2126 to \u2126", "1000 Ω"),
        ("50 Hz * 1 min", "3000"),
        ("1 mol to mmol", "1000 mmol"),
        ("1 cd to mcd", "1000 mcd"),
    ],
    "data": [
        ("1 B to bit", "8 bit"),
        ("1 byte to bit", "8 bit"),
        ("1 kB to B", "1000 B"),
        ("1 MB to kB", "1000 kB"),
        ("1 GB to MB", "1000 MB"),
        ("1 TB to GB", "1000 GB"),
        ("1 PB to TB", "1000 TB"),
        ("1 KiB to B", "1024 B"),
        ("1 MiB to KiB", "1024 KiB"),
        ("1 GiB to MiB", "1024 MiB"),
        ("1 TiB to GiB", "1024 GiB"),
        ("1 PiB to TiB", "1024 TiB"),
        ("1 GiB to GB", "1.073741824 GB"),
        ("1 kbit to bit", "1000 bit"),
        ("1 Mbit to kbit", "1000 kbit"),
        ("1 Gbit to MB", "125 MB"),
        ("100 Mbit/s * 1 min to GB", "0.75 GB"),
    ],
    "angle": [
        ("sin(30°)", "0.5"),
        ("sin(30 deg)", "0.5"),
        ("cos(60°)", "0.5"),
        ("tan(45 deg)", "1"),
        ("1° to arcmin", "60 arcmin"),
        ("1 arcmin to arcsec", "60 arcsec"),
        ("1 turn to deg", "360 deg"),
        ("pi rad to deg", "180 deg"),
        ("180° to rad", "3.14159265358979 rad"),
        ("30°", "30°"),
        ("90° + 1 turn", "450°"),
        ("sin(pi rad / 6)", "0.5"),
    ],
    "temperature": [
        ("20 °C to °F", "68 °F"),
        ("100 °F to °C", "37.7777777777778 °C"),
        ("0 °C to K", "273.15 K"),
        ("0 K to °F", "-459.67 °F"),
        ("-40 degC to degF", "-40 degF"),
        ("300 K to °C", "26.85 °C"),
        ("20 °C + 5 °C", "25 °C"),
        ("30 °C - 20 °C", "10 °C"),
        ("2 * 20 °C", "40 °C"),
        ("1 mK to K", "0.001 K"),
    ],
    # Full names, singular or plural, shown as written; with a prefix's name on SI units. They
    # merge with their symbols (km and kilometre are one unit) and simplify as they do.
    "full names": [
        ("3 feet to meters", "0.9144 meters"),
        ("2 days to hours", "48 hours"),
        ("1 hour to minutes", "60 minutes"),
        ("2 hours + 30 minutes", "2.5 hours"),
        ("500 milliseconds + 1 sec", "1500 milliseconds"),
        ("5 secs to ms", "5000 ms"),
        ("60 kilometres/hour to metres/second", "16.6666666666667 metres/second"),
        ("3 inches to cm", "7.62 cm"),
        ("10 pounds to kilograms", "4.5359237 kilograms"),
        ("72 fahrenheit to celsius", "22.2222222222222 celsius"),
        ("sin(30 degrees)", "0.5"),
        ("1 gigabyte to megabytes", "1000 megabytes"),
        ("1 gibibyte to MiB", "1024 MiB"),
        ("1 km + 1 kilometre", "2 km"),
        ("1 kilometre * 1 km", "1 kilometre^2"),
        ("5 kilowatts * 2 hours", "10 kWh"),
        ("2 amps * 3 volts", "6 W"),
        ("1 megahertz to kHz", "1000 kHz"),
        ("1 horsepower to W", "745.69987158227022 W"),
        ("2 liters to millilitres", "2000 millilitres"),
        ("1 year to days", "365.2425 days"),
    ],
    # Quantities written one after another are their sum, as on a tape measure or a clock, in
    # the first one's unit; the sum binds as a measure does.
    "written one after another": [
        ("5 ft 11 in to cm", "180.34 cm"),
        ("1 h 30 min", "1.5 h"),
        ("1 h 30 min to min", "90 min"),
        ("1 d 2 h 30 min to h", "26.5 h"),
        ("2 lb 3 oz to kg", "0.992233309375 kg"),
        ("1 m 20 cm", "1.2 m"),
        ("5 ft 11.5 in to cm", "181.61 cm"),
        ("3 hours 15 minutes to hours", "3.25 hours"),
        ("2 * 5 ft 11 in", "11.8333333333333 ft"),
        ("1 h 30 min / 2 to min", "45 min"),
        ("1 m 20 cm + 5 mm", "1.205 m"),
    ],
    # `in` converts as `to` does when a unit or format follows it, at the top level; as a
    # number's first unit it is the inch.
    "in as a conversion": [
        ("5 feet in meters", "1.524 meters"),
        ("1 mile in km", "1.609344 km"),
        ("100 km/h in m/s", "27.7777777777778 m/s"),
        ("(1 mile / 30 s) in mph", "120 mph"),
        ("1 L in ml", "1000 ml"),
        ("sqrt(16 m^2) in cm", "400 cm"),
        ("x = 2 ft in cm", "60.96 cm"),
        ("255 in hex", "0xFF"),
        ("7 in base 2", "111 (base 2)"),
        ("2 in in cm", "5.08 cm"),
        ("5 ft 11 in in cm", "180.34 cm"),
        ("12 in to ft", "1 ft"),
        ("3 in", "3 in"),
        ("3 ft in", "0.25 ft^2"),  # nothing after it: the inch
        ("3 in m", "118.110236220472 in^2"),  # a number's first unit: the inch
        ("(5 ft in m) to L", "38.7096 L"),  # inside parentheses: the inch
    ],
    # Units joined by `/` or `*` without spaces are one unit of the quantity, so dividing by a
    # speed divides by the speed; with spaces, `/` divides left to right as everywhere.
    "units joined without spaces": [
        ("10 km / 20 km/h", "0.5 h"),
        ("100 km / 50 km/h to min", "120 min"),
        ("3.5 GB / 100 Mbit/s", "280 s"),
        ("10 m / 2 m/s", "5 s"),
        ("10 m / 2 m / s", "5 s^-1"),
        ("1 / 2 m/s", "0.5 s/m"),
        ("2 * 3 m/s", "6 m/s"),
        ("1 kg*m^2/s^2", "1 kg·m^2/s^2"),
        ("5 km/min(2, 3)", "2.5 km"),  # min( is the function
        ("2 m/s^-1", "2 m·s"),
    ],
    # Superscript digits are powers, as text copied from elsewhere writes them.
    "superscript powers": [
        ("5 m²", "5 m^2"),
        ("10 m³ to L", "10000 L"),
        ("3 m² to ft²", "32.2917312501292 ft^2"),
        ("1 m⁻¹", "1 m^-1"),
        ("sqrt(16 m²)", "4 m"),
        ("1 kg·m²/s² to J", "1 J"),
        ("2¹⁰", "1024"),
        ("(1+2)²", "9"),
    ],
    # An integer over an integer written without spaces, before a unit, is a fraction of it, as
    # recipes and rulers write it; with spaces, or without a unit, `/` divides as before.
    "fractions of a unit": [
        ("2/3 cup to tbsp", "10.6666666666667 tbsp"),
        ("1/2 h to min", "30 min"),
        ("3/4 in to mm", "19.05 mm"),
        ("1/2 m/s", "0.5 m/s"),
        ("-1/2 h", "-0.5 h"),
        ("1/2 cup 2 tbsp to tbsp", "10 tbsp"),
        ("2 / 3 cup", "0.666666666666667 cup^-1"),
        ("5 kWh / 2 h", "2.5 kW"),
        ("1/2 min(3, 4)", "1.5"),  # min( is the function
        ("6/2(1+2)", "9"),
        ("1 1/2 cup to mL", "354.88235475 mL"),  # a whole number and a fraction
        ("2 3/4 in to mm", "69.85 mm"),
        ("5 ft 1 1/2 in to cm", "156.21 cm"),
        ("1 cup 1/3 cup to mL", "315.450982 mL"),
        ("2 * 1 1/2 h", "3 h"),
    ],
    # Units side by side after `to`, all of one dimension, are a mixed display: whole parts but
    # the last, which takes the rest; the value stays in the first unit.
    "mixed units": [
        ("1.5 h to h min", "1 h 30 min"),
        ("90 min to h min", "1 h 30 min"),
        ("0.5 h to h min", "30 min"),  # leading zero parts are left out
        ("180 cm to ft in", "5 ft 10.8661417322835 in"),
        ("60 in to ft in", "5 ft 0 in"),
        ("3661 s to h min s", "1 h 1 min 1 s"),
        ("100000 s to d h min s", "1 d 3 h 46 min 40 s"),
        ("-1.5 h to h min", "-1 h 30 min"),
        ("2.5 turn to turn deg", "2 turn 180 deg"),
        ("sqrt(2) h to h min", "1 h 24.8528137423857 min"),
        ("(1 h - 1 ns) to h min s", "59 min 59.999999999 s"),
        ("1e400 s to h min", "2.77777777777778e+396 h"),  # too many parts to read: one unit
        ("5 N m to J", "5 J"),  # units of different dimensions are still their product
    ],
}
CASES = [(family, text, display) for family, rows in FAMILIES.items() for text, display in rows]


@pytest.mark.parametrize(("family", "text", "display"), CASES, ids=[c[1] for c in CASES])
def test_unit_families(family, text, display):
    result = evaluate(text, Session())
    assert result.ok, result.error
    assert result.display == display


FORMATS = [
    ("255 to hex", "0xFF"),
    ("-255 to hex", "-0xFF"),
    ("10 to bin", "0b1010"),
    ("8 to oct", "0o10"),
    ("255 -> hex", "0xFF"),
    ("255 → hex", "0xFF"),
    ("255 to base 16", "FF (base 16)"),
    ("35 to base 36", "Z (base 36)"),
    ("7^400 to base 7", "1" + "0" * 400 + " (base 7)"),
    ("0.75 to frac", "3/4"),
    ("1.5 to fraction", "3/2"),
    ("1/3 + 1/6 to frac", "1/2"),
    ("4 to frac", "4"),
    ("0.75 m to frac", "3/4 m"),
    ("123456 to sci", "1.23456e+5"),
    ("0.00012 to sci", "1.2e-4"),
    ("0 to sci", "0"),
    ("1 km to sci", "1e+0 km"),
]


@pytest.mark.parametrize(("text", "display"), FORMATS)
def test_formats(text, display):
    result = evaluate(text, Session())
    assert result.ok, result.error
    assert result.display == display


PERCENT_AND_FUNCTIONS = [
    ("100 + 10%", "110"),
    ("100 - 10%", "90"),
    ("200 * 15%", "30"),
    ("50%", "0.5"),
    ("15% of 80", "12"),
    ("3 m + 10%", "3.3 m"),
    ("asinh(0)", "0"),
    ("asinh(1)", "0.881373587019543"),
    ("asinh(-1e-20)", "-1e-20"),
    ("acosh(1)", "0"),
    ("acosh(2)", "1.31695789692482"),
    ("atanh(0.5)", "0.549306144334055"),
    ("sign(-3)", "-1"),
    ("sign(0)", "0"),
    ("sign(-2 m)", "-1"),
    ("nthroot(27, 3)", "3"),
    ("nthroot(-8, 3)", "-2"),
    ("nthroot(16 m^4, 4)", "2 m"),
    ("∛27", "3"),
    ("∛(27 m^3)", "3 m"),
    ("ncr(5, 2)", "10"),
    ("npr(5, 2)", "20"),
    ("ncr(100, 50)", "100891344545564193334812497256"),
    ("ncr(10^6, 5000)", "8.6525199225238e+13668"),
    ("floor(3.14159, 2)", "3.14"),
    ("ceil(3.14159, 2)", "3.15"),
    ("trunc(-3.14159, 3)", "-3.141"),
    ("floor(2.5 m)", "2 m"),
    ("round(2.54 cm, 1)", "2.5 cm"),
    ("abs(-3 ft)", "3 ft"),
    ("max(1 m, 90 cm)", "1 m"),
    ("min(1 m, 90 cm)", "0.9 m"),
    ("hypot(3 m, 400 cm)", "5 m"),
    ("arcsin(1)", "1.5707963267949"),
    ("arccos(1)", "0"),
    ("arctan(0)", "0"),
    ("2 ⋅ 3", "6"),
    ("2 min", "2 min"),
    ("min(2, 3)", "2"),
    ("1 km / 1 m", "1000"),
    ("1 km / 1 km", "1"),
]


@pytest.mark.parametrize(("text", "display"), PERCENT_AND_FUNCTIONS)
def test_percent_and_functions(text, display):
    result = evaluate(text, Session())
    assert result.ok, result.error
    assert result.display == display


# --- pint ------------------------------------------------------------------------------------


@cache
def registry() -> pint.UnitRegistry:
    """pint's registry with exact Fractions, built once and only when a pint test runs."""
    return pint.UnitRegistry(non_int_type=Fraction)


# Where pint spells a unit differently, or defines another one under our name.
PINT_NAMES = {
    "°": "degree",
    "deg": "degree",
    "year": "gregorian_year",  # pint's year is Julian (365.25 d); ours is Gregorian
    "yr": "gregorian_year",
    "yrs": "gregorian_year",
    "years": "gregorian_year",
    "BTU": "Btu_it",  # pint's BTU is the ISO one (1055.056 J); ours the International Table's
    "pt": "liquid_pint",  # pint's pt is the typographic point
    "floz": "fluid_ounce",
    "tbsp": "tablespoon",
    "tsp": "teaspoon",
    "st": "stone",
    "kn": "knot",
    "cal": "calorie",
    "kcal": "kilocalorie",
    "hr": "hour",
    "Ω": "ohm",
    "feet": "foot",
    "lbs": "lb",
    "mcd": "millicandela",  # pint reads mcd as mc (micro) + d (day)
    "amps": "ampere",  # pint reads amps as a (atto) + mps
    "AU": "au",
    "lightyears": "light_year",
}
# pint's acre is the US survey acre, its month a twelfth of the Julian year: compared with the
# definitions ours follow (the international foot, NIST 2023; the Gregorian year).
PINT_EXPRESSIONS = {
    "mpg": "mile / gallon",
    "acre": "43560 * international_foot ** 2",
    "acres": "43560 * international_foot ** 2",
    "month": "gregorian_year / 12",
    "months": "gregorian_year / 12",
}
PINT_BASES = {
    "meter": "m",
    "kilogram": "kg",
    "second": "s",
    "ampere": "A",
    "kelvin": "K",
    "mole": "mol",
    "candela": "cd",
    "radian": "rad",
    "bit": "bit",
}
PI_50_DIGITS = Fraction("3.1415926535897932384626433832795028841971693993751")


def _pint_base(name: str):
    if name in PINT_EXPRESSIONS:
        return registry().parse_expression(PINT_EXPRESSIONS[name]).to_base_units()
    return registry().Quantity(Fraction(1), PINT_NAMES.get(name, name)).to_base_units()


@pytest.mark.parametrize("name", sorted(UNITS))
def test_every_factor_matches_pint(name):
    named = UNITS[name]
    theirs = _pint_base(name)
    dimension = dict.fromkeys(BASE_UNITS, 0)
    for unit_name, power in theirs.unit_items():
        dimension[PINT_BASES[unit_name]] += power
    assert tuple(dimension.values()) == named.dimension
    if named.offset:
        return  # an offset scale: test_temperatures_match_pint
    ours = named.scale * PI_50_DIGITS**named.pi_power  # pint's pi: 50 digits
    if named.key.endswith("pc"):
        # pint's parsec is 1 au / tan(1″); the IAU's (2015 B2), ours, 648000/π au: 1 au over the
        # angle itself, not its tangent, which differ by (1″)²/3, about 8e-12.
        assert abs(Fraction(theirs.magnitude) / ours - 1) < Fraction(1, 10**11)
        return
    assert Fraction(theirs.magnitude) == ours


def test_the_parsec_is_the_iau_one():
    parsec, astronomical_unit = UNITS["pc"], UNITS["au"]
    assert (parsec.scale, parsec.pi_power) == (648_000 * astronomical_unit.scale, -1)
    assert UNITS["Mpc"].scale == 10**6 * parsec.scale
    assert evaluate("1 pc to ly").display == "3.26156377716743 ly"
    assert evaluate("1 pc to au").display == "206264.806247096 au"


@pytest.mark.parametrize("value", [-40, 0, 20, Fraction(3715, 100), 100, 1000])
@pytest.mark.parametrize(
    ("source", "target"), [("degC", "degF"), ("degF", "degC"), ("K", "degC"), ("degF", "K")]
)
def test_temperatures_match_pint(value, source, target):
    theirs = registry().Quantity(Fraction(value), source).to(target).magnitude
    with localcontext(WORK_CONTEXT):
        ours = convert(Quantity(value, single(source)), single(target)).magnitude
    assert Fraction(ours) == Fraction(theirs)


# --- properties ------------------------------------------------------------------------------

# Units grouped by (dimension, pi power): conversions inside a group are exact rationals.
GROUPS: dict[tuple, list[str]] = {}
for _name, _named in sorted(UNITS.items()):
    if not _named.offset:
        GROUPS.setdefault((_named.dimension, _named.pi_power), []).append(_name)
PAIRS = st.sampled_from(sorted(GROUPS.values())).flatmap(
    lambda names: st.tuples(st.sampled_from(names), st.sampled_from(names))
)
MAGNITUDES = st.one_of(
    st.integers(-(10**20), 10**20),
    st.fractions(max_denominator=10**12).filter(lambda f: abs(f) < 10**20),
)


def _exact(value: Fraction):
    return value.numerator if value.denominator == 1 else value


@settings(max_examples=300)
@given(MAGNITUDES, PAIRS)
def test_there_and_back_is_the_identity_exactly(magnitude, pair):
    source, target = single(pair[0]), single(pair[1])
    start = Quantity(_exact(Fraction(magnitude)), source)
    with localcontext(WORK_CONTEXT):
        back = convert(convert(start, target), source)
    assert back == start


@settings(max_examples=150)
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4), PAIRS)
def test_converting_a_line_and_back_returns_it(number, pair):
    a, u = pair
    session = Session()
    first = evaluate(f"({number}) {a}", session)
    assert first.ok, first.error
    assert evaluate(f"ans to {u}", session).ok
    back = evaluate(f"ans to {a}", session)
    assert back.ok, back.error
    assert back.number == first.number and back.display == first.display


@settings(max_examples=200)
@given(MAGNITUDES, MAGNITUDES, PAIRS)
def test_adding_in_either_order_gives_equal_quantities(x, y, pair):
    a = Quantity(_exact(Fraction(x)), single(pair[0]))
    b = Quantity(_exact(Fraction(y)), single(pair[1]))
    with localcontext(WORK_CONTEXT):
        left, right = add(a, b), add(b, a)
        assert convert(right, left.unit) == left


def test_offset_temperatures_are_points_and_round_trip():
    with localcontext(WORK_CONTEXT):
        start = Quantity(Fraction(3715, 100), single("°C"))
        there = convert(start, single("°F"))
        assert there.magnitude == Fraction(9887, 100)
        assert convert(there, single("°C")) == start


def test_angles_convert_through_pi_approximately():
    session = Session()
    assert evaluate("1 rad to deg", session).display == "57.2957795130823 deg"
    result = evaluate("ans to rad", session)
    assert result.ok
    assert abs(result.value - 1) < Decimal("1e-38")


# A measure's quantity is read by the parser when its units make one unit of magnitude 1
# (quantities.measure); the evaluator multiplies out the rest. Either way the value must be the
# one the quantity operators give for `number × unit × unit …`.
@pytest.mark.parametrize(
    ("text", "read_by_parser"),
    [
        ("60 km", True),
        ("9.81 m", True),
        ("3 m^2", True),
        ("5 N m", True),  # N·m is J: a named unit of the same scale, the magnitude unchanged
        ("2 kWh", True),
        ("100 °F", True),
        ("30°", True),
        ("1e-3000 m", True),
        ("7 kg m^2 s^-2", False),  # a signed exponent is an expression: the evaluator's
        ("1 m ft", False),  # ft folds into m: the magnitude changes
        ("1 km m^-1", False),
        ("5 °C m", False),  # an offset temperature cannot be multiplied: the evaluator says so
        ("5 °C^2", False),
        ("1 m^0", False),
        ("1 m^13", False),  # beyond MAX_UNIT_EXPONENT: the evaluator raises LimitError
        ("2 deg rad", False),  # deg folds into rad through pi
        # Units joined by `/` or `*` without spaces belong to the measure.
        ("60 km/h", True),
        ("9.81 m/s^2", True),
        ("1 kg*m^2/s^2", True),
        ("5 kWh/h", True),  # kWh/h is kW: a named unit of the same scale
        ("3 ft/m", False),  # dimensionless: a plain number
        ("20 °C/s", False),
    ],
)
def test_a_measure_read_by_the_parser_is_the_product_of_its_units(text, read_by_parser):
    from calculator.engine import nodes
    from calculator.engine.evaluator import evaluate_tree
    from calculator.engine.parser import parse

    measure = parse(text)
    assert type(measure) is nodes.Measure
    assert (measure.value is not None) == read_by_parser
    if read_by_parser:
        read, measure.value = measure.value, None
        with localcontext(WORK_CONTEXT):
            multiplied = evaluate_tree(measure, Session().lookup)
        assert type(multiplied) is Quantity
        assert multiplied.unit is read.unit
        assert type(multiplied.magnitude) is type(read.magnitude)
        assert multiplied.magnitude == read.magnitude


# A unit to a literal integer power (`s^2` in `9.81 m/s^2`) is read by the parser as well
# (nodes.UnitPower); whatever the power would raise, or an exponent that is not a whole literal,
# is left to the evaluator. Read or not, the value is the one the power operator gives.
@pytest.mark.parametrize(
    ("text", "kind", "read"),
    [
        ("s^2", "UnitPower", "1 s^2"),
        ("km^3", "UnitPower", "1 km^3"),
        ("m^1", "UnitPower", "1 m"),
        ("m^0", "UnitPower", "1"),
        ("°C^2", "UnitPower", None),  # an offset temperature to a power: DimensionError
        ("m^13", "UnitPower", None),  # beyond MAX_UNIT_EXPONENT: LimitError
        ("m^-2", "Power", None),  # a signed exponent is an expression
        ("m^2.5", "Power", None),
        ("m^x", "Power", None),
        ("m^2^2", "Power", None),
        ("m^2!", "Power", None),  # the exponent is 2!, not 2
        ("m^2%", "Power", None),
        ("2^3", "Power", None),
    ],
)
def test_a_unit_power_read_by_the_parser_is_the_power_of_its_unit(text, kind, read):
    from calculator.engine.evaluator import evaluate_tree
    from calculator.engine.formats import present_value
    from calculator.engine.parser import parse

    node = parse(text)
    assert type(node).__name__ == kind
    if kind == "Power":
        return
    lookup = Session({"x": 2}).lookup
    with localcontext(WORK_CONTEXT):
        assert (None if node.value is None else present_value(node.value)[0]) == read
        node.value = None  # what the power operator gives for it: the same value, or an error
        if read is None:
            with pytest.raises(CalcError):
                evaluate_tree(node, lookup)
        else:
            assert present_value(evaluate_tree(node, lookup))[0] == read


@pytest.mark.parametrize(
    ("line", "display", "shadowed"),
    [
        ("9.81 m/s^2 * 2 kg to N", "19.62 N", ()),
        ("9.81 m/s^2", "0.3924 m", ("s",)),  # the variable s = 5, not the second
    ],
)
def test_a_variable_named_like_a_unit_shadows_its_power(line, display, shadowed):
    session = Session()
    if shadowed:
        evaluate("s = 5", session)
    result = evaluate(line, session)
    assert (result.display, result.shadowed) == (display, shadowed)


# A target that runs to the end of its line is read once per text (parser._TARGET_UNITS): a later
# line with the same target gets the same unit and its own span, also in its errors; a target
# that stops before the end is not kept.
@pytest.mark.parametrize(
    ("first", "second", "display", "error", "span"),
    [
        ("60 km/h to m/s", "120 km/h to m/s", "33.3333333333333 m/s", None, (12, 15)),
        ("1 J to kg*m^2/s^2 ", "2 N m → kg*m^2/s^2 ", "2 kg·m^2/s^2", None, (8, 18)),
        ("1 m to km/h", "100 m to km/h", None, DimensionError, (9, 13)),
        ("1 m to km/h 3", "1 m to km/h 3", None, ParseError, (12, 13)),
    ],
)
def test_a_target_read_again_has_its_own_span(first, second, display, error, span):
    from calculator.engine.parser import parse

    evaluate(first)
    result = evaluate(second)
    assert (result.display, type(result.error) if error else None) == (display, error)
    if error:
        assert result.error.span == Span(*span)
    else:
        target = parse(second).target
        assert ((target.start, target.end), target.unit) == (span, parse(first).target.unit)


def test_a_mixed_display_keeps_the_value_in_its_first_unit():
    session = Session()
    assert evaluate("100 min to h min", session).display == "1 h 40 min"
    assert evaluate("ans", session).display == "1.66666666666667 h"


# A line converts once: a second `to` (or `->`, or `in` before a unit) is named as such, at its
# own columns, where it used to read as a unit called 'to' or as an unexpected word.
@pytest.mark.parametrize(
    ("line", "span"),
    [
        ("5 m to cm to mm", (10, 12)),
        ("5 m to km/h to mm", (12, 14)),
        ("5 m to cm -> mm", (10, 12)),
        ("255 to hex to bin", (11, 13)),
        ("5 ft in m to cm", (10, 12)),
        ("x = 5 m to cm to mm", (14, 16)),
        ("2 h to h min to s", (13, 15)),
    ],
)
def test_a_second_conversion_says_a_line_converts_once(line, span):
    result = evaluate(line)
    assert type(result.error) is ParseError
    assert result.error.message.startswith("one conversion per line")
    assert result.error.span == Span(*span)


@pytest.mark.parametrize(
    ("line", "span"),
    [("90 min to min h", (10, 15)), ("100 in to in ft", (10, 15)), ("5 m to cm in mm", (7, 15))],
)
def test_a_mixed_display_lists_its_units_from_the_largest(line, span):
    result = evaluate(line)
    assert type(result.error) is ParseError and "largest to the smallest" in result.error.message
    assert result.error.span == Span(*span)


def test_a_stored_mixed_display_in_another_order_is_still_shown():
    """Rows stored before the order was required keep their display."""
    assert display_stored("int:90;unit=min;fmt=mixed:min,h") == "90 min 0 h"


METRE_HINT = "(m is the metre: write min for minutes)"


# Errors that say what was probably meant: a quantity that does not fit a sum written without `+`
# is blamed whole (the caret was on its first digit), `m` after hours is the metre, and a
# format's name without its `to` says where it goes (it read as an unknown name, or `bars`).
@pytest.mark.parametrize(
    ("line", "message", "span"),
    [
        ("1 h 30 m", "cannot add time and length (m is the metre: write min for minutes)", (4, 8)),
        (
            "2 h + 30 m",
            "cannot add time and length (m is the metre: write min for minutes)",
            (4, 5),
        ),
        ("5 kg 3 m", "cannot add mass and length", (5, 8)),
        ("1 h 30 cm", "cannot add time and length", (4, 9)),
        ("3 m + 2 s", "cannot add length and time", (4, 5)),
        (
            "255 hex",
            "unknown name 'hex' (hex is a format: write it after 'to', as in 255 to hex)",
            (4, 7),
        ),
        (
            "0.75 frac",
            "unknown name 'frac' (frac is a format: write it after 'to', as in 0.75 to frac)",
            (5, 9),
        ),
        (
            "base",
            "unknown name 'base' (base is a format: write it after 'to', as in 255 to base 7)",
            (0, 4),
        ),
        (
            "1 h 30",
            "missing operator between 'h' and '30' (give 30 a unit too, as in 5 ft 11 in)",
            (4, 6),
        ),
        ("5 m/s 3", "missing operator between 's' and '3'", (6, 7)),
        (
            "255 base 7",
            "missing operator between 'base' and '7' (base is a format: write it after 'to', "
            "as in 255 to base 7)",
            (9, 10),
        ),
    ],
)
def test_errors_say_what_was_probably_meant(line, message, span):
    result = evaluate(line)
    assert (result.error.message, result.error.span) == (message, Span(*span))


def test_a_variable_named_like_a_format_is_still_a_variable():
    session = Session()
    evaluate("hex = 3", session)
    assert evaluate("2 hex", session).display == "6"


def test_the_metre_hint_is_not_given_when_m_is_a_variable():
    session = Session()
    evaluate("m = 2", session)
    result = evaluate("1 h 30 m", session)
    assert result.error.message == "cannot add time and a plain number"
    result = evaluate("d = 4 km", session)
    assert evaluate("2 h + d", session).error.message == "cannot add time and length"
