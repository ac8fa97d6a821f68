"""The project pages as a coordinator, the leader of the lead organization, a resident
and a district viewer use them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tests.clock import days_from_today, today
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.projects import services
from kuihua.projects.models import Funding, Milestone, Project
from kuihua.projects.tests.factories import ProjectDomainFactory, ProjectFactory
from kuihua.registry.tests.factories import ResidentFactory, tag

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 a receipt"


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
def resident(in_community):
    person = ResidentFactory(household__building__compound__community=in_community)
    return UserFactory(
        username="resident", role=Role.RESIDENT, community=in_community, resident=person
    )


def d(day) -> str:
    return day.isoformat()


def test_a_coordinator_creates_a_project_through_the_form(client, in_community, coordinator):
    domain = ProjectDomainFactory(community=in_community, name="关爱独居老人")
    lead = OrganizationFactory(community=in_community, name="夕阳红志愿服务队")
    partner = OrganizationFactory(community=in_community, name="青年志愿者协会")
    grandma = ResidentFactory(household__building__compound__community=in_community)
    client.force_login(coordinator)
    assert client.get(reverse("projects:create")).status_code == 200

    response = client.post(
        reverse("projects:create"),
        {
            "name": "银龄守护计划",
            "domain": domain.pk,
            "summary": "每日问候",
            "lead_organization": lead.pk,
            "partner_organizations": [partner.pk],
            "beneficiary_tags": [tag(in_community, "living_alone").pk],
            "beneficiaries": f"{grandma.pk}",
            "starts_on": d(today()),
            "ends_on": d(days_from_today(300)),
            "target_person_times": "1200",
        },
    )

    project = Project.objects.get(name="银龄守护计划")
    assert response.status_code == 302 and response.url == reverse(
        "projects:detail", args=[project.pk]
    )
    assert project.ledger is not None and project.target_person_times == 1200
    page = client.get(response.url).content.decode()
    assert "夕阳红志愿服务队" in page and "青年志愿者协会" in page and grandma.name in page
    listing = client.get(reverse("projects:list")).content.decode()
    assert "银龄守护计划" in listing and "关爱独居老人" in listing


def test_the_form_says_what_is_wrong_and_makes_nothing(client, in_community, coordinator):
    domain = ProjectDomainFactory(community=in_community)
    lead = OrganizationFactory(community=in_community)
    client.force_login(coordinator)

    response = client.post(
        reverse("projects:create"),
        {
            "name": "夏令营",
            "domain": domain.pk,
            "lead_organization": lead.pk,
            "beneficiaries": "999999",
            "starts_on": d(today()),
            "ends_on": d(days_from_today(-3)),
        },
    )

    assert response.status_code == 200
    assert "没有这些编号的居民：999999" in response.content.decode()
    assert not Project.objects.exists()
    response = client.post(
        reverse("projects:create"),
        {
            "name": "夏令营",
            "domain": domain.pk,
            "lead_organization": lead.pk,
            "starts_on": d(today()),
            "ends_on": d(days_from_today(-3)),
        },
    )
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Project.objects.exists()


def test_the_leader_of_the_lead_organization_adds_a_milestone_and_marks_it_done(
    client, project, leader
):
    client.force_login(leader)
    response = client.post(
        reverse("projects:milestone_add", args=[project.pk]),
        {"title": "招募志愿者", "due_on": d(days_from_today(10))},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(project=project)
    client.post(reverse("projects:milestone_done", args=[milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.done_on == today()
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "招募志愿者" in page and "完成 1/1" in page
    # running the project is not managing it
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 403


def test_a_resident_reads_the_project_but_cannot_change_it(client, project, resident):
    client.force_login(resident)
    page = client.get(reverse("projects:detail", args=[project.pk]))
    assert page.status_code == 200
    assert reverse("projects:report", args=[project.pk]) in page.content.decode()
    assert reverse("projects:milestone_add", args=[project.pk]) not in page.content.decode()
    for name in ("edit", "milestone_add", "budget", "funding_add", "expense_add", "indicator_add"):
        assert client.get(reverse(f"projects:{name}", args=[project.pk])).status_code == 403
    response = client.post(
        reverse("projects:milestone_add", args=[project.pk]),
        {"title": "偷偷加的", "due_on": d(today())},
    )
    assert response.status_code == 403
    assert not Milestone.objects.exists()
    assert client.get(reverse("projects:create")).status_code == 403


def test_money_through_the_pages_budget_against_actual_and_the_receipt(
    client, project, coordinator
):
    client.force_login(coordinator)
    client.post(
        reverse("projects:funding_add", args=[project.pk]),
        {
            "kind": Funding.Kind.SUBSIDY,
            "source": "区民政局公益创投",
            "amount": "20000",
            "received_on": d(today()),
            "conditions": "专款专用",
            "evidence": SimpleUploadedFile("notice.pdf", PDF),
        },
    )
    client.post(reverse("projects:budget", args=[project.pk]), {"name": "慰问品", "amount": "100"})
    line = project.budget_lines.get()
    response = client.post(
        reverse("projects:expense_add", args=[project.pk]),
        {
            "budget_line": line.pk,
            "amount": "150.50",
            "spent_on": d(today()),
            "memo": "中秋月饼",
            "evidence": SimpleUploadedFile("r.pdf", PDF),
        },
    )
    assert response.status_code == 302

    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "20,000.00" in page and "150.50" in page and "19,849.50" in page
    assert "超支" in page  # 150.50 spent on a 100.00 line
    funding = Funding.objects.get()
    evidence = client.get(reverse("projects:funding_evidence", args=[funding.pk]))
    assert evidence.status_code == 200 and evidence["Content-Type"] == "application/pdf"


def test_a_receipt_that_is_not_a_photo_or_pdf_is_refused(client, project, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("projects:funding_add", args=[project.pk]),
        {
            "kind": Funding.Kind.DONATION,
            "source": "某超市",
            "amount": "100",
            "received_on": d(today()),
            "evidence": SimpleUploadedFile("r.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 200
    assert "凭据只能是照片" in response.content.decode()
    assert not Funding.objects.exists()


def test_evidence_is_for_those_who_run_the_project(client, project, coordinator, resident):
    funding = services.funding_record(
        actor=coordinator,
        project=project,
        kind="donation",
        source="某超市",
        amount_fen=100,
        received_on=today(),
        evidence=SimpleUploadedFile("x.pdf", PDF),
    )
    client.force_login(resident)
    assert client.get(reverse("projects:funding_evidence", args=[funding.pk])).status_code == 403


def test_a_district_viewer_reads_the_list_and_a_project(client, in_community, project):
    viewer = UserFactory(username="district", role=Role.DISTRICT_VIEWER, community=None)
    viewer.viewable_communities.add(in_community)
    client.force_login(viewer)
    assert "银龄守护计划" in client.get(reverse("projects:list")).content.decode()
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200
    assert client.get(reverse("projects:budget", args=[project.pk])).status_code == 403


def test_the_menu_shows_projects_to_a_member(client, resident):
    client.force_login(resident)
    assert reverse("projects:list") in client.get(reverse("home")).content.decode()


def test_a_coordinator_adds_the_common_domains_and_moves_a_project_on(client, project, coordinator):
    client.force_login(coordinator)
    client.post(reverse("projects:domains"), {"common": "1"})
    assert "青少年成长" in client.get(reverse("projects:domains")).content.decode()
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'value="running"' in page and 'value="finished"' not in page  # one step at a time
    client.post(reverse("projects:status", args=[project.pk]), {"status": "running"})
    project.refresh_from_db()
    assert project.status == Project.Status.RUNNING
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'value="finished"' in page and 'value="planning"' not in page


def test_an_expense_recorded_by_mistake_is_reversed_on_its_page(client, project, coordinator):
    services.funding_record(
        actor=coordinator,
        project=project,
        kind="donation",
        source="某超市",
        amount_fen=5000,
        received_on=today(),
    )
    line = services.budget_line_set(actor=coordinator, project=project, name="物料", amount_fen=0)
    entry = services.expense_record(
        actor=coordinator,
        project=project,
        budget_line=line,
        amount_fen=3000,
        spent_on=today(),
        memo="记重了",
    )
    client.force_login(coordinator)
    url = reverse("projects:expense_reverse", args=[project.pk, entry.pk])
    assert client.post(url, {"reason": "重复记账"}).status_code == 302
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "已冲销" in page
    assert 'id="on-hand">50.00<' in page  # the money is back on the books


def test_indicators_read_as_people_write_numbers(client, project, coordinator):
    indicator = services.indicator_add(
        actor=coordinator, project=project, name="老人满意度", baseline="70", target="100", unit="%"
    )
    services.indicator_measure(
        actor=coordinator, indicator=indicator, measured="92.50", measured_on=today()
    )
    client.force_login(coordinator)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "100%" in page and "92.5%" in page and "70%" in page
    assert "E+" not in page and "100.0000" not in page
