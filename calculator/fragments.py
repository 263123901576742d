"""Renders the partials of `calculator/index.html` that travel over the socket.

The page and every live update come from the same template, so they cannot drift apart; a
project overrides any of them by shipping its own `calculator/index.html`.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string

from calculator.engine import CONSTANTS, FUNCTIONS, MAX_EXPRESSION_LENGTH, Result
from calculator.models import Calculation

PAGE = "calculator/index.html"

STATUS_LABELS = {
    "connecting": "connecting…",
    "live": "live",
    "reconnecting": "reconnecting…",
    "expired": "session expired: reload the page",
}


def render(partial: str, context: dict) -> str:
    return render_to_string(f"{PAGE}#{partial}", context).strip()


def status_context(state: str) -> dict:
    return {"status": {"state": state, "label": STATUS_LABELS[state]}}


def field_context(expression: str = "", token: str = "") -> dict:
    return {"expression": expression, "max_length": MAX_EXPRESSION_LENGTH, "field_token": token}


def preview_context(result: Result | None) -> dict:
    return {"preview": result}


def reference(descriptions: dict[str, str]) -> list[tuple[str, str]]:
    """The engine's "usage — meaning" lines, split for the help panel."""
    return [tuple(line.split(" — ", 1)) for _, line in sorted(descriptions.items())]


def page_context(entries: list[Calculation], total: int, expression: str = "") -> dict:
    return {
        "functions": reference(FUNCTIONS),
        "constants": reference(CONSTANTS),
        "entries": entries,
        "hidden_count": total - len(entries),
        **status_context("connecting"),
        **field_context(expression),
        **preview_context(None),
    }


def connected(entries: list[Calculation], total: int, csrf_token: str) -> str:
    """Everything a (re)connecting tab needs: the stored transcript, and the live status."""
    return render(
        "connected",
        {
            "entries": entries,
            "hidden_count": total - len(entries),
            "csrf_token": csrf_token,
            **status_context("live"),
        },
    )


def appended(row: Calculation) -> str:
    return render("appended", {"entry": row})


# Stands in for the token in the one rendering of the blank submit answer; tokens are digits,
# so putting one in its place needs no escaping.
_TOKEN_SLOT = "field-token-slot"


def submitted(token: str) -> str:
    """The answer to a submit, besides the entry: an empty input, preview and notice.

    The same markup for every submit but for the input's token, so it is rendered once per
    process (and again only when the template settings change, as in tests).
    """
    return _blank_submitted().replace(_TOKEN_SLOT, token)


@lru_cache(maxsize=1)
def _blank_submitted() -> str:
    return field("", _TOKEN_SLOT) + render("cleared", {**preview_context(None), "notice": ""})


@receiver(setting_changed)
def _forget_rendered_templates(*, setting: str, **kwargs) -> None:
    if setting == "TEMPLATES":
        _blank_submitted.cache_clear()


def field(expression: str, token: str) -> str:
    return render("field", field_context(expression, token))


def preview(result: Result | None) -> str:
    return render("preview", preview_context(result))


def notice(message: str) -> str:
    return render("notice", {"notice": message})


def status(state: str) -> str:
    return render("status", status_context(state))
