"""A resident's export names the projects that list them; erasing them takes them off."""

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.projects.tests.factories import ProjectFactory
from kuihua.registry import services as registry_services
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_a_named_beneficiary_finds_the_project_in_their_export_and_leaves_it_when_erased(
    community,
):
    with use_community(community):
        coordinator = UserFactory(role=Role.COORDINATOR, community=community)
        project = ProjectFactory(community=community, name="银龄守护")
        person = ResidentFactory(household__building__compound__community=community)
        project.beneficiaries.add(person)

        data = registry_services.resident_export(actor=coordinator, resident=person)
        (entry,) = data["sections"]["projects"]["beneficiary_of"]
        assert entry["project"] == "银龄守护"
        assert entry["lead_organization"] == project.lead_organization.name

        registry_services.resident_erase(actor=coordinator, resident=person, reason="本人申请删除")

        assert project.beneficiaries.count() == 0
        assert project.ledger_id is not None
