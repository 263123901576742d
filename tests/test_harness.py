"""The test run's own footprint: what it writes outside pytest's tmp_path lives in one directory
that a passing run removes (testing/pytest_env.py), so hundreds of runs leave /tmp as it was."""

import os
from pathlib import Path

from testing.daphne import DaphneServer, server_env


def test_server_logs_and_static_files_are_kept_in_the_runs_own_directory(tmp_path):
    run_dir = Path(os.environ["CALC_TEST_RUN_DIR"])
    server = DaphneServer(server_env(tmp_path / "db.sqlite3"))
    assert server.log_path.parent == run_dir
    assert Path(os.environ["DJANGO_STATIC_ROOT"]).parent == run_dir
