"""公益项目 over JSON (mounted at /api/projects).

Who may do what is decided by the one door, `selectors.access_project`: everyone of
the community reads (a district viewer too); a coordinator or the leader of the lead
organization runs a project (plan, budget, funding, expenses, indicators); a
coordinator manages (creates, edits, moves the status, adds domains). Another
community's project is 404; an action not the caller's is 403. Each handler parses
input and calls a service; money is whole fen in, fen and yuan out.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kuihua.core.api_support import ServiceError, error_responses, paginated
from kuihua.core.money import yuan
from kuihua.organizations.models import Organization, PartnerUnit
from kuihua.projects import selectors, services
from kuihua.projects.models import BudgetLine, Funding, Milestone, Project, ProjectDomain
from kuihua.projects.outputs import project_outputs
from kuihua.projects.schemas import (
    BudgetLineIn,
    BudgetLineOut,
    DomainIn,
    DomainOut,
    ExpenseIn,
    ExpenseOut,
    FundingIn,
    FundingOut,
    IndicatorIn,
    IndicatorOut,
    MeasureIn,
    MilestoneDoneIn,
    MilestoneIn,
    MilestoneOut,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    ReasonIn,
    StatusIn,
    fen_pair,
)
from kuihua.projects.selectors import MANAGE, RUN, VIEW, access_project
from kuihua.registry.models import Resident, Tag

router = Router(tags=["projects"])


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _named(obj) -> dict:
    return {"id": obj.pk, "name": obj.name}


def _list_row(row: selectors.ListRow) -> dict:
    p = row.project
    return {
        "id": p.pk,
        "name": p.name,
        "domain": _named(p.domain),
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "lead_organization": _named(p.lead_organization),
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "milestones_done": row.milestones_done,
        "milestones_total": row.milestones_total,
        **fen_pair("raised", row.raised_fen),
        **fen_pair("spent", row.spent_fen),
    }


def _detail(request, project: Project) -> dict:
    user = request.user
    rows = selectors.budget_rows(project)
    money = selectors.project_money(project, rows)
    may_run = selectors.may_act_on_project(user, project, action=RUN)
    milestones = list(project.milestones.all())
    outputs = project_outputs(project, start=project.starts_on, end=project.ends_on)
    row = selectors.ListRow(
        project=project,
        milestones_done=sum(1 for m in milestones if m.done_on),
        milestones_total=len(milestones),
        raised_fen=money.raised_fen,
        spent_fen=money.spent_fen,
    )
    return {
        **_list_row(row),
        "summary": project.summary,
        "partner_organizations": [_named(o) for o in project.partner_organizations.all()],
        "partner_units": [_named(u) for u in project.partner_units.all()],
        "beneficiary_tags": [_named(t) for t in project.beneficiary_tags.all()],
        "beneficiary_ids": (
            list(project.beneficiaries.values_list("pk", flat=True)) if may_run else []
        ),
        "beneficiary_count": project.beneficiaries.count(),
        "target_person_times": project.target_person_times,
        "target_people": project.target_people,
        "target_hours": project.target_hours,
        **fen_pair("budget", money.budget_fen),
        **fen_pair("on_hand", money.on_hand_fen),
        "outputs": outputs.__dict__,
        "may_run": may_run,
        "may_manage": selectors.may_act_on_project(user, project, action=MANAGE),
    }


def _rows(model, ids: list[int], field: str, message: str) -> list:
    """The rows of `ids` in the community in force; an unknown one is an error on `field`."""
    ids = list(dict.fromkeys(ids))
    found = {o.pk: o for o in model.objects.filter(pk__in=ids)}
    if len(found) != len(ids):
        raise ServiceError(message, field=field)
    return [found[i] for i in ids]


def _one(model, pk: int, field: str, message: str):
    return _rows(model, [pk], field, message)[0]


def _project_fields(payload, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    fields = {}
    refs = {
        "domain_id": ("domain", ProjectDomain, _("找不到这个项目领域。")),
        "lead_organization_id": ("lead_organization", Organization, _("找不到这个组织。")),
    }
    many = {
        "partner_organization_ids": ("partner_organizations", Organization, _("找不到这个组织。")),
        "partner_unit_ids": ("partner_units", PartnerUnit, _("找不到这个共建单位。")),
        "beneficiary_tag_ids": ("beneficiary_tags", Tag, _("找不到这个人群标签。")),
        "beneficiary_ids": ("beneficiaries", Resident, _("找不到这位居民。")),
    }
    for key, value in data.items():
        if key in refs:
            name, model, message = refs[key]
            if value is None:
                raise ServiceError(message, field=key)
            fields[name] = _one(model, value, key, message)
        elif key in many:
            name, model, message = many[key]
            fields[name] = _rows(model, value or [], key, message)
        elif value is None and key in ("name", "starts_on", "ends_on"):
            raise ServiceError(_("这一项不能为空。"), field=key)
        else:
            fields[key] = "" if value is None and key == "summary" else value
    return fields


# --- domains ----------------------------------------------------------------------------


@router.get(
    "/domains",
    response={200: list[DomainOut], **error_responses(403, 422)},
    summary="The community's project domains (its own list)",
)
@paginated
def list_domains(request):
    _require(request, "projects.view")
    return ProjectDomain.objects.all()


@router.post(
    "/domains",
    response={201: DomainOut, **error_responses(400, 403)},
    summary="Add a domain (coordinators)",
)
def create_domain(request, payload: DomainIn):
    _require(request, "projects.manage")
    return Status(201, services.domain_create(actor=request.user, name=payload.name))


# --- projects ---------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[ProjectOut], **error_responses(403, 422)},
    summary="The community's projects with their status, progress (milestones done) and "
    "money raised and spent (?domain_id=, ?status=)",
)
@paginated
def list_projects(
    request,
    domain_id: int | None = Query(None, ge=1),
    status: str | None = Query(None, pattern="^(planning|running|finished|cancelled)$"),
):
    _require(request, "projects.view")
    return [
        _list_row(r)
        for r in selectors.project_list(request.user, domain_id=domain_id, status=status or "")
    ]


@router.post(
    "",
    response={201: ProjectDetailOut, **error_responses(400, 403)},
    summary="Create a project (coordinators); its ledger is opened with it",
)
def create_project(request, payload: ProjectIn):
    _require(request, "projects.manage")
    project = services.project_create(actor=request.user, **_project_fields(payload, partial=False))
    return Status(201, _detail(request, access_project(request.user, project.pk)))


@router.get(
    "/{int:project_id}",
    response={200: ProjectDetailOut, **error_responses(404)},
    summary="A project: lead, partners, beneficiaries, targets, money and outputs",
)
def get_project(request, project_id: int):
    return _detail(request, access_project(request.user, project_id, action=VIEW))


@router.patch(
    "/{int:project_id}",
    response={200: ProjectDetailOut, **error_responses(400, 403, 404)},
    summary="Change a project (coordinators): only the fields sent",
)
def update_project(request, project_id: int, payload: ProjectPatch):
    project = access_project(request.user, project_id, action=MANAGE)
    services.project_update(
        actor=request.user, project=project, **_project_fields(payload, partial=True)
    )
    return _detail(request, access_project(request.user, project_id))


@router.post(
    "/{int:project_id}/status",
    response={200: ProjectDetailOut, **error_responses(400, 403, 404)},
    summary="Move a project on: planning → running → finished, or cancelled (coordinators)",
)
def set_status(request, project_id: int, payload: StatusIn):
    project = access_project(request.user, project_id, action=MANAGE)
    services.project_set_status(actor=request.user, project=project, status=payload.status)
    return _detail(request, access_project(request.user, project_id))


# --- the plan ---------------------------------------------------------------------------


@router.get(
    "/{int:project_id}/milestones",
    response={200: list[MilestoneOut], **error_responses(404, 422)},
    summary="A project's plan, by due date",
)
@paginated
def list_milestones(request, project_id: int):
    project = access_project(request.user, project_id)
    return Milestone.objects.filter(project=project)


@router.post(
    "/{int:project_id}/milestones",
    response={201: MilestoneOut, **error_responses(400, 403, 404)},
    summary="Add a step to the plan (coordinators and the lead organization's leader)",
)
def add_milestone(request, project_id: int, payload: MilestoneIn):
    project = access_project(request.user, project_id, action=RUN)
    return Status(
        201, services.milestone_add(actor=request.user, project=project, **payload.dict())
    )


@router.post(
    "/milestones/{int:milestone_id}/done",
    response={200: MilestoneOut, **error_responses(400, 403, 404)},
    summary="Mark a step done on a day (null: not done again)",
)
def milestone_done(request, milestone_id: int, payload: MilestoneDoneIn):
    milestone = selectors.access_milestone(request.user, milestone_id, action=RUN)
    return services.milestone_done(actor=request.user, milestone=milestone, done_on=payload.done_on)


# --- money ------------------------------------------------------------------------------


def _budget_line(row: selectors.BudgetRow) -> dict:
    return {
        "id": row.line.pk,
        "name": row.name,
        "account_code": row.line.account.code,
        **fen_pair("budget", row.budget_fen),
        **fen_pair("spent", row.spent_fen),
        **fen_pair("left", row.left_fen),
        "overspent": row.overspent,
    }


@router.get(
    "/{int:project_id}/budget-lines",
    response={200: list[BudgetLineOut], **error_responses(404, 422)},
    summary="The budget by line against what was spent on each",
)
@paginated
def list_budget_lines(request, project_id: int):
    project = access_project(request.user, project_id)
    return [_budget_line(r) for r in selectors.budget_rows(project)]


@router.put(
    "/{int:project_id}/budget-lines",
    response={200: BudgetLineOut, **error_responses(400, 403, 404)},
    summary="Set a budget line's amount: the line of that name, or a new line",
)
def set_budget_line(request, project_id: int, payload: BudgetLineIn):
    project = access_project(request.user, project_id, action=RUN)
    line = services.budget_line_set(
        actor=request.user, project=project, name=payload.name, amount_fen=payload.amount_fen
    )
    row = next(r for r in selectors.budget_rows(project) if r.line.pk == line.pk)
    return _budget_line(row)


def _funding(funding: Funding) -> dict:
    return {
        "id": funding.pk,
        "project_id": funding.project_id,
        "kind": funding.kind,
        "kind_label": str(funding.get_kind_display()),
        "source": funding.source,
        "conditions": funding.conditions,
        **fen_pair("amount", funding.amount_fen),
        "received_on": funding.received_on,
        "entry_number": funding.entry.number,
        "has_evidence": bool(funding.entry.evidence),
    }


@router.get(
    "/{int:project_id}/fundings",
    response={200: list[FundingOut], **error_responses(404, 422)},
    summary="The money that came to the project: subsidies, donations, market proceeds",
)
@paginated
def list_fundings(request, project_id: int):
    project = access_project(request.user, project_id)
    return [_funding(f) for f in selectors.fundings(project)]


@router.get(
    "/fundings/{int:funding_id}",
    response={200: FundingOut, **error_responses(404)},
    summary="One funding received",
)
def get_funding(request, funding_id: int):
    return _funding(selectors.access_funding(request.user, funding_id))


@router.post(
    "/{int:project_id}/fundings",
    response={201: FundingOut, **error_responses(400, 403, 404)},
    summary="Record money received (posted to the project's ledger; evidence: on the page)",
)
def record_funding(request, project_id: int, payload: FundingIn):
    project = access_project(request.user, project_id, action=RUN)
    funding = services.funding_record(actor=request.user, project=project, **payload.dict())
    return Status(201, _funding(funding))


def _expense(row: selectors.ExpenseRow) -> dict:
    return {
        "id": row.entry.pk,
        "number": row.entry.number,
        "date": row.entry.date,
        "budget_line": row.line_name,
        "memo": row.entry.memo,
        "amount_fen": row.amount_fen,
        "amount_yuan": yuan(row.amount_fen),
        "reversed_by_number": row.reversed_by,
        "has_evidence": row.has_evidence,
    }


@router.get(
    "/{int:project_id}/expenses",
    response={200: list[ExpenseOut], **error_responses(404, 422)},
    summary="The project's expenses and their reversals, the newest first",
)
@paginated
def list_expenses(request, project_id: int):
    project = access_project(request.user, project_id)
    return [_expense(r) for r in selectors.expenses(project)]


def _expense_row(project: Project, entry_id: int) -> dict:
    return _expense(next(r for r in selectors.expenses(project) if r.entry.pk == entry_id))


@router.post(
    "/{int:project_id}/expenses",
    response={201: ExpenseOut, **error_responses(400, 403, 404)},
    summary="Record an expense on a budget line (refused beyond the money on the books; "
    "evidence: on the page)",
)
def record_expense(request, project_id: int, payload: ExpenseIn):
    project = access_project(request.user, project_id, action=RUN)
    line = BudgetLine.objects.filter(pk=payload.budget_line_id, project=project).first()
    if line is None:
        raise ServiceError(_("请选择这个项目的预算科目。"), field="budget_line_id")
    entry = services.expense_record(
        actor=request.user,
        project=project,
        budget_line=line,
        amount_fen=payload.amount_fen,
        spent_on=payload.spent_on,
        memo=payload.memo,
    )
    return Status(201, _expense_row(project, entry.pk))


@router.post(
    "/{int:project_id}/expenses/{int:expense_id}/reverse",
    response={201: ExpenseOut, **error_responses(400, 403, 404)},
    summary="Reverse an expense recorded by mistake, with the reason (the expense stays)",
)
def reverse_expense(request, project_id: int, expense_id: int, payload: ReasonIn):
    project = access_project(request.user, project_id, action=RUN)
    entry = selectors.access_expense(request.user, project, expense_id)
    reversal = services.expense_reverse(
        actor=request.user, project=project, entry=entry, reason=payload.reason
    )
    return Status(201, _expense_row(project, reversal.pk))


# --- indicators -------------------------------------------------------------------------


def _indicator(row: selectors.IndicatorRow) -> dict:
    ind = row.indicator
    return {
        "id": ind.pk,
        "project_id": ind.project_id,
        "name": ind.name,
        "unit": ind.unit,
        "source": ind.source,
        "computed": row.computed,
        "baseline": ind.baseline,
        "target": ind.target,
        "lower_is_better": ind.lower_is_better,
        "value": row.value,
        "measured_on": row.measured_on,
        "method": ind.method,
        "reached": row.reached,
    }


def _indicator_row(project: Project, indicator_id: int) -> dict:
    rows = selectors.indicator_rows(project)
    return _indicator(next(r for r in rows if r.indicator.pk == indicator_id))


@router.get(
    "/{int:project_id}/indicators",
    response={200: list[IndicatorOut], **error_responses(404, 422)},
    summary="The outcome indicators: baseline, target and the measured (or computed) value",
)
@paginated
def list_indicators(request, project_id: int):
    project = access_project(request.user, project_id)
    return [_indicator(r) for r in selectors.indicator_rows(project)]


@router.get(
    "/indicators/{int:indicator_id}",
    response={200: IndicatorOut, **error_responses(404)},
    summary="One outcome indicator",
)
def get_indicator(request, indicator_id: int):
    indicator = selectors.access_indicator(request.user, indicator_id, action=VIEW)
    return _indicator_row(indicator.project, indicator.pk)


@router.post(
    "/{int:project_id}/indicators",
    response={201: IndicatorOut, **error_responses(400, 403, 404)},
    summary="Add an outcome indicator (care_accident_rate: computed by Kuihua, in percent)",
)
def add_indicator(request, project_id: int, payload: IndicatorIn):
    project = access_project(request.user, project_id, action=RUN)
    indicator = services.indicator_add(actor=request.user, project=project, **payload.dict())
    return Status(201, _indicator_row(project, indicator.pk))


@router.post(
    "/indicators/{int:indicator_id}/measure",
    response={200: IndicatorOut, **error_responses(400, 403, 404)},
    summary="Record what a manual indicator measured (a computed one refuses)",
)
def measure_indicator(request, indicator_id: int, payload: MeasureIn):
    indicator = selectors.access_indicator(request.user, indicator_id, action=RUN)
    services.indicator_measure(actor=request.user, indicator=indicator, **payload.dict())
    return _indicator_row(indicator.project, indicator.pk)
