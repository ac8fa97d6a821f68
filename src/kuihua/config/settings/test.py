"""Tests: fast hashing, fixed keys, the database from KUIHUA_TEST_DATABASE_URL.

The test runner (scripts/test) runs the suite once on SQLite and, when given a
PostgreSQL URL, once more on PostgreSQL.
"""

import os

from .base import *  # noqa: F403
from .base import database_from_url

SECRET_KEY = "test-only-not-secret"  # noqa: S105
KUIHUA_FIELD_KEYS = ["Rml4ZWRUZXN0S2V5Rm9yS3VpaHVhVGVzdHNPbmx5MDA="]
KUIHUA_INDEX_KEY = "fixed-test-index-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {
    "default": database_from_url(os.environ.get("KUIHUA_TEST_DATABASE_URL", "sqlite:///:memory:"))
}
ALLOWED_HOSTS = ["*"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tasks run at once, in the test's own process (huey's immediate mode, in memory).
HUEY = {"huey_class": "huey.MemoryHuey", "name": "kuihua-test", "immediate": True}
