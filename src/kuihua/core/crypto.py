"""Encryption at rest for sensitive personal data, and the keyed index to find it.

ID numbers, phone numbers and health conditions are stored as Fernet tokens
(AES-128-CBC + HMAC-SHA256: authenticated, so a tampered value fails to
decrypt). `KUIHUA_FIELD_KEYS` lists keys newest first; MultiFernet encrypts with
the first and decrypts with any, so a key rotates by prepending a new one and
running `kuihua manage rotate_field_keys`.

Exact-match search goes through a blind index: HMAC-SHA256 under
`KUIHUA_INDEX_KEY`. A plain hash would not do: there are few enough valid ID
numbers to hash them all and read the table back. See docs/adr/0002-personal-data.md.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet() -> MultiFernet:
    keys = settings.KUIHUA_FIELD_KEYS
    if not keys:
        raise ImproperlyConfigured("KUIHUA_FIELD_KEYS is empty: personal data cannot be stored")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def reset_key_cache() -> None:
    """Forget the loaded keys (after settings change in tests or a rotation)."""
    _fernet.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "a personal-data field could not be decrypted with the configured keys"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key."""
    return _fernet().rotate(token.encode()).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash of a normalised value, for exact-match lookups.

    `purpose` separates the index spaces (an ID number and a phone's last four
    digits never share a hash).
    """
    key = settings.KUIHUA_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("KUIHUA_INDEX_KEY is empty")
    message = f"{purpose}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column whose database value is a Fernet token; Python sees plain text.

    Empty strings are stored empty so that "not given" stays distinguishable
    without a decryption. Not searchable: pair it with a blind-index column.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
