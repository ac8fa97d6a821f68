"""Council pages: meetings (list, call, detail with agenda and minutes, attendance with the
live quorum, the door's QR check-in) and delegates. The rules are in council/meetings.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kuihua.core.errors import ApplicationError
from kuihua.core.pages import apply_service_error, post_only, render_page, require
from kuihua.council import meetings as svc
from kuihua.council.meeting_forms import (
    AgendaItemForm,
    CancelForm,
    DecideForm,
    DelegateForm,
    DelegateTrainingForm,
    MeetingForm,
    MinutesForm,
)
from kuihua.registry.models import Compound
from kuihua.registry.picker import resident_picker
from kuihua.registry.selectors import access_resident
from kuihua.venues.selectors import room_list


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("请检查填写的内容")


def _back(meeting) -> str:
    return reverse("council:meeting_detail", args=[meeting.pk])


# --- list and call ------------------------------------------------------------------------


@login_required
def meeting_list(request):
    """Meetings to come (soonest first) and past ones; coordinators call a new one."""
    require(request.user, "council.take_part")
    upcoming, past = svc.upcoming_and_past(request.user)
    return render(request, "council/meeting_list.html", {"upcoming": upcoming, "past": past})


@login_required
def meeting_call(request):
    """The coordinator's form: title, time, a room from venues (or a place), agenda."""
    require(request.user, "council.manage")
    form = MeetingForm(
        request.POST or None,
        rooms=room_list(request.user, include_inactive=False),
        compounds=Compound.objects.order_by("name", "id"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = svc.meeting_call(
                actor=request.user,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                room=data["room"],
                place=data["place"],
                compound=data["compound"],
                agenda=data["agenda"],
                guests=data["guests"],
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            invited = meeting.attendees.filter(counts_for_quorum=True).count()
            messages.success(
                request,
                _("已召集会议“%(t)s”，已通知 %(n)s 位议事代表")
                % {"t": meeting.title, "n": invited},
            )
            return redirect(_back(meeting))
    return render(request, "council/meeting_form.html", {"form": form})


# --- one meeting --------------------------------------------------------------------------


def _qr_svg(request, meeting) -> str:
    import segno

    url = request.build_absolute_uri(
        reverse("council:meeting_checkin", args=[meeting.checkin_code])
    )
    return segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#1f2328")


@login_required
def meeting_detail(request, meeting_id: int):
    """Agenda, room, attendance summary and minutes; the forms each role may use."""
    meeting = svc.access_meeting(request.user, meeting_id)
    manager = request.user.has_perm("council.manage")
    minutes = svc.minutes_visible(request.user, meeting)
    context = {
        "meeting": meeting,
        "agenda": svc.agenda_of(request.user, meeting),
        "proposals": [] if manager else svc.proposals_of(request.user, meeting),
        "quorum": svc.meeting_quorum(meeting),
        "minutes": minutes,
        "manager": manager,
        "planned": meeting.status == meeting.Status.PLANNED,
        "agenda_form": AgendaItemForm(),
        "decide_form": DecideForm(),
        "cancel_form": CancelForm(),
        "minutes_form": MinutesForm(initial={"body": minutes.body if minutes else ""}),
    }
    return render(request, "council/meeting_detail.html", context)


@login_required
def meeting_agenda(request, meeting_id: int):
    """POST: a coordinator adds an item; anyone else taking part proposes one."""
    meeting = svc.access_meeting(request.user, meeting_id)
    if (refused := post_only(request)) is not None:
        return refused
    form = AgendaItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(_back(meeting))
    try:
        if request.user.has_perm("council.manage"):
            item = svc.agenda_item_add(
                actor=request.user, meeting=meeting, title=form.cleaned_data["title"]
            )
            messages.success(request, _("已把“%(t)s”列入议程") % {"t": item.title})
        else:
            item = svc.agenda_item_propose(
                actor=request.user, meeting=meeting, title=form.cleaned_data["title"]
            )
            messages.success(request, _("已提交议程建议“%(t)s”，等待社区审核") % {"t": item.title})
    except ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect(_back(meeting))


@login_required
def agenda_decide(request, meeting_id: int, agenda_item_id: int):
    meeting = svc.access_meeting(request.user, meeting_id, action="manage")
    item = svc.access_agenda_item(request.user, meeting, agenda_item_id)
    if (refused := post_only(request)) is not None:
        return refused
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(_back(meeting))
    try:
        svc.agenda_item_decide(actor=request.user, item=item, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        if form.cleaned_data["accept"]:
            messages.success(request, _("已把“%(t)s”列入议程") % {"t": item.title})
        else:
            messages.success(request, _("已回复提议人：“%(t)s”不列入议程") % {"t": item.title})
    return redirect(_back(meeting))


@login_required
def meeting_cancel(request, meeting_id: int):
    meeting = svc.access_meeting(request.user, meeting_id, action="manage")
    if (refused := post_only(request)) is not None:
        return refused
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        svc.meeting_cancel(
            actor=request.user, meeting=meeting, reason=form.cleaned_data.get("reason", "")
        )
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("会议“%(t)s”已取消，会议室已释放，已通知参会人") % {"t": meeting.title}
        )
    return redirect(_back(meeting))


@login_required
def meeting_held(request, meeting_id: int):
    meeting = svc.access_meeting(request.user, meeting_id, action="manage")
    if (refused := post_only(request)) is not None:
        return refused
    try:
        svc.meeting_mark_held(actor=request.user, meeting=meeting)
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("会议“%(t)s”已标记为已召开") % {"t": meeting.title})
    return redirect(_back(meeting))


@login_required
def meeting_minutes(request, meeting_id: int):
    """POST: a coordinator writes (or rewrites, until approved) the minutes."""
    meeting = svc.access_meeting(request.user, meeting_id, action="manage")
    if (refused := post_only(request)) is not None:
        return refused
    form = MinutesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写会议纪要"))
        return redirect(_back(meeting))
    try:
        svc.minutes_write(actor=request.user, meeting=meeting, body=form.cleaned_data["body"])
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("会议纪要已保存，审定后居民才能看到"))
    return redirect(_back(meeting))


@login_required
def minutes_approve(request, meeting_id: int):
    meeting = svc.access_meeting(request.user, meeting_id, action="manage")
    if (refused := post_only(request)) is not None:
        return refused
    try:
        svc.minutes_approve(actor=request.user, meeting=meeting)
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("会议纪要已审定发布，居民现在可以看到"))
    return redirect(_back(meeting))


# --- attendance ---------------------------------------------------------------------------


@never_cache
@login_required
def meeting_attendance(request, meeting_id: int):
    """The coordinator's attendance page: the QR code for the door, the list to check
    people in by hand, and the quorum refreshed every few seconds."""
    meeting = svc.access_meeting(request.user, meeting_id, action="attendance")
    context = {
        "meeting": meeting,
        "attendees": svc.attendees_of(meeting),
        "quorum": svc.meeting_quorum(meeting),
        "qr_svg": _qr_svg(request, meeting),
    }
    return render(request, "council/meeting_attendance.html", context)


@never_cache
@login_required
def meeting_quorum(request, meeting_id: int):
    """The quorum fragment the attendance page polls (hx-get, every 5 s)."""
    meeting = svc.access_meeting(request.user, meeting_id, action="attendance")
    context = {"meeting": meeting, "quorum": svc.meeting_quorum(meeting)}
    return render_page(
        request, "council/meeting_quorum_page.html", "council/meeting_quorum.html", context
    )


@login_required
def attendee_check_in(request, meeting_id: int, attendee_id: int):
    """POST: a coordinator checks someone in from the list (once, however many taps)."""
    meeting = svc.access_meeting(request.user, meeting_id, action="attendance")
    attendee = svc.access_attendee(request.user, meeting, attendee_id)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        attendee, fresh = svc.attendee_check_in(actor=request.user, attendee=attendee)
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        if fresh:
            messages.success(request, _("%(name)s 已签到") % {"name": attendee.name})
        else:
            messages.info(request, _("%(name)s 之前已签到，不重复计算") % {"name": attendee.name})
    return redirect("council:meeting_attendance", meeting_id=meeting.pk)


@never_cache
@login_required
def meeting_checkin(request, code: str):
    """The page the door's QR code opens: a signed-in invitee checks themselves in."""
    meeting = svc.meeting_by_code(request.user, code)
    attendee = None
    if request.method == "POST":
        try:
            attendee, fresh = svc.attendee_check_in_by_code(actor=request.user, meeting=meeting)
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            if fresh:
                messages.success(request, _("签到成功，欢迎参加“%(t)s”") % {"t": meeting.title})
            else:
                messages.info(request, _("您已经签到过了，不用重复签到"))
        return redirect("council:meeting_checkin", code=code)
    if request.user.resident_id:
        attendee = meeting.attendees.filter(resident_id=request.user.resident_id).first()
    return render(
        request, "council/meeting_checkin.html", {"meeting": meeting, "attendee": attendee}
    )


# --- delegates ----------------------------------------------------------------------------


@login_required
def delegate_list(request):
    """Who the delegates are and who is trained; coordinators appoint, end and record
    training here."""
    require(request.user, "council.take_part")
    manager = request.user.has_perm("council.manage")
    delegates = list(svc.delegates_for(request.user))
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and not manager:
        raise Http404
    appoint = DelegateForm(request.POST if action == "appoint" else None)
    with_accounts = svc.delegates_for(request.user).filter(has_account=True, until__isnull=True)
    training = DelegateTrainingForm(
        request.POST if action == "training" else None, delegates=with_accounts
    )
    if action == "appoint" and appoint.is_valid():
        try:
            resident = access_resident(request.user, appoint.cleaned_data["resident"])
        except Http404:
            appoint.add_error("resident", _("找不到该居民"))
        else:
            try:
                svc.delegate_appoint(
                    actor=request.user,
                    resident=resident,
                    kind=appoint.cleaned_data["kind"],
                    since=appoint.cleaned_data["since"],
                )
            except ApplicationError as exc:
                apply_service_error(appoint, exc)
            else:
                messages.success(request, _("已聘任 %(name)s 为议事代表") % {"name": resident.name})
                return redirect("council:delegate_list")
    elif action == "training" and training.is_valid():
        delegate = training.cleaned_data["delegate"]
        try:
            svc.delegate_training_record(
                actor=request.user,
                delegate=delegate,
                completed_on=training.cleaned_data["completed_on"],
            )
        except ApplicationError as exc:
            apply_service_error(training, exc)
        else:
            messages.success(
                request, _("已登记 %(name)s 的议事代表培训") % {"name": delegate.resident.name}
            )
            return redirect("council:delegate_list")
    elif action not in (None, "appoint", "training"):
        raise Http404
    context = {
        "delegates": delegates,
        "manager": manager,
        "appoint_form": appoint,
        # Only delegates with an account can have training recorded: no form without one.
        "training_form": training if with_accounts.exists() else None,
        "course": svc.DELEGATE_COURSE,
    }
    if manager:
        context.update(
            resident_picker(
                request,
                name="resident",
                label=_("居民"),
                url=reverse("council:delegate_list"),
                form=appoint if appoint.is_bound else None,
            )
        )
        if request.method == "GET" and request.GET.get("q") is not None:
            return render_page(
                request, "council/delegate_list.html", "registry/_resident_options.html", context
            )
    return render(request, "council/delegate_list.html", context)


@login_required
def delegate_end(request, delegate_id: int):
    delegate = svc.access_delegate(request.user, delegate_id)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        svc.delegate_end(actor=request.user, delegate=delegate)
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s 已卸任议事代表") % {"name": delegate.resident.name})
    return redirect("council:delegate_list")


urlpatterns = [
    path("meetings/", meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_call, name="meeting_call"),
    path("meetings/<int:meeting_id>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/agenda/", meeting_agenda, name="meeting_agenda"),
    path(
        "meetings/<int:meeting_id>/agenda/<int:agenda_item_id>/decide/",
        agenda_decide,
        name="agenda_decide",
    ),
    path("meetings/<int:meeting_id>/cancel/", meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/held/", meeting_held, name="meeting_held"),
    path("meetings/<int:meeting_id>/minutes/", meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:meeting_id>/minutes/approve/", minutes_approve, name="minutes_approve"),
    path("meetings/<int:meeting_id>/attendance/", meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:meeting_id>/quorum/", meeting_quorum, name="meeting_quorum"),
    path(
        "meetings/<int:meeting_id>/attendees/<int:attendee_id>/check-in/",
        attendee_check_in,
        name="attendee_check_in",
    ),
    path("meetings/checkin/<str:code>/", meeting_checkin, name="meeting_checkin"),
    path("delegates/", delegate_list, name="delegate_list"),
    path("delegates/<int:delegate_id>/end/", delegate_end, name="delegate_end"),
]
