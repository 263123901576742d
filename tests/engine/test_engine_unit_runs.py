"""Units written without spaces (`m/s^2`) are read once per text (parser._UNIT_RUNS): a line that
meets a run read before must get the tree, spans, unit names and answers that reading it afresh
gives, whatever comes before and after the run."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator import engine
from calculator.engine import CalcError, Session, evaluate
from calculator.engine import parser as parser_module
from calculator.engine.parser import parse_line

from .test_engine_known_target import shape

BEFORE = ["", "2 ", "2.5 ", "9.81", "(", "x = ", "sqrt(", "1 h ", "-", "2^", "3 ft ", "1/2 "]
RUNS = [
    "m/s^2",
    "m/s",
    "km/h",
    "kg*m^2/s^2",
    "m²",
    "m^2",
    "m/2",
    "m/x",
    "in*m",
    "m*in",
    "m^2^3",
    "m^-1",
    "s^02",
    "m/min",
    "m^0",
    "°C^2",
    "m^13",
    "kWh/h",
    "h/m",
    "x/y",
]
AFTER = [
    "",
    " ",
    "(",
    "(2)",
    "!",
    "%",
    "^2",
    " ^2",
    " kg",
    " x",
    " in m",
    ")",
    "+1",
    " * 2",
    " to m",
    " 30 min",
    " hex",
    "/",
    "*kg",
]


class _Forgetful(dict):
    """A _UNIT_RUNS that keeps nothing: every run is read afresh."""

    def __setitem__(self, key, value):
        pass


def _read(text: str, runs: dict) -> object:
    kept = parser_module._UNIT_RUNS
    parser_module._UNIT_RUNS = runs
    try:
        tree, names = parse_line(text)
    except CalcError as error:
        return (type(error).__name__, error.message, error.span)
    finally:
        parser_module._UNIT_RUNS = kept
    return shape(tree), names


def _answer(text: str, runs: dict, lines: list[str]) -> list[tuple]:
    kept = parser_module._UNIT_RUNS
    parser_module._UNIT_RUNS = runs
    engine._parsed.cache_clear()  # each line parsed here, not taken from the other run
    session = Session()
    try:
        results = [evaluate(line, session) for line in lines]
    finally:
        parser_module._UNIT_RUNS = kept
    return [
        (r.display, r.stored, r.interpretation, r.shadowed, r.error and r.error.message)
        for r in results
    ] + [(text,)]


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from(BEFORE),
    st.sampled_from(["2", "2.5", "1e3", "1/2", "60"]),
    st.sampled_from(RUNS),
    st.sampled_from(AFTER),
)
def test_a_run_read_before_gives_the_tree_read_afresh(before, number, run, after):
    text = f"{before}{number} {run}{after}"
    afresh = _read(text, _Forgetful())
    for kept_by in (f"7 {run}", f"(1 + 7 {run})", text):  # a run kept at other columns
        runs: dict = {}
        _read(kept_by, runs)
        assert _read(text, runs) == afresh


@pytest.mark.parametrize("run", RUNS)
def test_a_variable_named_like_a_unit_of_a_run_read_before_is_used(run):
    """A measure from a run keeps its units' names and spans for a shadowing variable."""
    lines = [f"2 {run}", "m = 3", "s = 2", "km = 5", f"3.5 {run}", f"(1 + 4 {run}) * 2"]
    assert _answer(run, {}, lines) == _answer(run, _Forgetful(), lines)


def test_a_run_is_read_once():
    runs: dict = {}
    parse_line("9.81 m/s^2 * 2 kg to N")
    kept = parser_module._UNIT_RUNS
    parser_module._UNIT_RUNS = runs
    try:
        parse_line("9.81 m/s^2")
        read_once = runs["m/s^2"]
        parse_line("1.5 m/s^2")
        assert runs["m/s^2"] is read_once and list(runs) == ["m/s^2"]
    finally:
        parser_module._UNIT_RUNS = kept
    tree = parse_line("1.5 m/s^2")[0]
    assert [(node.start, node.end) for _, node in tree.rest] == [(4, 5), (6, 9)]
