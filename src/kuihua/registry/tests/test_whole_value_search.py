"""Searching by a whole ID number or phone is a look at the whole value (issue 12, finding 1).

A hit confirms the number: with the masked ID (first 3 + last 4) and the age on the
list, an org leader could guess a member's whole ID one search at a time. Such a
search is for roles that may see whole records, counted and access-logged.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.models import AccessLog
from kuihua.organizations.tests.factories import MembershipFactory
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

URL = "/api/registry/residents"
COORDINATORS_ONLY = "按身份证号或完整手机号搜索仅限社区协调员"
TOO_OFTEN = "按身份证号或手机号搜索过于频繁"


@pytest.fixture(autouse=True)
def _fresh_counts(in_community):
    """The rate counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def leader_and_member(community):
    leading = MembershipFactory(organization__community=community, role="leader")
    member = MembershipFactory(organization=leading.organization).resident
    leader = UserFactory(role=Role.ORG_LEADER, community=community, resident=leading.resident)
    return leader, member


class TestAnOrgLeader:
    def test_an_id_number_search_finds_nobody_and_says_why(self, client, leader_and_member):
        leader, member = leader_and_member
        client.force_login(leader)

        by_name = client.get(URL, {"q": member.name}).json()
        by_id = client.get(URL, {"q": member.id_number})
        page = client.get(reverse("registry:resident_list"), {"q": member.id_number})

        assert [r["id"] for r in by_name["items"]] == [member.pk]
        assert by_id.status_code == 400
        assert COORDINATORS_ONLY in by_id.json()["message"]
        assert by_id.json()["errors"][0]["field"] == "q"
        assert member.name not in page.content.decode()
        assert COORDINATORS_ONLY in page.content.decode()
        assert not AccessLog.objects.exists()

    def test_a_whole_phone_search_finds_nobody_and_says_why(self, client, leader_and_member):
        leader, member = leader_and_member
        client.force_login(leader)

        by_phone = client.get(URL, {"q": member.phone})
        phone = member.phone
        spaced = client.get(URL, {"q": f"{phone[:3]} {phone[3:7]} {phone[7:]}"})
        page = client.get(reverse("registry:resident_list"), {"q": member.phone})
        by_last_four = client.get(URL, {"q": member.phone[-4:]}).json()

        assert by_phone.status_code == spaced.status_code == 400
        assert COORDINATORS_ONLY in by_phone.json()["message"]
        assert member.name not in page.content.decode()
        assert COORDINATORS_ONLY in page.content.decode()
        # The last four are on the masked phone already: still a search for everyone.
        assert [r["id"] for r in by_last_four["items"]] == [member.pk]
        assert not AccessLog.objects.exists()

    def test_the_member_picker_finds_nobody_by_id_number(self, client, leader_and_member):
        leader, member = leader_and_member
        organization = member.memberships.get().organization
        stranger = ResidentFactory(community=member.community)
        client.force_login(leader)

        page = client.get(
            reverse("organizations:member_search", args=[organization.pk]),
            {"q": stranger.id_number},
        )

        assert stranger.name not in page.content.decode()
        assert COORDINATORS_ONLY in page.content.decode()
        assert not AccessLog.objects.exists()


class TestACoordinator:
    def test_an_id_number_search_finds_the_person_and_is_logged(self, client, coordinator):
        person = ResidentFactory(community=coordinator.community)
        ResidentFactory(community=coordinator.community)
        client.force_login(coordinator)

        body = client.get(URL, {"q": person.id_number}).json()

        assert [r["id"] for r in body["items"]] == [person.pk]
        row = AccessLog.objects.get()
        assert (row.user, row.subject_id, row.fields) == (coordinator, person.pk, ["id_number"])
        assert "search" in row.purpose

    def test_a_whole_phone_search_finds_the_person_on_the_page_and_is_logged(
        self, client, coordinator
    ):
        person = ResidentFactory(community=coordinator.community)
        client.force_login(coordinator)

        page = client.get(reverse("registry:resident_list"), {"q": person.phone})

        assert person.name in page.content.decode()
        row = AccessLog.objects.get()
        assert (row.subject_id, row.fields) == (person.pk, ["phone"])
        assert "search" in row.purpose

    def test_past_the_rate_the_search_is_refused(self, client, coordinator, settings):
        settings.KUIHUA_WHOLE_VALUE_SEARCH_RATE = "3/h"
        person = ResidentFactory(community=coordinator.community)
        client.force_login(coordinator)

        answers = [client.get(URL, {"q": person.id_number}) for _ in range(4)]
        page = client.get(reverse("registry:resident_list"), {"q": person.id_number})
        by_name = client.get(URL, {"q": person.name})

        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert TOO_OFTEN in answers[-1].json()["message"]
        assert TOO_OFTEN in page.content.decode()
        assert person.name not in page.content.decode().split(TOO_OFTEN)[1]
        assert AccessLog.objects.count() == 3
        # A name is no whole value: searching by it is never counted.
        assert [r["id"] for r in by_name.json()["items"]] == [person.pk]

    def test_what_is_typed_on_the_way_to_a_number_is_not_counted(
        self, client, coordinator, settings
    ):
        settings.KUIHUA_WHOLE_VALUE_SEARCH_RATE = "1/h"
        person = ResidentFactory(community=coordinator.community)
        client.force_login(coordinator)

        for typed in (person.phone[:8], person.phone[:10], person.id_number[:14]):
            assert client.get(URL, {"q": typed}).status_code == 200
        whole = client.get(URL, {"q": person.phone})

        assert [r["id"] for r in whole.json()["items"]] == [person.pk]
        assert AccessLog.objects.count() == 1
