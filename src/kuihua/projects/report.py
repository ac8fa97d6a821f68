"""The project report (项目报告) that writes itself: plan against done, budget against
actual, funding, outputs, and outcomes against target, all from Kuihua's data.

Nothing in a report is typed for the report. The plan is the project's milestones;
what was spent on a budget line is the sum of the posted legs on its expense account
(`ledger.selectors.balances`); the money in hand is the balance of the project
ledger's asset accounts; the outputs are counted from the work attributed to the
project (`projects.outputs.project_outputs`); an outcome whose source is computed
(the care programme's accident rate) is computed here, never read from `measured`.
What each section means and where each number comes from: docs/project-report.md.

`project_report` reads a fixed number of queries however many milestones, budget
lines, fundings, indicators and postings a project has (tests/test_report.py pins it).
The page, the Excel file (report_exporting.py) and the PDF (report_pdf.py) all render
the one `ProjectReport`, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from kuihua.ledger.models import Account
from kuihua.ledger.selectors import balances
from kuihua.projects.models import BudgetLine, Funding, Milestone, OutcomeIndicator, Project
from kuihua.projects.outputs import ProjectOutputs, care_accident_rate, project_outputs

__all__ = [
    "BudgetRow",
    "BudgetSection",
    "FundingKindRow",
    "FundingRow",
    "FundingSection",
    "Header",
    "MilestoneRow",
    "OutcomeRow",
    "OutputRow",
    "OutputsSection",
    "PlanSection",
    "ProjectReport",
    "percent",
    "project_report",
]


def share(part, whole) -> Decimal | None:
    """part / whole to four places (0.8500); None when there is nothing to divide by."""
    if whole is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def percent(value: Decimal | None) -> str:
    """A share as people read it in a report: "85.0%", or "—" when there is none."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def number(value) -> str:
    """A count or a measured value without trailing zeros: 12, 7.5, 0.08; "—" if none."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


# --- the header -------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    name: str
    summary: str
    domain: str
    status: str  # in words (实施中 …)
    lead: str
    partner_organizations: tuple[str, ...]
    partner_units: tuple[str, ...]
    beneficiary_groups: tuple[str, ...]  # the tags it serves (独居, 高龄 …)
    beneficiaries: int  # people named as its beneficiaries
    starts_on: dt.date
    ends_on: dt.date

    @property
    def partners(self) -> tuple[str, ...]:
        return self.partner_organizations + self.partner_units


# --- plan against done ------------------------------------------------------------------

ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"


def _milestone_labels() -> dict[str, str]:
    return {
        ON_TIME: _("按期完成"),
        LATE: _("延期完成"),
        OVERDUE: _("已逾期未完成"),
        PENDING: _("未到期"),
    }


@dataclass(frozen=True)
class MilestoneRow:
    title: str
    due_on: dt.date
    done_on: dt.date | None
    state: str  # on_time, late, overdue or pending
    days_late: int  # days after the due day it was done, or has been open (0 if neither)
    note: str

    @property
    def state_label(self) -> str:
        return _milestone_labels()[self.state]

    @property
    def behind(self) -> bool:
        return self.state in (LATE, OVERDUE)


@dataclass(frozen=True)
class PlanSection:
    rows: tuple[MilestoneRow, ...]

    def _count(self, state: str) -> int:
        return sum(1 for row in self.rows if row.state == state)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def on_time(self) -> int:
        return self._count(ON_TIME)

    @property
    def late(self) -> int:
        return self._count(LATE)

    @property
    def overdue(self) -> int:
        return self._count(OVERDUE)

    @property
    def pending(self) -> int:
        return self._count(PENDING)

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def done_share(self) -> Decimal | None:
        return share(self.done, self.total)


def _milestone_row(milestone: Milestone, today: dt.date) -> MilestoneRow:
    if milestone.done_on is not None:
        late = (milestone.done_on - milestone.due_on).days
        state = LATE if late > 0 else ON_TIME
    else:
        late = (today - milestone.due_on).days
        state = OVERDUE if late > 0 else PENDING
    return MilestoneRow(
        title=milestone.title,
        due_on=milestone.due_on,
        done_on=milestone.done_on,
        state=state,
        days_late=max(late, 0),
        note=milestone.note,
    )


# --- budget against actual --------------------------------------------------------------


@dataclass(frozen=True)
class BudgetRow:
    code: str
    name: str
    budget_fen: int | None  # None: spent on an expense account with no budget line
    actual_fen: int  # posted legs on the account (debit +)

    @property
    def remaining_fen(self) -> int:
        return (self.budget_fen or 0) - self.actual_fen

    @property
    def spent_share(self) -> Decimal | None:
        return share(self.actual_fen, self.budget_fen)

    @property
    def overspent(self) -> bool:
        return self.actual_fen > (self.budget_fen or 0)


@dataclass(frozen=True)
class BudgetSection:
    rows: tuple[BudgetRow, ...]

    @property
    def budget_fen(self) -> int:
        return sum(row.budget_fen or 0 for row in self.rows)

    @property
    def actual_fen(self) -> int:
        return sum(row.actual_fen for row in self.rows)

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.actual_fen

    @property
    def spent_share(self) -> Decimal | None:
        return share(self.actual_fen, self.budget_fen)

    @property
    def overspent(self) -> tuple[BudgetRow, ...]:
        return tuple(row for row in self.rows if row.overspent)


# --- funding ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingRow:
    kind: str
    kind_label: str
    source: str
    conditions: str
    amount_fen: int
    received_on: dt.date


@dataclass(frozen=True)
class FundingKindRow:
    kind: str
    label: str
    amount_fen: int
    count: int


@dataclass(frozen=True)
class FundingSection:
    rows: tuple[FundingRow, ...]  # each funding, in the order received
    kinds: tuple[FundingKindRow, ...]  # the totals by kind, in the model's order
    balance_fen: int  # money in hand: the project ledger's asset accounts, posted
    income_fen: int  # the ledger's income accounts, posted (credit shown positive)
    expense_fen: int  # the ledger's expense accounts, posted

    @property
    def total_fen(self) -> int:
        return sum(row.amount_fen for row in self.rows)


# --- outputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputRow:
    key: str
    label: str
    unit: str
    planned: int | Decimal | None
    actual: int | Decimal

    @property
    def reached_share(self) -> Decimal | None:
        return share(self.actual, self.planned)

    @property
    def planned_text(self) -> str:
        return number(self.planned)

    @property
    def actual_text(self) -> str:
        return number(self.actual)


@dataclass(frozen=True)
class OutputsSection:
    start: dt.date
    end: dt.date  # the project's last day, or today if it has not ended
    counted: ProjectOutputs
    rows: tuple[OutputRow, ...]


# --- outcomes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    name: str
    unit: str
    source: str
    source_label: str
    computed: bool  # measured by Kuihua from its own records, not typed
    baseline: Decimal
    target: Decimal
    measured: Decimal | None
    measured_on: dt.date | None
    method: str
    lower_is_better: bool

    @property
    def reached(self) -> bool | None:
        """Whether the target is met (None: nothing measured yet)."""
        if self.measured is None:
            return None
        if self.lower_is_better:
            return self.measured <= self.target
        return self.measured >= self.target

    @property
    def state_label(self) -> str:
        if self.reached is None:
            return _("尚未测量")
        return _("已达到目标") if self.reached else _("尚未达到")

    @property
    def baseline_text(self) -> str:
        return number(self.baseline)

    @property
    def target_text(self) -> str:
        return number(self.target)

    @property
    def measured_text(self) -> str:
        return number(self.measured)

    @property
    def direction_label(self) -> str:
        return _("越低越好") if self.lower_is_better else _("越高越好")


# --- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectReport:
    project_id: int
    header: Header
    plan: PlanSection
    budget: BudgetSection
    funding: FundingSection
    outputs: OutputsSection
    outcomes: tuple[OutcomeRow, ...]
    generated_on: dt.date

    @property
    def outcomes_reached(self) -> int:
        return sum(1 for row in self.outcomes if row.reached)


def _load(project: Project) -> Project:
    """The project with everything the report shows: one query per relation."""
    return (
        Project.objects.select_related("domain", "lead_organization", "ledger")
        .prefetch_related(
            "partner_organizations",
            "partner_units",
            "beneficiary_tags",
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id")),
            Prefetch(
                "budget_lines",
                queryset=BudgetLine.objects.select_related("account").order_by("account__code"),
            ),
            Prefetch("fundings", queryset=Funding.objects.order_by("received_on", "id")),
            Prefetch("indicators", queryset=OutcomeIndicator.objects.order_by("id")),
        )
        .get(pk=project.pk)
    )


def _money(project: Project, lines) -> tuple[tuple[BudgetRow, ...], int, int, int]:
    """Budget rows, money in hand, income and expenses, from the ledger's posted legs."""
    if project.ledger is None:
        rows = tuple(
            BudgetRow(line.account.code, line.account.name, line.amount_fen, 0) for line in lines
        )
        return rows, 0, 0, 0
    by_code = balances(project.ledger)
    accounts = list(Account.objects.filter(ledger=project.ledger).order_by("code"))
    budgeted = {line.account_id for line in lines}
    rows = [
        BudgetRow(
            line.account.code, line.account.name, line.amount_fen, by_code.get(line.account.code, 0)
        )
        for line in lines
    ]
    # Spent on an expense account that has no budget line: shown, never hidden.
    rows += [
        BudgetRow(acct.code, acct.name, None, by_code[acct.code])
        for acct in accounts
        if acct.kind == Account.Kind.EXPENSE and acct.pk not in budgeted and by_code.get(acct.code)
    ]

    def total(kind: str) -> int:
        return sum(by_code.get(a.code, 0) for a in accounts if a.kind == kind)

    return (
        tuple(rows),
        total(Account.Kind.ASSET),
        -total(Account.Kind.INCOME),
        total(Account.Kind.EXPENSE),
    )


def _outcome(indicator: OutcomeIndicator, computed_rate) -> OutcomeRow:
    computed = indicator.source == OutcomeIndicator.Source.CARE_ACCIDENT_RATE
    measured, measured_on = indicator.measured, indicator.measured_on
    if computed:
        rate, measured_on = computed_rate()
        # The rate is a share (0.08); an indicator kept in per cent reads it as 8.
        if rate is not None and "%" in indicator.unit:
            rate = (rate * 100).quantize(Decimal("0.01"))
        measured = rate
        if rate is None:
            measured_on = None
    return OutcomeRow(
        name=indicator.name,
        unit=indicator.unit,
        source=indicator.source,
        source_label=indicator.get_source_display(),
        computed=computed,
        baseline=indicator.baseline,
        target=indicator.target,
        measured=measured,
        measured_on=measured_on,
        method=indicator.method,
        lower_is_better=indicator.lower_is_better,
    )


def project_report(project: Project, *, today: dt.date) -> ProjectReport:
    """The report of `project` as it stands on `today` (a fixed number of queries)."""
    project = _load(project)
    beneficiaries = project.beneficiaries.count()
    header = Header(
        name=project.name,
        summary=project.summary,
        domain=project.domain.name,
        status=project.get_status_display(),
        lead=project.lead_organization.name,
        partner_organizations=tuple(o.name for o in project.partner_organizations.all()),
        partner_units=tuple(u.name for u in project.partner_units.all()),
        beneficiary_groups=tuple(t.label for t in project.beneficiary_tags.all()),
        beneficiaries=beneficiaries,
        starts_on=project.starts_on,
        ends_on=project.ends_on,
    )
    plan = PlanSection(tuple(_milestone_row(m, today) for m in project.milestones.all()))

    lines = list(project.budget_lines.all())
    budget_rows, balance, income, expense = _money(project, lines)

    labels = dict(Funding.Kind.choices)
    fundings = tuple(
        FundingRow(
            kind=f.kind,
            kind_label=str(labels.get(f.kind, f.kind)),
            source=f.source,
            conditions=f.conditions,
            amount_fen=f.amount_fen,
            received_on=f.received_on,
        )
        for f in project.fundings.all()
    )
    by_kind: dict[str, list[FundingRow]] = defaultdict(list)
    for row in fundings:
        by_kind[row.kind].append(row)
    kinds = tuple(
        FundingKindRow(
            kind=kind,
            label=str(label),
            amount_fen=sum(r.amount_fen for r in by_kind[kind]),
            count=len(by_kind[kind]),
        )
        for kind, label in Funding.Kind.choices
        if by_kind.get(kind)
    )

    # The period counted: the project's days up to today.
    start, end = project.starts_on, min(project.ends_on, today)
    counted = (
        project_outputs(project, start=start, end=end) if end >= start else ProjectOutputs.empty()
    )
    outputs = OutputsSection(
        start=start,
        end=end,
        counted=counted,
        rows=(
            OutputRow(
                "person_times",
                _("服务人次"),
                _("人次"),
                project.target_person_times,
                counted.person_times,
            ),
            OutputRow(
                "people_served",
                _("服务人数"),
                _("人"),
                project.target_people,
                counted.people_served,
            ),
            OutputRow(
                "volunteer_hours",
                _("志愿服务时长"),
                _("小时"),
                project.target_hours,
                counted.volunteer_hours,
            ),
        ),
    )

    # The accident rate is computed once for the report, whatever the indicators.
    cache: dict[str, tuple] = {}

    def rate():
        if "rate" not in cache:
            value = care_accident_rate(project, start=start, end=end) if end >= start else None
            cache["rate"] = (value, end)
        return cache["rate"]

    outcomes = tuple(_outcome(i, rate) for i in project.indicators.all())
    return ProjectReport(
        project_id=project.pk,
        header=header,
        plan=plan,
        budget=BudgetSection(budget_rows),
        funding=FundingSection(
            rows=fundings,
            kinds=kinds,
            balance_fen=balance,
            income_fen=income,
            expense_fen=expense,
        ),
        outputs=outputs,
        outcomes=outcomes,
        generated_on=today,
    )
