import hashlib
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from kuihua.core import crypto
from kuihua.core.logging import RedactPersonalDataFilter
from kuihua.core.tenancy import use_community
from kuihua.registry.models import Resident
from kuihua.registry.tests.factories import ResidentFactory


@pytest.fixture
def fresh_keys():
    crypto.reset_key_cache()
    yield
    crypto.reset_key_cache()


def _raw(resident_pk: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM registry_resident WHERE id = %s", [resident_pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_search_index_is_keyed_not_a_plain_hash(settings, fresh_keys):
    id_number = "330106195003120011"

    index = crypto.blind_index(id_number, purpose="id")
    settings.KUIHUA_INDEX_KEY = "another-key"

    assert index != hashlib.sha256(id_number.encode()).hexdigest()
    assert index != crypto.blind_index(id_number, purpose="id")


@pytest.mark.django_db
def test_keys_rotate_without_losing_data(settings, community, fresh_keys):
    resident = ResidentFactory(household__building__compound__community=community)
    old_token = _raw(resident.pk, "id_number")
    new_key = Fernet.generate_key().decode()
    settings.KUIHUA_FIELD_KEYS = [new_key, *settings.KUIHUA_FIELD_KEYS]

    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    new_token = _raw(resident.pk, "id_number")
    assert new_token != old_token
    # Only the new key is needed from now on.
    settings.KUIHUA_FIELD_KEYS = [new_key]
    crypto.reset_key_cache()
    with use_community(community):
        assert Resident.objects.get(pk=resident.pk).id_number == resident.id_number


@pytest.mark.django_db
def test_a_tampered_value_does_not_decrypt(community):
    resident = ResidentFactory(household__building__compound__community=community)
    token = _raw(resident.pk, "phone")
    tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_resident SET phone = %s WHERE id = %s", [tampered, resident.pk]
        )

    with use_community(community), pytest.raises(Exception, match="decrypted"):
        Resident.objects.get(pk=resident.pk)


def test_log_lines_never_carry_id_or_mobile_numbers(caplog):
    logger = logging.getLogger("kuihua.test")
    logger.addFilter(RedactPersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="kuihua.test"):
        logger.info("lookup %s by %s", "33010619500312001X", "13812345678")

    assert "33010619500312001X" not in caplog.text
    assert "13812345678" not in caplog.text
    assert "[身份证号]" in caplog.text
