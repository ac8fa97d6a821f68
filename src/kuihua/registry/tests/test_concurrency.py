"""Two clerks register the same person at the same instant: one record, one clear refusal."""

import threading

import pytest
from django.db import connection

from kuihua.core.tenancy import use_community
from kuihua.registry import services
from kuihua.registry.models import Resident
from kuihua.registry.tests.factories import make_id_number

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor == "sqlite" and connection.settings_dict["NAME"] in ("", ":memory:"),
    reason="threads need a database file or server; the PostgreSQL pass runs this",
)
def test_the_same_id_number_registered_twice_at_once_gives_one_resident(community, coordinator):
    import datetime as dt

    id_number = make_id_number(dt.date(1950, 1, 1), 42)
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def register():
        try:
            with use_community(community):
                start.wait()
                services.resident_create(actor=coordinator, name="同一人", id_number=id_number)
            outcomes.append("created")
        except services.RegistryError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("created") == 1
    assert sorted(set(outcomes) - {"created"}) == ["该身份证号码已登记"]
    with use_community(community):
        assert Resident.objects.count() == 1
