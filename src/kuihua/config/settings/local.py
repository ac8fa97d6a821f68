"""The embedded deployment: `kuihua demo` and a single office machine on SQLite.

Secrets are generated once into KUIHUA_HOME/secrets.json so that a newcomer
needs no set-up; production refuses to start without them in the environment.
"""

import json
import secrets

from cryptography.fernet import Fernet

from .base import *  # noqa: F403
from .base import KUIHUA_FIELD_KEYS, KUIHUA_HOME, KUIHUA_INDEX_KEY


def _local_secrets() -> dict:
    path = KUIHUA_HOME / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    KUIHUA_HOME.mkdir(parents=True, exist_ok=True)
    values = {
        "secret_key": secrets.token_urlsafe(50),
        "field_keys": [Fernet.generate_key().decode()],
        "index_key": secrets.token_urlsafe(32),
    }
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


_secrets = _local_secrets()
SECRET_KEY = _secrets["secret_key"]
KUIHUA_FIELD_KEYS = KUIHUA_FIELD_KEYS or _secrets["field_keys"]
KUIHUA_INDEX_KEY = KUIHUA_INDEX_KEY or _secrets["index_key"]

# WhiteNoise serves from the finders here; the folder only has to exist.
(KUIHUA_HOME / "static").mkdir(parents=True, exist_ok=True)

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": KUIHUA_HOME / "private"},
    },
}
