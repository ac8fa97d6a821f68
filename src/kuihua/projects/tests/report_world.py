"""A project whose report is counted by hand, for the report's page, Excel file and PDF.

Every money figure goes through the ledger (`ledger_open`, `entry_post`), the outputs
through the care programme's services (check-ins and an incident of the project's
enrolled people); dates are days from the test's today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from kuihua.care import services as care_services
from kuihua.care.models import CareRecipient
from kuihua.core.tests.clock import days_from_today
from kuihua.ledger.models import Account, Ledger
from kuihua.ledger.services import account, entry_post, ledger_open
from kuihua.organizations import services as org_services
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.projects.models import (
    BudgetLine,
    Funding,
    Milestone,
    OutcomeIndicator,
    Project,
    ProjectDomain,
)
from kuihua.registry.tests.factories import ResidentFactory, tag
from kuihua.service_records.tests.factories import manual_record, verified_record

# A project ledger's chart for these tests (the projects' own chart may differ: the
# report reads whatever accounts the ledger has, by kind).
CHART = [
    ("1001", "现金", Account.Kind.ASSET, True),
    ("1002", "银行存款", Account.Kind.ASSET, True),
    ("3001", "期初结余", Account.Kind.EQUITY, True),
    ("4101", "补贴收入", Account.Kind.INCOME, True),
    ("4102", "捐赠收入", Account.Kind.INCOME, True),
    ("5101", "劳务补贴", Account.Kind.EXPENSE, False),
    ("5102", "物资采购", Account.Kind.EXPENSE, False),
    ("5103", "宣传印刷", Account.Kind.EXPENSE, False),
    ("5109", "其他支出", Account.Kind.EXPENSE, False),
]


@dataclass
class ReportWorld:
    project: Project
    coordinator: object
    lead: object
    ledger: Ledger
    recipients: list = field(default_factory=list)


def _post(ledger, day: dt.date, memo: str, debit: str, credit: str, fen: int, actor):
    with transaction.atomic():
        return entry_post(
            ledger=ledger,
            date=day,
            memo=memo,
            legs=[(account(ledger, debit), fen), (account(ledger, credit), -fen)],
            actor=actor,
            source="test",
        )


def funding_add(world_or_project, *, kind, source, amount_fen, day, conditions="", actor=None):
    project = getattr(world_or_project, "project", world_or_project)
    income = "4101" if kind == Funding.Kind.SUBSIDY else "4102"
    entry = _post(project.ledger, day, f"{source}到账", "1002", income, amount_fen, actor)
    return Funding.objects.create(
        project=project,
        kind=kind,
        source=source,
        conditions=conditions,
        amount_fen=amount_fen,
        received_on=day,
        entry=entry,
        recorded_by=actor,
    )


def expense_post(project, *, code: str, amount_fen: int, day, memo: str, actor=None):
    return _post(project.ledger, day, memo, code, "1002", amount_fen, actor)


def report_world(community, coordinator, *, name: str = "幸福来敲门·独居老人关爱") -> ReportWorld:
    """关爱独居老人 project led by 夕阳红志愿服务队 with 翠苑红十字服务站 and 社区卫生服务中心.

    Period: 60 days ago to 120 days ahead. By hand:

    - plan: 4 milestones; 入户走访建档 due 40 days ago, done 42 days ago (on time);
      志愿者培训 due 20 days ago, done 15 days ago (late, 5 days); 中期评估 due 5 days
      ago, not done (overdue, 5 days); 结项总结 due in 30 days (pending);
    - budget: 劳务补贴 3,000.00 spent 1,800.00 (60.0%); 物资采购 2,000.00 spent
      1,500.00 + 850.00 = 2,350.00 (117.5%, overspent by 350.00); 宣传印刷 500.00
      spent 0 (0.0%); 其他支出 unbudgeted 40.00. Total 5,500.00 against 4,190.00
      (76.2%), 1,310.00 left;
    - funding: subsidy 5,000.00 from 街道社区发展专项资金 (with conditions), donation
      1,200.50 from 翠苑爱心企业联盟; 6,200.50 in all; in hand 6,200.50 − 4,190.00 =
      2,010.50;
    - outputs: 4 people enrolled in care for the project; 6 visits and calls (a self
      check-in does not count) to 3 of them: 6 person-times of 10 (60.0%), 3 people
      of 4 (75.0%); 3.5 + 1.5 = 5 verified hours of 20 (25.0%), by 2 volunteers;
    - outcomes: 意外发生率 (computed, per cent) baseline 15, target 8, lower is better:
      1 fall among 4 enrolled = 25 → not reached; 居民满意度 measured 92 against 90 →
      reached; 邻里互助参与率 not measured.
    """
    today = days_from_today(0)
    domain = ProjectDomain.objects.create(name="关爱独居老人", position=1)
    lead = OrganizationFactory(community=community, name="夕阳红志愿服务队")
    partner = OrganizationFactory(community=community, name="翠苑红十字服务站")
    unit = org_services.partner_unit_create(
        actor=coordinator, name="社区卫生服务中心", kind="institution"
    )
    ledger = ledger_open(name=f"{name}项目资金", kind=Ledger.Kind.PROJECT, chart=CHART)
    project = Project.objects.create(
        domain=domain,
        name=name,
        summary="为独居、高龄老人每天两次上门敲门问安。",
        status=Project.Status.RUNNING,
        lead_organization=lead,
        starts_on=days_from_today(-60),
        ends_on=days_from_today(120),
        target_person_times=10,
        target_people=4,
        target_hours=Decimal("20"),
        ledger=ledger,
        created_by=coordinator,
    )
    project.partner_organizations.set([partner])
    project.partner_units.set([unit])
    project.beneficiary_tags.set([tag(community, "living_alone"), tag(community, "advanced_age")])

    for title, due, done in [
        ("入户走访建档", -40, -42),
        ("志愿者培训", -20, -15),
        ("中期评估", -5, None),
        ("结项总结", 30, None),
    ]:
        Milestone.objects.create(
            project=project,
            title=title,
            due_on=days_from_today(due),
            done_on=None if done is None else days_from_today(done),
        )

    for code, fen in [("5101", 300000), ("5102", 200000), ("5103", 50000)]:
        BudgetLine.objects.create(project=project, account=account(ledger, code), amount_fen=fen)

    funding_add(
        project,
        kind=Funding.Kind.SUBSIDY,
        source="街道社区发展专项资金",
        conditions="专款专用，结项后一个月内报送决算",
        amount_fen=500000,
        day=days_from_today(-50),
        actor=coordinator,
    )
    funding_add(
        project,
        kind=Funding.Kind.DONATION,
        source="翠苑爱心企业联盟",
        amount_fen=120050,
        day=days_from_today(-30),
        actor=coordinator,
    )
    expense_post(
        project, code="5101", amount_fen=180000, day=days_from_today(-25), memo="探访志愿者交通餐费"
    )
    expense_post(project, code="5102", amount_fen=150000, day=days_from_today(-20), memo="助老物资")
    expense_post(project, code="5102", amount_fen=85000, day=days_from_today(-10), memo="防滑垫")
    expense_post(project, code="5109", amount_fen=4000, day=today, memo="快递费")

    recipients = []
    for _k in range(4):
        resident = ResidentFactory(household__building__compound__community=community)
        project.beneficiaries.add(resident)
        recipients.append(care_services.recipient_enrol(actor=coordinator, resident=resident))
    CareRecipient.objects.filter(pk__in=[r.pk for r in recipients]).update(project=project)
    for recipient, channels in zip(
        recipients,
        [["visit", "visit", "call", "self"], ["visit", "call"], ["visit"], []],
        strict=True,
    ):
        for channel in channels:
            care_services.check_in(actor=coordinator, recipient=recipient, channel=channel)
    care_services.incident_record(
        actor=coordinator, recipient=recipients[0], kind="fall", occurred_on=days_from_today(-3)
    )

    # Volunteer hours: two verified records (3.5 h, 1.5 h) of two volunteers; a record
    # still waiting for verification does not count.
    for hours, day in [("3.5", -2), ("1.5", 0)]:
        verified_record(
            actor=coordinator,
            organization=lead,
            resident=ResidentFactory(household__building__compound__community=community),
            hours=hours,
            date=days_from_today(day),
            project=project,
        )
    manual_record(
        actor=coordinator,
        organization=lead,
        resident=ResidentFactory(household__building__compound__community=community),
        hours="8",
        project=project,
    )

    OutcomeIndicator.objects.create(
        project=project,
        name="关爱对象意外发生率",
        unit="%",
        source=OutcomeIndicator.Source.CARE_ACCIDENT_RATE,
        baseline=Decimal("15"),
        target=Decimal("8"),
        lower_is_better=True,
        measured=Decimal("1"),  # typed by mistake: a computed indicator never shows it
    )
    OutcomeIndicator.objects.create(
        project=project,
        name="居民满意度",
        unit="%",
        baseline=Decimal("70"),
        target=Decimal("90"),
        measured=Decimal("92"),
        measured_on=days_from_today(-7),
        method="入户问卷 50 份",
    )
    OutcomeIndicator.objects.create(
        project=project,
        name="邻里互助参与率",
        unit="%",
        baseline=Decimal("20"),
        target=Decimal("35"),
    )
    return ReportWorld(
        project=project, coordinator=coordinator, lead=lead, ledger=ledger, recipients=recipients
    )


def grow(world: ReportWorld, n: int) -> None:
    """n more of every row the report reads: milestones, budget lines (each on a new
    expense account, with a posting), fundings, indicators, enrolled people with a visit."""
    project, ledger = world.project, world.ledger
    first = Milestone.objects.filter(project=project).count()
    for k in range(first, first + n):
        Milestone.objects.create(project=project, title=f"月度例会{k}", due_on=days_from_today(k))
        acct = Account.objects.create(
            ledger=ledger, code=f"52{k:02d}", name=f"追加科目{k}", kind=Account.Kind.EXPENSE
        )
        BudgetLine.objects.create(project=project, account=acct, amount_fen=10000)
        expense_post(project, code=acct.code, amount_fen=500, day=days_from_today(-1), memo="追加")
        funding_add(
            project,
            kind=Funding.Kind.OTHER,
            source=f"其他来源{k}",
            amount_fen=1000,
            day=days_from_today(-2),
        )
        OutcomeIndicator.objects.create(
            project=project,
            name=f"追加指标{k}",
            source=OutcomeIndicator.Source.CARE_ACCIDENT_RATE,
            baseline=Decimal("0.1"),
            target=Decimal("0.05"),
            lower_is_better=True,
        )
        resident = ResidentFactory(household__building__compound__community=project.community)
        recipient = care_services.recipient_enrol(actor=world.coordinator, resident=resident)
        CareRecipient.objects.filter(pk=recipient.pk).update(project=project)
        care_services.check_in(actor=world.coordinator, recipient=recipient, channel="visit")
