"""Writes of public-welfare projects: domains, projects, their plan, budget, funding,
expenses and outcome indicators. Keyword-only, atomic, audited; a broken rule is a
`ProjectError` with the message for the user, and nothing is changed.

Money goes through the one ledger (kuihua.ledger, docs/adr/0014-ledger.md): each
project has its own ledger (the project chart, `ledger.services.PROJECT_CHART`).
- Funding comes into the project's bank account (1002) from the income account of
  its kind (4001 subsidy, 4002 donation, 4003 market proceeds, 4009 other).
- A budget line is an expense account (5001 upwards) with its amount.
- An expense is paid from the bank account to a budget line's account, with its
  evidence. It is refused when the project has not got the money on its books
  (what came in less what went out): money spent before it arrived came from
  somewhere, and that somewhere is recorded as funding first. A line spent beyond
  its budget is allowed, and shown as overspent on the project's page.

Who may call what is the views' and the API's (rules.py, selectors.access_project);
the services check what the data must be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.core.money import MAX_FEN, yuan
from kuihua.core.tenancy import current_community_ids
from kuihua.ledger import services as ledger_services
from kuihua.ledger.models import Account, Entry, Ledger, Leg
from kuihua.ledger.services import BANK, CASH, PROJECT_CHART
from kuihua.projects.models import (
    BudgetLine,
    Funding,
    Milestone,
    OutcomeIndicator,
    Project,
    ProjectDomain,
)


class ProjectError(ApplicationError):
    """A rule of projects was broken (the message is for the user)."""


# The income account of each kind of funding (ledger.services.PROJECT_CHART).
FUNDING_ACCOUNTS = {
    Funding.Kind.SUBSIDY: "4001",
    Funding.Kind.DONATION: "4002",
    Funding.Kind.MARKET: "4003",
    Funding.Kind.OTHER: "4009",
}
# Where the project's money is kept (funding comes in, expenses go out).
MONEY_ACCOUNTS = (CASH, BANK)
# The `source` of the ledger entries this module posts.
FUNDING_SOURCE, EXPENSE_SOURCE = "project_funding", "project_expense"

# The fields of work the issue names; a community adds its own (`domain_create`).
COMMON_DOMAINS = ("关爱独居老人", "青少年成长", "困难家庭帮扶", "残障儿童关爱", "社区发展")

# Status moves a project may make (筹备中 → 实施中 → 已结项; 终止 before it ends).
STATUS_MOVES = {
    Project.Status.PLANNING: {Project.Status.RUNNING, Project.Status.CANCELLED},
    Project.Status.RUNNING: {Project.Status.FINISHED, Project.Status.CANCELLED},
    Project.Status.FINISHED: set(),
    Project.Status.CANCELLED: set(),
}

DECIMAL_LIMIT = Decimal("99999999")  # max_digits=12, decimal_places=4


# --- checks -----------------------------------------------------------------------------


def _community_id() -> int:
    ids = current_community_ids()
    if len(ids) != 1:
        raise ProjectError(_("请先选择一个社区。"))
    return ids[0]


def _text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ProjectError(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > max_length:
        raise ProjectError(
            _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}, field=field
        )
    return text


def _amount(amount_fen, *, field: str = "amount_fen", allow_zero: bool = False) -> int:
    low_ok = amount_fen >= 0 if allow_zero else amount_fen > 0
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or not low_ok:
        raise ProjectError(
            _("金额不能小于 0。") if allow_zero else _("金额要大于 0。"), field=field
        )
    if amount_fen > MAX_FEN:
        raise ProjectError(_("金额太大了，请核对。"), field=field)
    return amount_fen


def _not_future(day: dt.date, *, field: str, label: str) -> dt.date:
    if not isinstance(day, dt.date):
        raise ProjectError(_("请填写%(label)s。") % {"label": label}, field=field)
    if day > timezone.localdate():
        raise ProjectError(_("%(label)s不能晚于今天。") % {"label": label}, field=field)
    return day


def _decimal(value, *, field: str, label: str, allow_negative: bool = False) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ProjectError(_("%(label)s要填数字。") % {"label": label}, field=field) from None
    if not number.is_finite() or abs(number) > DECIMAL_LIMIT:
        raise ProjectError(_("%(label)s的数字不对，请核对。") % {"label": label}, field=field)
    if number < 0 and not allow_negative:
        raise ProjectError(_("%(label)s不能是负数。") % {"label": label}, field=field)
    return number.quantize(Decimal("0.0001"))


def _same_community(objects: Iterable, community_id: int, *, field: str, message: str) -> list:
    found = list(objects)
    for obj in found:
        if obj is None or obj.community_id != community_id:
            raise ProjectError(message, field=field)
    return found


def _target(value, *, field: str, label: str):
    if value is None or value == "":
        return None
    if field == "target_hours":
        hours = _decimal(value, field=field, label=label)
        if hours >= Decimal("100000000"):
            raise ProjectError(_("%(label)s太大了，请核对。") % {"label": label}, field=field)
        return hours.quantize(Decimal("0.01"))
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProjectError(_("%(label)s要填不小于 0 的整数。") % {"label": label}, field=field)
    if value > 2_000_000_000:
        raise ProjectError(_("%(label)s太大了，请核对。") % {"label": label}, field=field)
    return value


def _people(community_id: int, data: dict) -> dict:
    """The related rows of a project, each checked to be of the project's community."""
    checked = {}
    if "lead_organization" in data:
        lead = data["lead_organization"]
        if lead is None:
            raise ProjectError(_("请选择牵头组织。"), field="lead_organization")
        _same_community(
            [lead],
            community_id,
            field="lead_organization",
            message=_("牵头组织不是本社区的组织。"),
        )
        checked["lead_organization"] = lead
    if "partner_organizations" in data:
        checked["partner_organizations"] = _same_community(
            data["partner_organizations"] or (),
            community_id,
            field="partner_organizations",
            message=_("合作组织里有不是本社区的组织。"),
        )
    if "partner_units" in data:
        checked["partner_units"] = _same_community(
            data["partner_units"] or (),
            community_id,
            field="partner_units",
            message=_("共建单位里有不是本社区的单位。"),
        )
    if "beneficiary_tags" in data:
        checked["beneficiary_tags"] = _same_community(
            data["beneficiary_tags"] or (),
            community_id,
            field="beneficiary_tags",
            message=_("服务人群里有不是本社区的标签。"),
        )
    if "beneficiaries" in data:
        checked["beneficiaries"] = _same_community(
            data["beneficiaries"] or (),
            community_id,
            field="beneficiaries",
            message=_("服务对象里有不是本社区的居民。"),
        )
    return checked


def _lock(project: Project) -> Project:
    """The project's row, locked until the caller's transaction ends."""
    return Project.objects.select_for_update().get(pk=project.pk)


def _snapshot(project: Project) -> dict:
    return {
        "name": project.name,
        "domain": project.domain_id,
        "lead_organization": project.lead_organization_id,
        "starts_on": project.starts_on.isoformat(),
        "ends_on": project.ends_on.isoformat(),
        "status": project.status,
    }


# --- domains ----------------------------------------------------------------------------


@transaction.atomic
def domain_create(*, actor, name: str) -> ProjectDomain:
    """A field of work for the community's projects (关爱独居老人, 青少年成长 …)."""
    community_id = _community_id()
    name = _text(name, field="name", label=_("领域名称"), max_length=40)
    if ProjectDomain.objects.filter(name=name).exists():
        raise ProjectError(_("已经有“%(name)s”这个领域了。") % {"name": name}, field="name")
    top = ProjectDomain.objects.aggregate(top=Max("position"))["top"]
    domain = ProjectDomain.objects.create(
        community_id=community_id, name=name, position=(top or 0) + 1
    )
    audit(
        actor=actor,
        community_id=community_id,
        action="projects.domain_created",
        obj=domain,
        new={"name": name},
    )
    return domain


@transaction.atomic
def domains_add_common(*, actor) -> list[ProjectDomain]:
    """Add the common fields of work the community has not got yet (COMMON_DOMAINS)."""
    have = set(ProjectDomain.objects.values_list("name", flat=True))
    return [domain_create(actor=actor, name=n) for n in COMMON_DOMAINS if n not in have]


# --- projects ---------------------------------------------------------------------------


def _check_project_fields(data: dict, community_id: int, *, project: Project | None) -> dict:
    clean = {}
    if "name" in data:
        clean["name"] = _text(data["name"], field="name", label=_("项目名称"), max_length=100)
        same = Project.objects.filter(name=clean["name"])
        if project is not None:
            same = same.exclude(pk=project.pk)
        if same.exists():
            raise ProjectError(
                _("已经有叫“%(name)s”的项目了，换个名字吧。") % {"name": clean["name"]},
                field="name",
            )
    if "summary" in data:
        clean["summary"] = (data["summary"] or "").strip()
        if len(clean["summary"]) > 5000:
            raise ProjectError(_("项目简介太长了（不超过 5000 字）。"), field="summary")
    if "domain" in data:
        domain = data["domain"]
        if domain is None:
            raise ProjectError(_("请选择项目领域。"), field="domain")
        _same_community([domain], community_id, field="domain", message=_("这个领域不是本社区的。"))
        clean["domain"] = domain
    for field in ("starts_on", "ends_on"):
        if field in data and not isinstance(data[field], dt.date):
            label = _("开始日期") if field == "starts_on" else _("结束日期")
            raise ProjectError(_("请填写%(label)s。") % {"label": label}, field=field)
    starts_on = data.get("starts_on", project.starts_on if project else None)
    ends_on = data.get("ends_on", project.ends_on if project else None)
    if starts_on and ends_on and ends_on < starts_on:
        raise ProjectError(_("结束日期不能早于开始日期。"), field="ends_on")
    for field in ("starts_on", "ends_on"):
        if field in data:
            clean[field] = data[field]
    labels = {
        "target_person_times": _("计划服务人次"),
        "target_people": _("计划服务人数"),
        "target_hours": _("计划志愿服务时长"),
    }
    for field, label in labels.items():
        if field in data:
            clean[field] = _target(data[field], field=field, label=label)
    clean.update(_people(community_id, data))
    lead = clean.get("lead_organization", project.lead_organization if project else None)
    if "partner_organizations" in clean and lead is not None:
        # The lead is not its own partner.
        clean["partner_organizations"] = [
            o for o in clean["partner_organizations"] if o.pk != lead.pk
        ]
    return clean


M2M = ("partner_organizations", "partner_units", "beneficiary_tags", "beneficiaries")


@transaction.atomic
def project_create(
    *,
    actor,
    domain: ProjectDomain,
    name: str,
    lead_organization,
    starts_on: dt.date,
    ends_on: dt.date,
    summary: str = "",
    partner_organizations=(),
    partner_units=(),
    beneficiary_tags=(),
    beneficiaries=(),
    target_person_times: int | None = None,
    target_people: int | None = None,
    target_hours=None,
) -> Project:
    """A new project in planning, with its own ledger opened (the project chart)."""
    community_id = _community_id()
    clean = _check_project_fields(
        {
            "domain": domain,
            "name": name,
            "lead_organization": lead_organization,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "summary": summary,
            "partner_organizations": partner_organizations,
            "partner_units": partner_units,
            "beneficiary_tags": beneficiary_tags,
            "beneficiaries": beneficiaries,
            "target_person_times": target_person_times,
            "target_people": target_people,
            "target_hours": target_hours,
        },
        community_id,
        project=None,
    )
    many = {field: clean.pop(field) for field in M2M}
    ledger = ledger_services.ledger_open(
        name=(_("%(name)s项目账") % {"name": clean["name"]})[:100],
        kind=Ledger.Kind.PROJECT,
        chart=PROJECT_CHART,
    )
    project = Project.objects.create(
        community_id=community_id,
        ledger=ledger,
        created_by=actor if getattr(actor, "pk", None) else None,
        **clean,
    )
    for field, rows in many.items():
        getattr(project, field).set(rows)
    audit(
        actor=actor,
        community_id=community_id,
        action="projects.project_created",
        obj=project,
        new=_snapshot(project),
    )
    return project


@transaction.atomic
def project_update(*, actor, project: Project, **changes) -> Project:
    """Change a project's description, dates, lead, partners, beneficiaries or targets
    (any of `project_create`'s fields, by name); its status, `project_set_status`."""
    allowed = {
        "domain",
        "name",
        "summary",
        "lead_organization",
        "starts_on",
        "ends_on",
        "target_person_times",
        "target_people",
        "target_hours",
        *M2M,
    }
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"project_update: unknown fields {sorted(unknown)}")
    project = _lock(project)
    old = _snapshot(project)
    clean = _check_project_fields(changes, project.community_id, project=project)
    many = {field: clean.pop(field) for field in M2M if field in clean}
    for field, value in clean.items():
        setattr(project, field, value)
    project.save()
    if "name" in clean and project.ledger_id:
        Ledger.objects.filter(pk=project.ledger_id).update(
            name=(_("%(name)s项目账") % {"name": project.name})[:100]
        )
    for field, rows in many.items():
        getattr(project, field).set(rows)
    if "lead_organization" in clean and "partner_organizations" not in many:
        project.partner_organizations.remove(project.lead_organization)
    audit(
        actor=actor,
        community_id=project.community_id,
        action="projects.project_updated",
        obj=project,
        old=old,
        new={**_snapshot(project), **{f: [o.pk for o in rows] for f, rows in many.items()}},
    )
    return project


@transaction.atomic
def project_set_status(*, actor, project: Project, status: str) -> Project:
    """筹备中 → 实施中 → 已结项; 已终止 from planning or running. No way back."""
    project = _lock(project)
    if status not in Project.Status.values:
        raise ProjectError(_("没有这个项目状态。"), field="status")
    if status == project.status:
        return project
    if status not in STATUS_MOVES[project.status]:
        raise ProjectError(
            _("项目现在是“%(now)s”，不能改为“%(then)s”。")
            % {"now": project.get_status_display(), "then": Project.Status(status).label},
            field="status",
        )
    old = project.status
    project.status = status
    project.save(update_fields=["status"])
    audit(
        actor=actor,
        community_id=project.community_id,
        action="projects.status_set",
        obj=project,
        old={"status": old},
        new={"status": status},
    )
    return project


# --- the plan ---------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *, actor, project: Project, title: str, due_on: dt.date, note: str = ""
) -> Milestone:
    """A step of the project's plan, due on a day."""
    title = _text(title, field="title", label=_("计划事项"), max_length=200)
    note = _text(note, field="note", label=_("说明"), max_length=300, required=False)
    if not isinstance(due_on, dt.date):
        raise ProjectError(_("请填写计划完成日期。"), field="due_on")
    milestone = Milestone.objects.create(
        community_id=project.community_id, project=project, title=title, due_on=due_on, note=note
    )
    audit(
        actor=actor,
        community_id=project.community_id,
        action="projects.milestone_added",
        obj=milestone,
        new={"project": project.pk, "title": title, "due_on": due_on.isoformat()},
    )
    return milestone


@transaction.atomic
def milestone_done(*, actor, milestone: Milestone, done_on: dt.date | None) -> Milestone:
    """Mark a step done on `done_on` (not after today); None marks it not done again."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if done_on is not None:
        _not_future(done_on, field="done_on", label=_("实际完成日期"))
    old = milestone.done_on
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    audit(
        actor=actor,
        community_id=milestone.community_id,
        action="projects.milestone_done" if done_on else "projects.milestone_reopened",
        obj=milestone,
        old={"done_on": old.isoformat() if old else None},
        new={"done_on": done_on.isoformat() if done_on else None},
    )
    return milestone


# --- money ------------------------------------------------------------------------------


def _ledger(project: Project) -> Ledger:
    if project.ledger_id is None:
        raise ProjectError(_("这个项目还没有账本，请联系社区工作者。"))
    return project.ledger


def money_on_hand(ledger: Ledger) -> int:
    """What the project has on its books now: the balance of its cash and bank accounts."""
    total = Leg.objects.filter(
        account__ledger=ledger,
        account__code__in=MONEY_ACCOUNTS,
        entry__posted=True,
    ).aggregate(total=Sum("amount_fen"))["total"]
    return int(total or 0)


@transaction.atomic
def budget_line_set(*, actor, project: Project, name: str, amount_fen: int) -> BudgetLine:
    """Set a budget line's amount: the line named `name` if the project has it, else a
    new line (a new expense account of the project's ledger)."""
    project = _lock(project)
    ledger = _ledger(project)
    name = _text(name, field="name", label=_("预算科目名称"), max_length=40)
    amount_fen = _amount(amount_fen, allow_zero=True)
    line = (
        BudgetLine.objects.select_related("account")
        .filter(project=project, account__name=name)
        .first()
    )
    if line is None:
        if Account.objects.filter(ledger=ledger, name=name).exists():
            raise ProjectError(
                _("“%(name)s”是账本里的收入或资金科目，预算科目请换个名字。") % {"name": name},
                field="name",
            )
        taken = set(
            Account.objects.filter(ledger=ledger, code__startswith="5").values_list(
                "code", flat=True
            )
        )
        code = next((f"5{n:03d}" for n in range(1, 1000) if f"5{n:03d}" not in taken), None)
        if code is None:
            raise ProjectError(_("预算科目太多了，请合并一些。"), field="name")
        account = Account.objects.create(
            community_id=project.community_id,
            ledger=ledger,
            code=code,
            name=name,
            kind=Account.Kind.EXPENSE,
        )
        line = BudgetLine.objects.create(
            community_id=project.community_id,
            project=project,
            account=account,
            amount_fen=amount_fen,
        )
        old = None
    else:
        old = line.amount_fen
        line.amount_fen = amount_fen
        line.save(update_fields=["amount_fen"])
    audit(
        actor=actor,
        community_id=project.community_id,
        action="projects.budget_set",
        obj=line,
        old={"amount_fen": old} if old is not None else None,
        new={"project": project.pk, "name": name, "amount_fen": amount_fen},
    )
    return line


@transaction.atomic
def funding_record(
    *,
    actor,
    project: Project,
    kind: str,
    source: str,
    amount_fen: int,
    received_on: dt.date,
    conditions: str = "",
    evidence=None,
) -> Funding:
    """Money that came to the project: posted to its ledger (the bank account debited,
    the kind's income account credited), with its source, conditions and evidence."""
    ledger = _ledger(project)
    if kind not in FUNDING_ACCOUNTS:
        raise ProjectError(_("请选择资金类型。"), field="kind")
    source = _text(source, field="source", label=_("资金来源"), max_length=200)
    conditions = (conditions or "").strip()
    if len(conditions) > 2000:
        raise ProjectError(_("使用条件太长了（不超过 2000 字）。"), field="conditions")
    amount_fen = _amount(amount_fen)
    _not_future(received_on, field="received_on", label=_("到账日期"))
    income = ledger_services.account(ledger, FUNDING_ACCOUNTS[kind])
    bank = ledger_services.account(ledger, BANK)
    entry = ledger_services.entry_post(
        ledger=ledger,
        date=received_on,
        memo=_("%(kind)s：%(source)s") % {"kind": Funding.Kind(kind).label, "source": source},
        legs=[(bank, amount_fen), (income, -amount_fen)],
        actor=actor,
        source=FUNDING_SOURCE,
        evidence=evidence,
    )
    funding = Funding.objects.create(
        community_id=project.community_id,
        project=project,
        kind=kind,
        source=source,
        conditions=conditions,
        amount_fen=amount_fen,
        received_on=received_on,
        entry=entry,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor=actor,
        community_id=project.community_id,
        action="projects.funding_recorded",
        obj=funding,
        new={
            "project": project.pk,
            "kind": kind,
            "amount_fen": amount_fen,
            "source": source,
            "number": entry.number,
        },
    )
    return funding


@transaction.atomic
def expense_record(
    *,
    actor,
    project: Project,
    budget_line: BudgetLine,
    amount_fen: int,
    spent_on: dt.date,
    memo: str,
    evidence=None,
) -> Entry:
    """An expense of the project on one budget line, paid from its bank account, with
    its evidence. Refused beyond the money the project has on its books; a line spent
    beyond its budget is allowed (the page shows it overspent)."""
    ledger = _ledger(project)
    if budget_line is None or budget_line.project_id != project.pk:
        raise ProjectError(_("请选择这个项目的预算科目。"), field="budget_line")
    amount_fen = _amount(amount_fen)
    _not_future(spent_on, field="spent_on", label=_("支出日期"))
    memo = _text(memo, field="memo", label=_("摘要（这笔钱花在哪里）"), max_length=200)
    # The ledger's row is locked before the balance is read: two expenses at once
    # cannot both spend the same last yuan.
    Ledger.objects.select_for_update().get(pk=ledger.pk)
    on_hand = money_on_hand(ledger)
    if amount_fen > on_hand:
        raise ProjectError(
            _("项目账上只有 %(have)s 元，不够支出 %(want)s 元。请先登记到账的资金。")
            % {"have": yuan(on_hand), "want": yuan(amount_fen)},
            field="amount_fen",
        )
    bank = ledger_services.account(ledger, BANK)
    entry = ledger_services.entry_post(
        ledger=ledger,
        date=spent_on,
        memo=memo,
        legs=[(budget_line.account, amount_fen), (bank, -amount_fen)],
        actor=actor,
        source=EXPENSE_SOURCE,
        evidence=evidence,
    )
    audit(
        actor=actor,
        community_id=project.community_id,
        action="projects.expense_recorded",
        obj=entry,
        new={
            "project": project.pk,
            "budget_line": budget_line.account.name,
            "amount_fen": amount_fen,
            "number": entry.number,
        },
    )
    return entry


@transaction.atomic
def expense_reverse(*, actor, project: Project, entry: Entry, reason: str) -> Entry:
    """Correct an expense recorded by mistake: its opposite is posted today with the
    reason; the expense stays on the books."""
    if entry.ledger_id != project.ledger_id or entry.source != EXPENSE_SOURCE:
        raise ProjectError(_("只能冲销这个项目的支出。"))
    return ledger_services.entry_reverse(entry=entry, reason=reason, actor=actor)


# --- outcome indicators -----------------------------------------------------------------


@transaction.atomic
def indicator_add(
    *,
    actor,
    project: Project,
    name: str,
    baseline,
    target,
    unit: str = "",
    source: str = OutcomeIndicator.Source.MANUAL,
    lower_is_better: bool = False,
) -> OutcomeIndicator:
    """An outcome the project promises: where it starts (baseline) and where it aims
    (target). A computed one (`care_accident_rate`) is measured by Kuihua, in percent."""
    name = _text(name, field="name", label=_("指标名称"), max_length=100)
    unit = _text(unit, field="unit", label=_("单位"), max_length=20, required=False)
    if source not in OutcomeIndicator.Source.values:
        raise ProjectError(_("没有这个数据来源。"), field="source")
    if source == OutcomeIndicator.Source.CARE_ACCIDENT_RATE:
        unit = "%"
    baseline = _decimal(baseline, field="baseline", label=_("基线值"), allow_negative=True)
    target = _decimal(target, field="target", label=_("目标值"), allow_negative=True)
    if OutcomeIndicator.objects.filter(project=project, name=name).exists():
        raise ProjectError(_("这个项目已经有“%(name)s”这项指标了。") % {"name": name}, field="name")
    indicator = OutcomeIndicator.objects.create(
        community_id=project.community_id,
        project=project,
        name=name,
        unit=unit,
        source=source,
        baseline=baseline,
        target=target,
        lower_is_better=bool(lower_is_better),
    )
    audit(
        actor=actor,
        community_id=project.community_id,
        action="projects.indicator_added",
        obj=indicator,
        new={
            "project": project.pk,
            "name": name,
            "source": source,
            "baseline": str(baseline),
            "target": str(target),
        },
    )
    return indicator


@transaction.atomic
def indicator_measure(
    *, actor, indicator: OutcomeIndicator, measured, measured_on: dt.date, method: str = ""
) -> OutcomeIndicator:
    """Record what a manual indicator measured, on which day and how."""
    indicator = OutcomeIndicator.objects.select_for_update().get(pk=indicator.pk)
    if indicator.source != OutcomeIndicator.Source.MANUAL:
        raise ProjectError(
            _("“%(name)s”由系统根据实际记录计算，不能手工填写。") % {"name": indicator.name},
            field="measured",
        )
    value = _decimal(measured, field="measured", label=_("实测值"), allow_negative=True)
    _not_future(measured_on, field="measured_on", label=_("测量日期"))
    method = _text(method, field="method", label=_("测量方法"), max_length=200, required=False)
    old = {
        "measured": str(indicator.measured) if indicator.measured is not None else None,
        "measured_on": indicator.measured_on.isoformat() if indicator.measured_on else None,
    }
    indicator.measured, indicator.measured_on, indicator.method = value, measured_on, method
    indicator.save(update_fields=["measured", "measured_on", "method"])
    audit(
        actor=actor,
        community_id=indicator.community_id,
        action="projects.indicator_measured",
        obj=indicator,
        old=old,
        new={"measured": str(value), "measured_on": measured_on.isoformat(), "method": method},
    )
    return indicator
