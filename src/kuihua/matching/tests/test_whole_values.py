"""A need's resident: masked for roles without the whole-record right, whole only on a
logged access (issue 12, finding 2)."""

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.masking import mask_phone
from kuihua.core.models import AccessLog
from kuihua.matching.tests.factories import category, need, resident_at
from kuihua.organizations.tests.factories import MembershipFactory
from kuihua.registry.tests.factories import BuildingFactory, CompoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def building(in_community):
    return BuildingFactory(compound=CompoundFactory(community=in_community), name="7幢")


@pytest.fixture
def member(building):
    return resident_at(building, phone="18812346222")


@pytest.fixture
def leader(community, member):
    leading = MembershipFactory(organization__community=community, role="leader")
    MembershipFactory(organization=leading.organization, resident=member)
    return UserFactory(role=Role.ORG_LEADER, community=community, resident=leading.resident)


def _address(resident) -> str:
    return str(resident.household)


def test_an_org_leader_raising_a_need_gets_the_masked_phone_and_no_address(client, leader, member):
    client.force_login(leader)

    raised = client.post(
        "/api/matching/needs",
        {"category_id": category().pk, "resident_id": member.pk, "consent_to_share": True},
        "application/json",
    )
    again = client.get(f"/api/matching/needs/{raised.json()['id']}")

    assert raised.status_code == 201, raised.content
    for body in (raised.json(), again.json()):
        assert body["person"]["phone"] == mask_phone(member.phone) == "188****6222"
        assert body["person"]["shared"] is False
        assert "7幢" not in str(body)
        assert member.phone not in str(body)
    assert not AccessLog.objects.exists()


def test_the_org_leader_sees_the_masked_details_on_the_need_page(client, leader, member):
    raised = need(member, actor=leader)
    client.force_login(leader)

    page = client.get(reverse("matching:need_detail", args=[raised.pk])).content.decode()

    assert "188****6222" in page
    assert member.phone not in page
    assert _address(member) not in page
    assert not AccessLog.objects.exists()


def test_the_coordinator_sees_whole_details_only_with_a_logged_look(client, coordinator, member):
    raised = need(member)
    client.force_login(coordinator)

    api = client.get(f"/api/matching/needs/{raised.pk}")
    page = client.get(reverse("matching:need_detail", args=[raised.pk]))

    assert api.json()["person"]["phone"] == member.phone
    assert api.json()["person"]["address"] == _address(member)
    assert member.phone in page.content.decode()
    rows = list(AccessLog.objects.values_list("user", "subject_id", "purpose"))
    assert rows == [(coordinator.pk, member.pk, "need")] * 2
    assert "no-store" in api["Cache-Control"]
    assert "no-store" in page["Cache-Control"]


def test_the_resident_sees_her_own_details_without_a_log_row(client, member):
    raised = need(member)
    client.force_login(member.account)

    body = client.get(f"/api/matching/needs/{raised.pk}").json()

    assert body["person"]["phone"] == member.phone
    assert not AccessLog.objects.exists()
