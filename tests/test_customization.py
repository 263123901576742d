"""A project overrides a partial by putting its own calculator/index.html first in DIRS.

The override is a copy of the stock template with one partial changed; both the page and the
live fragment must use it, since both render the same partial.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from calculator import render
from calculator.models import Calculation

STOCK = Path(settings.BASE_DIR) / "templates" / "calculator" / "index.html"
HOUSE_ENTRY = (
    '{% partialdef entry %}<li id="entry-{{ entry.pk }}" class="entry house-style">'
    "{{ entry.expression }} gives {{ entry.display }}</li>{% endpartialdef %}"
)


def with_house_entry(template: str) -> str:
    start = template.index("{% partialdef entry %}")
    end = template.index("{% endpartialdef %}", start) + len("{% endpartialdef %}")
    return template[:start] + HOUSE_ENTRY + template[end:]


@pytest.fixture
def project_templates(tmp_path):
    (tmp_path / "calculator").mkdir()
    (tmp_path / "calculator" / "index.html").write_text(with_house_entry(STOCK.read_text()))
    loaders = [
        (
            "template_partials.loader.Loader",
            [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.filesystem.Loader"],
                )
            ],
        )
    ]
    stock = settings.TEMPLATES[0]
    templates = [
        {
            "BACKEND": stock["BACKEND"],
            "DIRS": [tmp_path, *stock["DIRS"]],
            "OPTIONS": {**stock["OPTIONS"], "loaders": loaders},
        }
    ]
    with override_settings(TEMPLATES=templates):
        yield


@pytest.mark.django_db
def test_override_reaches_the_page_and_the_live_fragment(project_templates):
    client = Client()
    client.get("/")
    client.post("/", {"expression": "6*7"})
    page = client.get("/").content.decode()
    assert '<li id="entry-' in page and "6*7 gives 42</li>" in page
    assert 'id="calc-form"' in page  # the rest of the page is the stock one

    live = render.appended(Calculation.objects.get())
    assert 'hx-swap-oob="beforeend:#transcript"' in live
    assert "6*7 gives 42</li>" in live
