"""The entry partial as every tab receives it: its markup pinned for a table of rows, so making
it cheaper to render can never change what a tab shows."""

from __future__ import annotations

import pytest
from django.test import override_settings

from calculator import render
from calculator.models import Calculation


def row(pk: int, **fields) -> Calculation:
    return Calculation(pk=pk, session_key="k" * 32, **fields)


@pytest.mark.parametrize("pk", [7, 12345, 1234567])
def test_ids_are_never_grouped_even_where_numbers_are(pk: int) -> None:
    with override_settings(USE_THOUSAND_SEPARATOR=True, NUMBER_GROUPING=3):
        html = render.appended(row(pk, expression="1+1", display="2", value="2"))
    assert f'id="entry-{pk}"' in html
    assert f'name="recall" value="{pk}"' in html
    assert f'name="remove" value="{pk}"' in html
    assert f'href="#entry-{pk}"' in html
