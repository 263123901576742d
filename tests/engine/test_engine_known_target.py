"""A line whose target is known by its text (`to m`, `to hex`, a `to km/h` read before) is parsed
up to its ` to ` only: the tree, its spans and the unit names must be what the whole line's parse
gives, for any text before and after the ` to `."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.engine import CalcError, Session, evaluate
from calculator.engine import parser as parser_module
from calculator.engine.formats import FORMAT_NAMES
from calculator.engine.parser import _Parser, parse_line
from calculator.engine.tokenizer import scan
from calculator.engine.tokens import TokenKind
from calculator.engine.units import UNIT_NAMES

from .test_engine_properties import TOKENS

# Targets the first parse of a line learns (_TARGET_UNITS) and single names known at once.
TARGETS = [
    "m",
    "km/h",
    "m/s",
    "N",
    "hex",
    "frac",
    "in",
    "h min",
    "kg*m^2/s^2",
    "cm ",
    "°C",
    "to",
    "km/h to m",
    "m to km/h",
]
# What may come before ` to `: the property tests' tokens, and what joins a target or a unit.
HEADS = [
    *TOKENS,
    "2.5",
    "d",
    "in",
    "ft",
    "3 ft",
    "sqrt(",
    "1/2",
    " in ",
    "²",
    "5 ft 11 in",
    " to km/h",
    " to m/s",
    " to kg*m^2/s^2",
]


def shape(node: object) -> object:
    """A node as nested tuples of its class and every slot (units by identity: they are
    interned), so two trees compare equal only when they are the same tree."""
    if isinstance(node, tuple | list):
        return tuple(shape(item) for item in node)
    slots = [
        slot
        for cls in type(node).__mro__
        for slot in getattr(cls, "__slots__", ())
        if slot and not slot.startswith("_")  # how a node keeps what it is, not what it is
    ]
    if not slots or isinstance(node, int | str | Fraction):
        return node
    return (type(node).__name__, *((slot, shape(getattr(node, slot))) for slot in slots))


def _whole_line(text: str) -> tuple[object, frozenset[str]] | tuple[str, str, object]:
    """The whole line's parse, with none of the targets read before (whatever the path under
    test left in _TARGET_UNITS cannot reach it)."""
    kept = parser_module._TARGET_UNITS
    parser_module._TARGET_UNITS = {}
    try:
        return _parse_whole(text)
    finally:
        parser_module._TARGET_UNITS = kept


def _parse_whole(text: str) -> tuple[object, frozenset[str]] | tuple[str, str, object]:
    try:
        parser = _Parser(text, scan(text))
        tree = parser.line()
    except CalcError as error:
        return (type(error).__name__, error.message, error.span)
    return shape(tree), frozenset(parser.unit_names)


def _through_parse_line(text: str) -> tuple[object, frozenset[str]] | tuple[str, str, object]:
    try:
        tree, names = parse_line(text)
    except CalcError as error:
        return (type(error).__name__, error.message, error.span)
    return shape(tree), names


@pytest.fixture(autouse=True, scope="module")
def _targets_read_once():
    for target in TARGETS:
        evaluate(f"1 m to {target}", Session())  # an error for some: then nothing is kept


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(HEADS), min_size=0, max_size=8), st.sampled_from(TARGETS))
def test_a_known_target_gives_the_tree_of_the_whole_line(head, target):
    text = "".join(head) + " to " + target
    assert _through_parse_line(text) == _whole_line(text)


@pytest.mark.parametrize(
    "text",
    [
        "d / 2 h to km/h",
        "x = 3 ft + 2 in to cm ",
        "9.81 m/s^2 * 2 kg to N",
        "255 to hex",
        "5 m to cm to mm",  # a second conversion: the whole line's error
        "5 m to km/h to mm",
        "2 h to km/h to min",
        "5 ft in m to cm",
        "(5 m to cm)",
        " to m",
        "12 in to in",
        "2 h to  km/h  ",
        "1e999999999 to m",
        "sqrt(16 m^2 to m",
    ],
)
def test_lines_with_a_known_target_parse_as_the_whole_line(text):
    assert _through_parse_line(text) == _whole_line(text)


def test_the_known_target_path_is_taken(monkeypatch):
    """Not only equal: the text after ` to ` is not scanned when its target is known."""
    scanned = []
    monkeypatch.setattr(parser_module, "_TARGET_UNITS", {})
    monkeypatch.setattr(parser_module, "scan", lambda text: scanned.append(text) or scan(text))
    parse_line("60 km/h to km/h")
    parse_line("61 km/h to km/h")
    parse_line("3 ft to m")
    assert scanned == ["60 km/h to km/h", "61 km/h", "3 ft"]


def test_every_unit_and_format_name_is_one_name_token():
    """What the known-target path relies on: a name in the table is read as it is written."""
    for name in [*UNIT_NAMES, *FORMAT_NAMES]:
        assert scan(name)[:-1] == [(TokenKind.NAME, name, 0, len(name))], name
    assert not set(UNIT_NAMES) & set(FORMAT_NAMES)


def test_an_overlong_line_is_refused_before_its_target_is_looked_at():
    result = evaluate("1" * 5000 + " to m", Session())
    assert not result.ok and "too long" in result.error.message
