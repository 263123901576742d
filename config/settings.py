"""Settings read from the environment, with safe local defaults (cookiecutter-django style).

Only wiring lives here: the defaults run one process on SQLite with the in-memory channel layer;
DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis for scale-out.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
import redis.exceptions
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# Without a key outside debug mode the setting stays empty: commands that sign nothing (the
# `calc` CLI, migrate) still run, and the server refuses to start (calculator/startup.py).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or (
    "django-insecure-local-development-only" if DEBUG else ""
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

# HTTPS-only protections (secure cookies, HSTS) follow production mode unless told otherwise,
# so a production-mode server can still be exercised over plain http on loopback in tests.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)

INSTALLED_APPS = [
    "daphne",  # first, so `runserver` serves ASGI (WebSockets included)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth.usersessions' pages
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "csp",
    "ninja",  # the HTTP API (its OpenAPI schema; docs assets served from our static files)
    "calculator",
    "calculator.tokens",  # personal access tokens for the API, with migrations of their own
    # Accounts: templates/allauth/ and templates/account/ give its pages our layout.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "calculator.web.middleware.count_requests",  # first: it counts every response
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project templates come first, so a project can override any calculator partial.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer and survives a killed server without corruption;
    # synchronous=NORMAL is durable across process crashes in WAL mode (only an OS crash can
    # lose the last commits). IMMEDIATE transactions take the write lock up front, so
    # concurrent writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Which channels_redis layer carries the fan-out: "core" (lists in Redis, the default) or
# "pubsub" (Redis pub/sub); bench/RESULTS.md measures both, the README says why core is default.
CALC_REDIS_LAYER = os.environ.get("CALC_REDIS_LAYER", "core")
# Redis behind Sentinel instead of REDIS_URL: "host:port,host:port" of the sentinels and the
# name they monitor the primary under; the layer asks them for the primary on every new
# connection, so a failover is followed without restarting the server.
REDIS_SENTINELS = [
    (host, int(port))
    for host, _, port in (a.rpartition(":") for a in env_list("REDIS_SENTINELS", ""))
]
REDIS_SENTINEL_MASTER = os.environ.get("REDIS_SENTINEL_MASTER", "calculator")
# Connections one process may open to Redis at once (redis-py's default is 100): every
# group_add and group_send in flight holds one, and a burst of 150 stock consumers' handshakes
# overflowed the default with MaxConnectionsError (HTTP 500s; bench/, section scale-out).
REDIS_MAX_CONNECTIONS = int(os.environ.get("CALC_REDIS_MAX_CONNECTIONS", "2000"))
REDIS_CONNECTION = {
    "max_connections": REDIS_MAX_CONNECTIONS,
    # After Redis restarts or fails over, pooled connections are dead: a command that meets one
    # is sent once more on a new connection instead of failing (a tab's fan-out was lost so).
    "retry_on_error": [redis.exceptions.ConnectionError],
}
if REDIS_SENTINELS:
    REDIS_HOST = {
        "sentinels": REDIS_SENTINELS,
        "master_name": REDIS_SENTINEL_MASTER,
        **REDIS_CONNECTION,
    }
elif REDIS_URL:
    REDIS_HOST = {"address": REDIS_URL, **REDIS_CONNECTION}
else:
    REDIS_HOST = None
if REDIS_HOST and CALC_REDIS_LAYER == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            # At-most-once delivery with no inbox in Redis: a tab that misses a message gets
            # the stored transcript on its next connect anyway.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_HOST]},
        }
    }
elif REDIS_HOST:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis's layer, riding out a Redis restart or failover (its docstring).
            "BACKEND": "calculator.live.layer.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_HOST],
                # A socket's inbox holds at most this many undelivered messages; past it
                # group_send drops for that socket rather than growing Redis without bound.
                "capacity": 1000,
                # An undelivered message older than this is stale: the reconnect resend of the
                # stored transcript supersedes it.
                "expiry": 30,
                # A socket stays in its session group at most a day without reconnecting.
                "group_expiry": 86400,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000, "expiry": 30, "group_expiry": 86400},
        }
    }

# Sessions identify a transcript. A year, refreshed on every page load, so history outlives
# the browser's restarts.
SESSION_COOKIE_AGE = 365 * 24 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS and env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Strict CSP: scripts only from our own origin, no inline code and no eval. 'self' in
# connect-src also admits ws:// and wss:// to this host (CSP Level 3).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
    },
}

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes content-hashed copies (and gzip variants); pages name those and
    # WhiteNoise serves them as immutable, so a returning visitor revalidates nothing. With
    # DEBUG on, pages name the plain files and WhiteNoise finds them in the source folders.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
# Until collectstatic has run, WhiteNoise's warning about the missing STATIC_ROOT is noise.
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
WHITENOISE_AUTOREFRESH = DEBUG

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# The only form posts an expression of at most 1,000 characters (so will the HTTP API): the
# server refuses larger bodies with 413 before buffering them (calculator/server), Django too.
CALC_MAX_BODY_BYTES = int(os.environ.get("CALC_MAX_BODY_BYTES", str(64 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = CALC_MAX_BODY_BYTES
# Seconds a whole request (head and body) may take to arrive after the connection opens or the
# previous response ends: bounds slow senders (slowloris) and idle keep-alive connections.
CALC_REQUEST_TIMEOUT = float(os.environ.get("CALC_REQUEST_TIMEOUT", "10"))

# Frames per second per session, all its sockets together (token bucket, burst of twice that);
# 0 turns the limit off.
CALC_RATE_LIMIT = float(os.environ.get("CALC_RATE_LIMIT", "30"))
# HTTP API requests per second per token, and per client address for anonymous evaluation and
# failed token checks (token bucket, burst of twice that); the socket's rate by default.
CALC_API_RATE_LIMIT = float(os.environ.get("CALC_API_RATE_LIMIT", str(CALC_RATE_LIMIT)))

# Log lines for people ("line", the default) or one JSON object per line ("json", for shippers:
# calculator/logs.py names the fields).
CALC_LOG_FORMAT = os.environ.get("CALC_LOG_FORMAT", "line").strip().lower() or "line"
if CALC_LOG_FORMAT not in ("line", "json"):
    raise ValueError(f"CALC_LOG_FORMAT must be line or json, not {CALC_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "calculator.logs.JsonLines"},
    },
    "filters": {
        "share_tokens": {"()": "calculator.logs.HideShareTokens"},
        "full_inboxes": {"()": "calculator.logs.CountFullInboxes"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": CALC_LOG_FORMAT,
            "filters": ["share_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "calculator": {
            "handlers": ["console"],
            "level": os.environ.get("CALC_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        # Django's own console handler (DEBUG only) would print its records a second time, in
        # its own format: they reach ours through the root logger.
        "django": {"handlers": [], "level": "INFO"},
        # INFO, so its over-capacity records reach the filter that counts them (and drops them).
        "channels_redis.core": {"level": "INFO", "filters": ["full_inboxes"]},
    },
}
# The operations dashboard's buffer of each process's latest warnings and errors
# (calculator/ops/logbuffer.py), beside every handler the loggers above write to.
# Same filters as the console's; added to the root logger and to those that do not propagate.
LOGGING["handlers"]["ops"] = {
    "class": "calculator.ops.logbuffer.RingBufferHandler",
    "filters": LOGGING["handlers"]["console"].get("filters", []),
}
for _logger in (LOGGING["root"], *LOGGING["loggers"].values()):
    if _logger is LOGGING["root"] or _logger.get("propagate") is False:
        _logger.setdefault("handlers", []).append("ops")

# Limits on WebSockets, per server process (a cluster-wide cap would need shared state in
# Redis). Refusals close with code 4429, which htmx does not retry. 0 turns a limit off.
# Open sockets of one session: past a handful of tabs it is an attack (every entry and clear
# goes to all of them).
CALC_MAX_SOCKETS_PER_SESSION = int(os.environ.get("CALC_MAX_SOCKETS_PER_SESSION", "20"))
# Open sockets from one client address: one machine cannot take every file descriptor (raise it
# when many users share an address behind NAT).
CALC_MAX_SOCKETS_PER_ADDRESS = int(os.environ.get("CALC_MAX_SOCKETS_PER_ADDRESS", "200"))
# Connects per second per session and per client address, in bursts of 20 seconds' worth: a
# connect reads and renders the transcript, so looping handshakes must not take the loop.
CALC_CONNECT_RATE_PER_SESSION = float(os.environ.get("CALC_CONNECT_RATE_PER_SESSION", "1"))
CALC_CONNECT_RATE_PER_ADDRESS = float(os.environ.get("CALC_CONNECT_RATE_PER_ADDRESS", "10"))
# Entries a connecting socket is sent (a page shows up to 500, with a link to it): bounds the
# work of every connect.
CALC_CONNECT_ENTRIES = int(os.environ.get("CALC_CONNECT_ENTRIES", "50"))
# Frames refused in a row by CALC_RATE_LIMIT before the socket is closed: only a flood gets there.
CALC_MAX_REFUSED_FRAMES = int(os.environ.get("CALC_MAX_REFUSED_FRAMES", "100"))

# GET /metrics answers loopback clients that did not come through a proxy, and anyone sending
# `Authorization: Bearer <this>`; empty: loopback only (calculator/web/scrape.py).
CALC_METRICS_TOKEN = os.environ.get("CALC_METRICS_TOKEN", "")

# Accounts (django-allauth): email and password, or a passkey; calculator/accounts/.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Signing in and out goes through this adapter: signing in adopts the browser's anonymous
# transcript, and either closes the browser's open sockets.
ACCOUNT_ADAPTER = "calculator.accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "calculator.accounts.adapter.user_display"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("CALC_EMAIL_VERIFICATION", "optional")
# Mandatory verification is by a code typed into the page rather than a link: passkey sign-up
# needs it (allauth keeps the signup in the session, which a link opened elsewhere would lack).
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = ACCOUNT_EMAIL_VERIFICATION == "mandatory"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
# allauth's rate limits (ACCOUNT_RATE_LIMITS) stay at their defaults: on, counted in CACHES.
MFA_SUPPORTED_TYPES = ["webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
# The add form says "passkey" like the account menu (allauth's says "Passwordless").
MFA_FORMS = {"add_webauthn": "calculator.accounts.forms.AddPasskeyForm"}
# allauth allows a passkey sign-up only with mandatory verification by code (its checks).
MFA_PASSKEY_SIGNUP_ENABLED = ACCOUNT_EMAIL_VERIFICATION == "mandatory"
# WebAuthn needs a secure origin; plain http://127.0.0.1 only while developing and testing.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("CALC_WEBAUTHN_ALLOW_INSECURE_ORIGIN", DEBUG)
# Ending a person's sessions elsewhere ("sign out other devices") closes their sockets too.
USERSESSIONS_ADAPTER = "calculator.accounts.adapter.UserSessionsAdapter"
USERSESSIONS_TRACK_ACTIVITY = False

# Stronger than Django's default PBKDF2; older hashes are still read and upgraded on sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# The cache counts allauth's rate limits: shared by every process through Redis when there is
# one, else per process.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Mail (password resets, verification codes): printed in debug, else SMTP from the environment;
# CALC_EMAIL_BACKEND overrides both (the tests write mail to files).
EMAIL_BACKEND = os.environ.get("CALC_EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("CALC_EMAIL_FILE_PATH", "")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "calculator@localhost")
