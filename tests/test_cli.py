"""`manage.py calc`: arguments or stdin lines, one session, one output line each."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command


def run(*args: str, stdin: str = "") -> tuple[list[str], int]:
    out = io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("calc", *args, stdout=out)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    finally:
        sys.stdin = old_stdin
    return out.getvalue().splitlines(), status


@pytest.mark.parametrize(
    ("args", "stdin", "lines", "status"),
    [
        (("2+3", "x = 4", "x^2"), "", ["5", "4", "16"], 0),
        ((), "0.1+0.2\n\nans*10\n", ["0.3", "3"], 0),
        (("1/0", "2"), "", ["error: division by zero", "2"], 1),
        (("r = 2", "pi r^2"), "", ["2", "12.5663706143592"], 0),
        (("5", "1/0", "ans+1"), "", ["5", "error: division by zero", "6"], 1),
    ],
)
def test_calc_command(args, stdin, lines, status):
    assert run(*args, stdin=stdin) == (lines, status)


def test_calc_runs_as_a_real_process():
    import subprocess

    completed = subprocess.run(
        [sys.executable, "manage.py", "calc"],
        input="100!/98!\nfoo\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.stdout.splitlines()[0] == "9900"
    assert completed.stdout.splitlines()[1].startswith("error: unknown name 'foo'")
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr


def test_calc_needs_no_server_configuration():
    """A fresh checkout, no environment: the CLI signs nothing, so it needs no secret key."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CALC_"))}
    completed = subprocess.run(
        [sys.executable, "manage.py", "calc", "2pi r^2", "r = 1", "2pi r^2"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert completed.stdout.splitlines() == [
        "error: unknown name 'r'",
        "1",
        "6.28318530717959",
    ]
    assert completed.returncode == 1
    assert completed.stderr == ""
