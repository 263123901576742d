"""The app's own settings, with bench/apps/api_urls.py as URLconf: the API beside plain views."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.apps.api_urls"
