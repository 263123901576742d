"""pytest plugin (loaded with -p before pytest-django reads settings): test-run environment.

Tests run in production mode (DEBUG off) with a throw-away secret key and the in-memory
channel layer, whatever the developer's shell exports.
"""

import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("CALC_STARTUP_CHECK", "0")
os.environ.pop("REDIS_URL", None)
os.environ.pop("DATABASE_URL", None)

# The hashed static files pages name without DEBUG: collected once per run (half a second) into a
# directory of the run's own, which the servers the tests start inherit.
os.environ["DJANGO_STATIC_ROOT"] = tempfile.mkdtemp(prefix="calc-static-")


def pytest_sessionstart(session) -> None:
    from testing.daphne import collectstatic

    collectstatic(dict(os.environ))


def pytest_sessionfinish(session) -> None:
    shutil.rmtree(os.environ["DJANGO_STATIC_ROOT"], ignore_errors=True)
