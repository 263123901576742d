"""The unit table: every named unit with an exact scale (a rational times a power of pi) over the
SI base units, and compound units (`km/h`, `kg·m^2/s^2`) built, merged and named from it.

Scales are exact so that conversions are: 1 in is 2.54 cm, not 2.5399999. Only angles involve pi.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from .limits import MAX_UNIT_EXPONENT, MAX_UNIT_TERMS

# The base dimensions, each with its SI (or chosen) base unit: angle and data count as dimensions
# so that `30° + 1` and `1 GB + 1 m` are errors and `sin(30°)` knows its argument is in degrees.
BASE_UNITS = ("m", "kg", "s", "A", "K", "mol", "cd", "rad", "bit")
_DIMENSION_NAMES_1 = (
    "length",
    "mass",
    "time",
    "current",
    "temperature",
    "amount of substance",
    "luminous intensity",
    "angle",
    "data",
)
Dimension = tuple[int, ...]
DIMENSIONLESS: Dimension = (0,) * len(BASE_UNITS)


def dimension(spec: str) -> Dimension:
    """`"kg m^2 s^-2"` as a dimension vector."""
    exponents = [0] * len(BASE_UNITS)
    for part in spec.split():
        symbol, _, exponent = part.partition("^")
        exponents[BASE_UNITS.index(symbol)] += int(exponent or 1)
    return tuple(exponents)


# Names people know for compound dimensions; others are written in base units (`m^4`).
_DIMENSION_NAMES = {
    **{
        dimension(symbol): name for symbol, name in zip(BASE_UNITS, _DIMENSION_NAMES_1, strict=True)
    },
    DIMENSIONLESS: "number",
    dimension("m^2"): "area",
    dimension("m^3"): "volume",
    dimension("m s^-1"): "speed",
    dimension("m s^-2"): "acceleration",
    dimension("kg m s^-2"): "force",
    dimension("kg m^2 s^-2"): "energy",
    dimension("kg m^2 s^-3"): "power",
    dimension("kg m^-1 s^-2"): "pressure",
    dimension("s^-1"): "frequency",
    dimension("A s"): "charge",
    dimension("kg m^2 s^-3 A^-1"): "voltage",
    dimension("kg m^2 s^-3 A^-2"): "resistance",
    dimension("bit s^-1"): "data rate",
    dimension("rad s^-1"): "angular speed",
    dimension("kg m^-3"): "density",
}


def dimension_name(dim: Dimension) -> str:
    name = _DIMENSION_NAMES.get(dim)
    if name is not None:
        return name
    return format_terms(
        [(symbol, power) for symbol, power in zip(BASE_UNITS, dim, strict=True) if power]
    )


@dataclass(frozen=True, slots=True, eq=False)
class NamedUnit:
    """One spelling of a unit: `hr` and `h` are two, with the same `key` (they merge in products).

    A value v in this unit is (v + offset) · scale · pi^pi_power in base units; only °C and °F
    have an offset.
    """

    name: str
    key: str
    dimension: Dimension
    scale: Fraction
    pi_power: int = 0
    offset: Fraction = Fraction(0)
    description: str = ""
    prefixed: bool = False
    # A full name (`metre`, `kilometres`), not a symbol (`m`, `km`).
    spelled: bool = False


class Unit:
    """A compound unit: named units with integer exponents, in the order they were written.

    Built only through `unit()`, which interns them, so units compare and hash by identity.
    """

    __slots__ = ("terms", "dimension", "scale", "pi_power", "offset", "has_offset", "text")

    def __init__(self, terms: tuple[tuple[NamedUnit, int], ...]) -> None:
        self.terms = terms
        if len(terms) == 1 and terms[0][1] == 1:
            # One named unit as it is (every name's own unit, built at import): its values.
            named = terms[0][0]
            self.dimension, self.scale, self.pi_power = named.dimension, named.scale, named.pi_power
            self.offset, self.has_offset, self.text = named.offset, bool(named.offset), named.name
            return
        exponents = [0] * len(BASE_UNITS)
        scale = Fraction(1)
        pi_power = 0
        for named, power in terms:
            for index, exponent in enumerate(named.dimension):
                exponents[index] += exponent * power
            scale *= named.scale**power
            pi_power += named.pi_power * power
        self.dimension: Dimension = tuple(exponents)
        self.scale = scale
        self.pi_power = pi_power
        only = terms[0] if len(terms) == 1 else None
        self.offset = only[0].offset if only is not None and only[1] == 1 else Fraction(0)
        # A temperature on an offset scale (°C, °F), or a compound that contains one.
        self.has_offset = any(named.offset for named, _ in terms)
        self.text = format_terms([(named.name, power) for named, power in terms])

    def __repr__(self) -> str:
        return f"Unit({self.text!r})"


def format_terms(terms: list[tuple[str, int]]) -> str:
    """`km/h`, `kg·m^2/s^2`, `J/(kg·K)`, `s^-1`: positive powers over the negative ones."""

    def power(name: str, exponent: int) -> str:
        return name if exponent == 1 else f"{name}^{exponent}"

    above = "·".join(power(name, e) for name, e in terms if e > 0)
    if not above:
        return "·".join(power(name, e) for name, e in terms)
    below = [power(name, -e) for name, e in terms if e < 0]
    if not below:
        return above
    under = below[0] if len(below) == 1 else f"({'·'.join(below)})"
    return f"{above}/{under}"


@lru_cache(maxsize=4096)
def unit(terms: tuple[tuple[NamedUnit, int], ...]) -> Unit:
    """The interned compound unit of `terms` (each exponent non-zero and bounded)."""
    return Unit(terms)


class UnitError(ValueError):
    """A unit built beyond the limits (too many terms, too high a power)."""


def combine(a: Unit, b: Unit, sign: int) -> Unit | None:
    """a·b (sign 1) or a/b (sign -1), merged by unit (h·h = h^2, km/h·h = km); None if nothing
    is left."""
    return product_unit(a, b, sign)[0]


@lru_cache(maxsize=4096)
def product_unit(a: Unit, b: Unit, sign: int) -> tuple[Unit | None, bool]:
    """combine(a, b, sign) and whether a and b share a base dimension (so the product may
    simplify: kWh/h). Cached: a line multiplies the same few units again and again."""
    return _combine(a, b, sign), overlaps(a, b)


def _combine(a: Unit, b: Unit, sign: int) -> Unit | None:
    merged: dict[str, list] = {}
    for named, power in a.terms:
        merged[named.key] = [named, power]
    for named, power in b.terms:
        entry = merged.get(named.key)
        if entry is None:
            merged[named.key] = [named, sign * power]
        else:
            entry[1] += sign * power
    return _built([(named, power) for named, power in merged.values() if power])


@lru_cache(maxsize=4096)
def raised(a: Unit, exponent: int) -> Unit:
    """a^exponent for a non-zero integer exponent. Cached: `m^2` and `/s^2` recur in every line
    that writes them."""
    return _built([(named, power * exponent) for named, power in a.terms])


def _built(terms: list[tuple[NamedUnit, int]]) -> Unit | None:
    if not terms:
        return None
    if len(terms) > MAX_UNIT_TERMS:
        raise UnitError(f"a unit of more than {MAX_UNIT_TERMS} different units is not supported")
    if any(abs(power) > MAX_UNIT_EXPONENT for _, power in terms):
        raise UnitError(f"unit powers beyond ±{MAX_UNIT_EXPONENT} are not supported")
    return unit(tuple(terms))


def overlaps(a: Unit, b: Unit) -> bool:
    """Whether two units share a base dimension (so their product may simplify: kWh/h)."""
    return any(x and y for x, y in zip(a.dimension, b.dimension, strict=True))


# --- the table -------------------------------------------------------------------------------

_PREFIXES = [
    ("q", Fraction(1, 10**30), "quecto"),
    ("r", Fraction(1, 10**27), "ronto"),
    ("y", Fraction(1, 10**24), "yocto"),
    ("z", Fraction(1, 10**21), "zepto"),
    ("a", Fraction(1, 10**18), "atto"),
    ("f", Fraction(1, 10**15), "femto"),
    ("p", Fraction(1, 10**12), "pico"),
    ("n", Fraction(1, 10**9), "nano"),
    ("µ", Fraction(1, 10**6), "micro"),
    ("u", Fraction(1, 10**6), "micro"),
    ("m", Fraction(1, 10**3), "milli"),
    ("c", Fraction(1, 10**2), "centi"),
    ("d", Fraction(1, 10), "deci"),
    ("da", Fraction(10), "deca"),
    ("h", Fraction(100), "hecto"),
    ("k", Fraction(10**3), "kilo"),
    ("M", Fraction(10**6), "mega"),
    ("G", Fraction(10**9), "giga"),
    ("T", Fraction(10**12), "tera"),
    ("P", Fraction(10**15), "peta"),
    ("E", Fraction(10**18), "exa"),
    ("Z", Fraction(10**21), "zetta"),
    ("Y", Fraction(10**24), "yotta"),
    ("R", Fraction(10**27), "ronna"),
    ("Q", Fraction(10**30), "quetta"),
]
PREFIX_TEXT = "q r y z a f p n µ (or u) m c d da h k M G T P E Z Y R Q"

F = Fraction
_INCH = F("0.0254")
_FOOT = 12 * _INCH
_POUND = F("0.45359237")
_GALLON = 231 * _INCH**3
_STANDARD_GRAVITY = F("9.80665")
_DAY = F(86400)
_YEAR = F("365.2425") * _DAY
_HOUR = F(3600)
_KiB = 1024 * 8

# (group, spellings, dimension in base units, scale, pi power, offset, description, prefixable,
# full names)
_TABLE: list[tuple[str, tuple[str, ...], str, Fraction, int, Fraction, str, bool, tuple[str, ...]]]
_TABLE = []


def _define(
    group, names, spec, scale, description, pi_power=0, offset=0, prefixable=False, spelled=()
):
    """One unit: `names` are its symbols and short spellings (SI prefixes attach to them: km);
    `spelled` its full names, singular, each also taken in the plural and, for a prefixable unit,
    after a prefix's name (`kilometres`, `milliseconds`)."""
    _TABLE.append(
        (group, names, spec, F(scale), pi_power, F(offset), description, prefixable, spelled)
    )


# Full names without a plural of their own (2 hertz, 3 horsepower), or without one at all.
_SAME_IN_THE_PLURAL = frozenset(["hertz", "horsepower", "celsius", "fahrenheit"])


def plural(name: str) -> str | None:
    """`inch` -> `inches`, `metre` -> `metres`; None for a name the plural leaves alone."""
    if name in _SAME_IN_THE_PLURAL:
        return None
    return name + ("es" if name.endswith(("ch", "sh", "s", "x", "z")) else "s")


# Base and derived SI units: every SI prefix applies (km, mg, µs, kN, MJ, GW, hPa, kHz, mV, kΩ, mL).
_define("length", ("m",), "m", 1, "metre", prefixable=True, spelled=("metre", "meter"))
_define("mass", ("g",), "kg", F(1, 1000), "gram", prefixable=True, spelled=("gram",))
_define("time", ("s",), "s", 1, "second", prefixable=True, spelled=("second", "sec"))
_define("current", ("A",), "A", 1, "ampere", prefixable=True, spelled=("ampere", "amp"))
_define("temperature", ("K",), "K", 1, "kelvin", prefixable=True, spelled=("kelvin",))
_define("amount of substance", ("mol",), "mol", 1, "mole", prefixable=True, spelled=("mole",))
_define("luminous intensity", ("cd",), "cd", 1, "candela", prefixable=True, spelled=("candela",))
_define("force", ("N",), "kg m s^-2", 1, "newton", prefixable=True, spelled=("newton",))
_define("energy", ("J",), "kg m^2 s^-2", 1, "joule", prefixable=True, spelled=("joule",))
_define("power", ("W",), "kg m^2 s^-3", 1, "watt", prefixable=True, spelled=("watt",))
_define("pressure", ("Pa",), "kg m^-1 s^-2", 1, "pascal", prefixable=True, spelled=("pascal",))
_define("frequency", ("Hz",), "s^-1", 1, "hertz", prefixable=True, spelled=("hertz",))
_define("charge", ("C",), "A s", 1, "coulomb", prefixable=True, spelled=("coulomb",))
_define("voltage", ("V",), "kg m^2 s^-3 A^-1", 1, "volt", prefixable=True, spelled=("volt",))
_define("resistance", ("Ω", "ohm"), "kg m^2 s^-3 A^-2", 1, "ohm", prefixable=True, spelled=("ohm",))
_define(
    "volume", ("L", "l"), "m^3", F(1, 1000), "litre", prefixable=True, spelled=("litre", "liter")
)
_define(
    "energy",
    ("eV",),
    "kg m^2 s^-2",
    F("1.602176634e-19"),
    "electronvolt",
    prefixable=True,
    spelled=("electronvolt",),
)
_define("energy", ("Wh",), "kg m^2 s^-2", 3600, "watt-hour (kWh: kilowatt-hour)", prefixable=True)
# Time.
_define("time", ("min", "mins"), "s", 60, "minute", spelled=("minute",))
_define("time", ("h", "hr", "hour", "hrs"), "s", _HOUR, "hour", spelled=("hour",))
_define("time", ("d", "day"), "s", _DAY, "day", spelled=("day",))
_define("time", ("week",), "s", 7 * _DAY, "week", spelled=("week",))
_define(
    "time", ("year", "yr", "yrs"), "s", _YEAR, "Gregorian year, 365.2425 days", spelled=("year",)
)
_define("time", ("month",), "s", _YEAR / 12, "a twelfth of a year", spelled=("month",))
# Length, area, volume (US customary).
_define("length", ("in", "inch"), "m", _INCH, "inch, 2.54 cm", spelled=("inch",))
_define("length", ("ft", "foot", "feet"), "m", _FOOT, "foot, 12 in")
_define("length", ("yd",), "m", 3 * _FOOT, "yard, 3 ft", spelled=("yard",))
_define("length", ("mi", "mile"), "m", 5280 * _FOOT, "mile, 5280 ft", spelled=("mile",))
_define("length", ("nmi",), "m", 1852, "nautical mile")
_define("length", ("au", "AU"), "m", 149_597_870_700, "astronomical unit (IAU 2012)")
_define(
    "length",
    ("ly",),
    "m",
    F("365.25") * _DAY * 299_792_458,
    "light-year, a Julian year at the speed of light",
    spelled=("lightyear",),
)
_define(
    "length",
    ("pc",),
    "m",
    648_000 * 149_597_870_700,
    "parsec, 648000/π au (IAU 2015)",
    pi_power=-1,
    prefixable=True,
    spelled=("parsec",),
)
_define("area", ("ha",), "m^2", 10_000, "hectare", spelled=("hectare",))
_define(
    "area",
    ("acre",),
    "m^2",
    43_560 * _FOOT**2,
    "acre (international), 43,560 ft²",
    spelled=("acre",),
)
_define("volume", ("gal",), "m^3", _GALLON, "US gallon, 231 in³", spelled=("gallon",))
_define("volume", ("qt",), "m^3", _GALLON / 4, "US quart", spelled=("quart",))
_define("volume", ("pt",), "m^3", _GALLON / 8, "US pint", spelled=("pint",))
_define("volume", ("cup",), "m^3", _GALLON / 16, "US cup", spelled=("cup",))
_define("volume", ("floz",), "m^3", _GALLON / 128, "US fluid ounce")
_define("volume", ("tbsp",), "m^3", _GALLON / 256, "US tablespoon", spelled=("tablespoon",))
_define("volume", ("tsp",), "m^3", _GALLON / 768, "US teaspoon", spelled=("teaspoon",))
# Mass.
_define("mass", ("t", "tonne"), "kg", 1000, "tonne, 1000 kg", spelled=("tonne",))
_define("mass", ("lb", "lbs"), "kg", _POUND, "pound (avoirdupois)", spelled=("pound",))
_define("mass", ("oz",), "kg", _POUND / 16, "ounce (avoirdupois)", spelled=("ounce",))
_define("mass", ("st",), "kg", 14 * _POUND, "stone, 14 lb", spelled=("stone",))
# Speed.
_define("speed", ("mph",), "m s^-1", 5280 * _FOOT / _HOUR, "mile per hour")
_define(
    "speed",
    ("kn", "knot"),
    "m s^-1",
    F(1852) / _HOUR,
    "knot, a nautical mile per hour",
    spelled=("knot",),
)
_define("speed", ("kph",), "m s^-1", F(1000) / _HOUR, "kilometre per hour")
# Fuel economy: distance per volume (its inverse, L/100km, is not a unit conversion away).
_define("fuel economy", ("mpg",), "m^-2", 5280 * _FOOT / _GALLON, "miles per US gallon")
# Energy, power, pressure.
_define(
    "energy", ("cal",), "kg m^2 s^-2", F("4.184"), "calorie (thermochemical)", spelled=("calorie",)
)
_define(
    "energy",
    ("kcal",),
    "kg m^2 s^-2",
    4184,
    "kilocalorie (thermochemical)",
    spelled=("kilocalorie",),
)
_define("energy", ("BTU",), "kg m^2 s^-2", F("1055.05585262"), "British thermal unit (IT)")
_define(
    "power",
    ("hp",),
    "kg m^2 s^-3",
    550 * _FOOT * _POUND * _STANDARD_GRAVITY,
    "horsepower (mechanical), 550 ft·lbf/s",
    spelled=("horsepower",),
)
_define("pressure", ("bar",), "kg m^-1 s^-2", 100_000, "bar", spelled=("bar",))
_define(
    "pressure", ("atm",), "kg m^-1 s^-2", 101_325, "standard atmosphere", spelled=("atmosphere",)
)
_define(
    "pressure",
    ("psi",),
    "kg m^-1 s^-2",
    _POUND * _STANDARD_GRAVITY / _INCH**2,
    "pound-force per square inch",
)
_define("pressure", ("mmHg",), "kg m^-1 s^-2", F("133.322387415"), "millimetre of mercury")
# Data: decimal multiples of the byte, binary ones (KiB…), and of the bit.
_define("data", ("bit",), "bit", 1, "bit", spelled=("bit",))
_define("data", ("B", "byte"), "bit", 8, "byte, 8 bits", spelled=("byte",))
_DECIMAL = ("kilo", "mega", "giga", "tera", "peta")
_BINARY = ("kibi", "mebi", "gibi", "tebi", "pebi")
for _index, _letter in enumerate("kMGTP", start=1):
    _spelled = (f"{_DECIMAL[_index - 1]}byte",)
    _define(
        "data",
        (f"{_letter}B",),
        "bit",
        8 * 1000**_index,
        f"{1000**_index:,} bytes",
        spelled=_spelled,
    )
for _index, _letter in enumerate("KMGTP", start=1):
    _spelled = (f"{_BINARY[_index - 1]}byte",)
    _define(
        "data",
        (f"{_letter}iB",),
        "bit",
        8 * 1024**_index,
        f"{1024**_index:,} bytes",
        spelled=_spelled,
    )
for _index, _letter in enumerate("kMG", start=1):
    _spelled = (f"{_DECIMAL[_index - 1]}bit",)
    _define(
        "data", (f"{_letter}bit",), "bit", 1000**_index, f"{1000**_index:,} bits", spelled=_spelled
    )
# Angles: exact rationals times pi, so 1° is exactly 60 arcmin.
_define("angle", ("rad",), "rad", 1, "radian", spelled=("radian",))
_define(
    "angle", ("deg", "°"), "rad", F(1, 180), "degree, pi/180 rad", pi_power=1, spelled=("degree",)
)
_define(
    "angle",
    ("arcmin",),
    "rad",
    F(1, 10_800),
    "minute of arc, 1/60°",
    pi_power=1,
    spelled=("arcminute",),
)
_define(
    "angle",
    ("arcsec",),
    "rad",
    F(1, 648_000),
    "second of arc, 1/3600°",
    pi_power=1,
    spelled=("arcsecond",),
)
_define("angle", ("turn",), "rad", 2, "turn, 360°", pi_power=1, spelled=("turn",))
# Temperatures on offset scales: a value is a point on the scale (see README).
_define(
    "temperature",
    ("°C", "degC"),
    "K",
    1,
    "degree Celsius",
    offset=F("273.15"),
    spelled=("celsius",),
)
_define(
    "temperature",
    ("°F", "degF"),
    "K",
    F(5, 9),
    "degree Fahrenheit",
    offset=F("459.67"),
    spelled=("fahrenheit",),
)


def _build() -> tuple[dict[str, NamedUnit], list[tuple[str, list[tuple[str, str]]]]]:
    named: dict[str, NamedUnit] = {}
    groups: dict[str, list[tuple[str, str]]] = {}

    def add(
        name: str, key: str, spec: str, scale, pi_power, offset, description, prefixed, spelled
    ):
        if name in named:
            raise ValueError(f"unit {name!r} defined twice")
        named[name] = NamedUnit(
            name, key, dimension(spec), scale, pi_power, offset, description, prefixed, spelled
        )

    for group, names, spec, scale, pi_power, offset, description, prefixable, spelled in _TABLE:
        for name in names:
            add(name, names[0], spec, scale, pi_power, offset, description, False, False)
        for name in _full_names(spelled):
            if name not in named:  # `hour` is a symbol's spelling already
                add(name, names[0], spec, scale, pi_power, offset, description, False, True)
        usage = " ".join([*names, *(name for name in spelled if name not in names)])
        groups.setdefault(group, []).append(
            (usage, description + (" (SI prefixes apply)" if prefixable else ""))
        )
    for _, names, spec, scale, pi_power, offset, description, prefixable, spelled in _TABLE:
        if not prefixable:
            continue
        for prefix, factor, prefix_name in _PREFIXES:
            key = ("µ" if prefix == "u" else prefix) + names[0]
            meaning = f"{prefix_name}{description}"
            # Symbols take the prefix's symbol (km), full names its name (kilometre).
            for prefixed, full in [(prefix + name, False) for name in names] + [
                (prefix_name + name, True) for name in _full_names(spelled)
            ]:
                if prefixed in named:
                    continue  # kcal is its own entry; the table's names win over generated ones
                add(prefixed, key, spec, scale * factor, pi_power, offset, meaning, True, full)
    return named, list(groups.items())


def _full_names(spelled: tuple[str, ...]) -> list[str]:
    """Each full name and its plural: `metre metres meter meters`."""
    names = []
    for name in spelled:
        names.append(name)
        many = plural(name)
        if many is not None:
            names.append(many)
    return names


UNITS, UNIT_GROUPS = _build()
# Greek mu (U+03BC) is typed as often as the micro sign (U+00B5): the tokenizer maps it.
MICRO_SIGNS = str.maketrans({"μ": "µ"})
UNIT_NAMES = frozenset(UNITS)
TEMPERATURE_OFFSET_UNITS = frozenset(name for name, named in UNITS.items() if named.offset)


# Every named unit to the first power, built once: the parser and evaluator look them up by name.
SINGLE_UNITS = {name: unit(((named, 1),)) for name, named in UNITS.items()}


def single(name: str) -> Unit:
    """The unit of one named unit, to the first power."""
    return SINGLE_UNITS[name]


def _preferred_named() -> dict[tuple[Dimension, Fraction, int], Unit]:
    """(dimension, scale, pi power) -> the unit a simplified product is shown in: SI units and
    their prefixes first (kW before anything else of that power), then the rest of the table."""
    preferred: dict[tuple[Dimension, Fraction, int], Unit] = {}
    ordered = sorted(UNITS.values(), key=lambda n: (n.offset != 0, n.name != n.key, n.prefixed))
    for named in ordered:
        if named.offset or sum(map(abs, named.dimension)) == 0:
            continue
        preferred.setdefault((named.dimension, named.scale, named.pi_power), single(named.name))
    return preferred


PREFERRED = _preferred_named()
