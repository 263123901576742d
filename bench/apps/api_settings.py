"""The app's own settings, with bench/apps/api_urls.py as URLconf: the API beside plain views.

BENCH_ASYNC_STACK=1 drops the middleware that cannot run async (WhiteNoise, allauth's
usersessions): with one of them Django runs the whole chain in a worker thread; without them each
middleware's hooks hop threads on their own (bench/api.py prices both).
"""

import os

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

ROOT_URLCONF = "bench.apps.api_urls"

SYNC_ONLY_MIDDLEWARE = (
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
)
if os.environ.get("BENCH_ASYNC_STACK") == "1":
    MIDDLEWARE = [name for name in MIDDLEWARE if name not in SYNC_ONLY_MIDDLEWARE]
