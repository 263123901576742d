"""The consumer skips Channels' close_old_connections() hop only because no code it runs on the
event loop touches the ORM: every query goes through database_sync_to_async. This holds it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from django.db.models import Model, QuerySet

ROOT = Path(__file__).resolve().parent.parent
# What the socket runs on the event loop: the consumer and everything it calls.
LOOP_CODE = sorted(
    [*(ROOT / "calculator" / "live").glob("*.py"), ROOT / "calculator" / "services.py"]
)
ASYNC_ORM = {
    name
    for owner in (QuerySet, Model)
    for name, member in inspect.getmembers(owner)
    if inspect.iscoroutinefunction(member)
}


def async_orm_uses(source: str) -> list[str]:
    """Calls of the ORM's async methods, and `async for` over anything, in a module's source."""
    uses = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ASYNC_ORM:
                uses.append(f"line {node.lineno}: .{node.func.attr}()")
        elif isinstance(node, ast.AsyncFor):
            uses.append(f"line {node.lineno}: async for")
    return uses


def test_the_scan_knows_the_async_orm():
    assert {"aget", "acount", "afirst", "asave", "adelete", "abulk_create"} <= ASYNC_ORM
    assert async_orm_uses("async def f():\n    await Calculation.objects.aget(pk=1)\n")
    assert async_orm_uses("async def f():\n    async for row in rows:\n        pass\n")
    assert not async_orm_uses("def f():\n    Calculation.objects.get(pk=1)\n")


@pytest.mark.parametrize("path", LOOP_CODE, ids=lambda path: path.name)
def test_no_async_orm_on_the_event_loop(path):
    assert async_orm_uses(path.read_text()) == []
