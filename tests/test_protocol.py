"""How htmx frames are read: a table of frames and the action each one names."""

from __future__ import annotations

import json

import pytest

from calculator.live.protocol import Action, Frame, FrameError, parse_frame


def frame(**fields) -> str:
    return json.dumps(fields)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (frame(expression="1+1", HEADERS={"HX-Trigger": "calc-form"}), Frame(Action.SUBMIT, "1+1")),
        (frame(expression="6*", HEADERS={"HX-Trigger": "expression"}), Frame(Action.PREVIEW, "6*")),
        (
            frame(expression="6*7", field="12", HEADERS={"HX-Trigger": "expression"}),
            Frame(Action.PREVIEW, "6*7", field="12"),
        ),
        (
            frame(expression="", csrfmiddlewaretoken="t", HEADERS={"HX-Trigger": "calc-form"}),
            Frame(Action.SUBMIT, ""),
        ),
        (frame(recall=12, HEADERS={"HX-Trigger": None}), Frame(Action.RECALL, entry_id=12)),
        (frame(recall="7"), Frame(Action.RECALL, entry_id=7)),
        (frame(remove="7", HEADERS={"HX-Trigger": None}), Frame(Action.DELETE, entry_id=7)),
        (frame(q="sqrt", HEADERS={"HX-Trigger": "search"}), Frame(Action.SEARCH, query="sqrt")),
        (frame(q="", HEADERS={"HX-Trigger": "search-form"}), Frame(Action.SEARCH, query="")),
        (frame(csrfmiddlewaretoken="t", HEADERS={"HX-Trigger": "clear-form"}), Frame(Action.CLEAR)),
    ],
)
def test_frames_name_their_action(text, expected):
    assert parse_frame(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not valid JSON"),
        ("[" * 1000 + "]" * 1000, "nested too deeply"),
        ('{"expression": ' + "[" * 1000 + "]" * 1000 + "}", "nested too deeply"),
        ("null", "must be a JSON object"),
        (frame(expression="1"), "names no known action"),
        (frame(expression="1", HEADERS={"HX-Trigger": "other"}), "names no known action"),
        (frame(expression=None, HEADERS={"HX-Trigger": "calc-form"}), "must be a string"),
        (frame(expression=["1"], HEADERS={"HX-Trigger": "calc-form"}), "must be a string"),
        (frame(expression="1", HEADERS=[]), "HEADERS must be an object"),
        (frame(expression="1", extra=1, HEADERS={"HX-Trigger": "calc-form"}), "'extra'"),
        (frame(recall=0), "recall must name an entry"),
        (frame(recall=2**63), "recall must name an entry"),
        (frame(recall=1.5), "recall must name an entry"),
        (frame(recall=None), "recall must name an entry"),
        (frame(remove=0), "remove must name an entry"),
        (frame(remove="1; drop"), "remove must name an entry"),
        (frame(q=["x"]), "search must be a short string"),
        (frame(q="x" * 201), "search must be a short string"),
        (frame(delete="1"), "unexpected field 'delete'"),
        ("x" * 4097, "message too large"),
        (frame(expression="1", field=3, HEADERS={"HX-Trigger": "expression"}), "field must be"),
        (frame(expression="1", field="9" * 33, HEADERS={"HX-Trigger": "expression"}), "field must"),
        (frame(expression="1", field="a/b", HEADERS={"HX-Trigger": "calc-form"}), "field must"),
    ],
)
def test_refused_frames_say_why(text, message):
    with pytest.raises(FrameError, match=message):
        parse_frame(text)


@pytest.mark.parametrize(("angle", "degrees"), [("deg", True), ("rad", False)])
def test_the_angle_form_switches_the_mode(angle, degrees):
    frame = json.dumps({"angle": angle, "HEADERS": {"HX-Trigger": "angle-form"}})
    assert parse_frame(frame) == Frame(Action.ANGLE, degrees=degrees)


@pytest.mark.parametrize("angle", ["grad", None, 1])
def test_an_unknown_angle_mode_is_refused(angle):
    frame = json.dumps({"angle": angle, "HEADERS": {"HX-Trigger": "angle-form"}})
    with pytest.raises(FrameError, match="angle must be"):
        parse_frame(frame)
