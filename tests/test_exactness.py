"""Exact values survive between lines: `x = a` then `x op b` shows what `(a) op b` shows, through
the CLI, the socket, a session rebuilt from stored rows, and a real server restart."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator import services
from testing import client
from testing.daphne import DaphneServer, migrate, server_env
from tests.conftest import open_socket, submit_frame

OPERATORS = ["+", "-", "*", "/", "mod", "^"]


@st.composite
def exact_numbers(draw) -> str:
    """An exact value written as people write them: integers, decimals and fractions."""
    numerator = draw(st.integers(-(10**12), 10**12))
    kind = draw(st.sampled_from(["integer", "decimal", "fraction"]))
    if kind == "integer":
        return str(numerator)
    if kind == "decimal":
        return str(Decimal(numerator).scaleb(-draw(st.sampled_from([1, 3, 20]))))
    denominator = draw(st.sampled_from([3, 7, 12, 3**20, 10**15 + 37]))
    return f"{numerator}/{denominator}"


@st.composite
def lines(draw) -> tuple[str, str, str]:
    a, b = draw(exact_numbers()), draw(exact_numbers())
    operator = draw(st.sampled_from(OPERATORS))
    if operator == "^":
        b = str(draw(st.integers(-3, 3)))
    return a, operator, b


def cli(*expressions: str) -> list[str]:
    out = io.StringIO()
    # A failed line (division by zero) exits 1: its output is compared all the same.
    with contextlib.suppress(SystemExit):
        call_command("calc", *expressions, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.parametrize(
    ("lines_", "expected"),
    [
        (["x = 1/3", "x*3 mod 1"], "0"),
        (["x = 1/3", "x*3"], "1"),
        (["x = 2/3", "floor(x*3)"], "2"),
        (["1/7", "ans*7 - 1"], "0"),
        (["x = 10^40 + 1/3", "(x - 10^40)*3"], "1"),
    ],
)
def test_the_cli_keeps_exact_values_between_lines(lines_, expected):
    assert cli(*lines_)[-1] == expected


@settings(max_examples=60, deadline=None)
@given(lines())
def test_a_variable_holds_the_exact_value_in_the_cli(line):
    a, operator, b = line
    _, through_variable, in_one_line = cli(
        f"x = {a}", f"x {operator} ({b})", f"({a}) {operator} ({b})"
    )
    assert through_variable == in_one_line


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines())
def test_a_session_rebuilt_from_stored_rows_keeps_exact_values(line):
    a, operator, b = line
    services.clear_history("exact")
    services.submit("exact", f"x = {a}")
    services.submit("exact", f"({a}) {operator} ({b})")
    expected = services.load_snapshot("exact").entries[-1].display
    tab, _ = services.open_tab("exact")  # what a restarted server does on connect
    assert services.run_line(tab, f"x {operator} ({b})").display == expected
    tab, _ = services.open_tab("exact")
    assert services.run_line(tab, f"ans - (({a}) {operator} ({b}))").display in ("0", expected)


def outputs(html: str) -> list[str]:
    return re.findall(r'<output role="none">(.*?)</output>', html)


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines())
def test_the_socket_keeps_exact_values_between_lines(make_session_key, line):
    a, operator, b = line

    async def run() -> tuple[list[str], list[str]]:
        socket = await open_socket(await make_session_key())
        await socket.receive_from()
        answers = []
        for text in (f"x = {a}", f"x {operator} ({b})", f"({a}) {operator} ({b})"):
            await socket.send_json_to(submit_frame(text))
            answers.append(await socket.receive_from())
        await socket.disconnect()
        return outputs(answers[1]), outputs(answers[2])

    through_variable, in_one_line = asyncio.run(run())
    assert through_variable == in_one_line


@pytest.mark.services
def test_exact_values_survive_a_server_restart(tmp_path):
    env = server_env(tmp_path / "db.sqlite3", CALC_RATE_LIMIT="0")
    migrate(env)

    async def session(server, cookie: str, lines_: list[str]) -> list[str]:
        tab = await client.open_socket(server.ws_url, cookie)
        try:
            return [client.result_of(await client.submit(tab, line)) for line in lines_]
        finally:
            await tab.close()

    server = DaphneServer(env)
    with server:
        cookie = client.open_session(server.url)
        first = asyncio.run(session(server, cookie, ["x = 1/3", "y = 2/3 + 10^30"]))
        assert first[0] == "0.333333333333333"
    with DaphneServer(env, port=server.port) as restarted:
        assert asyncio.run(
            session(restarted, cookie, ["x*3 mod 1", "(y - 10^30)*3", "ans + x*3"])
        ) == ["0", "2", "3"]
