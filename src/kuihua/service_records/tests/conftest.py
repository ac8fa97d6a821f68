"""People around one organization: its leader, a volunteer member, and a stranger's organization."""

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory


@pytest.fixture
def organization(in_community):
    return OrganizationFactory(community=in_community, name="翠苑夕阳红志愿服务队")


@pytest.fixture
def leader(organization):
    membership = MembershipFactory(organization=organization, role=Membership.Role.LEADER)
    organization.leader = membership.resident
    organization.save(update_fields=["leader"])
    return UserFactory(
        username="leader",
        role=Role.ORG_LEADER,
        community=organization.community,
        resident=membership.resident,
    )


@pytest.fixture
def volunteer_resident(organization):
    resident = ResidentFactory(
        household__building__compound__community=organization.community, name="王小明"
    )
    MembershipFactory(organization=organization, resident=resident)
    return resident


@pytest.fixture
def volunteer(volunteer_resident):
    return UserFactory(
        username="volunteer",
        role=Role.VOLUNTEER,
        community=volunteer_resident.community,
        resident=volunteer_resident,
    )


@pytest.fixture
def other_leader(in_community):
    """The leader of another organization of the same community."""
    membership = MembershipFactory(
        organization=OrganizationFactory(community=in_community, name="文体舞蹈队"),
        role=Membership.Role.LEADER,
    )
    return UserFactory(
        username="other-leader",
        role=Role.ORG_LEADER,
        community=in_community,
        resident=membership.resident,
    )
