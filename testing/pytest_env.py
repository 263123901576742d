"""pytest plugin (loaded with -p before pytest-django reads settings): test-run environment.

Tests run in production mode (DEBUG off) with a throw-away secret key and the in-memory
channel layer, whatever the developer's shell exports.
"""

import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("CALC_STARTUP_CHECK", "0")
os.environ.pop("REDIS_URL", None)
os.environ.pop("DATABASE_URL", None)

# One directory per run holds what the run makes outside pytest's tmp_path: the hashed static files
# pages name without DEBUG (collected once, half a second), which the servers the tests start
# inherit, and those servers' logs (testing/daphne.py). Removed when the run passes; kept, and
# named in the summary, when it fails, because a failing server's log is the first thing to read.
RUN_DIR = Path(tempfile.mkdtemp(prefix="calc-test-run-"))
os.environ["CALC_TEST_RUN_DIR"] = str(RUN_DIR)
os.environ["DJANGO_STATIC_ROOT"] = str(RUN_DIR / "static")


def pytest_sessionstart(session) -> None:
    from testing.daphne import collectstatic

    collectstatic(dict(os.environ))


def pytest_sessionfinish(session, exitstatus) -> None:
    if exitstatus == 0:
        shutil.rmtree(RUN_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus) -> None:
    if exitstatus != 0 and RUN_DIR.exists():
        terminalreporter.write_line(f"server logs of this run: {RUN_DIR}")
