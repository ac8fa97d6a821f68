"""Reads of public-welfare projects: which projects a user sees, one project by id for
an action (`access_project`), and a project's money and plan in figures.

Who sees what (one door, `access_project`):
- "view": everyone signed in with the community (a district viewer too, read only);
- "run": a coordinator, or the leader of the project's lead organization;
- "manage": a coordinator.
An id of another community, or none at all, is a 404; a project the user may read
but not act on this way is a 403 (PermissionDenied), as the page says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kuihua.ledger.models import Account, Entry, Leg
from kuihua.projects.models import (
    BudgetLine,
    Funding,
    Milestone,
    OutcomeIndicator,
    Project,
)

VIEW, RUN, MANAGE = "view", "run", "manage"
PERMS = {VIEW: "projects.view", RUN: "projects.run", MANAGE: "projects.manage"}


def projects_for(user) -> QuerySet[Project]:
    """The projects `user` may read (the community's, for anyone signed in with it)."""
    if not user.is_authenticated or not user.has_perm("projects.view"):
        return Project.objects.none()
    return Project.objects.select_related("domain", "lead_organization", "ledger")


def may_act_on_project(user, project: Project, *, action: str = VIEW) -> bool:
    """Whether `access_project(user, project.pk, action=action)` would open."""
    perm = PERMS[action]
    return user.has_perm(perm, None if action == MANAGE else project) and user.has_perm(
        "projects.view"
    )


def access_project(user, project_id: int, *, action: str = VIEW) -> Project:
    """The project if `user` may `action` it; 404 for an unknown id or another
    community's, 403 for an action not theirs on a project they can read."""
    if action not in PERMS:
        raise ValueError(action)
    project = projects_for(user).filter(pk=project_id).first()
    if project is None:
        raise Http404
    if action != VIEW and not may_act_on_project(user, project, action=action):
        raise PermissionDenied
    return project


# --- a project's money, plan and outcomes in figures -------------------------------------


@dataclass
class BudgetRow:
    """One budget line against what was spent on it."""

    line: BudgetLine
    name: str
    budget_fen: int
    spent_fen: int

    @property
    def left_fen(self) -> int:
        return self.budget_fen - self.spent_fen

    @property
    def overspent(self) -> bool:
        return self.spent_fen > self.budget_fen

    @property
    def percent(self) -> int | None:
        if not self.budget_fen:
            return None
        return round(self.spent_fen * 100 / self.budget_fen)


@dataclass
class ExpenseRow:
    entry: Entry
    line_name: str
    amount_fen: int
    reversed_by: int | None = None

    @property
    def has_evidence(self) -> bool:
        return bool(self.entry.evidence)


@dataclass
class Money:
    """A project's money: raised (by kind), spent, and what is on its books."""

    raised_fen: int = 0
    spent_fen: int = 0
    budget_fen: int = 0
    by_kind: dict = field(default_factory=dict)

    @property
    def on_hand_fen(self) -> int:
        return self.raised_fen - self.spent_fen


@dataclass
class IndicatorRow:
    indicator: OutcomeIndicator
    value: Decimal | None
    measured_on: dt.date | None
    computed: bool

    @property
    def reached(self) -> bool | None:
        if self.value is None:
            return None
        ind = self.indicator
        return self.value <= ind.target if ind.lower_is_better else self.value >= ind.target


@dataclass
class ListRow:
    """A project in the list: its progress (milestones done/total) and its money."""

    project: Project
    milestones_done: int
    milestones_total: int
    raised_fen: int
    spent_fen: int


def _spent_by_account(ledger_ids) -> dict[int, int]:
    """Posted amounts on the budget lines' expense accounts, by account id."""
    return dict(
        Leg.objects.filter(
            account__ledger_id__in=ledger_ids,
            account__kind=Account.Kind.EXPENSE,
            entry__posted=True,
        )
        .values_list("account_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("account_id", "total")
    )


def budget_rows(project: Project) -> list[BudgetRow]:
    lines = list(BudgetLine.objects.filter(project=project).select_related("account"))
    spent = _spent_by_account([project.ledger_id])
    return [
        BudgetRow(
            line=line,
            name=line.account.name,
            budget_fen=line.amount_fen,
            spent_fen=int(spent.get(line.account_id, 0)),
        )
        for line in lines
    ]


def project_money(project: Project, rows: list[BudgetRow] | None = None) -> Money:
    rows = budget_rows(project) if rows is None else rows
    by_kind = {
        kind: int(total)
        for kind, total in Funding.objects.filter(project=project)
        .values_list("kind")
        .annotate(total=Sum("amount_fen"))
        .values_list("kind", "total")
    }
    return Money(
        raised_fen=sum(by_kind.values()),
        spent_fen=sum(r.spent_fen for r in rows),
        budget_fen=sum(r.budget_fen for r in rows),
        by_kind=by_kind,
    )


def fundings(project: Project) -> QuerySet[Funding]:
    return Funding.objects.filter(project=project).select_related("entry", "recorded_by")


def expenses(project: Project) -> list[ExpenseRow]:
    """The project's expenses (and their reversals), the newest first."""
    entries = list(
        Entry.objects.filter(
            ledger_id=project.ledger_id, posted=True, legs__account__kind=Account.Kind.EXPENSE
        )
        .select_related("posted_by")
        .prefetch_related("legs__account")
        .distinct()
        .order_by("-date", "-number")
    )
    reversed_by = dict(
        Entry.objects.filter(ledger_id=project.ledger_id, reverses__isnull=False).values_list(
            "reverses_id", "number"
        )
    )
    rows = []
    for entry in entries:
        leg = next(g for g in entry.legs.all() if g.account.kind == Account.Kind.EXPENSE)
        rows.append(
            ExpenseRow(
                entry=entry,
                line_name=leg.account.name,
                amount_fen=leg.amount_fen,
                reversed_by=reversed_by.get(entry.pk),
            )
        )
    return rows


def access_expense(user, project: Project, entry_id: int) -> Entry:
    """An expense entry of `project` (already opened through `access_project`), else 404."""
    entry = (
        Entry.objects.filter(
            pk=entry_id,
            ledger_id=project.ledger_id,
            posted=True,
            legs__account__kind=Account.Kind.EXPENSE,
        )
        .distinct()
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def access_funding(user, funding_id: int, *, action: str = VIEW) -> Funding:
    funding = Funding.objects.select_related("entry").filter(pk=funding_id).first()
    if funding is None:
        raise Http404
    access_project(user, funding.project_id, action=action)
    return funding


def access_milestone(user, milestone_id: int, *, action: str = RUN) -> Milestone:
    milestone = Milestone.objects.filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404
    milestone.project = access_project(user, milestone.project_id, action=action)
    return milestone


def access_indicator(user, indicator_id: int, *, action: str = RUN) -> OutcomeIndicator:
    indicator = OutcomeIndicator.objects.filter(pk=indicator_id).first()
    if indicator is None:
        raise Http404
    indicator.project = access_project(user, indicator.project_id, action=action)
    return indicator


def access_budget_line(user, line_id: int, *, action: str = RUN) -> BudgetLine:
    line = BudgetLine.objects.select_related("account").filter(pk=line_id).first()
    if line is None:
        raise Http404
    line.project = access_project(user, line.project_id, action=action)
    return line


def indicator_rows(project: Project) -> list[IndicatorRow]:
    """Each indicator with its value: typed in (manual), or computed from the records
    (the care accident rate among the project's enrolled people, in percent, from the
    project's start to today or its end)."""
    from kuihua.projects.outputs import care_accident_rate

    today = timezone.localdate()
    end = min(today, project.ends_on)
    rows = []
    for ind in OutcomeIndicator.objects.filter(project=project):
        if ind.source == OutcomeIndicator.Source.CARE_ACCIDENT_RATE:
            value = None
            if end >= project.starts_on:
                rate = care_accident_rate(project, start=project.starts_on, end=end)
                value = None if rate is None else (rate * 100).quantize(Decimal("0.01"))
            rows.append(IndicatorRow(ind, value, end if value is not None else None, True))
        else:
            rows.append(IndicatorRow(ind, ind.measured, ind.measured_on, False))
    return rows


def project_list(user, *, domain_id: int | None = None, status: str = "") -> list[ListRow]:
    """The projects `user` reads, with their progress and money, in a handful of queries."""
    qs = projects_for(user)
    if domain_id:
        qs = qs.filter(domain_id=domain_id)
    if status:
        qs = qs.filter(status=status)
    qs = qs.annotate(
        milestones_total=Count("milestones", distinct=True),
        milestones_done=Count(
            "milestones", filter=Q(milestones__done_on__isnull=False), distinct=True
        ),
    )
    projects = list(qs)
    raised = dict(
        Funding.objects.filter(project__in=[p.pk for p in projects])
        .values_list("project_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("project_id", "total")
    )
    spent_by_ledger = dict(
        Leg.objects.filter(
            account__ledger_id__in=[p.ledger_id for p in projects if p.ledger_id],
            account__kind=Account.Kind.EXPENSE,
            entry__posted=True,
        )
        .values_list("account__ledger_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("account__ledger_id", "total")
    )
    return [
        ListRow(
            project=p,
            milestones_done=p.milestones_done,
            milestones_total=p.milestones_total,
            raised_fen=int(raised.get(p.pk, 0)),
            spent_fen=int(spent_by_ledger.get(p.ledger_id, 0)),
        )
        for p in projects
    ]
