"""Django settings for Helpathon.

Everything that differs between a laptop and a deployment comes from environment variables
(12-factor), with defaults that are safe for local use.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from helpathon.logging import default_log_format, formatter_for

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback key is only good for a laptop; production must set SECRET_KEY. Its prefix makes
# `check --deploy` fail (security.W009) when a deployment forgot to.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-local-dev-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "django_htmx",
    "template_partials",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "helpathon.accounts",
    "helpathon.editions",
    "helpathon.registrations",
    "helpathon.live",
    "helpathon.ideas",
    "helpathon.evaluation",
    "helpathon.teams",
    "helpathon.moderation",
    "helpathon.results",
    "helpathon.notifications",
    "helpathon.console",
    "helpathon.api",
]

MIDDLEWARE = [
    "helpathon.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "helpathon.middleware.GermanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "helpathon.middleware.htmx_login_redirect",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "helpathon.urls"
ASGI_APPLICATION = "helpathon.asgi.application"
WSGI_APPLICATION = "helpathon.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "helpathon" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "helpathon.pagecache.csrf_placeholder",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite in WAL mode with IMMEDIATE transactions: writers queue on the busy timeout instead of
# failing with "database is locked" when a read transaction tries to upgrade to a write.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
# PostgreSQL: a pool of connections per process (psycopg_pool), instead of a new connection per
# request, which costs more than many a page. Each request runs in a thread of its own under ASGI,
# so Django's persistent connections (CONN_MAX_AGE) must stay off there; the pool is the way.
# A request holds one connection; REQUEST_CONCURRENCY bounds them, the live stream's reads add a few.
DATABASE_POOL = os.environ.get("DATABASE_POOL", "0") == "1"
if DATABASE_POOL and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pool_size = int(os.environ.get("REQUEST_CONCURRENCY", "16") or 16) + 4
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": _pool_size, "timeout": 20}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with the threads of a process queueing fairly for the one writer.
    DATABASES["default"]["ENGINE"] = "helpathon.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON;"
        ),
    }
    # A file, not memory: browser tests and concurrency tests reach it from other threads.
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Requests running in Django at once per server process (each holds a thread and a database
# connection); more wait their turn (helpathon/concurrency.py). Keep workers x this well below
# PostgreSQL's max_connections. 0: no limit.
REQUEST_CONCURRENCY = int(os.environ.get("REQUEST_CONCURRENCY", "16"))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_SIGNUP_FORM_CLASS = "helpathon.accounts.forms.SignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Helpathon] "
ACCOUNT_RATE_LIMITS = {} if env_bool("DISABLE_RATE_LIMITS", False) else {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Helpathon <noreply@helpathon.localhost>")
# Where people reply to mails about moderation: the organizing team's shared address.
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")
# Who runs this site and is responsible for its data (name and postal address), for the privacy notice.
OPERATOR = os.environ.get("OPERATOR", "")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "helpathon" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "helpathon" / "static",
    # Front-end packages from npm (package-lock.json), served as our own static files.
    ("vendor/d3", BASE_DIR / "node_modules" / "d3" / "dist"),
]
# Uploads (prototype images and pitch PDFs): checked and re-encoded by the services, stored
# through Django's storage API, served by a view that authorizes and sets safe headers.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
PROTOTYPE_IMAGE_MAX_BYTES = 8 * 1024 * 1024
PROTOTYPE_IMAGE_MAX_PIXELS = 40_000_000
PROTOTYPE_PDF_MAX_BYTES = 20 * 1024 * 1024

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Served from the app's static folders too, so that tests and `make run` need no collectstatic
# to find a file (collectstatic adds the compressed, cache-busting copies for production).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_MANIFEST_STRICT = False

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading commits the registrable domain (usually the city's, not ours) to HTTPS in browsers'
# built-in lists; its owner decides (SECURE_HSTS_PRELOAD=1), so the check that asks is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None

# Everything is served from our own origin: no CDN, font or tracker can load.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Background work ----------------------------------------------------------------------
# django-tasks with its database backend: nothing extra to run but `manage.py db_worker`
# (which `make run` starts beside the server).
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Themes are recomputed this many seconds after the first change, so bursts coalesce.
THEMES_DELAY_SECONDS = int(os.environ.get("THEMES_DELAY_SECONDS", "20"))
THEMES_AUTO = env_bool("THEMES_AUTO", True)
# Rank changes are announced live this many seconds after the first vote of a burst.
RANKINGS_DELAY_SECONDS = int(os.environ.get("RANKINGS_DELAY_SECONDS", "5"))
RANKINGS_AUTO = env_bool("RANKINGS_AUTO", True)
# The share of pairs chosen at random rather than for the most information (exploration).
PAIRWISE_EPSILON = float(os.environ.get("PAIRWISE_EPSILON", "0.1"))

# --- Live stream ----------------------------------------------------------------------------
# A channel flushes at most once per this many seconds; a burst in between goes out coalesced.
LIVE_COALESCE_SECONDS = float(os.environ.get("LIVE_COALESCE_SECONDS", "0.25"))
LIVE_HEARTBEAT_SECONDS = float(os.environ.get("LIVE_HEARTBEAT_SECONDS", "15"))
# How often a process reads the log's cursors to find events no broker told it about (written by
# another process without Redis, or lost while Redis was away). Default: 1 s, 5 s with Redis.
LIVE_POLL_SECONDS = float(os.environ.get("LIVE_POLL_SECONDS", "5" if REDIS_URL else "1"))
# How often the viewer counts ("online") are updated.
LIVE_ONLINE_SECONDS = float(os.environ.get("LIVE_ONLINE_SECONDS", "5"))
# A client further behind than this many events is told to reload a snapshot instead.
LIVE_REPLAY_LIMIT = int(os.environ.get("LIVE_REPLAY_LIMIT", "5000"))
# Serve the public stream from the lean ASGI path (helpathon/live/asgi.py) instead of Django's.
LIVE_FAST_PATH = env_bool("LIVE_FAST_PATH", True)

# --- Helpathon ------------------------------------------------------------------------------
# How long a double opt-in link for a registration stays valid; an unconfirmed place lapses then.
REGISTRATION_CONFIRM_HOURS = int(os.environ.get("REGISTRATION_CONFIRM_HOURS", "48"))
ORGANIZERS_GROUP = "Organisatoren"

# One JSON object per line on stderr (helpathon/logging.py), unless LOG_FORMAT=text (the default
# with DEBUG=1). Paths with tokens and email addresses are redacted in either. LOG_REQUESTS=1 logs
# one line per request (deploy/gunicorn.conf.py turns it on; uvicorn's own access log serves `make run`).
LOG_FORMAT = default_log_format(DEBUG)
LOGGING_CONFIG = "helpathon.logging.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"default": formatter_for(LOG_FORMAT)},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "default"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "helpathon.request": {"level": "INFO" if env_bool("LOG_REQUESTS", False) else "WARNING"},
    },
}
