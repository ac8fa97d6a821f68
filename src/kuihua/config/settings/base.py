"""Settings shared by every environment.

Environment-specific modules (local, production, test) import from here and
override. Secrets never live in this file: they come from the environment.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parents[2]
# Where the embedded (SQLite) deployment keeps its database, secrets and uploads.
KUIHUA_HOME = Path(os.environ.get("KUIHUA_HOME", Path.cwd() / "var")).resolve()
DEFAULT_SQLITE_PATH = KUIHUA_HOME / "kuihua.sqlite3"

DEBUG = False
ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rules.apps.AutodiscoverRulesConfig",
    "huey.contrib.djhuey",
    "ninja",
    "kuihua.core",
    "kuihua.accounts",
    "kuihua.registry",
    "kuihua.organizations",
    "kuihua.training",
    "kuihua.venues",
    "kuihua.activities",
    "kuihua.notifications",
    "kuihua.service_records",
    "kuihua.matching",
    "kuihua.care",
    "kuihua.ledger",
    "kuihua.council",
    "kuihua.stewards",
    "kuihua.projects",
    "kuihua.market",
    "kuihua.dashboard",
    "kuihua.demo",
    "kuihua.benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # two-factor: request.user.is_verified()
    "kuihua.accounts.middleware.TwoFactorRequiredMiddleware",
    "kuihua.core.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kuihua.core.middleware.HtmxLoginRedirectMiddleware",
    "kuihua.core.middleware.CommunityScopeMiddleware",
    "kuihua.core.middleware.ApplicationErrorMiddleware",
    "axes.middleware.AxesMiddleware",
    "kuihua.core.nostore.NoStoreMiddleware",
]

# --- Content-Security-Policy and Permissions-Policy ----------------------------------
# Scripts and styles come from our own static files only: no inline script, event
# handler attribute or style (core/tests/test_security_headers.py scans every
# template), nothing from another origin (deployments may be offline anyway).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# No page uses the camera, microphone, location or payment: no page, and nothing a
# page embeds, may ask for them.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

ROOT_URLCONF = "kuihua.config.urls"
WSGI_APPLICATION = "kuihua.config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "kuihua.core.context_processors.navigation",
                "kuihua.accounts.context_processors.elder_mode",
            ],
        },
    },
]


def database_from_url(url: str) -> dict:
    """Turn a DATABASE_URL into Django's DATABASES entry, tuning SQLite for concurrent writers.

    Default SQLite answers a burst of writers with "database is locked": a deferred
    transaction that later wants to write cannot wait for the lock. IMMEDIATE
    transactions take the write lock up front and wait up to the busy timeout;
    WAL lets readers go on while one writer writes. See docs/adr/0003-sqlite.md.
    """
    config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
            ),
        }
    return config


DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kuihua.accounts.signin.AccountDelayBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    # Django's common-password list plus ~4 million common and breached ones, offline.
    {"NAME": "kuihua.accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: a new key at sign-in (Django's login() cycles it), an absolute
# lifetime from the cookie age, and an idle time-out enforced by middleware.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# -- Sign-in throttling and two-factor sign-in (issue 12: findings 4 and 12) ---------------
# See kuihua/accounts/signin.py and docs/operations.md "Sign-in protection".
# The client's address: the N-th from the right in X-Forwarded-For, N = the proxies in
# front that append to it. 0 here (the embedded deployment faces browsers: REMOTE_ADDR);
# production reads KUIHUA_TRUSTED_PROXIES (default 1, the documented TLS proxy).
KUIHUA_TRUSTED_PROXIES = 0
AXES_CLIENT_IP_CALLABLE = "kuihua.accounts.signin.client_ip"
# Per address, across usernames (django-axes): so many wrong passwords in a row from one
# address refuse it for 15 minutes, whatever usernames it tries.
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("KUIHUA_SIGNIN_ADDRESS_FAILURES", "10"))
AXES_COOLOFF_TIME = 0.25
AXES_RESET_ON_SUCCESS = False  # a sprayer with one good account must not clear its count
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Per account: no lock; after 5 wrong passwords each try waits 2, 4, 8, … seconds, at most 15 min.
KUIHUA_SIGNIN_FREE_FAILURES = 5
KUIHUA_SIGNIN_MAX_DELAY = 15 * 60
# Roles that must sign in with a second factor (TOTP app or recovery code). Empty here
# (the demo prints logins for newcomers; the test suite); production sets it.
KUIHUA_OTP_REQUIRED_ROLES: list[str] = []
OTP_TOTP_ISSUER = "葵花社区平台"
# -- end of sign-in block -------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["kuihua.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = KUIHUA_HOME / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Receipts and other evidence: never under MEDIA_ROOT, served only through a view
    # that checks who asks (the stewards' books_evidence view).
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": KUIHUA_HOME / "private"},
    },
}
MEDIA_ROOT = KUIHUA_HOME / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

NINJA_PAGINATION_PER_PAGE = 50
NINJA_MAX_PER_PAGE_SIZE = 200

# Personal data: keys for field encryption (Fernet, first one encrypts, all decrypt,
# so keys rotate by prepending) and for the keyed search index (HMAC-SHA256).
KUIHUA_FIELD_KEYS: list[str] = [
    k for k in os.environ.get("KUIHUA_FIELD_KEYS", "").split(",") if k.strip()
]
KUIHUA_INDEX_KEY: str = os.environ.get("KUIHUA_INDEX_KEY", "")

# Logs carry no personal data: messages name objects by id, never by name,
# ID number or phone; request bodies are never logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "kuihua.core.logging.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Background work (huey): SQLite storage beside the database by default, so the
# embedded set-up needs no outside service; Redis when REDIS_URL is set.
# Tasks live in each app's tasks.py (db_task / db_periodic_task).
# Every key Kuihua writes to a shared Redis (throttles, cache, the task queue) starts
# with this prefix, so two deployments, or a test run beside a server, never meet.
KUIHUA_REDIS_PREFIX = os.environ.get("KUIHUA_REDIS_PREFIX", "kuihua")

if os.environ.get("REDIS_URL"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": KUIHUA_REDIS_PREFIX,
        "url": os.environ["REDIS_URL"],
        "immediate": False,
    }
else:
    # huey opens its file when the app loads: the folder must exist by then.
    KUIHUA_HOME.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kuihua",
        "filename": str(KUIHUA_HOME / "tasks.sqlite3"),
        "immediate": False,
    }

# Matching: a run's proposals that nobody accepted or overrode are deleted this many
# days after the run (the worker's daily purge, matching/retention.py); the accepted
# and overridden ones stay with their run. At least 1.
KUIHUA_MATCH_PROPOSAL_RETENTION_DAYS = int(
    os.environ.get("KUIHUA_MATCH_PROPOSAL_RETENTION_DAYS", "90")
)

# Sign-up rate limits (django-ninja throttling on Django's cache): per person and
# for everybody together. The default cache is per process; production sets Redis.
KUIHUA_SIGNUP_RATE = os.environ.get("KUIHUA_SIGNUP_RATE", "10/m")
KUIHUA_SIGNUP_RATE_GLOBAL = os.environ.get("KUIHUA_SIGNUP_RATE_GLOBAL", "100/s")

# Searches by a whole ID number or phone (coordinators only, each hit access-logged):
# per user. Enough for a desk's day, far too few to guess a number digit by digit.
KUIHUA_WHOLE_VALUE_SEARCH_RATE = os.environ.get("KUIHUA_WHOLE_VALUE_SEARCH_RATE", "30/h")

# A refused form (expired page, missing token) answers in the user's language.
CSRF_FAILURE_VIEW = "kuihua.core.views.csrf_failure"
