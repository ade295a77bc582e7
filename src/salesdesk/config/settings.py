"""Salesdesk settings, read from the environment (12-factor).

Every value an operator may need to change comes from an environment variable;
nothing secret is a constant in code. See docs/operations.md for the full list.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The data folder holds the SQLite database, the generated secret key, uploads and
# generated documents. It is created on first use so that a fresh clone just runs.
DATA_DIR = Path(os.environ.get("SALESDESK_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The SECRET_KEY from the environment, else one generated once into the data folder."""
    given = os.environ.get("SECRET_KEY") or os.environ.get("SALESDESK_SECRET_KEY")
    if given:
        return given
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key = secrets.token_urlsafe(64)
        # O_EXCL: two processes starting at once must not overwrite each other's key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("SALESDESK_DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "salesdesk.core",
    "salesdesk.parties",
    "salesdesk.catalog",
    "salesdesk.knowledge",
    "salesdesk.deals",
    "salesdesk.service",
    "salesdesk.estimates",
    "salesdesk.solutions",
    "salesdesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "salesdesk.core.middleware.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "salesdesk.core.middleware.IdempotencyMiddleware",
    # Axes last: it turns a locked-out login into a clear "try again later" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salesdesk.config.urls"
WSGI_APPLICATION = "salesdesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "salesdesk.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# Default: a SQLite file in the data folder. WAL lets readers work while one writer
# writes; IMMEDIATE transactions take the write lock up front, so two writers queue
# on the busy timeout instead of failing with "database is locked" mid-transaction.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA busy_timeout=20000;"
    ),
}
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'salesdesk.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {**SQLITE_OPTIONS, **_db.get("OPTIONS", {})}
    _db["TEST"] = {"NAME": os.environ.get("SALESDESK_TEST_SQLITE_NAME") or None}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and passwords ----------------------------------------------------------
AUTH_USER_MODEL = "parties.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Axes counts failed logins and refuses further attempts after the limit.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AXES_FAILURE_LIMIT = int(os.environ.get("SALESDESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("SALESDESK_LOGIN_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

# --- Security headers and cookies -------------------------------------------------
# Served over HTTPS (SALESDESK_HTTPS=1, the production setting): secure cookies,
# HSTS and a redirect from plain HTTP. Plain HTTP is only for the laptop.
HTTPS = env_bool("SALESDESK_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and not env_bool("SALESDESK_NO_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SALESDESK_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SALESDESK_HSTS_PRELOAD")
# Preloading commits the whole domain to HTTPS for browsers everywhere: the operator's
# decision (SALESDESK_HSTS_PRELOAD=1), not a default a self-hosted product should take.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env_bool("SALESDESK_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SALESDESK_SESSION_SECONDS", str(60 * 60 * 12)))
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("SALESDESK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Everything is served from the package itself (no CDN, works offline); finders let
# `make run` serve without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Salesdesk <salesdesk@localhost>")

# Service desk: links in e-mails, when a resolved case may close, attachment size, rating links.
SALESDESK_BASE_URL = os.environ.get("SALESDESK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
SALESDESK_CASE_CLOSE_QUIET_HOURS = int(os.environ.get("SALESDESK_CASE_CLOSE_QUIET_HOURS", "72"))
SALESDESK_CASE_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("SALESDESK_CASE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
)
SALESDESK_RATING_LINK_DAYS = int(os.environ.get("SALESDESK_RATING_LINK_DAYS", "30"))

# Presales requests: acknowledge within N business hours; the calendar the targets run on
# (same engine as service SLAs, service/business_hours.py). Weekdays ISO 1–7.
SALESDESK_PRESALES_ACKNOWLEDGE_HOURS = float(os.environ.get("SALESDESK_PRESALES_ACKNOWLEDGE_HOURS", "8"))
SALESDESK_PRESALES_DEFAULT_HOURS = float(os.environ.get("SALESDESK_PRESALES_DEFAULT_HOURS", "8"))
SALESDESK_PRESALES_CAPACITY_HOURS = float(os.environ.get("SALESDESK_PRESALES_CAPACITY_HOURS", "40"))
SALESDESK_PRESALES_CALENDAR = {
    "time_zone": os.environ.get("SALESDESK_PRESALES_TIME_ZONE", "Europe/London"),
    "working_days": os.environ.get("SALESDESK_PRESALES_WORKING_DAYS", "12345"),
    "opens_at": os.environ.get("SALESDESK_PRESALES_OPENS_AT", "08:00"),
    "closes_at": os.environ.get("SALESDESK_PRESALES_CLOSES_AT", "18:00"),
    "holiday_country": os.environ.get("SALESDESK_PRESALES_HOLIDAY_COUNTRY", "GB"),
    "holiday_subdivision": os.environ.get("SALESDESK_PRESALES_HOLIDAY_SUBDIVISION", "ENG"),
}

# Deal registration: an approved registration protects its opportunity for the partner this long.
SALESDESK_DEAL_REGISTRATION_PROTECTION_DAYS = int(
    os.environ.get("SALESDESK_DEAL_REGISTRATION_PROTECTION_DAYS", "90")
)

# --- Background jobs ----------------------------------------------------------------
# The database backend needs no extra service: `salesdesk worker` runs the jobs.
# SALESDESK_TASKS_IMMEDIATE=1 runs them inline (tests, one-off scripts).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("SALESDESK_TASKS_IMMEDIATE")
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SALESDESK_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # each failed login and lock-out is a warning
    },
}

# --- Salesdesk ---------------------------------------------------------------------------
SALESDESK_PAGE_SIZE = 25
SALESDESK_API_MAX_LIMIT = 200
SALESDESK_IDEMPOTENCY_TTL_HOURS = 24
