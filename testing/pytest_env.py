"""pytest plugin (loaded with -p before pytest-django reads settings): test-run environment.

Tests run in production mode (DEBUG off) with a throw-away secret key and the in-memory
channel layer, whatever the developer's shell exports.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("CALC_STARTUP_CHECK", "0")
os.environ.pop("REDIS_URL", None)
os.environ.pop("DATABASE_URL", None)
