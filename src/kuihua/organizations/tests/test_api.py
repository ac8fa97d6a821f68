import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.masking import mask_phone
from kuihua.core.tenancy import use_community
from kuihua.core.tests.clock import days_from_today
from kuihua.organizations.models import Category, Membership, Organization, PartnerUnit, Stage
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

URL = "/api/organizations"


@pytest.fixture(autouse=True)
def _in_community(in_community):
    return in_community


def _resident(community, **kwargs):
    return ResidentFactory(household__building__compound__community=community, **kwargs)


def _organization(community, *, leader=None, members=0, **kwargs):
    org = OrganizationFactory(community=community, **kwargs)
    if leader is not None:
        MembershipFactory(organization=org, resident=leader, role=Membership.Role.LEADER)
        org.leader = leader
        org.save()
    for _ in range(members):
        MembershipFactory(organization=org, resident=_resident(community))
    return org


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def leader(community):
    return _resident(community, name="周红")


@pytest.fixture
def as_leader(client, community, leader):
    client.force_login(UserFactory(role=Role.ORG_LEADER, community=community, resident=leader))
    return client


@pytest.fixture
def as_volunteer(client, community):
    client.force_login(
        UserFactory(role=Role.VOLUNTEER, community=community, resident=_resident(community))
    )
    return client


class TestDirectory:
    def test_lists_name_category_stage_leader_and_member_count(
        self, as_volunteer, community, leader
    ):
        org = _organization(
            community,
            name="夕阳红合唱团",
            category=Category.CULTURE_SPORTS,
            leader=leader,
            members=2,
        )

        body = as_volunteer.get(URL).json()

        assert body["count"] == 1
        item = body["items"][0]
        assert item["id"] == org.pk
        assert (item["category"], item["category_label"]) == ("culture", "文体型")
        assert (item["stage"], item["stage_label"]) == ("incubating", "孵化中")
        assert item["branch"]["name"] == "文体型社会组织党支部"
        assert item["leader_name"] == "周红"
        assert item["member_count"] == 3

    def test_filters_by_category_and_name(self, as_volunteer, community):
        choir = _organization(community, name="合唱团", category=Category.CULTURE_SPORTS)
        _organization(community, name="巡逻队", category=Category.GOVERNANCE)

        by_category = as_volunteer.get(URL, {"category": "culture"}).json()
        by_name = as_volunteer.get(URL, {"q": "合唱"}).json()
        bad = as_volunteer.get(URL, {"category": "sports"})

        assert [o["id"] for o in by_category["items"]] == [choir.pk]
        assert [o["id"] for o in by_name["items"]] == [choir.pk]
        assert bad.status_code == 422

    def test_runs_the_same_number_of_queries_as_organizations_grow(self, as_coordinator, community):
        def count_queries():
            with CaptureQueriesContext(connection) as ctx:
                response = as_coordinator.get(URL)
            assert response.status_code == 200
            return len(ctx.captured_queries)

        for _ in range(3):
            _organization(community, leader=_resident(community), members=1)
        few = count_queries()
        for _ in range(12):
            _organization(community, leader=_resident(community), members=1)

        assert count_queries() == few

    def test_another_communitys_organizations_are_not_listed(self, as_coordinator, other_community):
        OrganizationFactory(community=other_community)

        assert as_coordinator.get(URL).json()["count"] == 0


class TestProfile:
    def test_members_phones_are_masked_for_a_volunteer(self, as_volunteer, community, leader):
        org = _organization(community, leader=leader, members=1)

        body = as_volunteer.get(f"{URL}/{org.pk}").json()

        assert body["leader"] == {"resident_id": leader.pk, "name": "周红"}
        assert body["member_count"] == 2
        phones = {m["resident_id"]: m["phone"] for m in body["members"]}
        assert phones[leader.pk] == mask_phone(leader.phone)
        assert all("*" in p for p in phones.values())

    def test_the_roster_is_a_list_so_even_its_leader_sees_phones_masked(
        self, client, community, leader, coordinator
    ):
        org = _organization(community, leader=leader)
        leader_user = UserFactory(role=Role.ORG_LEADER, community=community, resident=leader)

        for user in (leader_user, coordinator):
            client.force_login(user)
            body = client.get(f"{URL}/{org.pk}").json()
            assert body["members"][0]["phone"] == mask_phone(leader.phone)

    def test_unknown_and_foreign_organizations_are_404(self, as_coordinator, other_community):
        theirs = OrganizationFactory(community=other_community)

        assert as_coordinator.get(f"{URL}/{theirs.pk}").status_code == 404
        assert as_coordinator.get(f"{URL}/999999").status_code == 404


class TestCreateAndChange:
    def test_a_coordinator_files_an_organization_with_a_leader(self, as_coordinator, community):
        leader = _resident(community)

        response = as_coordinator.post(
            URL,
            {"name": "邻里互助队", "category": "service", "leader_resident_id": leader.pk},
            content_type="application/json",
        )

        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["stage"] == Stage.INCUBATING
        assert body["incubated_on"] is not None
        assert body["leader"]["resident_id"] == leader.pk
        assert [m["role"] for m in body["members"]] == ["leader"]

    def test_a_duplicate_name_is_a_400_on_the_name(self, as_coordinator, community):
        _organization(community, name="巡逻队")

        response = as_coordinator.post(
            URL, {"name": "巡逻队", "category": "governance"}, content_type="application/json"
        )

        assert response.status_code == 400
        assert response.json()["errors"] == [{"field": "name", "message": "已有同名组织"}]

    def test_a_volunteer_may_not_file_one(self, as_volunteer):
        response = as_volunteer.post(
            URL, {"name": "新队", "category": "service"}, content_type="application/json"
        )

        assert response.status_code == 403

    def test_a_leader_changes_their_own_organization(self, as_leader, community, leader):
        org = _organization(community, leader=leader)

        response = as_leader.patch(
            f"{URL}/{org.pk}",
            {"description": "每周三下午活动", "funds_note": "会员自筹"},
            content_type="application/json",
        )

        assert response.status_code == 200
        org.refresh_from_db()
        assert org.description == "每周三下午活动"
        assert org.funds_note == "会员自筹"

    def test_a_leader_may_not_change_another_organization(self, as_leader, community, leader):
        _organization(community, leader=leader)
        other = _organization(community, leader=_resident(community))

        response = as_leader.patch(
            f"{URL}/{other.pk}", {"description": "x"}, content_type="application/json"
        )

        assert response.status_code == 404
        other.refresh_from_db()
        assert other.description == ""

    def test_a_volunteer_may_not_change_one(self, as_volunteer, community):
        org = _organization(community)

        response = as_volunteer.patch(
            f"{URL}/{org.pk}", {"description": "x"}, content_type="application/json"
        )

        assert response.status_code == 404


class TestStage:
    def test_a_coordinator_moves_it_one_step_with_a_date(self, as_coordinator, community):
        org = _organization(community)
        filed_on = days_from_today(-10).isoformat()

        response = as_coordinator.post(
            f"{URL}/{org.pk}/stage",
            {"to_stage": "filed", "on": filed_on},
            content_type="application/json",
        )

        assert response.status_code == 200
        body = response.json()
        assert (body["stage"], body["filed_on"]) == ("filed", filed_on)

    def test_skipping_a_stage_is_a_400(self, as_coordinator, community):
        org = _organization(community)

        response = as_coordinator.post(
            f"{URL}/{org.pk}/stage", {"to_stage": "brand"}, content_type="application/json"
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "stage"

    def test_a_leader_may_not_change_the_stage(self, as_leader, community, leader):
        org = _organization(community, leader=leader)

        response = as_leader.post(
            f"{URL}/{org.pk}/stage", {"to_stage": "filed"}, content_type="application/json"
        )

        assert response.status_code == 404
        org.refresh_from_db()
        assert org.stage == Stage.INCUBATING


class TestMembers:
    def test_a_leader_adds_and_removes_a_member_of_their_household(
        self, as_leader, community, leader
    ):
        org = _organization(community, leader=leader)
        spouse = ResidentFactory(household=leader.household, relation_to_head="spouse")

        added = as_leader.post(
            f"{URL}/{org.pk}/members",
            {"resident_id": spouse.pk, "role": "backbone", "joined_on": "2024-03-01"},
            content_type="application/json",
        )

        assert added.status_code == 201, added.json()
        body = added.json()
        assert (body["resident_id"], body["role"], body["role_label"]) == (
            spouse.pk,
            "backbone",
            "骨干",
        )
        assert body["phone"] == mask_phone(spouse.phone)

        removed = as_leader.delete(f"{URL}/{org.pk}/members/{body['id']}")

        assert removed.status_code == 204
        assert not Membership.objects.filter(pk=body["id"]).exists()

    def test_adding_someone_twice_is_a_400(self, as_coordinator, community):
        org = _organization(community)
        resident = _resident(community)
        MembershipFactory(organization=org, resident=resident)

        response = as_coordinator.post(
            f"{URL}/{org.pk}/members", {"resident_id": resident.pk}, content_type="application/json"
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "resident"

    def test_a_resident_of_another_community_is_a_field_error(
        self, as_coordinator, community, other_community
    ):
        org = _organization(community)
        theirs = ResidentFactory(household__building__compound__community=other_community)

        response = as_coordinator.post(
            f"{URL}/{org.pk}/members", {"resident_id": theirs.pk}, content_type="application/json"
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "resident_id"

    def test_the_leader_cannot_be_removed_before_being_replaced(
        self, as_coordinator, community, leader
    ):
        org = _organization(community, leader=leader)
        membership = Membership.objects.get(organization=org, resident=leader)

        response = as_coordinator.delete(f"{URL}/{org.pk}/members/{membership.pk}")

        assert response.status_code == 400
        assert response.json()["code"] == "rejected"

    def test_a_membership_of_another_organization_is_404(self, as_coordinator, community):
        org, other = _organization(community), _organization(community, members=1)
        membership = Membership.objects.get(organization=other)

        response = as_coordinator.delete(f"{URL}/{org.pk}/members/{membership.pk}")

        assert response.status_code == 404
        assert Membership.objects.filter(pk=membership.pk).exists()

    def test_a_coordinator_sets_the_leader(self, as_coordinator, community, leader):
        org = _organization(community, leader=leader)
        successor = _resident(community)

        response = as_coordinator.put(
            f"{URL}/{org.pk}/leader", {"resident_id": successor.pk}, content_type="application/json"
        )

        assert response.status_code == 200
        body = response.json()
        assert body["leader"]["resident_id"] == successor.pk
        roles = {m["resident_id"]: m["role"] for m in body["members"]}
        assert roles == {leader.pk: "member", successor.pk: "leader"}


class TestPartners:
    def test_a_coordinator_adds_a_partner_and_everyone_lists_it_masked(
        self, client, community, coordinator
    ):
        client.force_login(coordinator)
        created = client.post(
            f"{URL}/partners",
            {
                "name": "颐养院",
                "kind": "institution",
                "services": "助餐、康复",
                "contact_name": "陈院长",
                "contact_phone": "13500002222",
            },
            content_type="application/json",
        )
        assert created.status_code == 201, created.json()
        assert created.json()["contact_phone"] == "13500002222"
        partner_id = created.json()["id"]

        client.force_login(
            UserFactory(role=Role.VOLUNTEER, community=community, resident=_resident(community))
        )
        listed = client.get(f"{URL}/partners").json()
        one = client.get(f"{URL}/partners/{partner_id}").json()

        assert listed["count"] == 1
        assert listed["items"][0]["kind_label"] == "事业单位/机构"
        assert one["contact_phone"] == "135****2222"

    def test_a_volunteer_may_not_add_one(self, as_volunteer):
        response = as_volunteer.post(
            f"{URL}/partners",
            {"name": "某企业", "kind": "enterprise"},
            content_type="application/json",
        )

        assert response.status_code == 403

    def test_a_coordinator_names_the_units_contact_account(
        self, client, community, coordinator, other_community
    ):
        partner = PartnerUnit.objects.create(name="颐养院", kind="institution")
        UserFactory(username="yiyang", role=Role.RESIDENT, community=community)
        with use_community(other_community):
            UserFactory(username="waiqu", role=Role.RESIDENT, community=other_community)
        client.force_login(coordinator)
        url = f"{URL}/partners/{partner.pk}/contact"

        elsewhere = client.post(url, {"username": "waiqu"}, content_type="application/json")
        named = client.post(url, {"username": "yiyang"}, content_type="application/json")

        assert elsewhere.status_code == 400
        assert elsewhere.json()["errors"][0]["field"] == "username"
        assert named.status_code == 200 and named.json()["contact_username"] == "yiyang"
        client.force_login(
            UserFactory(role=Role.VOLUNTEER, community=community, resident=_resident(community))
        )
        assert client.get(f"{URL}/partners/{partner.pk}").json()["contact_username"] == ""
        refused = client.post(url, {"username": ""}, content_type="application/json")
        assert refused.status_code == 404
        partner.refresh_from_db()
        assert partner.contact_user.username == "yiyang"

    def test_another_communitys_partner_is_404(self, as_coordinator, other_community):
        theirs = PartnerUnit.objects.with_scopes_disabled().create(
            community=other_community, name="外区单位", kind="enterprise"
        )

        assert as_coordinator.get(f"{URL}/partners/{theirs.pk}").status_code == 404


def test_stage_dates_show_in_the_profile(as_coordinator, community):
    org = _organization(community)
    Organization.objects.filter(pk=org.pk).update(
        stage=Stage.REGISTERED, filed_on=dt.date(2020, 1, 1), registered_on=dt.date(2021, 1, 1)
    )

    body = as_coordinator.get(f"{URL}/{org.pk}").json()

    assert (body["filed_on"], body["registered_on"]) == ("2020-01-01", "2021-01-01")
    assert body["stage_label"] == "已登记"


def test_a_deputy_cannot_make_themselves_leader_through_the_api(client, community):
    with use_community(community):
        leader = MembershipFactory(organization__community=community, role="leader")
        deputy = MembershipFactory(organization=leader.organization, role="deputy")
    user = UserFactory(role=Role.ORG_LEADER, community=community, resident=deputy.resident)
    client.force_login(user)

    response = client.put(
        f"{URL}/{leader.organization.pk}/leader",
        {"resident_id": deputy.resident_id},
        content_type="application/json",
    )

    assert response.status_code == 404
    with use_community(community):
        assert Membership.objects.get(pk=deputy.pk).role == "deputy"
