"""The `label` filter: an entry's expression as its tools' hidden labels repeat it, cut to
render.LABEL_CHARS (the bound on a rendered entry's size counts on that cut)."""

from django import template
from django.template.defaultfilters import truncatechars

from calculator.render import LABEL_CHARS

register = template.Library()


@register.filter(is_safe=True)
def label(text: str) -> str:
    """`truncatechars:LABEL_CHARS`, skipping its Unicode normalization and per-character scan for
    a short ASCII line (most lines), which it would give back unchanged."""
    text = str(text)
    if len(text) <= LABEL_CHARS and text.isascii():
        return text
    return truncatechars(text, LABEL_CHARS)
