"""Service-record pages: my hours, my certificates, the organizer's queue and entry form,
the coordinator's overview, and the public certificate check.

Views parse input, fetch through the `access_*` selectors (404 for anything the
user may not see or act on) and call services for every write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.pages import apply_service_error, post_only, render_page, require
from kuihua.organizations.selectors import access_organization
from kuihua.registry.selectors import access_resident
from kuihua.service_records import selectors, services
from kuihua.service_records.api import pdf_response, public_facts
from kuihua.service_records.forms import (
    CertificateForm,
    CorrectionForm,
    DecideForm,
    ManualRecordForm,
    PointsRuleForm,
    RejectForm,
    YearForm,
)
from kuihua.service_records.models import CorrectionRequest, ServiceRecord
from kuihua.service_records.services import ServiceRecordError

STARS = "★★★★★"


def _nav(user) -> dict:
    return {
        "can_queue": user.has_perm("service_records.view_queue"),
        "can_overview": user.has_perm("service_records.view_overview"),
        "has_own": user.resident_id is not None,
        "can_issue": user.has_perm("service_records.view_queue"),
    }


def _who_and_hours(record: ServiceRecord, hours=None) -> dict:
    """张三 and 2.5, for a message about the record (the name kept after an erasure or not)."""
    hours = record.hours if hours is None else hours
    return {
        "name": record.volunteer.name if record.volunteer_id else _("志愿者"),
        "hours": f"{hours.normalize():f}",
    }


def _years(current: int) -> list[int]:
    this_year = timezone.localdate().year
    return sorted({*range(this_year - 4, this_year + 1), current}, reverse=True)


# --- the volunteer ------------------------------------------------------------------


@login_required
def mine(request):
    """我的服务时长: this year's and lifetime verified hours, stars, points, records."""
    user = request.user
    resident = user.resident
    if resident is None and user.has_perm("service_records.view_overview"):
        # A coordinator's or district viewer's landing here is the community's hours.
        return redirect("service_records:overview")
    year = YearForm(request.GET or None).chosen_year()
    context = {"year": year, "years": _years(year), "resident": resident, **_nav(user)}
    if resident is not None:
        totals = selectors.volunteer_totals(resident, year=year)
        context.update(
            totals=totals,
            stars=STARS[: totals["stars"]],
            empty_stars="☆" * (5 - totals["stars"]),
            profile=selectors.volunteer_profile(resident),
            balance=selectors.points_balance(resident),
            points=list(selectors.points_history(resident)[:10]),
            records=list(selectors.volunteer_records(resident, year=year)),
        )
    return render_page(
        request, "service_records/mine.html", "service_records/_my_records.html", context
    )


def _record_context(request, record: ServiceRecord, **forms) -> dict:
    user = request.user
    record = selectors.record_detail(record)
    pending = next(
        (c for c in record.correction_list if c.status == CorrectionRequest.Status.PENDING), None
    )
    own = user.resident_id is not None and user.resident_id == record.volunteer_id
    can_verify = (
        record.status == ServiceRecord.Status.PENDING
        and user.has_perm("service_records.verify_record", record)
        and (user.is_coordinator or not own)
    )
    can_decide = (
        pending is not None
        and user.has_perm("service_records.decide_correction", record)
        and (user.is_coordinator or not own)
    )
    can_correct = (
        pending is None
        and record.status != ServiceRecord.Status.REJECTED
        and user.has_perm("service_records.request_correction", record)
    )
    context = {
        "record": record,
        "pending_correction": pending,
        "can_verify": can_verify,
        "can_decide": can_decide,
        "correction_form": CorrectionForm() if can_correct else None,
        "reject_form": RejectForm() if can_verify else None,
        "decide_form": DecideForm() if can_decide else None,
        **_nav(user),
    }
    context.update(forms)
    return context


@login_required
def record_detail(request, record_id: int):
    record = selectors.access_record(request.user, record_id)
    return render(request, "service_records/record.html", _record_context(request, record))


@login_required
def record_correction(request, record_id: int):
    user = request.user
    record = selectors.access_record(user, record_id)
    require(user, "service_records.request_correction", record)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request(actor=user, record=record, **form.cleaned_data)
        except ServiceRecordError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已提交更正申请，等待组织方处理"))
            return redirect("service_records:record", record_id=record.pk)
    context = _record_context(request, record, correction_form=form)
    return render(request, "service_records/record.html", context, status=400)


def _correction_decided(correction: CorrectionRequest) -> str:
    record = correction.record
    if correction.status != CorrectionRequest.Status.APPROVED:
        return _("已不同意 %(name)s 的更正申请") % _who_and_hours(record)
    if correction.hours is not None:
        return _("已同意 %(name)s 的更正申请，时长改为 %(hours)s 小时") % _who_and_hours(
            record, correction.hours
        )
    return _("已同意 %(name)s 的更正申请，服务内容已更正") % _who_and_hours(record)


@login_required
def correction_decide(request, correction_id: int):
    user = request.user
    correction = selectors.access_correction(user, correction_id)
    record = correction.record
    require(user, "service_records.decide_correction", record)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            correction = services.correction_decide(
                actor=user, correction=correction, **form.cleaned_data
            )
        except ServiceRecordError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _correction_decided(correction))
            return redirect("service_records:record", record_id=record.pk)
    context = _record_context(request, record, decide_form=form)
    return render(request, "service_records/record.html", context, status=400)


# --- the organizer ----------------------------------------------------------------------


@login_required
def queue(request):
    """待审核: pending records and corrections of the organizations the user manages."""
    user = request.user
    require(user, "service_records.view_queue")
    context = {
        "records": list(selectors.verification_queue(user)[:200]),
        "corrections": list(selectors.corrections_queue(user)[:100]),
        "reject_form": RejectForm(),
        **_nav(user),
    }
    return render(request, "service_records/queue.html", context)


def _queue_row(request, record, *, done: str = "", error: str = ""):
    """After a tap in the queue: the row again saying what was done or why not (HTMX),
    or a redirect to the page that says it."""
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    if request.htmx:
        context = {
            "r": record,
            "reject_form": RejectForm(),
            "notices": messages.get_messages(request),
        }
        return render(request, "service_records/_queue_row.html", context)
    if request.POST.get("next") == "record":
        return redirect("service_records:record", record_id=record.pk)
    return redirect("service_records:queue")


@login_required
def record_verify(request, record_id: int):
    user = request.user
    record = selectors.access_record(user, record_id)
    require(user, "service_records.verify_record", record)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    try:
        record = services.record_verify(
            actor=user, record=record, quality=request.POST.get("quality", "")
        )
    except ServiceRecordError as exc:
        return _queue_row(request, record, error=str(exc))
    return _queue_row(
        request,
        record,
        done=_("已通过 %(name)s 的 %(hours)s 小时服务记录") % _who_and_hours(record),
    )


@login_required
def record_reject(request, record_id: int):
    user = request.user
    record = selectors.access_record(user, record_id)
    require(user, "service_records.verify_record", record)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        record = services.record_reject(actor=user, record=record, reason=reason)
    except ServiceRecordError as exc:
        return _queue_row(request, record, error=str(exc))
    return _queue_row(
        request,
        record,
        done=_("已驳回 %(name)s 的 %(hours)s 小时服务记录") % _who_and_hours(record),
    )


@login_required
def record_new(request):
    """手工补录: a record by hand, with evidence and a reason."""
    user = request.user
    organizations = list(selectors.organizations_managed_by(user))
    if not organizations:
        raise Http404
    form = ManualRecordForm(
        request.POST or None,
        organizations=organizations,
        memberships=selectors.members_of_managed(user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = access_organization(user, int(data.pop("organization")))
        resident = access_resident(user, int(data.pop("resident")))
        try:
            record = services.record_create_manual(
                actor=user, organization=organization, resident=resident, **data
            )
        except ServiceRecordError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已为 %(name)s 补录 %(hours)s 小时服务记录，待审核") % _who_and_hours(record),
            )
            return redirect("service_records:record", record_id=record.pk)
    return render(request, "service_records/record_new.html", {"form": form, **_nav(user)})


# --- certificates ----------------------------------------------------------------------------


@login_required
def certificates(request):
    """我的证明, and for organizers the certificates they issue.

    The volunteer is found by name, pinyin or initials (an organization may have
    thousands): the search narrows the list, in place with HTMX.
    """
    user = request.user
    organizations = list(selectors.organizations_managed_by(user))
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()[:40]
    form = None
    candidates: list = []
    if organizations:
        today = timezone.localdate()
        candidates = selectors.member_candidates(
            user, query=query, chosen=request.POST.get("resident")
        )
        form = CertificateForm(
            request.POST or None,
            organizations=organizations,
            memberships=candidates,
            initial={"period_start": today.replace(month=1, day=1), "period_end": today},
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = dict(form.cleaned_data)
            organization = access_organization(user, int(data.pop("organization")))
            resident = access_resident(user, int(data.pop("resident")))
            try:
                certificate = services.certificate_issue(
                    actor=user, organization=organization, resident=resident, **data
                )
            except ServiceRecordError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已为 %(name)s 出具证明 %(number)s")
                    % {"name": resident.name, "number": certificate.number},
                )
                return redirect("service_records:certificates")
    context = {
        "own": list(selectors.certificates_of(user.resident)) if user.resident_id else [],
        "issued": list(selectors.certificates_issued_by_managed(user)[:100])
        if organizations
        else [],
        "form": form,
        "query": query,
        "candidate_count": len(candidates),
        "candidates_capped": len(candidates) >= selectors.CANDIDATES_SHOWN,
        **_nav(user),
    }
    return render(request, "service_records/certificates.html", context)


@login_required
def certificate_pdf(request, certificate_id: int):
    certificate = selectors.access_certificate(request.user, certificate_id)
    return pdf_response(request, certificate)


# --- the coordinator --------------------------------------------------------------------------


@login_required
def overview(request):
    """时长统计: hours by organization and the most active volunteers, this year and in all."""
    user = request.user
    require(user, "service_records.view_overview")
    year = YearForm(request.GET or None).chosen_year()
    context = {
        "year": year,
        "years": _years(year),
        "totals": selectors.community_totals(year=year),
        "organizations": list(selectors.organization_totals(year=year)),
        "volunteers": selectors.volunteer_totals_list(year=year, limit=20),
        "rate": services.points_rate(),
        "rule_form": PointsRuleForm(initial={"points_per_hour": services.points_rate()})
        if user.has_perm("service_records.change_points_rule")
        else None,
        **_nav(user),
    }
    return render_page(
        request, "service_records/overview.html", "service_records/_overview_tables.html", context
    )


@login_required
def points_rule(request):
    user = request.user
    require(user, "service_records.change_points_rule")
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    form = PointsRuleForm(request.POST)
    if form.is_valid():
        try:
            services.points_rule_set(actor=user, **form.cleaned_data)
        except ServiceRecordError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("积分规则已保存"))
    else:
        messages.error(request, _("每小时积分应在0到1000之间"))
    return redirect("service_records:overview")


# --- anyone ------------------------------------------------------------------------------------


def verify(request, code: str):
    """The public check of a certificate: genuine or not, and its public facts only."""
    try:
        certificate = selectors.certificate_for_verification(code)
    except Http404:
        return render(request, "service_records/verify.html", {"found": False}, status=404)
    response = render(
        request,
        "service_records/verify.html",
        {"found": True, "facts": public_facts(certificate)},
    )
    response["X-Robots-Tag"] = "noindex"
    return response
