"""Tests: fast hashing, fixed keys, the database from KUIHUA_TEST_DATABASE_URL.

The test runner (scripts/test) runs the suite once on SQLite and, when given a
PostgreSQL URL, once more on PostgreSQL.

A test run owns its namespaces in the services it shares with the machine: its
PostgreSQL databases and its Redis keys carry the run's id (KUIHUA_TEST_RUN_ID, else
a random one) and the xdist worker's name, so two runs, or a run beside a server on
the same Redis, never read or count each other's state.
"""

import os
import secrets

from .base import *  # noqa: F403
from .base import database_from_url

SECRET_KEY = "test-only-not-secret"  # noqa: S105
KUIHUA_FIELD_KEYS = ["Rml4ZWRUZXN0S2V5Rm9yS3VpaHVhVGVzdHNPbmx5MDA="]
KUIHUA_INDEX_KEY = "fixed-test-index-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEST_RUN_ID = os.environ.setdefault("KUIHUA_TEST_RUN_ID", secrets.token_hex(4))
KUIHUA_REDIS_PREFIX = f"kuihua-test-{TEST_RUN_ID}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"

DATABASES = {
    "default": database_from_url(os.environ.get("KUIHUA_TEST_DATABASE_URL", "sqlite:///:memory:"))
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # pytest-django adds the xdist worker's suffix (_gw0, _gw1) to this name.
    DATABASES["default"]["TEST"] = {"NAME": f"test_kuihua_{TEST_RUN_ID}"}
ALLOWED_HOSTS = ["*"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}

# Tasks run at once, in the test's own process (huey's immediate mode, in memory).
HUEY = {"huey_class": "huey.MemoryHuey", "name": KUIHUA_REDIS_PREFIX, "immediate": True}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_PREFIX": KUIHUA_REDIS_PREFIX,
    }
}
