"""Projects as a coordinator runs them: a project with its own books, its plan, budget,
funding and expenses to the fen, and indicators; bad input changes nothing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kuihua.core.audit import AuditLog
from kuihua.core.tenancy import use_community
from kuihua.core.tests.clock import days_from_today, today
from kuihua.ledger.models import Account, Entry, Ledger
from kuihua.ledger.selectors import balances, books_check
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.projects import selectors, services
from kuihua.projects.models import Funding, OutcomeIndicator, Project
from kuihua.projects.services import ProjectError
from kuihua.projects.tests.factories import ProjectDomainFactory, ProjectFactory
from kuihua.registry.tests.factories import ResidentFactory, tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain(in_community):
    return ProjectDomainFactory(community=in_community, name="关爱独居老人")


@pytest.fixture
def lead(in_community):
    return OrganizationFactory(community=in_community, name="夕阳红志愿服务队")


@pytest.fixture
def project(in_community):
    return ProjectFactory(community=in_community, name="银龄守护计划")


def create(coordinator, domain, lead, **kwargs):
    fields = {
        "actor": coordinator,
        "domain": domain,
        "name": "银龄守护计划",
        "lead_organization": lead,
        "starts_on": today(),
        "ends_on": days_from_today(364),
    }
    return services.project_create(**(fields | kwargs))


def test_a_new_project_opens_its_own_ledger_with_no_expense_line_and_names_its_people(
    in_community, coordinator, domain, lead
):
    partner = OrganizationFactory(community=in_community, name="青年志愿者协会")
    alone = tag(in_community, "living_alone")
    grandma = ResidentFactory(household__building__compound__community=in_community)

    project = create(
        coordinator,
        domain,
        lead,
        summary="每日问候，每周上门",
        partner_organizations=[partner, lead],
        beneficiary_tags=[alone],
        beneficiaries=[grandma],
        target_person_times=1200,
        target_hours=Decimal("300.5"),
    )

    assert project.status == Project.Status.PLANNING
    assert project.ledger.kind == Ledger.Kind.PROJECT
    kinds = dict(Account.objects.filter(ledger=project.ledger).values_list("code", "kind"))
    assert kinds == {
        "1001": "asset",
        "1002": "asset",
        "3001": "equity",
        "4001": "income",
        "4002": "income",
        "4003": "income",
        "4009": "income",
    }
    # the lead is not listed as its own partner
    assert list(project.partner_organizations.all()) == [partner]
    assert list(project.beneficiary_tags.all()) == [alone]
    assert list(project.beneficiaries.all()) == [grandma]
    assert project.target_hours == Decimal("300.50")
    assert AuditLog.objects.filter(action="projects.project_created", object_id=project.pk).exists()


@pytest.mark.parametrize("what", ["lead", "partner", "tag", "resident"])
def test_another_communitys_organization_tag_or_resident_is_refused_and_nothing_made(
    in_community, other_community, coordinator, domain, lead, what
):
    with use_community(other_community):
        theirs = {
            "lead": lambda: {"lead_organization": OrganizationFactory(community=other_community)},
            "partner": lambda: {
                "partner_organizations": [OrganizationFactory(community=other_community)]
            },
            "tag": lambda: {"beneficiary_tags": [tag(other_community, "living_alone")]},
            "resident": lambda: {
                "beneficiaries": [
                    ResidentFactory(household__building__compound__community=other_community)
                ]
            },
        }[what]()
    ledgers = Ledger.objects.count()

    with pytest.raises(ProjectError, match="本社区"):
        create(coordinator, domain, lead, **theirs)

    assert not Project.objects.exists()
    assert Ledger.objects.count() == ledgers


def test_bad_dates_and_a_taken_name_are_refused_in_chinese(in_community, coordinator, domain, lead):
    with pytest.raises(ProjectError, match="结束日期不能早于开始日期") as bad:
        create(coordinator, domain, lead, ends_on=days_from_today(-1))
    assert bad.value.field == "ends_on"
    create(coordinator, domain, lead)
    with pytest.raises(ProjectError, match="已经有叫“银龄守护计划”的项目了"):
        create(coordinator, domain, lead)
    with pytest.raises(ProjectError, match="请填写项目名称"):
        create(coordinator, domain, lead, name="  ")
    assert Project.objects.count() == 1


def test_status_moves_forward_only(project, coordinator):
    with pytest.raises(ProjectError, match="不能改为“已结项”"):
        services.project_set_status(actor=coordinator, project=project, status="finished")
    services.project_set_status(actor=coordinator, project=project, status="running")
    services.project_set_status(actor=coordinator, project=project, status="finished")
    with pytest.raises(ProjectError, match="项目现在是“已结项”"):
        services.project_set_status(actor=coordinator, project=project, status="running")
    project.refresh_from_db()
    assert project.status == Project.Status.FINISHED


def test_update_renames_the_project_and_its_ledger(project, coordinator, in_community):
    other_lead = OrganizationFactory(community=in_community)
    services.project_update(
        actor=coordinator,
        project=project,
        name="银龄守护计划（二期）",
        lead_organization=other_lead,
    )
    project.refresh_from_db()
    assert project.name == "银龄守护计划（二期）"
    assert project.lead_organization == other_lead
    assert project.ledger.name == "银龄守护计划（二期）项目账"


def test_milestones_count_as_progress(project, coordinator):
    first = services.milestone_add(
        actor=coordinator, project=project, title="招募志愿者", due_on=days_from_today(30)
    )
    services.milestone_add(
        actor=coordinator, project=project, title="首次上门探访", due_on=days_from_today(60)
    )
    with pytest.raises(ProjectError, match="不能晚于今天"):
        services.milestone_done(actor=coordinator, milestone=first, done_on=days_from_today(1))
    services.milestone_done(actor=coordinator, milestone=first, done_on=today())

    (row,) = selectors.project_list(coordinator)
    assert (row.milestones_done, row.milestones_total) == (1, 2)


def test_money_to_the_fen_funding_budget_and_expenses_balance_in_the_ledger(project, coordinator):
    services.funding_record(
        actor=coordinator,
        project=project,
        kind=Funding.Kind.SUBSIDY,
        source="区民政局公益创投",
        amount_fen=5000000,
        received_on=today(),
        conditions="专款专用，年底前结项",
    )
    services.funding_record(
        actor=coordinator,
        project=project,
        kind=Funding.Kind.DONATION,
        source="翠苑超市",
        amount_fen=123456,
        received_on=today(),
    )
    visits = services.budget_line_set(
        actor=coordinator, project=project, name="上门探访交通", amount_fen=1000000
    )
    gifts = services.budget_line_set(
        actor=coordinator, project=project, name="慰问品", amount_fen=50000
    )
    again = services.budget_line_set(
        actor=coordinator, project=project, name="上门探访交通", amount_fen=1200000
    )
    assert again.pk == visits.pk and again.amount_fen == 1200000
    assert (visits.account.code, gifts.account.code) == ("5001", "5002")

    receipt = SimpleUploadedFile("r.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    services.expense_record(
        actor=coordinator,
        project=project,
        budget_line=visits,
        amount_fen=33333,
        spent_on=today(),
        memo="三月探访公交卡充值",
        evidence=receipt,
    )
    # beyond the line's budget: allowed, and shown overspent
    services.expense_record(
        actor=coordinator,
        project=project,
        budget_line=gifts,
        amount_fen=60001,
        spent_on=today(),
        memo="中秋慰问品",
    )

    money = selectors.project_money(project)
    assert (money.raised_fen, money.spent_fen, money.on_hand_fen) == (5123456, 93334, 5030122)
    assert money.budget_fen == 1250000
    rows = {r.name: r for r in selectors.budget_rows(project)}
    assert (rows["上门探访交通"].spent_fen, rows["上门探访交通"].overspent) == (33333, False)
    assert (rows["慰问品"].spent_fen, rows["慰问品"].left_fen, rows["慰问品"].overspent) == (
        60001,
        -10001,
        True,
    )
    ledger_balances = balances(project.ledger)
    assert ledger_balances["1002"] == 5030122
    assert ledger_balances["4001"] == -5000000
    assert ledger_balances["4002"] == -123456
    assert sum(ledger_balances.values()) == 0
    assert books_check(project.ledger).ok
    assert [r.has_evidence for r in selectors.expenses(project)] == [False, True]


def test_an_expense_beyond_the_money_on_the_books_is_refused_and_nothing_posted(
    project, coordinator
):
    services.funding_record(
        actor=coordinator,
        project=project,
        kind=Funding.Kind.MARKET,
        source="五月爱心集市",
        amount_fen=10000,
        received_on=today(),
    )
    line = services.budget_line_set(
        actor=coordinator, project=project, name="活动物料", amount_fen=50000
    )
    before = Entry.objects.count()
    with pytest.raises(ProjectError, match=r"项目账上只有 100\.00 元，不够支出 100\.01 元"):
        services.expense_record(
            actor=coordinator,
            project=project,
            budget_line=line,
            amount_fen=10001,
            spent_on=today(),
            memo="横幅",
        )
    assert Entry.objects.count() == before
    services.expense_record(
        actor=coordinator,
        project=project,
        budget_line=line,
        amount_fen=10000,
        spent_on=today(),
        memo="横幅",
    )
    assert selectors.project_money(project).on_hand_fen == 0


def test_another_projects_budget_line_and_bad_amounts_are_refused(
    project, coordinator, in_community
):
    other = ProjectFactory(community=in_community)
    line = services.budget_line_set(actor=coordinator, project=other, name="物料", amount_fen=1)
    with pytest.raises(ProjectError, match="请选择这个项目的预算科目"):
        services.expense_record(
            actor=coordinator,
            project=project,
            budget_line=line,
            amount_fen=1,
            spent_on=today(),
            memo="x",
        )
    for bad in (0, -5):
        with pytest.raises(ProjectError, match="金额要大于 0"):
            services.funding_record(
                actor=coordinator,
                project=project,
                kind="donation",
                source="某人",
                amount_fen=bad,
                received_on=today(),
            )
    with pytest.raises(ProjectError, match="到账日期不能晚于今天"):
        services.funding_record(
            actor=coordinator,
            project=project,
            kind="donation",
            source="某人",
            amount_fen=100,
            received_on=days_from_today(1),
        )
    with pytest.raises(ProjectError, match="预算科目请换个名字"):
        services.budget_line_set(
            actor=coordinator, project=project, name="社会捐赠收入", amount_fen=100
        )
    assert not Funding.objects.exists()


def test_an_expense_reversed_gives_the_money_back_to_the_project(project, coordinator):
    services.funding_record(
        actor=coordinator,
        project=project,
        kind="other",
        source="结余",
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
        memo="记错了",
    )
    services.expense_reverse(actor=coordinator, project=project, entry=entry, reason="重复记账")
    assert selectors.project_money(project).on_hand_fen == 5000
    rows = selectors.expenses(project)
    assert sorted(r.amount_fen for r in rows) == [-3000, 3000]


def test_a_computed_indicator_refuses_a_manual_measure_a_manual_one_takes_it(project, coordinator):
    rate = services.indicator_add(
        actor=coordinator,
        project=project,
        name="独居老人意外发生率",
        baseline="8",
        target="3",
        source=OutcomeIndicator.Source.CARE_ACCIDENT_RATE,
        lower_is_better=True,
    )
    assert rate.unit == "%"
    with pytest.raises(ProjectError, match="由系统根据实际记录计算，不能手工填写"):
        services.indicator_measure(
            actor=coordinator, indicator=rate, measured="2", measured_on=today()
        )
    rate.refresh_from_db()
    assert rate.measured is None

    joy = services.indicator_add(
        actor=coordinator, project=project, name="老人满意度", baseline="70", target="90", unit="%"
    )
    with pytest.raises(ProjectError, match="实测值要填数字"):
        services.indicator_measure(
            actor=coordinator, indicator=joy, measured="很好", measured_on=today()
        )
    services.indicator_measure(
        actor=coordinator, indicator=joy, measured="92.5", measured_on=today(), method="问卷"
    )
    rows = {r.indicator.name: r for r in selectors.indicator_rows(project)}
    assert rows["老人满意度"].value == Decimal("92.5") and rows["老人满意度"].reached
    # nobody enrolled in the care programme through the project yet: no rate
    assert rows["独居老人意外发生率"].computed and rows["独居老人意外发生率"].value is None


def test_domains_are_the_communitys_own_list(in_community, coordinator):
    services.domains_add_common(actor=coordinator)
    with pytest.raises(ProjectError, match="已经有“青少年成长”这个领域了"):
        services.domain_create(actor=coordinator, name="青少年成长")
    services.domain_create(actor=coordinator, name="垃圾分类")
    from kuihua.projects.models import ProjectDomain

    assert list(ProjectDomain.objects.values_list("name", flat=True))[-1] == "垃圾分类"
    assert ProjectDomain.objects.count() == 6


def test_the_care_accident_rate_is_computed_from_the_projects_enrolled_people(
    in_community, coordinator
):
    from kuihua.care import services as care_services
    from kuihua.care.models import CareRecipient

    project = ProjectFactory(
        community=in_community, starts_on=days_from_today(-30), ends_on=days_from_today(300)
    )
    people = [
        care_services.recipient_enrol(
            actor=coordinator,
            resident=ResidentFactory(household__building__compound__community=in_community),
        )
        for _ in range(4)
    ]
    CareRecipient.objects.filter(pk__in=[p.pk for p in people]).update(project=project)
    care_services.incident_record(
        actor=coordinator, recipient=people[0], kind="fall", occurred_on=today()
    )
    services.indicator_add(
        actor=coordinator,
        project=project,
        name="意外发生率",
        baseline="30",
        target="10",
        source=OutcomeIndicator.Source.CARE_ACCIDENT_RATE,
        lower_is_better=True,
    )

    (row,) = selectors.indicator_rows(project)

    assert row.value == Decimal("25.00")  # one of four enrolled people fell
    assert row.measured_on == today()
    assert row.reached is False  # 25% is not yet down to 10%
