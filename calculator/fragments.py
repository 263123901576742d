"""Renders the partials of `calculator/index.html` that travel over the socket.

The page and every live update come from the same template, so they cannot drift apart; a
project overrides any of them by shipping its own `calculator/index.html`.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string

from calculator.engine import MAX_EXPRESSION_LENGTH, Result
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


def field_context(expression: str = "") -> dict:
    return {"expression": expression, "max_length": MAX_EXPRESSION_LENGTH}


def preview_context(result: Result | None) -> dict:
    return {"preview": result}


def page_context(entries: list[Calculation], total: int, expression: str = "") -> dict:
    return {
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


@lru_cache(maxsize=1)
def submitted() -> str:
    """The answer to a submit, besides the entry: an empty input and preview.

    The same markup for every submit, so it is rendered once per process (and again only when
    the template settings change, as in tests).
    """
    return render("submitted", {**field_context(), **preview_context(None), "notice": ""})


@receiver(setting_changed)
def _forget_rendered_templates(*, setting: str, **kwargs) -> None:
    if setting == "TEMPLATES":
        submitted.cache_clear()


def field(expression: str) -> str:
    return render("field", field_context(expression))


def preview(result: Result | None) -> str:
    return render("preview", preview_context(result))


def notice(message: str) -> str:
    return render("notice", {"notice": message})


def status(state: str) -> str:
    return render("status", status_context(state))
