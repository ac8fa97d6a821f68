"""The dashboard over JSON: the community in force's figures, a district's communities and
their total, nothing for anyone else."""

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import unscoped
from kuihua.core.tests.clock import today
from kuihua.organizations.models import Stage
from kuihua.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

STAGES = "organizations_by_stage"


def _figure(figures, key):
    return next(f for f in figures if f["key"] == key)


@pytest.fixture
def rows(community, other_community):
    with unscoped():
        OrganizationFactory.create_batch(2, community=community, stage=Stage.FILED)
        OrganizationFactory.create_batch(5, community=other_community, stage=Stage.BRAND)


def test_a_coordinator_reads_the_communitys_figures_only(client, coordinator, community, rows):
    client.force_login(coordinator)

    body = client.get("/api/dashboard", {"year": today().year}).json()

    stages = _figure(body["figures"], STAGES)
    assert body["community_id"] == community.pk and body["year"] == today().year
    assert stages["value"] == 2 and stages["format"] == "count"
    assert {"label": "已备案", "value": 2} in stages["series"]
    assert {"label": "品牌组织", "value": 0} in stages["series"]


def test_a_district_viewer_reads_each_community_and_their_sum(
    client, community, other_community, rows
):
    viewer = UserFactory(role=Role.DISTRICT_VIEWER, community=None)
    viewer.viewable_communities.add(community, other_community)
    client.force_login(viewer)

    body = client.get("/api/dashboard/district").json()

    values = {c["name"]: _figure(c["figures"], STAGES)["value"] for c in body["communities"]}
    assert values == {"翠苑一区社区": 2, "文新社区": 5}
    assert _figure(body["total"], STAGES)["value"] == 7


def test_others_get_nothing_and_a_bad_year_is_refused(client, coordinator, community):
    client.force_login(UserFactory(role=Role.RESIDENT, community=community))
    assert client.get("/api/dashboard").status_code == 404
    client.force_login(coordinator)
    assert client.get("/api/dashboard/district").status_code == 404

    refused = client.get("/api/dashboard", {"year": today().year + 1})

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "year"
