import datetime as dt

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.models import AccessLog, AuditLog
from kuihua.organizations.tests.factories import MembershipFactory
from kuihua.registry import services
from kuihua.registry.models import Consent, EmergencyContact, Household, Resident
from kuihua.registry.selectors import resident_list, residents_visible_to
from kuihua.registry.tests.factories import HouseholdFactory, ResidentFactory, make_id_number, tag

pytestmark = pytest.mark.django_db


def _resident(community, **kwargs):
    return ResidentFactory(household__building__compound__community=community, **kwargs)


class TestCreate:
    def test_normalises_identity_and_fills_birth_date_and_sex_from_the_id(
        self, in_community, coordinator
    ):
        household = HouseholdFactory(building__compound__community=in_community)
        id_number = make_id_number(dt.date(1948, 5, 1), 7, male=False)

        resident = services.resident_create(
            actor=coordinator,
            name=" 王　秀英 ",
            household=household,
            id_number=" ".join([id_number[:6], id_number[6:14], id_number[14:]]).lower(),
            phone="+86 139-1234-5678",
        )

        resident.refresh_from_db()
        assert resident.name == "王秀英"
        assert resident.name_initials == "wxy"
        assert resident.id_number == id_number
        assert resident.birth_date == dt.date(1948, 5, 1)
        assert resident.sex == "F"
        assert resident.phone == "13912345678"
        assert AuditLog.objects.filter(action="resident.create", object_id=resident.pk).exists()

    def test_refuses_a_bad_checksum_and_saves_nothing(self, in_community, coordinator):
        bad = make_id_number(dt.date(1950, 1, 1), 3)[:-1] + "0"
        if bad == make_id_number(dt.date(1950, 1, 1), 3):
            bad = bad[:-1] + "1"

        with pytest.raises(services.RegistryError) as error:
            services.resident_create(actor=coordinator, name="赵四", id_number=bad)

        assert error.value.field == "id_number"
        assert "校验位" in str(error.value)
        assert Resident.objects.count() == 0

    def test_refuses_a_birth_date_that_disagrees_with_the_id(self, in_community, coordinator):
        with pytest.raises(services.RegistryError) as error:
            services.resident_create(
                actor=coordinator,
                name="赵四",
                id_number=make_id_number(dt.date(1950, 1, 1), 3),
                birth_date=dt.date(1951, 1, 1),
            )
        assert error.value.field == "birth_date"

    def test_refuses_an_id_already_registered_in_the_community(self, in_community, coordinator):
        existing = _resident(in_community)

        with pytest.raises(services.RegistryError, match="已登记"):
            services.resident_create(actor=coordinator, name="另一人", id_number=existing.id_number)

    def test_the_same_id_may_exist_in_another_community(
        self, community, other_community, coordinator
    ):
        theirs = _resident(other_community)
        from kuihua.core.tenancy import use_community

        with use_community(community):
            mine = services.resident_create(
                actor=coordinator, name="同一人", id_number=theirs.id_number
            )
        assert mine.community_id == community.pk

    def test_a_new_address_is_created_with_the_resident_or_not_at_all(
        self, in_community, coordinator
    ):
        from kuihua.registry.models import Compound

        address = {"compound_name": "新小区", "building_name": "1幢", "unit": "", "room": "101"}
        with pytest.raises(services.RegistryError):
            services.resident_create(
                actor=coordinator, name="赵四", id_number="123", address=address
            )
        assert not Compound.objects.filter(name="新小区").exists()

        resident = services.resident_create(actor=coordinator, name="赵四", address=address)

        assert resident.household.address == "新小区1幢101室"

    def test_a_household_and_an_address_at_once_are_refused(self, in_community, coordinator):
        household = HouseholdFactory(building__compound__community=in_community)
        address = {"compound_name": "新小区", "building_name": "1幢", "unit": "", "room": "101"}

        with pytest.raises(services.RegistryError, match="只填写"):
            services.resident_create(
                actor=coordinator, name="赵四", household=household, address=address
            )
        assert Resident.objects.count() == 0


class TestSearch:
    @pytest.mark.parametrize("query", ["zs", "zhangsan", "张三", "zhang", "5678"])
    def test_finds_zhang_san_by_initials_pinyin_name_and_last_four(
        self, in_community, coordinator, query
    ):
        zhang = _resident(in_community, name="张三", phone="13800005678")
        _resident(in_community, name="李四", phone="13900001111")

        found = list(resident_list(coordinator, query=query))

        assert found == [zhang]

    def test_an_id_number_finds_its_resident_through_the_keyed_index(
        self, in_community, coordinator
    ):
        target = _resident(in_community, name="王五")
        _resident(in_community, name="赵六")

        assert list(resident_list(coordinator, query=target.id_number)) == [target]


class TestVisibility:
    def test_a_resident_sees_only_their_household(self, in_community):
        household = HouseholdFactory(building__compound__community=in_community)
        me = _resident(in_community, household=household)
        spouse = _resident(
            in_community, household=household, relation_to_head=Resident.Relation.SPOUSE
        )
        _resident(in_community)
        user = UserFactory(role=Role.RESIDENT, community=in_community, resident=me)

        assert set(residents_visible_to(user)) == {me, spouse}
        assert user.has_perm("registry.view_resident", spouse)
        assert not user.has_perm("registry.view_resident_sensitive", spouse)

    def test_an_organization_leader_sees_their_members_but_not_others(self, in_community):
        leader_membership = MembershipFactory(organization__community=in_community, role="leader")
        org = leader_membership.organization
        member = MembershipFactory(organization=org).resident
        outsider = _resident(in_community)
        user = UserFactory(
            role=Role.ORG_LEADER, community=in_community, resident=leader_membership.resident
        )

        visible = set(residents_visible_to(user))

        assert member in visible
        assert outsider not in visible

    def test_a_district_viewer_sees_no_individual_residents(self, in_community):
        _resident(in_community)
        viewer = UserFactory(role=Role.DISTRICT_VIEWER, community=None)
        viewer.viewable_communities.add(in_community)

        assert residents_visible_to(viewer).count() == 0


class TestPersonalData:
    def test_viewing_the_whole_record_is_logged(self, in_community, coordinator):
        resident = _resident(in_community)

        whole = services.resident_sensitive_view(user=coordinator, resident=resident)

        assert whole["id_number"] == resident.id_number
        entry = AccessLog.objects.get()
        assert entry.user == coordinator
        assert entry.action == AccessLog.Action.VIEW
        assert entry.subject_id == resident.pk
        assert entry.subject_label == resident.name[0] + "*" * (len(resident.name) - 1)

    def test_consent_is_recorded_with_who_when_and_purpose(self, in_community, coordinator):
        resident = _resident(in_community)

        consent = services.consent_record(
            actor=coordinator,
            resident=resident,
            purpose=Consent.Purpose.CARE,
            granted=True,
            method=Consent.Method.PAPER,
        )

        assert consent.recorded_by == coordinator
        assert consent.recorded_at is not None
        with pytest.raises(services.RegistryError):
            services.consent_record(
                actor=coordinator, resident=resident, purpose="ads", granted=True, method="paper"
            )
        assert Consent.objects.count() == 1

    def test_export_holds_everything_and_is_logged(self, in_community, coordinator):
        resident = _resident(in_community, tags=[tag(in_community, "living_alone")])
        services.emergency_contact_add(
            actor=coordinator, resident=resident, name="王小明", phone="13700001234"
        )

        data = services.resident_export(actor=coordinator, resident=resident)

        assert data["resident"]["id_number"] == resident.id_number
        assert data["resident"]["tags"] == ["独居"]
        assert data["emergency_contacts"][0]["phone"] == "13700001234"
        assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 1

    def test_erasure_really_deletes_and_is_logged_without_personal_data(
        self, in_community, coordinator
    ):
        resident = _resident(in_community)
        services.emergency_contact_add(
            actor=coordinator, resident=resident, name="王小明", phone="13700001234"
        )
        services.resident_update(actor=coordinator, resident=resident, name="张三丰")
        pk, household_id, id_number = resident.pk, resident.household_id, resident.id_number

        services.resident_erase(actor=coordinator, resident=resident, reason="本人申请删除")

        assert not Resident.objects.filter(pk=pk).exists()
        assert not EmergencyContact.objects.exists()
        assert not Household.objects.filter(pk=household_id).exists()
        entry = AccessLog.objects.get(action=AccessLog.Action.ERASE)
        assert entry.subject_id == pk
        assert entry.purpose == "本人申请删除"
        for row in AuditLog.objects.filter(object_id=pk):
            assert "张三丰" not in str(row.old) + str(row.new)
            assert id_number not in str(row.old) + str(row.new)

    def test_erasure_leaves_no_value_in_the_audit_trail_and_closes_the_account(
        self, in_community, coordinator
    ):
        resident = _resident(in_community)
        services.resident_set_tags(
            actor=coordinator, resident=resident, tags=[tag(in_community, "ill_disabled")]
        )
        services.resident_update(actor=coordinator, resident=resident, notes="患有癫痫")
        account = UserFactory(
            role=Role.RESIDENT,
            community=in_community,
            resident=resident,
            display_name=resident.name,
        )
        pk = resident.pk

        services.resident_erase(actor=coordinator, resident=resident, reason="本人申请删除")

        trail = list(AuditLog.objects.filter(object_type="registry.resident", object_id=pk))
        assert trail, "what was done stays"
        for row in trail:
            assert set(row.old.values()) <= {"***"} and set(row.new.values()) <= {"***"}
        account.refresh_from_db()
        assert not account.is_active
        assert account.display_name == ""
        assert not account.has_usable_password()

    def test_erasure_needs_a_reason(self, in_community, coordinator):
        resident = _resident(in_community)
        with pytest.raises(services.RegistryError):
            services.resident_erase(actor=coordinator, resident=resident, reason="  ")
        assert Resident.objects.filter(pk=resident.pk).exists()


def test_a_new_community_starts_with_the_six_tags_and_five_branches(db):
    from kuihua.core.tenancy import use_community
    from kuihua.organizations.models import Branch
    from kuihua.registry.models import Tag
    from kuihua.tenants import community_create

    community = community_create(name="新社区", code="new")

    with use_community(community):
        assert set(Tag.objects.values_list("name", flat=True)) == {
            "独居",
            "高龄",
            "病残",
            "困难家庭",
            "残疾儿童",
            "青少年",
        }
        assert set(Tag.objects.filter(is_sensitive=True).values_list("name", flat=True)) == {
            "病残",
            "残疾儿童",
        }
        assert Branch.objects.count() == 5


def test_a_deputy_with_a_volunteer_account_sees_the_organizations_members(in_community):
    from kuihua.organizations.models import Membership
    from kuihua.organizations.tests.factories import MembershipFactory

    deputy = MembershipFactory(organization__community=in_community, role=Membership.Role.DEPUTY)
    member = MembershipFactory(organization=deputy.organization).resident
    outsider = _resident(in_community)
    user = UserFactory(role=Role.VOLUNTEER, community=in_community, resident=deputy.resident)

    visible = set(residents_visible_to(user))

    assert member in visible
    assert outsider not in visible


class TestIdentityRulesHoldForEveryEntryPoint:
    """The importer refuses these; the page and the API go through the same service."""

    def test_a_sex_that_contradicts_the_id_is_refused(self, in_community, coordinator):
        male_id = make_id_number(dt.date(1950, 1, 1), 5, male=True)

        with pytest.raises(services.RegistryError) as error:
            services.resident_create(actor=coordinator, name="赵四", id_number=male_id, sex="F")

        assert error.value.field == "sex"
        assert Resident.objects.count() == 0

    def test_an_edit_of_birth_date_or_sex_alone_must_agree_with_the_id(
        self, in_community, coordinator
    ):
        male_id = make_id_number(dt.date(1950, 1, 1), 5, male=True)
        resident = services.resident_create(actor=coordinator, name="赵四", id_number=male_id)

        for change, field in (
            ({"birth_date": dt.date(1990, 1, 1)}, "birth_date"),
            ({"sex": "F"}, "sex"),
        ):
            with pytest.raises(services.RegistryError) as error:
                services.resident_update(actor=coordinator, resident=resident, **change)
            assert error.value.field == field
        resident.refresh_from_db()
        assert (resident.birth_date, resident.sex) == (dt.date(1950, 1, 1), "M")

        services.resident_update(actor=coordinator, resident=resident, id_number="")
        resident.refresh_from_db()
        assert resident.birth_date == dt.date(1950, 1, 1)  # clearing the ID keeps the date

    def test_a_birth_date_in_the_future_is_refused(self, in_community, coordinator):
        with pytest.raises(services.RegistryError) as error:
            services.resident_create(
                actor=coordinator, name="赵四", birth_date=dt.date.today() + dt.timedelta(days=400)
            )

        assert error.value.field == "birth_date"
        assert Resident.objects.count() == 0


def test_an_organization_moves_to_the_next_stage_once_when_pressed_twice(in_community, coordinator):
    from kuihua.organizations import services as org_services
    from kuihua.organizations.models import Organization, StageChange

    first_copy = org_services.organization_create(
        actor=coordinator, name="合唱团", category="culture"
    )
    second_copy = Organization.objects.get(pk=first_copy.pk)

    org_services.organization_advance_stage(
        actor=coordinator, organization=first_copy, to_stage="filed"
    )
    with pytest.raises(org_services.OrganizationError):
        org_services.organization_advance_stage(
            actor=coordinator, organization=second_copy, to_stage="filed"
        )

    assert StageChange.objects.filter(to_stage="filed").count() == 1
