"""Production: PostgreSQL, Redis, several app servers behind TLS.

Every secret comes from the environment; a missing one stops the start-up.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment")
    return value


SECRET_KEY = _required("DJANGO_SECRET_KEY")
KUIHUA_FIELD_KEYS = [k for k in _required("KUIHUA_FIELD_KEYS").split(",") if k.strip()]
KUIHUA_INDEX_KEY = _required("KUIHUA_INDEX_KEY")
ALLOWED_HOSTS = [h for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "true") == "true"
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Several app servers share one cache (sign-up rate limits, sessions' throttling)
# and one task queue: both are Redis in production (base.py picks RedisHuey).
REDIS_URL = _required("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": KUIHUA_REDIS_PREFIX,  # noqa: F405
    }
}

# -- Sign-in protection (issue 12: findings 4 and 12) ------------------------------------
# How many proxies in front append to X-Forwarded-For (docs/operations.md): the client's
# address is the one the outermost trusted proxy appended. 0 if browsers reach us directly.
KUIHUA_TRUSTED_PROXIES = int(os.environ.get("KUIHUA_TRUSTED_PROXIES", "1"))
# Roles that can reveal whole records sign in with a second factor.
KUIHUA_OTP_REQUIRED_ROLES = [
    r.strip()
    for r in os.environ.get("KUIHUA_OTP_REQUIRED_ROLES", "coordinator,district_viewer").split(",")
    if r.strip()
]
# -- end of sign-in block ---------------------------------------------------------------
