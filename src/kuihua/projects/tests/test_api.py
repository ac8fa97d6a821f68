"""The projects API as a coordinator, the lead organization's leader and a resident use
it: a project created with its ledger, money in fen and yuan, the plan, indicators;
another community's organization is refused; a resident reads and changes nothing."""

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.core.tests.clock import days_from_today, today
from kuihua.ledger.models import Entry
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.projects.models import Milestone, Project
from kuihua.projects.tests.factories import ProjectDomainFactory, ProjectFactory
from kuihua.registry.tests.factories import ResidentFactory, tag

pytestmark = pytest.mark.django_db

API = "/api/projects"


def post(client, path, data=None, method="post"):
    return getattr(client, method)(f"{API}{path}", data or {}, "application/json")


@pytest.fixture
def project(in_community):
    return ProjectFactory(community=in_community, name="银龄守护计划")


@pytest.fixture
def leader(in_community, project):
    membership = MembershipFactory(
        organization=project.lead_organization, role=Membership.Role.LEADER
    )
    return UserFactory(
        username="leader",
        role=Role.ORG_LEADER,
        community=in_community,
        resident=membership.resident,
    )


@pytest.fixture
def resident_user(in_community):
    person = ResidentFactory(household__building__compound__community=in_community)
    return UserFactory(
        username="resident", role=Role.RESIDENT, community=in_community, resident=person
    )


def test_a_coordinator_creates_a_project_and_reads_it_back(client, in_community, coordinator):
    domain = ProjectDomainFactory(community=in_community, name="青少年成长")
    lead = OrganizationFactory(community=in_community, name="四点半课堂")
    kid = ResidentFactory(household__building__compound__community=in_community)
    client.force_login(coordinator)

    response = post(
        client,
        "",
        {
            "domain_id": domain.pk,
            "name": "四点半课堂",
            "lead_organization_id": lead.pk,
            "starts_on": today().isoformat(),
            "ends_on": days_from_today(200).isoformat(),
            "beneficiary_tag_ids": [tag(in_community, "living_alone").pk],
            "beneficiary_ids": [kid.pk],
            "target_people": 40,
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["lead_organization"]["name"] == "四点半课堂"
    assert body["beneficiary_ids"] == [kid.pk] and body["target_people"] == 40
    assert body["raised_fen"] == 0 and body["raised_yuan"] == "0.00"
    assert body["may_manage"] is True
    listing = client.get(API).json()
    assert [p["name"] for p in listing["items"]] == ["四点半课堂"]


def test_another_communitys_organization_is_refused_and_nothing_made(
    client, in_community, other_community, coordinator
):
    domain = ProjectDomainFactory(community=in_community)
    with use_community(other_community):
        theirs = OrganizationFactory(community=other_community)
    client.force_login(coordinator)

    response = post(
        client,
        "",
        {
            "domain_id": domain.pk,
            "name": "越界项目",
            "lead_organization_id": theirs.pk,
            "starts_on": today().isoformat(),
            "ends_on": today().isoformat(),
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "lead_organization_id"
    assert not Project.objects.exists()


def test_money_in_fen_and_yuan_and_an_expense_beyond_the_books_refused(
    client, project, coordinator
):
    client.force_login(coordinator)
    funding = post(
        client,
        f"/{project.pk}/fundings",
        {
            "kind": "subsidy",
            "source": "街道公益创投",
            "amount_fen": 1234567,
            "received_on": today().isoformat(),
            "conditions": "专款专用",
        },
    )
    assert funding.status_code == 201
    assert (funding.json()["amount_fen"], funding.json()["amount_yuan"]) == (1234567, "12,345.67")
    line = post(
        client, f"/{project.pk}/budget-lines", {"name": "交通补贴", "amount_fen": 10000}, "put"
    ).json()
    assert line["account_code"] == "5001"

    entries = Entry.objects.count()
    too_much = post(
        client,
        f"/{project.pk}/expenses",
        {
            "budget_line_id": line["id"],
            "amount_fen": 1234568,
            "spent_on": today().isoformat(),
            "memo": "太多了",
        },
    )
    assert too_much.status_code == 400 and "不够支出" in too_much.json()["message"]
    assert Entry.objects.count() == entries
    spent = post(
        client,
        f"/{project.pk}/expenses",
        {
            "budget_line_id": line["id"],
            "amount_fen": 12001,
            "spent_on": today().isoformat(),
            "memo": "公交卡充值",
        },
    )
    assert spent.status_code == 201 and spent.json()["amount_yuan"] == "120.01"
    lines = client.get(f"{API}/{project.pk}/budget-lines").json()["items"]
    assert (lines[0]["left_fen"], lines[0]["overspent"]) == (-2001, True)
    detail = client.get(f"{API}/{project.pk}").json()
    assert (detail["spent_fen"], detail["on_hand_fen"]) == (12001, 1222566)
    # a float of yuan is not fen
    bad = post(
        client,
        f"/{project.pk}/fundings",
        {"kind": "donation", "source": "x", "amount_fen": 12.5, "received_on": today().isoformat()},
    )
    assert bad.status_code == 422


def test_the_leader_runs_the_plan_and_indicators_but_does_not_manage(client, project, leader):
    client.force_login(leader)
    milestone = post(
        client,
        f"/{project.pk}/milestones",
        {"title": "开营仪式", "due_on": days_from_today(5).isoformat()},
    )
    assert milestone.status_code == 201
    done = post(
        client, f"/milestones/{milestone.json()['id']}/done", {"done_on": today().isoformat()}
    )
    assert done.json()["done_on"] == today().isoformat()

    rate = post(
        client,
        f"/{project.pk}/indicators",
        {
            "name": "意外发生率",
            "source": "care_accident_rate",
            "baseline": "6",
            "target": "2",
            "lower_is_better": True,
        },
    ).json()
    assert rate["computed"] is True and rate["unit"] == "%"
    refused = post(
        client,
        f"/indicators/{rate['id']}/measure",
        {"measured": "1", "measured_on": today().isoformat()},
    )
    assert refused.status_code == 400 and "系统" in refused.json()["message"]

    assert post(client, f"/{project.pk}/status", {"status": "running"}).status_code == 403
    assert post(client, f"/{project.pk}", {"name": "改名"}, "patch").status_code == 403


def test_a_resident_reads_but_changes_nothing(client, project, resident_user):
    client.force_login(resident_user)
    assert client.get(f"{API}/{project.pk}").status_code == 200
    assert client.get(f"{API}/{project.pk}").json()["beneficiary_ids"] == []
    response = post(
        client, f"/{project.pk}/milestones", {"title": "x", "due_on": today().isoformat()}
    )
    assert response.status_code == 403
    assert not Milestone.objects.exists()
    assert post(client, "/domains", {"name": "新领域"}).status_code == 403


def test_a_coordinator_patches_only_what_is_sent(client, in_community, project, coordinator):
    partner = OrganizationFactory(community=in_community, name="红十字志愿队")
    client.force_login(coordinator)
    response = post(
        client,
        f"/{project.pk}",
        {"summary": "新的简介", "partner_organization_ids": [partner.pk]},
        "patch",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "银龄守护计划" and body["summary"] == "新的简介"
    assert [p["name"] for p in body["partner_organizations"]] == ["红十字志愿队"]
    late = post(client, f"/{project.pk}", {"ends_on": days_from_today(-400).isoformat()}, "patch")
    assert late.status_code == 400 and late.json()["errors"][0]["field"] == "ends_on"
