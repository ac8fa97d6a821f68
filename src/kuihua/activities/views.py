"""Activity pages: the list, one activity with its one-tap sign-up, my activities,
the organizer's management (counts, sign-up list, attendance, the rotating QR
code), series, drives with shifts, the coordinator's overview, and the scan page.

Views parse input, fetch through `access_*` selectors (404 for what the user
may not see or manage) and call the services for every write.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.activities import attendance as attendance_services
from kuihua.activities import services
from kuihua.activities.calendar import calendar_for
from kuihua.activities.drives import drive_attribute, drive_create, shifts_create
from kuihua.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    CancelForm,
    DriveForm,
    MonthForm,
    SeriesForm,
    ShiftsForm,
)
from kuihua.activities.models import Activity, Signup
from kuihua.activities.selectors import (
    access_activity,
    access_activity_for_manage,
    access_drive,
    access_drive_for_manage,
    access_series,
    access_skipped_occurrence,
    activity_counts,
    activity_list,
    drives_visible_to,
    my_activities,
    my_signup,
    organizations_for_activities,
    overview_by_organization,
    series_of,
    signup_list,
    signup_phone,
    skipped_to_arrange,
)
from kuihua.activities.series import (
    series_attribute,
    series_create,
    series_end,
    series_occurrence_arrange,
    skipped_initial,
    skipped_reason,
)
from kuihua.activities.signups import services as signups
from kuihua.activities.signups.selectors import waitlist_position
from kuihua.core.attribution import AttributionForm
from kuihua.core.dates import day_from_link
from kuihua.core.pages import apply_service_error, post_only, render_page, require
from kuihua.organizations.selectors import organizations_visible_to
from kuihua.training.selectors import courses_known
from kuihua.venues.selectors import may_book, room_list

QR_REFRESH_SECONDS = 10
COUNTS_REFRESH_SECONDS = 15


def _subnav_context(user) -> dict:
    return {
        "can_create": organizations_for_activities(user).exists(),
        "can_overview": user.has_perm("activities.view_overview"),
        # Joining activities needs a registry record (a district viewer only reads).
        "can_join": user.resident_id is not None or user.has_perm("activities.add_activity"),
    }


# --- the list and one activity ------------------------------------------------------------


@login_required
def activity_list_view(request):
    form = ActivityFilterForm(
        request.GET or None, organizations=organizations_visible_to(request.user).order_by("name")
    )
    activities = activity_list(request.user, **form.filters())
    page = Paginator(activities, 30).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, **_subnav_context(request.user)}
    return render_page(
        request, "activities/activity_list.html", "activities/_activity_rows.html", context
    )


def _signup_state(user, activity: Activity) -> dict:
    signup = my_signup(user, activity)
    problem = None
    if signup is None:
        problem = signups.signup_window_problem(activity)
        if problem is None and user.resident is not None:
            found = signups.eligibility_problem(activity=activity, resident=user.resident)
            problem = found[0] if found else None
        elif problem is None:
            problem = _("您的账户未关联居民信息，无法报名")
    return {
        "signup": signup,
        "position": waitlist_position(signup) if signup else None,
        "problem": problem,
    }


@login_required
def activity_detail(request, activity_id: int):
    activity = access_activity(request.user, activity_id)
    context = {
        "activity": activity,
        "counts": activity_counts(activity),
        "can_manage": request.user.has_perm("activities.manage_activity", activity),
        **_signup_state(request.user, activity),
    }
    return render_page(
        request, "activities/activity_detail.html", "activities/_signup_panel.html", context
    )


@login_required
def signup_view(request, activity_id: int):
    """One tap: 报名成功, or 已进入候补，第 N 位."""
    activity = access_activity(request.user, activity_id)
    if (refused := post_only(request)) is not None:
        return refused
    resident = request.user.resident
    if resident is None:
        messages.error(request, _("您的账户未关联居民信息，无法报名"))
        return redirect("activities:detail", activity_id=activity.pk)
    try:
        signup = signups.signup_create(actor=request.user, activity=activity, resident=resident)
    except signups.SignupError as exc:
        messages.error(request, str(exc))
    else:
        if signup.status == Signup.Status.WAITLISTED:
            position = waitlist_position(signup)
            messages.warning(request, _("已进入候补，第 %(n)s 位") % {"n": position})
        else:
            messages.success(request, _("报名成功"))
    return redirect("activities:detail", activity_id=activity.pk)


def _on_my_signup(request, activity_id: int, service, done: str):
    """POST: apply `service` to the user's own sign-up at the activity, then back to it."""
    activity = access_activity(request.user, activity_id)
    if (refused := post_only(request)) is not None:
        return refused
    signup = my_signup(request.user, activity)
    if signup is None:
        raise Http404
    try:
        service(actor=request.user, signup=signup)
    except signups.SignupError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("activities:detail", activity_id=activity.pk)


@login_required
def signup_cancel_view(request, activity_id: int):
    return _on_my_signup(request, activity_id, signups.signup_cancel, _("已取消报名"))


@login_required
def offer_accept_view(request, activity_id: int):
    return _on_my_signup(request, activity_id, signups.offer_accept, _("已确认，报名成功"))


@login_required
def my_activities_view(request):
    upcoming, past = my_activities(request.user)
    return render(
        request,
        "activities/mine.html",
        {"upcoming": upcoming, "past": past, **_subnav_context(request.user)},
    )


# --- creating and changing ------------------------------------------------------------------


def _creation_choices(user):
    organizations = list(organizations_for_activities(user).order_by("name"))
    if not organizations:
        raise Http404
    return organizations, list(room_list(user, include_inactive=False))


@login_required
def activity_create_view(request):
    organizations, rooms = _creation_choices(request.user)
    form = ActivityForm(request.POST or None, organizations=organizations, rooms=rooms)
    form.set_courses(courses_known(community_id=request.user.community_id))
    if request.method == "POST" and form.is_valid():
        organization = form.organizations[form.cleaned_data["organization"]]
        require(request.user, "activities.add_activity", organization)
        try:
            activity = services.activity_create(
                actor=request.user, organization=organization, **form.values()
            )
        except services.ActivityError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已创建活动 %(t)s") % {"t": activity.title})
            return redirect("activities:manage", activity_id=activity.pk)
    return render(
        request, "activities/activity_form.html", {"form": form, "heading": _("新建活动")}
    )


@login_required
def activity_edit_view(request, activity_id: int):
    activity = access_activity_for_manage(request.user, activity_id)
    rooms = list(room_list(request.user, include_inactive=False))
    if activity.room is not None and activity.room not in rooms:
        rooms.append(activity.room)  # paused since it was booked: it stays choosable here
    form = ActivityForm(
        request.POST or None,
        initial=ActivityForm.initial_from(activity),
        rooms=rooms,
        editing=True,
        project=activity.project_id,
    )
    form.set_courses(courses_known(community_id=activity.community_id))
    if request.method == "POST" and form.is_valid():
        changes = form.values()
        if "hours_credited" not in form.changed_data:
            # Left as it was: the hours follow a changed start or end, as through the API.
            changes.pop("hours_credited", None)
        try:
            activity = services.activity_update(actor=request.user, activity=activity, **changes)
        except services.ActivityError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已保存对活动 %(t)s 的修改") % {"t": activity.title})
            return redirect("activities:manage", activity_id=activity.pk)
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "activity": activity, "heading": _("修改活动")},
    )


@login_required
def activity_cancel_view(request, activity_id: int):
    activity = access_activity_for_manage(request.user, activity_id)
    if (refused := post_only(request)) is not None:
        return refused
    form = CancelForm(request.POST)
    form.is_valid()
    services.activity_cancel(
        actor=request.user, activity=activity, reason=form.cleaned_data.get("reason", "")
    )
    messages.success(request, _("活动已取消，已通知报名的人"))
    return redirect("activities:manage", activity_id=activity.pk)


# --- the organizer's management -------------------------------------------------------------


def _manage_context(request, activity: Activity) -> dict:
    return {
        "activity": activity,
        "counts": activity_counts(activity),
        "signups": signup_list(activity),
        "cancel_form": CancelForm(),
        "refresh": COUNTS_REFRESH_SECONDS,
        "now": timezone.now(),
        # When marking opens before the start, and how soon after the end the task that
        # closes check-outs (and makes their service records) comes round.
        "mark_from_hours": attendance_services.SCAN_MARGIN // dt.timedelta(hours=1),
        "close_minutes": attendance_services.CLOSE_EVERY_MINUTES,
    }


def _marked(signup: Signup, attendance, *, present: bool, now: dt.datetime) -> str:
    """What marking did, in words: 已记录 李四 到场, and whether it was before the start or
    closed the attendance with its service record."""
    activity = signup.activity
    name = signup.resident.name
    if not present:
        return _("已记录 %(name)s 缺席") % {"name": name}
    if now < activity.starts_at:
        start = timezone.localtime(activity.starts_at).strftime("%H:%M")
        return _("活动 %(time)s 开始，已提前记录 %(name)s 到场") % {"time": start, "name": name}
    if attendance.checked_out_at is not None:
        return _("已记录 %(name)s 到场，已签退并生成服务记录") % {"name": name}
    return _("已记录 %(name)s 到场") % {"name": name}


@login_required
def manage_view(request, activity_id: int):
    activity = access_activity_for_manage(request.user, activity_id)
    return render_page(
        request,
        "activities/manage.html",
        "activities/_live.html",
        _manage_context(request, activity),
    )


@login_required
def mark_view(request, activity_id: int, signup_id: int):
    activity = access_activity_for_manage(request.user, activity_id)
    signup = Signup.objects.filter(activity=activity, pk=signup_id).first()
    if signup is None:
        raise Http404
    if (refused := post_only(request)) is not None:
        return refused
    present = request.POST.get("present") == "1"
    now = timezone.now()
    try:
        attendance = attendance_services.attendance_mark(
            actor=request.user, signup=signup, present=present, now=now
        )
    except attendance_services.AttendanceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _marked(signup, attendance, present=present, now=now))
    if request.htmx:
        # The list again, saying in the row just marked what was done (or why not).
        context = _manage_context(request, activity)
        context.update(marked=signup.pk, notices=messages.get_messages(request))
        return render(request, "activities/_live.html", context)
    return redirect("activities:manage", activity_id=activity.pk)


@login_required
def signup_phone_view(request, activity_id: int, signup_id: int):
    """查看电话: the whole phone of one person on the list, for the organizer to call;
    the look is access-logged. POST only: a link followed ahead would log a look."""
    activity = access_activity_for_manage(request.user, activity_id)
    signup = (
        Signup.objects.filter(activity=activity, pk=signup_id).select_related("resident").first()
    )
    if signup is None:
        raise Http404
    if (refused := post_only(request)) is not None:
        return refused
    signup.activity = activity
    phone = signup_phone(request.user, signup)
    if request.htmx:
        signup.revealed_phone = phone
        context = {"activity": activity, "s": signup}
        return render(request, "activities/_signup_phone.html", context)
    context = _manage_context(request, activity)
    for row in context["signups"]:
        if row.pk == signup.pk:
            row.revealed_phone = phone
    return render(request, "activities/manage.html", context)


@login_required
def qr_view(request, activity_id: int):
    """The screen the organizer shows: a QR code that changes every 30 seconds."""
    activity = access_activity_for_manage(request.user, activity_id)
    token = attendance_services.qr_token(activity)
    url = request.build_absolute_uri(attendance_services.scan_path(activity, token))
    context = {
        "activity": activity,
        "svg": attendance_services.qr_svg(url),
        "scan_url": url,
        "counts": activity_counts(activity),
        "refresh": QR_REFRESH_SECONDS,
    }
    return render_page(request, "activities/qr.html", "activities/_qr_code.html", context)


@login_required
def scan_view(request):
    """Reached from the QR code: a signed-in volunteer is checked in or out."""
    try:
        activity_id = int(request.GET.get("a", ""))
    except ValueError:
        raise Http404 from None
    activity = access_activity(request.user, activity_id)
    context = {"activity": activity, "ok": False}
    try:
        attendance, action = attendance_services.attendance_scan(
            actor=request.user, activity=activity, token=request.GET.get("t", "")
        )
    except attendance_services.AttendanceError as exc:
        context["message"] = str(exc)
    else:
        context.update(ok=True, action=action, attendance=attendance)
        context["message"] = {
            "in": _("签到成功"),
            "out": _("签退成功"),
            "already_in": _("您已签到，活动结束时请再扫码签退"),
        }[action]
    return render(request, "activities/scan.html", context)


# --- series and drives -------------------------------------------------------------------


@login_required
def series_create_view(request):
    organizations, rooms = _creation_choices(request.user)
    form = SeriesForm(request.POST or None, organizations=organizations, rooms=rooms)
    form.set_courses(courses_known(community_id=request.user.community_id))
    if request.method == "POST" and form.is_valid():
        organization = form.organizations[form.cleaned_data["organization"]]
        require(request.user, "activities.add_activity", organization)
        try:
            series = series_create(actor=request.user, organization=organization, **form.values())
        except services.ActivityError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已创建固定活动，生成了 %(n)s 次") % {"n": series.occurrences.count()},
            )
            return redirect("activities:series_detail", series_id=series.pk)
    return render(request, "activities/series_form.html", {"form": form})


@login_required
def series_detail_view(request, series_id: int):
    series = access_series(request.user, series_id)
    attribution_form = AttributionForm(current=series.project_id)
    if request.method == "POST" and "project" in request.POST:
        attribution_form = AttributionForm(request.POST, current=series.project_id)
        if attribution_form.is_valid():
            try:
                series_attribute(
                    actor=request.user,
                    series=series,
                    project=attribution_form.cleaned_data["project"],
                )
            except services.ActivityError as exc:
                apply_service_error(attribution_form, exc)
            else:
                messages.success(request, _("已保存所属公益项目"))
                return redirect("activities:series_detail", series_id=series.pk)
    elif request.method == "POST":
        count = series_end(actor=request.user, series=series)
        messages.success(request, _("已停止，取消了之后的 %(n)s 次") % {"n": count})
        return redirect("activities:series_detail", series_id=series.pk)
    occurrences = list(series.occurrences.select_related("room").order_by("starts_at", "id"))
    return render(
        request,
        "activities/series_detail.html",
        {
            "series": series,
            "occurrences": occurrences,
            "skipped": skipped_to_arrange(series),
            "now": timezone.now(),
            "attribution_form": attribution_form,
        },
    )


@login_required
def series_skipped_view(request, series_id: int, skipped_id: int):
    """One occurrence the daily run could not make (its room was taken): the activity form,
    filled with the series' values, to arrange it in another room or at another time."""
    skipped = access_skipped_occurrence(request.user, series_id, skipped_id)
    series = skipped.series
    require(request.user, "activities.add_activity", series.organization)
    if skipped.activity is not None:
        messages.info(request, _("这一次已经另行安排过了"))
        return redirect("activities:manage", activity_id=skipped.activity.pk)
    rooms = list(room_list(request.user, include_inactive=False))
    initial = skipped_initial(skipped, series=series)
    form = ActivityForm(request.POST or None, initial=initial, rooms=rooms, editing=True)
    del form.fields["project"]  # an occurrence counts in its series' project
    form.set_courses(courses_known(community_id=series.community_id))
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if "hours_credited" not in form.changed_data and values[
            "hours_credited"
        ] == services.duration_hours(skipped.starts_at, skipped.ends_at):
            values.pop("hours_credited")  # it followed the length: it follows a new one
        try:
            activity = series_occurrence_arrange(actor=request.user, skipped=skipped, **values)
        except services.ActivityError as exc:
            apply_service_error(form, exc)
        else:
            when = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
            messages.success(
                request, _("已安排 %(t)s %(d)s 这一次") % {"t": activity.title, "d": when}
            )
            return redirect("activities:manage", activity_id=activity.pk)
    return render(
        request,
        "activities/activity_form.html",
        {
            "form": form,
            "series": series,
            "skipped": skipped,
            "skipped_reason": skipped_reason(skipped),
            "heading": _("另行安排这一次"),
        },
    )


@login_required
def series_list_view(request):
    if not organizations_for_activities(request.user).exists():
        raise Http404
    return render(
        request,
        "activities/series_list.html",
        {
            "series_list": series_of(request.user),
            "drives": drives_visible_to(request.user)[:50],
            **_subnav_context(request.user),
        },
    )


@login_required
def drive_create_view(request):
    organizations, _rooms = _creation_choices(request.user)
    form = DriveForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        organization = form.organizations[form.cleaned_data["organization"]]
        require(request.user, "activities.add_activity", organization)
        try:
            drive = drive_create(
                actor=request.user,
                organization=organization,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                project=form.cleaned_data["project"],
            )
        except services.ActivityError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已创建，请添加班次"))
            return redirect("activities:drive_detail", drive_id=drive.pk)
    return render(request, "activities/drive_form.html", {"form": form})


@login_required
def drive_detail_view(request, drive_id: int):
    drive = access_drive(request.user, drive_id)
    can_manage = request.user.has_perm("activities.add_activity", drive.organization)
    form = attribution_form = None
    attributing = request.method == "POST" and "project" in request.POST
    if can_manage:
        form = ShiftsForm(None if attributing else request.POST or None)
        attribution_form = AttributionForm(
            request.POST if attributing else None, current=drive.project_id
        )
    if attributing:
        drive = access_drive_for_manage(request.user, drive_id)
        if attribution_form.is_valid():
            try:
                drive_attribute(
                    actor=request.user,
                    drive=drive,
                    project=attribution_form.cleaned_data["project"],
                )
            except services.ActivityError as exc:
                apply_service_error(attribution_form, exc)
            else:
                messages.success(request, _("已保存所属公益项目"))
                return redirect("activities:drive_detail", drive_id=drive.pk)
    elif request.method == "POST":
        drive = access_drive_for_manage(request.user, drive_id)
        if form.is_valid():
            try:
                shifts = shifts_create(actor=request.user, drive=drive, **form.values())
            except services.ActivityError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("已添加 %(n)s 个班次") % {"n": len(shifts)})
                return redirect("activities:drive_detail", drive_id=drive.pk)
    shifts = list(
        drive.shifts.exclude(status=Activity.Status.DRAFT).order_by("starts_at", "id")
        if not can_manage
        else drive.shifts.order_by("starts_at", "id")
    )
    totals = {
        "places": sum(s.places or 0 for s in shifts),
        "taken": sum(s.places_taken for s in shifts),
    }
    return render(
        request,
        "activities/drive_detail.html",
        {
            "drive": drive,
            "shifts": shifts,
            "form": form,
            "attribution_form": attribution_form,
            "can_manage": can_manage,
            "totals": totals,
        },
    )


# --- the coordinator's overview --------------------------------------------------------------


@login_required
def overview_view(request):
    require(request.user, "activities.view_overview")
    form = MonthForm(request.GET or None)
    month = timezone.localdate().replace(day=1)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("month"):
        month = form.cleaned_data["month"]
    rows = overview_by_organization(month)
    totals = {
        key: sum(getattr(r, key) for r in rows)
        for key in ("activity_count", "confirmed", "waitlisted", "attended", "no_show")
    }
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "activities/overview.html",
        {
            "rows": rows,
            "totals": totals,
            "month": month,
            "previous": previous,
            "following": following,
            **_subnav_context(request.user),
        },
    )


# --- the calendar -----------------------------------------------------------------------


@login_required
def calendar_view(request):
    """Every room's bookings and activities, and activities held elsewhere, by week or month."""
    require(request.user, "venues.view_calendar")
    view = request.GET.get("view") if request.GET.get("view") in ("week", "month") else "week"
    cal = calendar_for(request.user, view=view, anchor=day_from_link(request.GET.get("date")))
    context = {"cal": cal, "can_book": may_book(request.user)}
    return render_page(request, "activities/calendar.html", "activities/_calendar.html", context)
