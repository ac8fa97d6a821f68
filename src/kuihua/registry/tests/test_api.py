import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.masking import mask_id_number, mask_phone
from kuihua.core.models import AccessLog
from kuihua.core.tenancy import use_community
from kuihua.organizations.tests.factories import MembershipFactory
from kuihua.registry.models import Consent, EmergencyContact, Household, Resident
from kuihua.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    ResidentFactory,
    make_id_number,
    tag,
)

pytestmark = pytest.mark.django_db

URL = "/api/registry"


def _resident(community, **kwargs):
    return ResidentFactory(household__building__compound__community=community, **kwargs)


def _user(community, role, resident=None):
    return UserFactory(role=role, community=community, resident=resident)


@pytest.fixture(autouse=True)
def _in_community(in_community):
    """Factories set tags through scoped managers; each request still sets its own scope."""
    return in_community


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


class TestList:
    def test_items_are_masked_and_health_tags_left_out(self, as_coordinator, community):
        resident = _resident(
            community, tags=[tag(community, "living_alone"), tag(community, "ill_disabled")]
        )

        response = as_coordinator.get(f"{URL}/residents")

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        item = body["items"][0]
        assert item["id"] == resident.pk
        assert item["id_number"] == mask_id_number(resident.id_number)
        assert resident.id_number not in response.content.decode()
        assert item["phone"] == mask_phone(resident.phone)
        assert [t["code"] for t in item["tags"]] == ["living_alone"]
        assert "ill_disabled" not in response.content.decode()
        assert item["address"] == resident.household.address
        assert item["age"] is not None
        assert "birth_date" not in item

    def test_search_by_initials_pinyin_and_last_four_phone_digits(self, as_coordinator, community):
        zhang = _resident(community, name="张三", phone="13900001234")
        _resident(community, name="李四", phone="13900005678")

        for query in ("zs", "zhangsan", "张", "1234"):
            body = as_coordinator.get(f"{URL}/residents", {"q": query}).json()
            assert [r["id"] for r in body["items"]] == [zhang.pk], query

    def test_filters_by_tag_building_and_party_membership(self, as_coordinator, community):
        alone = _resident(community, tags=[tag(community, "living_alone")])
        party = _resident(community, political_status=Resident.Political.PARTY_MEMBER)

        by_tag = as_coordinator.get(f"{URL}/residents", {"tag": "living_alone"}).json()
        by_party = as_coordinator.get(f"{URL}/residents", {"party_member": "true"}).json()
        by_building = as_coordinator.get(
            f"{URL}/residents", {"building_id": party.household.building_id}
        ).json()
        by_compound = as_coordinator.get(
            f"{URL}/residents", {"compound_id": alone.household.building.compound_id}
        ).json()

        assert [r["id"] for r in by_tag["items"]] == [alone.pk]
        assert [r["id"] for r in by_party["items"]] == [party.pk]
        assert by_party["items"][0]["is_party_member"] is True
        assert [r["id"] for r in by_building["items"]] == [party.pk]
        assert [r["id"] for r in by_compound["items"]] == [alone.pk]

    def test_is_paginated(self, as_coordinator, community):
        household = HouseholdFactory(building__compound__community=community)
        for _ in range(3):
            ResidentFactory(household=household)

        body = as_coordinator.get(f"{URL}/residents", {"page": 2, "page_size": 2}).json()

        assert body["count"] == 3
        assert len(body["items"]) == 1

    def test_runs_the_same_number_of_queries_for_5_and_25_residents(
        self, as_coordinator, community
    ):
        building = BuildingFactory(compound__community=community)
        sensitive, plain = tag(community, "ill_disabled"), tag(community, "advanced_age")

        def add(n):
            for _ in range(n):
                ResidentFactory(household__building=building, tags=[sensitive, plain])

        def count_queries():
            with CaptureQueriesContext(connection) as ctx:
                response = as_coordinator.get(f"{URL}/residents")
            assert response.status_code == 200
            return len(ctx.captured_queries), response.json()["count"]

        add(5)
        few, total = count_queries()
        assert total == 5
        add(20)
        many, total = count_queries()
        assert total == 25

        assert few == many

    def test_a_resident_sees_only_their_household(self, client, community):
        me = _resident(community)
        spouse = ResidentFactory(household=me.household, relation_to_head="spouse")
        _resident(community)
        client.force_login(_user(community, Role.RESIDENT, me))

        body = client.get(f"{URL}/residents").json()

        assert {r["id"] for r in body["items"]} == {me.pk, spouse.pk}

    def test_another_community_is_not_listed(self, as_coordinator, community, other_community):
        _resident(other_community)

        assert as_coordinator.get(f"{URL}/residents").json()["count"] == 0


class TestDetail:
    def test_is_masked_with_contacts_and_consents(self, as_coordinator, community):
        resident = _resident(community, tags=[tag(community, "ill_disabled")])
        with use_community(community):
            EmergencyContact.objects.create(
                resident=resident, name="王芳", phone="13600001111", relation="女儿"
            )

        body = as_coordinator.get(f"{URL}/residents/{resident.pk}").json()

        assert body["id_number"] == mask_id_number(resident.id_number)
        # the masked number and the birth date shown beside it are not the whole number
        shown = body["id_number"][:6] + f"{resident.birth_date:%Y%m%d}" + body["id_number"][-4:]
        assert shown != resident.id_number and "***" in body["id_number"][:6]
        assert body["phone"] == mask_phone(resident.phone)
        assert body["birth_date"] == resident.birth_date.isoformat()
        assert body["emergency_contacts"][0]["phone"] == "136****1111"
        # Coordinators may see the health tags, in the detail only.
        assert [t["code"] for t in body["tags"]] == ["ill_disabled"]

    def test_household_members_do_not_see_health_tags(self, client, community):
        me = _resident(community)
        mother = ResidentFactory(household=me.household, tags=[tag(community, "ill_disabled")])
        client.force_login(_user(community, Role.VOLUNTEER, me))

        body = client.get(f"{URL}/residents/{mother.pk}").json()

        assert body["tags"] == []

    def test_someone_outside_the_household_gets_404(self, client, community):
        me, stranger = _resident(community), _resident(community)
        client.force_login(_user(community, Role.VOLUNTEER, me))

        response = client.get(f"{URL}/residents/{stranger.pk}")

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_another_communitys_resident_is_404(self, as_coordinator, other_community):
        theirs = _resident(other_community)

        assert as_coordinator.get(f"{URL}/residents/{theirs.pk}").status_code == 404


class TestSensitive:
    def test_gives_the_whole_values_and_writes_the_access_log(
        self, as_coordinator, community, coordinator
    ):
        resident = _resident(
            community, health_conditions="高血压", tags=[tag(community, "ill_disabled")]
        )

        response = as_coordinator.get(
            f"{URL}/residents/{resident.pk}/sensitive", {"purpose": "上门走访"}
        )

        assert response.status_code == 200
        body = response.json()
        assert body["id_number"] == resident.id_number
        assert body["phone"] == resident.phone
        assert body["health_conditions"] == "高血压"
        assert [t["code"] for t in body["sensitive_tags"]] == ["ill_disabled"]
        with use_community(community):
            log = AccessLog.objects.get()
        assert (log.user, log.subject_id, log.action) == (coordinator, resident.pk, "view")
        assert log.purpose == "上门走访"

    def test_is_404_for_a_volunteer_even_in_their_own_household(self, client, community):
        me = _resident(community)
        client.force_login(_user(community, Role.VOLUNTEER, me))

        response = client.get(f"{URL}/residents/{me.pk}/sensitive")

        assert response.status_code == 404
        with use_community(community):
            assert not AccessLog.objects.exists()


class TestCreate:
    def test_creates_a_resident_at_a_new_address_with_tags(self, as_coordinator, community):
        id_number = make_id_number(dt.date(1940, 6, 1), 3, male=False)

        response = as_coordinator.post(
            f"{URL}/residents",
            {
                "name": "王秀英",
                "id_number": id_number,
                "phone": "13912345678",
                "address": {"compound": "翠苑一区", "building": "3幢", "unit": "2", "room": "301"},
                "tags": ["living_alone", "advanced_age"],
            },
            content_type="application/json",
        )

        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["name"] == "王秀英"
        assert body["sex"] == "F"
        assert body["birth_date"] == "1940-06-01"
        assert body["address"] == "翠苑一区3幢2单元301室"
        assert {t["code"] for t in body["tags"]} == {"living_alone", "advanced_age"}
        with use_community(community):
            assert Resident.objects.get(pk=body["id"]).phone == "13912345678"

    def test_joins_an_existing_household(self, as_coordinator, community):
        household = HouseholdFactory(building__compound__community=community)

        response = as_coordinator.post(
            f"{URL}/residents",
            {"name": "李小明", "household_id": household.pk, "relation_to_head": "child"},
            content_type="application/json",
        )

        assert response.status_code == 201
        assert response.json()["household_id"] == household.pk

    def test_a_bad_id_number_is_a_400_naming_the_field_and_saves_nothing(
        self, as_coordinator, community
    ):
        response = as_coordinator.post(
            f"{URL}/residents",
            {
                "name": "赵四",
                "id_number": "123",
                "address": {"compound": "新小区", "building": "1幢", "room": "101"},
            },
            content_type="application/json",
        )

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "rejected"
        assert body["errors"][0]["field"] == "id_number"
        with use_community(community):
            assert not Resident.objects.exists()
            assert not Household.objects.exists()

    def test_an_unknown_tag_is_refused(self, as_coordinator):
        response = as_coordinator.post(
            f"{URL}/residents",
            {"name": "赵四", "tags": ["nope"]},
            content_type="application/json",
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "tags"

    def test_another_communitys_household_is_a_field_error(self, as_coordinator, other_community):
        theirs = HouseholdFactory(building__compound__community=other_community)

        response = as_coordinator.post(
            f"{URL}/residents",
            {"name": "赵四", "household_id": theirs.pk},
            content_type="application/json",
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "household_id"

    def test_a_volunteer_may_not(self, client, community):
        client.force_login(_user(community, Role.VOLUNTEER))

        response = client.post(
            f"{URL}/residents", {"name": "赵四"}, content_type="application/json"
        )

        assert response.status_code == 403


class TestChange:
    def test_patch_changes_only_what_is_sent(self, as_coordinator, community):
        resident = _resident(community, notes="旧备注")

        response = as_coordinator.patch(
            f"{URL}/residents/{resident.pk}",
            {"phone": "13700009999", "category": "退休"},
            content_type="application/json",
        )

        assert response.status_code == 200
        with use_community(community):
            resident.refresh_from_db()
        assert resident.phone == "13700009999"
        assert resident.category == "退休"
        assert resident.notes == "旧备注"

    def test_patch_with_a_bad_phone_changes_nothing(self, as_coordinator, community):
        resident = _resident(community)
        before = resident.phone

        response = as_coordinator.patch(
            f"{URL}/residents/{resident.pk}",
            {"phone": "12", "notes": "新"},
            content_type="application/json",
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "phone"
        with use_community(community):
            resident.refresh_from_db()
        assert (resident.phone, resident.notes) == (before, "")

    def test_a_household_member_without_the_right_gets_404(self, client, community):
        me = _resident(community)
        client.force_login(_user(community, Role.VOLUNTEER, me))

        response = client.patch(
            f"{URL}/residents/{me.pk}", {"notes": "x"}, content_type="application/json"
        )

        assert response.status_code == 404

    def test_put_tags_replaces_them(self, as_coordinator, community):
        resident = _resident(community, tags=[tag(community, "youth")])

        response = as_coordinator.put(
            f"{URL}/residents/{resident.pk}/tags",
            {"tags": ["living_alone", "ill_disabled"]},
            content_type="application/json",
        )

        assert response.status_code == 200
        assert {t["code"] for t in response.json()["tags"]} == {"living_alone", "ill_disabled"}

    def test_records_a_consent(self, as_coordinator, community, coordinator):
        resident = _resident(community)

        response = as_coordinator.post(
            f"{URL}/residents/{resident.pk}/consents",
            {"purpose": "care", "granted": True, "method": "paper", "note": "签字存档"},
            content_type="application/json",
        )

        assert response.status_code == 201
        assert response.json()["purpose_label"] == "关爱服务（幸福来敲门）"
        with use_community(community):
            consent = Consent.objects.get()
        assert (consent.resident, consent.recorded_by) == (resident, coordinator)

    def test_an_unknown_consent_purpose_is_422(self, as_coordinator, community):
        resident = _resident(community)

        response = as_coordinator.post(
            f"{URL}/residents/{resident.pk}/consents",
            {"purpose": "marketing", "method": "paper"},
            content_type="application/json",
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "purpose"

    def test_adds_an_emergency_contact_shown_masked(self, as_coordinator, community):
        resident = _resident(community)

        response = as_coordinator.post(
            f"{URL}/residents/{resident.pk}/emergency-contacts",
            {"name": "王芳", "phone": "136 0000 1111", "relation": "女儿"},
            content_type="application/json",
        )

        assert response.status_code == 201
        assert response.json()["phone"] == "136****1111"
        with use_community(community):
            assert EmergencyContact.objects.get().phone == "13600001111"


class TestExportAndErase:
    def test_export_holds_everything_and_is_logged(self, as_coordinator, community):
        resident = _resident(community, health_conditions="糖尿病")

        response = as_coordinator.get(f"{URL}/residents/{resident.pk}/export")

        assert response.status_code == 200
        body = response.json()
        assert body["resident"]["id_number"] == resident.id_number
        assert body["resident"]["health_conditions"] == "糖尿病"
        assert body["emergency_contacts"] == []
        with use_community(community):
            assert AccessLog.objects.get().action == AccessLog.Action.EXPORT

    def test_erase_needs_a_reason_then_deletes_and_logs(self, as_coordinator, community):
        resident = _resident(community)
        url = f"{URL}/residents/{resident.pk}"

        missing = as_coordinator.delete(url, {}, content_type="application/json")
        blank = as_coordinator.delete(url, {"reason": " "}, content_type="application/json")
        done = as_coordinator.delete(
            url, {"reason": "本人申请删除"}, content_type="application/json"
        )

        assert missing.status_code == 422
        assert blank.status_code == 400
        assert blank.json()["errors"][0]["field"] == "reason"
        assert done.status_code == 204
        with use_community(community):
            assert not Resident.objects.filter(pk=resident.pk).exists()
            log = AccessLog.objects.get()
        assert (log.action, log.purpose) == (AccessLog.Action.ERASE, "本人申请删除")
        assert as_coordinator.get(url).status_code == 404

    def test_a_resident_may_not_erase_their_household(self, client, community):
        me = _resident(community)
        client.force_login(_user(community, Role.RESIDENT, me))

        response = client.delete(
            f"{URL}/residents/{me.pk}", {"reason": "x"}, content_type="application/json"
        )

        assert response.status_code == 404


class TestHouseholdsCompoundsTags:
    def test_household_with_masked_members(self, as_coordinator, community):
        head = _resident(community)
        child = ResidentFactory(household=head.household, relation_to_head="child")

        response = as_coordinator.get(f"{URL}/households/{head.household_id}")

        assert response.status_code == 200
        body = response.json()
        assert body["address"] == head.household.address
        assert body["compound"]["id"] == head.household.building.compound_id
        assert {m["id"] for m in body["members"]} == {head.pk, child.pk}
        assert all("*" in m["id_number"] for m in body["members"])

    def test_a_resident_sees_only_their_own_household(self, client, community):
        me, other = _resident(community), _resident(community)
        client.force_login(_user(community, Role.RESIDENT, me))

        assert client.get(f"{URL}/households/{me.household_id}").status_code == 200
        assert client.get(f"{URL}/households/{other.household_id}").status_code == 404

    def test_compounds_come_with_their_buildings(self, as_coordinator, community):
        building = BuildingFactory(compound__community=community, name="5幢")

        body = as_coordinator.get(f"{URL}/compounds").json()

        assert body["count"] == 1
        assert body["items"][0]["name"] == building.compound.name
        assert body["items"][0]["buildings"] == [{"id": building.pk, "name": "5幢"}]

    def test_lists_and_adds_tags(self, as_coordinator, community):
        listed = as_coordinator.get(f"{URL}/tags").json()
        created = as_coordinator.post(
            f"{URL}/tags",
            {"code": "veteran", "name": "退役军人"},
            content_type="application/json",
        )
        duplicate = as_coordinator.post(
            f"{URL}/tags", {"code": "veteran2", "name": "独居"}, content_type="application/json"
        )

        assert listed["count"] == 6
        assert created.status_code == 201
        assert created.json()["is_system"] is False
        assert duplicate.status_code == 400

    def test_a_volunteer_may_not_add_a_tag(self, client, community):
        client.force_login(_user(community, Role.VOLUNTEER))

        response = client.post(
            f"{URL}/tags", {"code": "x", "name": "某"}, content_type="application/json"
        )

        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


class TestAccessLog:
    def test_coordinators_read_it_filtered_by_subject(self, as_coordinator, community):
        first, second = _resident(community), _resident(community)
        as_coordinator.get(f"{URL}/residents/{first.pk}/sensitive")
        as_coordinator.get(f"{URL}/residents/{second.pk}/sensitive")

        everything = as_coordinator.get(f"{URL}/access-log").json()
        one = as_coordinator.get(f"{URL}/access-log", {"subject_id": first.pk}).json()

        assert everything["count"] == 2
        assert one["count"] == 1
        entry = one["items"][0]
        assert entry["user"] == "coordinator"
        assert entry["subject_label"].startswith(first.name[0])
        assert first.name not in entry["subject_label"]

    def test_others_are_refused(self, client, community):
        client.force_login(_user(community, Role.ORG_LEADER))

        assert client.get(f"{URL}/access-log").status_code == 403


class TestNoBackDoorsToWholeRecords:
    """Ways round the masking that a review found; each stays shut."""

    def test_a_household_member_cannot_export_anothers_whole_record(self, client, community):
        me = _resident(community)
        spouse = ResidentFactory(household=me.household, relation_to_head="spouse")
        client.force_login(_user(community, Role.RESIDENT, me))

        theirs = client.get(f"{URL}/residents/{spouse.pk}/export")
        mine = client.get(f"{URL}/residents/{me.pk}/export")

        assert theirs.status_code == 404
        assert spouse.id_number not in theirs.content.decode()
        assert mine.status_code == 200
        assert mine.json()["resident"]["id_number"] == me.id_number

    def test_the_masked_id_does_not_come_with_the_birth_date(self, client, community):
        leader_membership = MembershipFactory(organization__community=community, role="leader")
        member = MembershipFactory(organization=leader_membership.organization).resident
        client.force_login(_user(community, Role.ORG_LEADER, leader_membership.resident))

        body = client.get(f"{URL}/residents/{member.pk}").json()

        assert body["birth_date"] is None
        assert body["age"] is not None
        assert member.id_number[6:14] not in str(body)

    def test_a_health_tag_is_no_filter_for_those_who_may_not_see_it(self, client, community):
        leader_membership = MembershipFactory(organization__community=community, role="leader")
        ill = MembershipFactory(organization=leader_membership.organization).resident
        ill.tags.add(tag(community, "ill_disabled"))
        MembershipFactory(organization=leader_membership.organization)
        client.force_login(_user(community, Role.ORG_LEADER, leader_membership.resident))

        body = client.get(f"{URL}/residents", {"tag": "ill_disabled"}).json()

        assert body["count"] == 0


class TestBadInputIsAnAnswerNotACrash:
    def test_a_name_too_long_is_a_field_error(self, as_coordinator):
        response = as_coordinator.post(
            f"{URL}/residents", {"name": "双" * 41}, content_type="application/json"
        )

        assert response.status_code in (400, 422)
        assert response.json()["errors"][0]["field"] == "name"
        assert Resident.objects.count() == 0

    def test_the_longest_name_is_stored_with_its_pinyin(self, as_coordinator):
        response = as_coordinator.post(
            f"{URL}/residents",
            {"name": "双" * 40, "compound": "翠苑一区", "building": "1幢", "room": "101"},
            content_type="application/json",
        )

        assert response.status_code == 201, response.json()
        assert Resident.objects.get().name_pinyin == "shuang" * 40

    def test_an_impossible_compound_id_lists_nothing(self, as_coordinator, community):
        _resident(community)

        response = as_coordinator.get(f"{URL}/residents", {"compound_id": 10**25})

        assert response.status_code in (200, 422)
        if response.status_code == 200:
            assert response.json()["count"] == 0
