"""The `readable` filter: a result cut into digit groups, for the templates (see readable.py)."""

from django import template

from calculator import readable as layout

register = template.Library()


@register.filter
def readable(text: str) -> layout.Readable:
    return layout.readable(str(text))
