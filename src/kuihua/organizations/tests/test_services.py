import datetime as dt

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.organizations import services
from kuihua.organizations.models import Category, Membership, Organization, Stage, StageChange
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_a_new_organization_starts_incubating_under_its_categorys_branch(in_community, coordinator):
    org = services.organization_create(
        actor=coordinator, name=" 银龄 书画社 ", category=Category.LEARNING
    )

    assert org.name == "银龄书画社"
    assert org.branch.category == Category.LEARNING
    assert org.stage == Stage.INCUBATING
    assert org.incubated_on is not None
    assert StageChange.objects.filter(organization=org, to_stage=Stage.INCUBATING).exists()


def test_names_are_unique_within_a_community(in_community, coordinator):
    services.organization_create(actor=coordinator, name="合唱团", category=Category.CULTURE_SPORTS)

    with pytest.raises(services.OrganizationError):
        services.organization_create(
            actor=coordinator, name="合唱团", category=Category.CULTURE_SPORTS
        )
    assert Organization.objects.count() == 1


def test_the_lifecycle_moves_one_dated_step_at_a_time(in_community, coordinator):
    org = OrganizationFactory(community=in_community, incubated_on=dt.date(2024, 1, 1))

    with pytest.raises(services.OrganizationError):
        services.organization_advance_stage(
            actor=coordinator, organization=org, to_stage=Stage.REGISTERED
        )
    with pytest.raises(services.OrganizationError):
        services.organization_advance_stage(
            actor=coordinator, organization=org, to_stage=Stage.FILED, on=dt.date(2023, 1, 1)
        )
    services.organization_advance_stage(
        actor=coordinator, organization=org, to_stage=Stage.FILED, on=dt.date(2024, 6, 1)
    )

    org.refresh_from_db()
    assert org.stage == Stage.FILED
    assert org.filed_on == dt.date(2024, 6, 1)
    assert list(StageChange.objects.values_list("to_stage", flat=True)) == [Stage.FILED]


def test_a_leader_is_a_member_with_the_leader_role_and_there_is_one(in_community, coordinator):
    org = OrganizationFactory(community=in_community)
    first = ResidentFactory(household__building__compound__community=in_community)
    second = ResidentFactory(household__building__compound__community=in_community)

    services.organization_set_leader(actor=coordinator, organization=org, resident=first)
    services.organization_set_leader(actor=coordinator, organization=org, resident=second)

    roles = dict(Membership.objects.values_list("resident_id", "role"))
    assert roles == {first.pk: Membership.Role.MEMBER, second.pk: Membership.Role.LEADER}


def test_a_resident_joins_an_organization_once(in_community, coordinator):
    membership = MembershipFactory(organization__community=in_community)

    with pytest.raises(services.OrganizationError, match="已经是"):
        services.membership_add(
            actor=coordinator,
            organization=membership.organization,
            resident=membership.resident,
        )
    assert Membership.objects.count() == 1


def test_a_resident_of_another_community_cannot_join(community, other_community, coordinator):
    from kuihua.core.tenancy import use_community

    outsider = ResidentFactory(household__building__compound__community=other_community)
    with use_community(community):
        org = OrganizationFactory(community=community)
        with pytest.raises(services.OrganizationError):
            services.membership_add(actor=coordinator, organization=org, resident=outsider)
        assert Membership.objects.count() == 0


def test_a_leader_may_change_only_their_own_organization(in_community):
    own = MembershipFactory(organization__community=in_community, role=Membership.Role.LEADER)
    other = OrganizationFactory(community=in_community)
    leader = UserFactory(role=Role.ORG_LEADER, community=in_community, resident=own.resident)

    assert leader.has_perm("organizations.change_organization", own.organization)
    assert not leader.has_perm("organizations.change_organization", other)
    assert not leader.has_perm("organizations.change_stage", own.organization)


def test_partner_units_keep_their_phone_encrypted(in_community, coordinator):
    unit = services.partner_unit_create(
        actor=coordinator,
        name="翠苑养老院",
        kind="institution",
        contact_phone="0571-8888 6666",
    )
    unit.refresh_from_db()
    assert unit.contact_phone == "057188886666"
    with pytest.raises(services.OrganizationError):
        services.partner_unit_create(actor=coordinator, name="某公司", kind="bank")


def test_management_roles_are_given_by_coordinators_only(in_community, coordinator):
    own = MembershipFactory(organization__community=in_community, role=Membership.Role.LEADER)
    org = own.organization
    leader = UserFactory(role=Role.ORG_LEADER, community=in_community, resident=own.resident)
    newcomer = ResidentFactory(household__building__compound__community=in_community)

    with pytest.raises(services.OrganizationError, match="副负责人"):
        services.membership_add(actor=leader, organization=org, resident=newcomer, role="deputy")
    with pytest.raises(services.OrganizationError):
        services.membership_add(
            actor=coordinator, organization=org, resident=newcomer, role="leader"
        )
    assert not Membership.objects.filter(resident=newcomer).exists()

    services.membership_add(actor=coordinator, organization=org, resident=newcomer, role="deputy")
    assert Membership.objects.get(resident=newcomer).role == Membership.Role.DEPUTY


def test_an_organization_whose_leader_is_erased_keeps_going_without_one(in_community, coordinator):
    from kuihua.registry.services import resident_erase

    leader = ResidentFactory(household__building__compound__community=in_community)
    org = OrganizationFactory(community=in_community, leader=leader)

    resident_erase(actor=coordinator, resident=leader, reason="本人申请删除")

    org.refresh_from_db()
    assert org.leader is None
