"""公益项目 pages: the list by domain, a project's page (lead, partners, beneficiaries,
plan, budget against actual, funding, expenses with evidence, indicators, outputs),
and the forms that change them.

Every page opens its project through `selectors.access_project`: "view" for anyone of
the community (a district viewer too, read only), "run" (plan, money, indicators)
for a coordinator and the leader of the lead organization, "manage" (create, edit,
status, domains) for a coordinator. Another community's project is a 404; an action
not the user's is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.errors import ApplicationError
from kuihua.core.pages import apply_service_error, post_only
from kuihua.ledger.evidence import evidence_response
from kuihua.projects import forms as f
from kuihua.projects import selectors as reads
from kuihua.projects import services
from kuihua.projects.models import Project, ProjectDomain
from kuihua.projects.outputs import project_outputs
from kuihua.projects.selectors import MANAGE, RUN, VIEW, access_project


def _require(user, perm: str) -> None:
    """A page for signed-in members: 403 for a signed-in user without the right."""
    if not user.has_perm(perm):
        raise PermissionDenied


def _detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _form_page(request, *, project, form, title: str, submit: str, intro: str = "", files=False):
    return render(
        request,
        "projects/form.html",
        {
            "project": project,
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            "multipart": files,
            "cancel_url": _detail(project) if project else reverse("projects:list"),
        },
    )


# --- the list ---------------------------------------------------------------------------


@login_required
def project_list(request):
    """公益项目: by domain, each with its status, progress and money raised and spent."""
    _require(request.user, "projects.view")
    domain_id = request.GET.get("domain") or ""
    status = request.GET.get("status") or ""
    if status not in Project.Status.values:
        status = ""
    rows = reads.project_list(
        request.user, domain_id=int(domain_id) if domain_id.isdigit() else None, status=status
    )
    context = {
        "rows": rows,
        "domains": ProjectDomain.objects.all(),
        "statuses": Project.Status.choices,
        "domain_id": domain_id,
        "status": status,
        "can_manage": request.user.has_perm("projects.manage"),
    }
    return render(request, "projects/list.html", context)


@login_required
def domains(request):
    """项目领域: the community's own list; a coordinator adds to it."""
    _require(request.user, "projects.manage")
    form = f.DomainForm(request.POST or None)
    if request.method == "POST":
        if "common" in request.POST:
            made = services.domains_add_common(actor=request.user)
            messages.success(request, _("已添加 %(n)s 个常用领域。") % {"n": len(made)})
            return redirect("projects:domains")
        if form.is_valid():
            try:
                domain = services.domain_create(actor=request.user, name=form.cleaned_data["name"])
            except ApplicationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("已添加领域“%(name)s”。") % {"name": domain.name})
                return redirect("projects:domains")
    context = {
        "domains": ProjectDomain.objects.annotate(n=Count("projects")),
        "form": form,
        "common": services.COMMON_DOMAINS,
    }
    return render(request, "projects/domains.html", context)


# --- one project ------------------------------------------------------------------------


def _status_form(project: Project) -> f.StatusForm | None:
    """The statuses the project may move to from where it is; None when it is over."""
    moves = services.STATUS_MOVES[project.status]
    if not moves:
        return None
    form = f.StatusForm()
    form.fields["status"].choices = [
        (v, label) for v, label in Project.Status.choices if v in moves
    ]
    return form


@login_required
def project_detail(request, project_id: int):
    """一个项目: who leads it with whom, whom it serves, the plan, the money line by
    line, the funding, the expenses with their evidence, the outcomes and outputs."""
    project = access_project(request.user, project_id, action=VIEW)
    can_run = reads.may_act_on_project(request.user, project, action=RUN)
    rows = reads.budget_rows(project)
    milestones = list(project.milestones.all())
    outputs = project_outputs(project, start=project.starts_on, end=project.ends_on)
    context = {
        "project": project,
        "partners": list(project.partner_organizations.all()),
        "units": list(project.partner_units.all()),
        "tags": list(project.beneficiary_tags.all()),
        "beneficiaries": list(project.beneficiaries.all()) if can_run else [],
        "beneficiary_count": project.beneficiaries.count(),
        "milestones": milestones,
        "milestones_done": sum(1 for m in milestones if m.done_on),
        "budget_rows": rows,
        "money": reads.project_money(project, rows),
        "fundings": list(reads.fundings(project)),
        "expenses": reads.expenses(project),
        "indicators": reads.indicator_rows(project),
        "outputs": outputs,
        "can_run": can_run,
        "can_manage": reads.may_act_on_project(request.user, project, action=MANAGE),
        "status_form": _status_form(project),
        "today": timezone.localdate(),
    }
    return render(request, "projects/detail.html", context)


@login_required
def project_create(request):
    _require(request.user, "projects.manage")
    form = f.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("项目已建立，项目账本已开好。"))
            return redirect(_detail(project))
    intro = _("先填基本情况；计划、预算、资金和成效指标在项目页面上再加。")
    if not ProjectDomain.objects.exists():
        intro = _("还没有项目领域，请先到“项目领域”里添加。")
    return _form_page(
        request, project=None, form=form, title=_("新建公益项目"), submit=_("建立项目"), intro=intro
    )


@login_required
def project_edit(request, project_id: int):
    project = access_project(request.user, project_id, action=MANAGE)
    form = f.ProjectForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("项目信息已保存。"))
            return redirect(_detail(project))
    return _form_page(
        request, project=project, form=form, title=_("修改项目信息"), submit=_("保存")
    )


@login_required
def project_status(request, project_id: int):
    project = access_project(request.user, project_id, action=MANAGE)
    if (refused := post_only(request)) is not None:
        return refused
    form = f.StatusForm(request.POST)
    if form.is_valid():
        try:
            services.project_set_status(
                actor=request.user, project=project, status=form.cleaned_data["status"]
            )
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            project.refresh_from_db()
            messages.success(
                request, _("项目状态已改为“%(s)s”。") % {"s": project.get_status_display()}
            )
    return redirect(_detail(project))


# --- the plan ---------------------------------------------------------------------------


@login_required
def milestone_add(request, project_id: int):
    project = access_project(request.user, project_id, action=RUN)
    form = f.MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_add(actor=request.user, project=project, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("计划事项已添加。"))
            return redirect(_detail(project) + "#plan")
    return _form_page(
        request, project=project, form=form, title=_("添加计划事项"), submit=_("添加")
    )


@login_required
def milestone_done(request, milestone_id: int):
    """Mark a step done (today, or the day given), or ("undo") not done again."""
    milestone = reads.access_milestone(request.user, milestone_id, action=RUN)
    if (refused := post_only(request)) is not None:
        return refused
    form = f.MilestoneDoneForm(request.POST)
    done_on = None
    if "undo" not in request.POST:
        done_on = (form.is_valid() and form.cleaned_data["done_on"]) or timezone.localdate()
    try:
        services.milestone_done(actor=request.user, milestone=milestone, done_on=done_on)
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("“%(t)s”已完成。") % {"t": milestone.title}
            if done_on
            else _("“%(t)s”已改回未完成。") % {"t": milestone.title},
        )
    return redirect(_detail(milestone.project) + "#plan")


# --- money ------------------------------------------------------------------------------


@login_required
def budget_line_set(request, project_id: int):
    project = access_project(request.user, project_id, action=RUN)
    initial = {}
    line_id = request.GET.get("line", "")
    if line_id.isdigit():
        line = next((r.line for r in reads.budget_rows(project) if r.line.pk == int(line_id)), None)
        if line is not None:
            initial = {"name": line.account.name, "amount": line.amount_fen}
    form = f.BudgetLineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_set(
                actor=request.user,
                project=project,
                name=form.cleaned_data["name"],
                amount_fen=form.cleaned_data["amount"],
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("预算已保存。"))
            return redirect(_detail(project) + "#budget")
    return _form_page(
        request,
        project=project,
        form=form,
        title=_("编制预算"),
        submit=_("保存预算"),
        intro=_("每个预算科目是项目账本上的一个支出科目；支出记在科目下，页面上对比预算和实际。"),
    )


@login_required
def funding_add(request, project_id: int):
    project = access_project(request.user, project_id, action=RUN)
    form = f.FundingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            funding = services.funding_record(
                actor=request.user,
                project=project,
                kind=data["kind"],
                source=data["source"],
                amount_fen=data["amount"],
                received_on=data["received_on"],
                conditions=data["conditions"],
                evidence=data["evidence"],
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request, _("已登记到账资金，凭证号 #%(n)s。") % {"n": funding.entry.number}
            )
            return redirect(_detail(project) + "#funding")
    return _form_page(
        request,
        project=project,
        form=form,
        title=_("登记到账资金"),
        submit=_("登记"),
        intro=_("钱到了项目账上再登记；登记后不能修改。"),
        files=True,
    )


@login_required
def expense_add(request, project_id: int):
    project = access_project(request.user, project_id, action=RUN)
    form = f.ExpenseForm(request.POST or None, request.FILES or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.expense_record(
                actor=request.user,
                project=project,
                budget_line=data["budget_line"],
                amount_fen=data["amount"],
                spent_on=data["spent_on"],
                memo=data["memo"],
                evidence=data["evidence"],
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已记支出，凭证号 #%(n)s。") % {"n": entry.number})
            return redirect(_detail(project) + "#expenses")
    intro = _("支出从项目账上付出，不能超过账上的钱；记错了可以冲销。")
    if not form.fields["budget_line"].queryset.exists():
        intro = _("还没有预算科目，请先编制预算。")
    return _form_page(
        request,
        project=project,
        form=form,
        title=_("记一笔支出"),
        submit=_("记账"),
        intro=intro,
        files=True,
    )


@login_required
def expense_reverse(request, project_id: int, expense_id: int):
    project = access_project(request.user, project_id, action=RUN)
    entry = reads.access_expense(request.user, project, expense_id)
    form = f.ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reversal = services.expense_reverse(
                actor=request.user, project=project, entry=entry, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已冲销：冲销凭证 #%(n)s，原凭证保留在账上。") % {"n": reversal.number},
            )
            return redirect(_detail(project) + "#expenses")
    return _form_page(
        request,
        project=project,
        form=form,
        title=_("冲销支出 #%(n)s：%(memo)s") % {"n": entry.number, "memo": entry.memo},
        submit=_("冲销"),
    )


@login_required
def expense_evidence(request, project_id: int, expense_id: int):
    """An expense's receipt: to those who run the project only (never a public URL)."""
    project = access_project(request.user, project_id, action=RUN)
    entry = reads.access_expense(request.user, project, expense_id)
    return evidence_response(entry, f"project-{project.pk}-entry-{entry.number}")


@login_required
def funding_evidence(request, funding_id: int):
    funding = reads.access_funding(request.user, funding_id, action=RUN)
    return evidence_response(
        funding.entry, f"project-{funding.project_id}-entry-{funding.entry.number}"
    )


# --- indicators -------------------------------------------------------------------------


@login_required
def indicator_add(request, project_id: int):
    project = access_project(request.user, project_id, action=RUN)
    form = f.IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_add(actor=request.user, project=project, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("成效指标已添加。"))
            return redirect(_detail(project) + "#indicators")
    return _form_page(
        request,
        project=project,
        form=form,
        title=_("添加成效指标"),
        submit=_("添加"),
        intro=_("基线值是项目开始前的情况，目标值是项目结束时要达到的。"),
    )


@login_required
def indicator_measure(request, indicator_id: int):
    indicator = reads.access_indicator(request.user, indicator_id, action=RUN)
    form = f.MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_measure(actor=request.user, indicator=indicator, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("实测值已记录。"))
            return redirect(_detail(indicator.project) + "#indicators")
    return _form_page(
        request,
        project=indicator.project,
        form=form,
        title=_("记录实测值：%(name)s") % {"name": indicator.name},
        submit=_("保存"),
    )


urlpatterns = [
    path("", project_list, name="list"),
    path("new/", project_create, name="create"),
    path("domains/", domains, name="domains"),
    path("<int:project_id>/", project_detail, name="detail"),
    path("<int:project_id>/edit/", project_edit, name="edit"),
    path("<int:project_id>/status/", project_status, name="status"),
    path("<int:project_id>/milestones/add/", milestone_add, name="milestone_add"),
    path("milestones/<int:milestone_id>/done/", milestone_done, name="milestone_done"),
    path("<int:project_id>/budget/", budget_line_set, name="budget"),
    path("<int:project_id>/funding/add/", funding_add, name="funding_add"),
    path("funding/<int:funding_id>/evidence/", funding_evidence, name="funding_evidence"),
    path("<int:project_id>/expenses/add/", expense_add, name="expense_add"),
    path(
        "<int:project_id>/expenses/<int:expense_id>/reverse/",
        expense_reverse,
        name="expense_reverse",
    ),
    path(
        "<int:project_id>/expenses/<int:expense_id>/evidence/",
        expense_evidence,
        name="expense_evidence",
    ),
    path("<int:project_id>/indicators/add/", indicator_add, name="indicator_add"),
    path("indicators/<int:indicator_id>/measure/", indicator_measure, name="indicator_measure"),
]
