"""People and places the venues tests share: two organizations, their leader, a volunteer."""

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.venues.tests.factories import RoomFactory


@pytest.fixture
def room(community):
    return RoomFactory(community=community, name="多功能厅")


@pytest.fixture
def choir(community):
    return OrganizationFactory(community=community, name="夕阳红合唱团")


@pytest.fixture
def readers(community):
    return OrganizationFactory(community=community, name="书香读书会")


@pytest.fixture
def choir_leader(community, choir):
    """The choir's leader (not the readers')."""
    resident = ResidentFactory(household__building__compound__community=community, name="周红")
    MembershipFactory(organization=choir, resident=resident, role=Membership.Role.LEADER)
    return UserFactory(role=Role.ORG_LEADER, community=community, resident=resident)


@pytest.fixture
def volunteer(community):
    resident = ResidentFactory(household__building__compound__community=community)
    return UserFactory(role=Role.VOLUNTEER, community=community, resident=resident)
