"""Pages of the care programme."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kuihua.accounts.models import User
from kuihua.care import selectors
from kuihua.care.duty import (
    duty_colleagues,
    on_duty_now,
    preference_set,
    rota_generate,
    swap_decide,
    swap_request,
)
from kuihua.care.forms import (
    CallForm,
    DutyPreferenceForm,
    EnrolForm,
    IncidentForm,
    PauseForm,
    RegularServiceForm,
    RotaForm,
    TrainingForm,
)
from kuihua.care.models import Alert, CareRecipient, DutyPreference, DutyShift, SwapRequest
from kuihua.care.rules import HELPER_ROLES
from kuihua.care.services import (
    CareError,
    alert_acknowledge,
    alert_resolve,
    check_in,
    incident_record,
    recipient_attribute,
    recipient_by_token,
    recipient_enrol,
    recipient_pause,
    regular_service_order,
    self_link_issue,
    trained_visitors,
)
from kuihua.care.sweep import last_sweep
from kuihua.core.attribution import AttributionForm
from kuihua.core.audit import log_access
from kuihua.core.pages import apply_service_error, render_page, require
from kuihua.core.tenancy import use_community
from kuihua.registry.selectors import access_resident
from kuihua.training.services import TrainingError, training_record


@login_required
def alert_detail(request, alert_id: int):
    """One alert: who, which window, the emergency contacts in order; acknowledge, resolve."""
    alert = selectors.access_alert(request.user, alert_id)
    error = ""
    if request.method == "POST":
        try:
            name = alert.recipient.resident.name
            if request.POST.get("action") == "acknowledge":
                alert_acknowledge(actor=request.user, alert=alert)
                messages.success(
                    request, _("已响应 %(name)s 的报警，请尽快联系或上门查看") % {"name": name}
                )
            else:
                alert = alert_resolve(
                    actor=request.user,
                    alert=alert,
                    outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", ""),
                )
                messages.success(
                    request,
                    _("%(name)s 的报警已处理：%(outcome)s")
                    % {"name": name, "outcome": alert.get_outcome_display()},
                )
            return redirect("care:alert_detail", alert_id=alert.pk)
        except CareError as exc:
            error = str(exc)
    contacts = selectors.alert_contacts(request.user, alert)
    return render(
        request,
        "care/alert_detail.html",
        {"alert": alert, "contacts": contacts, "outcomes": Alert.Outcome.choices, "error": error},
    )


@never_cache
def self_check_in(request, token: str):
    """我很好: the elder's own page, opened from a saved link, one big button, no password.

    The link's secret is the key (only its hash is stored; a new link retires
    the old). The page shows the first name only and nothing else about the person.
    """
    recipient = recipient_by_token(token)
    if recipient is None:
        raise Http404
    done_at = None
    if request.method == "POST":
        with use_community(recipient.community_id):
            done_at = check_in(actor=None, recipient=recipient, channel="self").at
    return render(
        request,
        "care/self_check_in.html",
        {
            "given_name": recipient.resident.name[1:] or recipient.resident.name,
            "done_at": done_at and timezone.localtime(done_at),
        },
    )


@login_required
def board(request):
    """The duty officer's live board: open alerts, then today's windows, refreshed in place.

    The programme's entry in the menu: anyone else lands on their visits page.
    """
    if not request.user.has_perm("care.handle_alert"):
        return redirect("care:my_visits")
    context = {
        **selectors.board_for(request.user),
        "on_duty": on_duty_now(request.user.community_id),
        "last_sweep": last_sweep(),
    }
    return render_page(request, "care/board.html", "care/_board.html", context)


@login_required
def my_visits(request):
    """A visitor's phone page: the people they look after, one tap per visit outcome."""
    people = selectors.visits_of(request.user)
    error = ""
    if request.method == "POST":
        chosen = next((p for p in people if str(p.pk) == request.POST.get("recipient")), None)
        if chosen is None:
            raise Http404
        try:
            done = check_in(
                actor=request.user,
                recipient=chosen,
                channel="visit",
                result=request.POST.get("result", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(
                request,
                _("已记录探访 %(name)s：%(result)s")
                % {"name": chosen.resident.name, "result": done.get_result_display()},
            )
            return redirect("care:my_visits")
        except CareError as exc:
            error = str(exc)
    return render(request, "care/my_visits.html", {"people": people, "error": error})


# --- the coordinator's pages -------------------------------------------------------------


def _recipients():
    return CareRecipient.objects.select_related("resident", "primary_visitor").order_by(
        "resident__name_pinyin", "id"
    )


VISITOR_ROLES = HELPER_ROLES


@login_required
def recipient_list(request):
    """Everyone enrolled, with the enrol form (the resident by their registry number)."""
    require(request.user, "care.manage")
    enrolling = request.method == "POST" and request.POST.get("action") != "training"
    form = EnrolForm(request.POST if enrolling else None, visitors=trained_visitors())
    if enrolling and form.is_valid():
        try:
            resident = access_resident(request.user, form.cleaned_data["resident"])
        except Http404:
            form.add_error("resident", _("找不到该居民"))
        else:
            try:
                recipient = recipient_enrol(
                    actor=request.user,
                    resident=resident,
                    risk=form.cleaned_data["risk"],
                    conditions=form.cleaned_data["conditions"],
                    windows=form.cleaned_data["windows"],
                    primary_visitor=form.cleaned_data["primary_visitor"],
                    backup_visitors=list(form.cleaned_data["backup_visitors"]),
                    project=form.cleaned_data["project"],
                )
                messages.success(request, _("已把 %(name)s 加入关爱名单") % {"name": resident.name})
                return redirect("care:recipient_detail", recipient_id=recipient.pk)
            except CareError as exc:
                apply_service_error(form, exc)
    training = TrainingForm(
        request.POST if request.POST.get("action") == "training" else None,
        volunteers=User.objects.filter(
            community=request.user.community, role__in=VISITOR_ROLES, is_active=True
        ).order_by("username"),
    )
    if training.is_bound and training.is_valid():
        try:
            training_record(actor=request.user, **training.cleaned_data)
            messages.success(request, _("培训记录已保存"))
            return redirect("care:recipient_list")
        except TrainingError as exc:
            apply_service_error(training, exc)
    context = {
        "recipients": _recipients(),
        "form": form,
        "training_form": training,
        "figures": selectors.programme_figures(year=timezone.localdate().year),
    }
    return render(request, "care/recipient_list.html", context)


@login_required
def recipient_detail(request, recipient_id: int):
    """One person: plan, visitors, latest check-ins and alerts; record a call, pause,
    issue the saved link; the health conditions only on a logged request."""
    recipient = selectors.access_recipient(
        request.user, recipient_id, action=selectors.RECIPIENT_PAGE_ACTION
    )
    conditions = None
    link = ""
    forms_ = {
        "call": CallForm(),
        "pause": PauseForm(),
        "incident": IncidentForm(),
        "service": RegularServiceForm(),
    }
    can_manage = request.user.has_perm("care.manage")
    if can_manage:
        forms_["attribution"] = AttributionForm(current=recipient.project_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "call":
                forms_["call"] = form = CallForm(request.POST)
                if form.is_valid():
                    done = check_in(
                        actor=request.user, recipient=recipient, channel="call", **form.cleaned_data
                    )
                    messages.success(
                        request,
                        _("已记录给 %(name)s 的电话：%(result)s")
                        % {"name": recipient.resident.name, "result": done.get_result_display()},
                    )
                    return redirect("care:recipient_detail", recipient_id=recipient.pk)
            elif action == "pause":
                forms_["pause"] = form = PauseForm(request.POST)
                if form.is_valid():
                    recipient_pause(actor=request.user, recipient=recipient, **form.cleaned_data)
                    until = form.cleaned_data["until"]
                    messages.success(
                        request,
                        _("%(name)s 的签到暂停到 %(day)s（含当天）")
                        % {"name": recipient.resident.name, "day": until.isoformat()}
                        if until
                        else _("%(name)s 的签到已恢复") % {"name": recipient.resident.name},
                    )
                    return redirect("care:recipient_detail", recipient_id=recipient.pk)
            elif action == "incident":
                forms_["incident"] = form = IncidentForm(request.POST)
                if form.is_valid():
                    incident_record(actor=request.user, recipient=recipient, **form.cleaned_data)
                    messages.success(
                        request,
                        _("已记录 %(name)s 的意外事件，计入本年意外发生率")
                        % {"name": recipient.resident.name},
                    )
                    return redirect("care:recipient_detail", recipient_id=recipient.pk)
            elif action == "service":
                forms_["service"] = form = RegularServiceForm(request.POST)
                if form.is_valid():
                    need = regular_service_order(
                        actor=request.user, recipient=recipient, **form.cleaned_data
                    )
                    messages.success(
                        request,
                        _("已为 %(name)s 安排常规服务，下次精准对接时派单")
                        % {"name": recipient.resident.name},
                    )
                    return redirect("matching:need_detail", need_id=need.pk)
            elif action == "project" and can_manage:
                forms_["attribution"] = form = AttributionForm(
                    request.POST, current=recipient.project_id
                )
                if form.is_valid():
                    recipient = recipient_attribute(
                        actor=request.user,
                        recipient=recipient,
                        project=form.cleaned_data["project"],
                    )
                    messages.success(request, _("已保存所属公益项目"))
                    return redirect("care:recipient_detail", recipient_id=recipient.pk)
            elif action == "link":
                token = self_link_issue(actor=request.user, recipient=recipient)
                link = request.build_absolute_uri(reverse("care:self_check_in", args=[token]))
            elif action == "conditions":
                log_access(
                    user=request.user,
                    subject=recipient.resident,
                    fields=["conditions"],
                    purpose="care",
                )
                conditions = recipient.conditions
            else:
                raise Http404
        except CareError as exc:
            apply_service_error(form, exc)
    context = {
        "recipient": recipient,
        "conditions": conditions,
        "link": link,
        "check_ins": recipient.check_ins.select_related("by")[:20],
        "alerts": recipient.alerts.all()[:20],
        "incidents": recipient.incidents.all()[:20],
        "can_manage": can_manage,
        **{f"{k}_form": v for k, v in forms_.items()},
    }
    return render(request, "care/recipient_detail.html", context)


@login_required
def rota_page(request):
    """The duty line's month: generate it, see who holds each shift, decide swaps."""
    require(request.user, "care.manage")
    today = timezone.localdate()
    form = RotaForm(request.POST or None, initial={"year": today.year, "month": today.month})
    left = None
    year, month = today.year, today.month
    if request.method == "POST" and request.POST.get("action") == "decide":
        swap_id = request.POST.get("swap", "")
        swap = selectors.access_swap(request.user, int(swap_id) if swap_id.isdigit() else 0)
        try:
            swap_decide(actor=request.user, swap=swap, approve=request.POST.get("approve") == "1")
        except CareError as exc:
            messages.error(request, str(exc))
        return redirect("care:rota")
    if request.method == "POST" and form.is_valid():
        year, month = form.cleaned_data["year"], form.cleaned_data["month"]
        try:
            _shifts, left = rota_generate(actor=request.user, year=year, month=month)
        except CareError as exc:
            apply_service_error(form, exc)
    shifts = DutyShift.objects.filter(day__year=year, day__month=month).select_related("user")
    pending = SwapRequest.objects.filter(status=SwapRequest.Status.PENDING).select_related(
        "shift", "from_user", "to_user"
    )
    return render(
        request,
        "care/rota.html",
        {"form": form, "shifts": shifts, "left": left, "pending": pending},
    )


@login_required
def my_duty(request):
    """A volunteer's shifts on the duty line, from today; hand one over to someone free."""
    today = timezone.localdate()
    shifts = list(
        DutyShift.objects.filter(user=request.user, day__gte=today).order_by("day", "index")[:40]
    )
    colleagues = list(duty_colleagues(request.user))
    error = ""
    current = DutyPreference.objects.filter(user=request.user).first()
    preference = DutyPreferenceForm(
        request.POST if request.POST.get("action") == "preference" else None,
        initial={
            "days": current.days if current else DutyPreference.Days.ANY,
            "unavailable": "\n".join(current.unavailable) if current else "",
            "max_shifts_per_month": current.max_shifts_per_month if current else 6,
            "max_consecutive_days": current.max_consecutive_days if current else 2,
        },
    )
    if preference.is_bound:
        if preference.is_valid():
            try:
                preference_set(user=request.user, **preference.cleaned_data)
                messages.success(request, _("值班意愿已保存，下次排班时生效"))
                return redirect("care:my_duty")
            except CareError as exc:
                apply_service_error(preference, exc)
    elif request.method == "POST":
        shift = next((s for s in shifts if str(s.pk) == request.POST.get("shift")), None)
        taker = next((u for u in colleagues if str(u.pk) == request.POST.get("to_user")), None)
        if shift is None:
            raise Http404
        try:
            swap_request(actor=request.user, shift=shift, to_user=taker)
            messages.success(request, _("换班申请已提交，等待社区审批"))
            return redirect("care:my_duty")
        except CareError as exc:
            error = str(exc)
    asked = set(
        SwapRequest.objects.filter(
            from_user=request.user, status=SwapRequest.Status.PENDING
        ).values_list("shift_id", flat=True)
    )
    return render(
        request,
        "care/my_duty.html",
        {
            "shifts": shifts,
            "colleagues": colleagues,
            "asked": asked,
            "error": error,
            "preference_form": preference,
        },
    )


@login_required
def figures(request):
    """关爱统计: the programme's figures without a name in them, for coordinators and
    for the district viewer, who oversees it but sees no one's record."""
    require(request.user, "care.view_figures")
    this_year = timezone.localdate().year
    board_now = selectors.board()
    context = {
        "years": [selectors.programme_figures(year=y) for y in (this_year, this_year - 1)],
        "today": board_now["summary"],
        "open_alerts": len(board_now["open_alerts"]),
    }
    return render(request, "care/figures.html", context)
