"""Bad configuration at start: an unreachable database or Redis is one line and a failed exit."""

from __future__ import annotations

import subprocess
import sys

import pytest

from calculator.checks import CONNECT_TIMEOUT_SECONDS, mask_password
from testing.daphne import ROOT, free_port, migrate, server_env


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:secret@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        (
            "postgres://calc:p%40ss@db.internal:5432/calc",
            "postgres://calc:***@db.internal:5432/calc",
        ),
        ("postgres://calc@db.internal/calc", "postgres://calc@db.internal/calc"),
        ("sqlite:////srv/calc/db.sqlite3", "sqlite:////srv/calc/db.sqlite3"),
    ],
)
def test_mask_password(url, masked):
    assert mask_password(url) == masked


def serve(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run bin/serve until it exits; a server still running after the check's time has failed."""
    env = {**env, "PORT": str(free_port()), "PYTHON": sys.executable}
    try:
        return subprocess.run(
            [str(ROOT / "bin" / "serve")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=CONNECT_TIMEOUT_SECONDS + 15,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the server started despite the unreachable backend")


def test_unreachable_redis_is_one_line(tmp_path):
    port = free_port()
    result = serve(
        server_env(tmp_path / "db.sqlite3", REDIS_URL=f"redis://:secret@127.0.0.1:{port}/0")
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"error: cannot reach REDIS_URL=redis://:***@127.0.0.1:{port}/0: Connection refused"
    ]


def test_unreachable_postgres_is_one_line():
    port = free_port()
    result = serve(server_env(DATABASE_URL=f"postgres://calc:secret@127.0.0.1:{port}/calc"))
    assert result.returncode != 0
    masked = f"postgres://calc:***@127.0.0.1:{port}/calc"
    assert result.stderr.strip().splitlines() == [
        f"error: cannot reach DATABASE_URL={masked}: Connection refused"
    ]


def test_unopenable_sqlite_is_one_line(tmp_path):
    path = tmp_path / "missing" / "db.sqlite3"
    result = serve(server_env(path))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"error: cannot reach DATABASE_URL=sqlite:///{path}: unable to open database file"
    ]


def test_missing_secret_key_outside_debug_is_one_line(tmp_path):
    env = server_env(tmp_path / "db.sqlite3")
    del env["DJANGO_SECRET_KEY"]
    result = serve(env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: DJANGO_SECRET_KEY is not set: set it, or DJANGO_DEBUG=1 for local development"
    ]


def test_uncollected_static_files_outside_debug_is_one_line(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = server_env(database, DJANGO_STATIC_ROOT=str(tmp_path / "static"))
    migrate(env)
    result = serve(env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"error: static files are not collected in STATIC_ROOT={tmp_path / 'static'}: "
        "run `python manage.py collectstatic`"
    ]


def test_unknown_redis_layer_is_one_line(tmp_path):
    result = serve(server_env(tmp_path / "db.sqlite3", CALC_REDIS_LAYER="pubsb"))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: CALC_REDIS_LAYER must be one of core, pubsub, not 'pubsb'"
    ]
