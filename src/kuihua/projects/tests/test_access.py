"""Who opens a project, and for what: the rules and the one door."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.ledger.models import Account
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import MembershipFactory
from kuihua.projects.selectors import access_project, projects_for
from kuihua.projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(community):
    with use_community(community):
        return ProjectFactory(community=community)


def test_the_factory_opens_the_projects_ledger_with_the_project_chart(community, project):
    with use_community(community):
        codes = set(Account.objects.filter(ledger=project.ledger).values_list("code", flat=True))
    assert codes == {"1001", "1002", "3001", "4001", "4002", "4003", "4009"}


def test_every_member_reads_a_coordinator_manages_a_resident_does_not_run(community, project):
    resident = UserFactory(role=Role.RESIDENT, community=community)
    coordinator = UserFactory(role=Role.COORDINATOR, community=community)
    with use_community(community):
        assert access_project(resident, project.pk) == project
        assert list(projects_for(resident)) == [project]
        with pytest.raises(PermissionDenied):
            access_project(resident, project.pk, action="run")
        with pytest.raises(PermissionDenied):
            access_project(resident, project.pk, action="manage")
        assert access_project(coordinator, project.pk, action="manage") == project


def test_the_leader_of_the_lead_organization_runs_the_project_but_does_not_manage(
    community, project
):
    with use_community(community):
        membership = MembershipFactory(
            organization=project.lead_organization, role=Membership.Role.LEADER
        )
        other = MembershipFactory(role=Membership.Role.LEADER, organization__community=community)
    leader = UserFactory(role=Role.ORG_LEADER, community=community, resident=membership.resident)
    other_leader = UserFactory(role=Role.ORG_LEADER, community=community, resident=other.resident)
    with use_community(community):
        assert access_project(leader, project.pk, action="run") == project
        with pytest.raises(PermissionDenied):
            access_project(leader, project.pk, action="manage")
        with pytest.raises(PermissionDenied):
            access_project(other_leader, project.pk, action="run")


def test_another_communitys_project_or_an_unknown_id_is_404(community, other_community, project):
    outsider = UserFactory(role=Role.COORDINATOR, community=other_community)
    with use_community(other_community):
        with pytest.raises(Http404):
            access_project(outsider, project.pk, action="view")
        with pytest.raises(Http404):
            access_project(outsider, project.pk + 1000)
        assert list(projects_for(outsider)) == []
