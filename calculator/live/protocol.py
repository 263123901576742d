"""Reads the JSON frames htmx's ws extension sends, and refuses anything else with a reason.

htmx sends the form's fields plus a `HEADERS` object; `HX-Trigger` (the id of the element that
fired) tells a submit from a live preview. Validation is strict and cheap: a frame is
untrusted input from the internet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from calculator import keys

# The form's input caps expressions at 1,000 characters; with htmx's headers and the CSRF
# token a genuine frame stays under 2 KiB. Larger frames are refused before any JSON is parsed
# (and daphne refuses anything over 64 KiB at the socket: bin/serve).
MAX_FRAME_BYTES = 4096

FORM_ID = "calc-form"
INPUT_ID = "expression"
CLEAR_FORM_ID = "clear-form"
ANGLE_FORM_ID = "angle-form"

KNOWN_FIELDS = frozenset(
    {"expression", "field", "recall", "remove", "q", "angle", "csrfmiddlewaretoken", "HEADERS"}
)
# A search longer than this is refused (the input caps it at services.MAX_QUERY_LENGTH).
MAX_QUERY_CHARS = 200


class Action(Enum):
    SUBMIT = "submit"
    PREVIEW = "preview"
    RECALL = "recall"
    CLEAR = "clear"
    DELETE = "delete"
    SEARCH = "search"
    ANGLE = "angle"


@dataclass(frozen=True)
class Frame:
    action: Action
    expression: str = ""
    entry_id: int = 0
    query: str = ""
    # Which rendering of the input sent a preview: a debounced preview can fire from an input
    # the server has already replaced (after Enter), and must then be ignored.
    field: str = ""
    # The angle mode chosen (ANGLE): plain numbers given to sin, cos and tan are in degrees.
    degrees: bool = False


class FrameError(ValueError):
    """A frame the app will not act on; the message is shown to the user. `reason` is how the
    refusal is counted (calc_refused_frames_total)."""

    reason = "bad_frame"


class FrameTooLarge(FrameError):
    reason = "too_large"


def parse_frame(text: str) -> Frame:
    if len(text) > MAX_FRAME_BYTES:
        raise FrameTooLarge(f"message too large (over {MAX_FRAME_BYTES} bytes)")
    try:
        data = json.loads(text)
    except ValueError:
        raise FrameError("message is not valid JSON") from None
    except RecursionError:
        # A few thousand nested brackets fit in the size limit and exhaust the parser's stack.
        raise FrameError("message is nested too deeply") from None
    if not isinstance(data, dict):
        raise FrameError("message must be a JSON object")
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        raise FrameError(f"unexpected field {unknown[0]!r}")
    headers = data.get("HEADERS", {})
    if not isinstance(headers, dict):
        raise FrameError("HEADERS must be an object")
    trigger = headers.get("HX-Trigger")

    if "recall" in data:
        return Frame(Action.RECALL, entry_id=_entry_id(data["recall"], "recall"))
    # Not "delete": htmx reads form values through a FormData proxy whose `delete` method a
    # field of that name would shadow (the frame then goes out empty).
    if "remove" in data:
        return Frame(Action.DELETE, entry_id=_entry_id(data["remove"], "remove"))
    if "q" in data:
        query = data["q"]
        if not isinstance(query, str) or len(query) > MAX_QUERY_CHARS:
            raise FrameError("search must be a short string")
        return Frame(Action.SEARCH, query=query)
    if trigger == CLEAR_FORM_ID:
        return Frame(Action.CLEAR)
    if trigger == ANGLE_FORM_ID:
        if data.get("angle") not in ("deg", "rad"):
            raise FrameError("angle must be deg or rad")
        return Frame(Action.ANGLE, degrees=data["angle"] == "deg")
    if trigger not in (FORM_ID, INPUT_ID):
        raise FrameError("message names no known action")
    expression = data.get("expression")
    if not isinstance(expression, str):
        raise FrameError("expression must be a string")
    field = data.get("field", "")
    # The key of the input that sent the frame (calculator/keys.py): it names URLs and rows.
    if not isinstance(field, str) or (field and not keys.PATTERN.fullmatch(field)):
        raise FrameError("field must be a short string")
    action = Action.SUBMIT if trigger == FORM_ID else Action.PREVIEW
    return Frame(action, expression=expression, field=field)


def _entry_id(value: object, action: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FrameError(f"{action} must name an entry")
    try:
        entry_id = int(value)
    except ValueError:
        raise FrameError(f"{action} must name an entry") from None
    if not 0 < entry_id < 2**63:
        raise FrameError(f"{action} must name an entry")
    return entry_id
