"""Every response that carries whole values is sent `Cache-Control: no-store`
(issue 12, finding 8): set by the one mechanism behind the access log, so no
endpoint can forget it."""

import pytest
from django.urls import reverse

from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(in_community):
    return ResidentFactory(community=in_community)


@pytest.mark.parametrize("what", ["sensitive", "export"])
def test_the_whole_record_api_answers_are_never_stored(client, coordinator, person, what):
    client.force_login(coordinator)

    response = client.get(f"/api/registry/residents/{person.pk}/{what}")

    assert response.status_code == 200
    assert person.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_whole_record_page_is_never_stored(client, coordinator, person):
    client.force_login(coordinator)

    response = client.post(
        reverse("registry:resident_sensitive", args=[person.pk]), {"purpose": "上门走访"}
    )

    assert person.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_masked_answer_carries_no_such_header(client, coordinator, person):
    client.force_login(coordinator)

    response = client.get(f"/api/registry/residents/{person.pk}")

    assert person.id_number not in response.content.decode()
    assert "no-store" not in response.get("Cache-Control", "")
