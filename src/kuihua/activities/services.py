"""Every write to one activity: create, change, cancel; the rules they share.

Recurring series are series.py (their rule text recurrence.py), drives and their
shifts drives.py, sign-ups the `signups` package, attendance attendance.py: each
builds on the activities made here. Views and the API check permissions
(`activities.add_activity` on the organization, `activities.manage_activity` on
the activity) and then call these services.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.activities.models import Activity, Drive, Series, Signup
from kuihua.activities.reminders import reminders_forget
from kuihua.core.attribution import resolve_project
from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.notifications.services import notify, recipients_language

logger = logging.getLogger("kuihua.activities")

MAX_TITLE = 200
MAX_COURSE = 100  # TrainingRecord.course and Activity.required_training
MAX_HOURS = Decimal("999.99")

# The fields an organizer may change on one activity.
CHANGEABLE = {
    "title",
    "description",
    "room",
    "address",
    "starts_at",
    "ends_at",
    "places",
    "signup_opens_at",
    "signup_closes_at",
    "audience",
    "min_age",
    "max_age",
    "required_skill",
    "required_training",
    "hours_credited",
    "confirm_within_hours",
    "status",
}


class ActivityError(ApplicationError):
    """A broken rule of activities, series or drives; `field` names the input at fault."""


# --- helpers ---------------------------------------------------------------------------


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def _when(value: dt.datetime) -> str:
    return _local(value).strftime("%Y-%m-%d %H:%M")


def duration_hours(starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    seconds = Decimal(int((ends_at - starts_at).total_seconds()))
    return min((seconds / Decimal(3600)).quantize(Decimal("0.01")), MAX_HOURS)


def _as_decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ActivityError(_("格式不正确"), field=field) from None
    if not number.is_finite():
        raise ActivityError(_("格式不正确"), field=field)
    return number


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check an activity's values as a whole (after a change, the merged values)."""
    title = (values.get("title") or "").strip()
    if not title:
        raise ActivityError(_("请填写活动名称"), field="title")
    if len(title) > MAX_TITLE:
        raise ActivityError(_("内容太长"), field="title")
    values["title"] = title
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at is None or ends_at is None:
        raise ActivityError(_("请填写开始和结束时间"), field="starts_at")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ActivityError(_("时间须带时区"), field="starts_at")
    if ends_at <= starts_at:
        raise ActivityError(_("结束时间须晚于开始时间"), field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=31):
        raise ActivityError(_("一次活动不能超过31天"), field="ends_at")
    places = values.get("places")
    if places is not None and places < 1:
        raise ActivityError(_("名额至少为1，不限名额请留空"), field="places")
    hours = values.get("hours_credited")
    hours = (
        duration_hours(starts_at, ends_at) if hours in (None, "") else _as_decimal(hours, "hours")
    )
    if hours < 0 or hours > MAX_HOURS:
        raise ActivityError(_("数值超出范围"), field="hours_credited")
    if hours > duration_hours(starts_at, ends_at):
        raise ActivityError(_("计入的服务时长不能超过活动时长"), field="hours_credited")
    values["hours_credited"] = hours.quantize(Decimal("0.01"))
    opens, closes = values.get("signup_opens_at"), values.get("signup_closes_at")
    if opens and closes and closes <= opens:
        raise ActivityError(_("报名截止须晚于报名开始"), field="signup_closes_at")
    if closes and closes > ends_at:
        raise ActivityError(_("报名截止不能晚于活动结束"), field="signup_closes_at")
    if values.get("audience") not in Activity.Audience.values:
        raise ActivityError(_("不是允许的取值"), field="audience")
    low, high = values.get("min_age"), values.get("max_age")
    if low is not None and high is not None and high < low:
        raise ActivityError(_("最大年龄不能小于最小年龄"), field="max_age")
    if not values.get("room") and not (values.get("address") or "").strip():
        raise ActivityError(_("请选择活动室或填写地点"), field="address")
    if "required_training" in values:
        course = (values.get("required_training") or "").strip()
        if len(course) > MAX_COURSE:
            raise ActivityError(_("内容太长"), field="required_training")
        values["required_training"] = course
    return values


def reattribute(activities, *, old_id: int | None, new) -> int:
    """Move to project `new` the activities among `activities` that counted in `old_id`
    (those that followed their series or drive), with their service records that
    followed them; the number of activities moved. The caller audits."""
    from kuihua.service_records.models import ServiceRecord

    following = activities.filter(project_id=old_id)
    ids = list(following.values_list("pk", flat=True))
    new_id = getattr(new, "pk", new)
    Activity.objects.filter(pk__in=ids).update(project_id=new_id)
    ServiceRecord.objects.filter(activity_id__in=ids, project_id=old_id).update(project_id=new_id)
    return len(ids)


def _values_of(activity: Activity) -> dict[str, Any]:
    return {name: getattr(activity, name) for name in CHANGEABLE}


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, dt.datetime | dt.date | Decimal):
            value = str(value)
        out[key] = value
    return out


def _book(*, actor, activity: Activity) -> None:
    """Hold the activity's room for its time (venues decides clashes)."""
    if activity.room_id is None:
        return
    from kuihua.venues.services import BookingClash, BookingError, booking_create

    try:
        activity.booking = booking_create(
            actor=actor,
            room=activity.room,
            organization=activity.organization,
            title=activity.title,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
        )
    except BookingClash as exc:
        raise ActivityError(str(exc), field="room") from exc
    except BookingError as exc:
        field = getattr(exc, "field", None)
        raise ActivityError(
            str(exc), field="room" if field in (None, "room", "title") else field
        ) from exc


def _release(*, actor, activity: Activity) -> None:
    """Give the room back (the booking row stays, cancelled, for the calendar's history)."""
    from kuihua.venues.services import booking_cancel

    booking = activity.booking
    if booking is None:
        return
    # The room may have been given back from the calendar already.
    if booking.cancelled_at is None:
        booking_cancel(actor=actor, booking=booking, by_activity=True)
    activity.booking = None


def _live_signups(activity: Activity):
    return (
        Signup.objects.filter(activity=activity)
        .exclude(status=Signup.Status.CANCELLED)
        .select_related("resident__account")
    )


def _tell_signed_up(activity: Activity, *, kind: str, title: str, body: str) -> None:
    link = reverse("activities:detail", kwargs={"activity_id": activity.pk})
    for signup in _live_signups(activity):
        account = getattr(signup.resident, "account", None)
        if account is not None:
            notify(recipient=account, kind=kind, title=title, body=body, link=link)


# --- activities ------------------------------------------------------------------------


@transaction.atomic
def activity_create(
    *,
    actor,
    organization,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    hours_credited: Decimal | None = None,
    places: int | None = None,
    description: str = "",
    room=None,
    address: str = "",
    signup_opens_at: dt.datetime | None = None,
    signup_closes_at: dt.datetime | None = None,
    audience: str = Activity.Audience.VOLUNTEERS,
    min_age: int | None = None,
    max_age: int | None = None,
    required_skill: str = "",
    required_training: str = "",
    confirm_within_hours: int | None = None,
    status: str = Activity.Status.PUBLISHED,
    series: Series | None = None,
    drive: Drive | None = None,
    project=None,
) -> Activity:
    """Create an activity (or a shift of a drive, an occurrence of a series); book its room.

    An occurrence of a series and a shift of a drive count in the project of their
    series or drive (`project` is not asked); an activity of its own in `project`,
    one of the community's open projects (docs/person-time.md).
    """
    values = _clean(
        {
            "title": title,
            "description": description or "",
            "room": room,
            "address": (address or "").strip(),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "places": places,
            "signup_opens_at": signup_opens_at,
            "signup_closes_at": signup_closes_at,
            "audience": audience,
            "min_age": min_age,
            "max_age": max_age,
            "required_skill": (required_skill or "").strip(),
            "required_training": required_training,
            "hours_credited": hours_credited,
            "confirm_within_hours": confirm_within_hours,
            "status": status,
        }
    )
    if status not in (Activity.Status.DRAFT, Activity.Status.PUBLISHED):
        raise ActivityError(_("不是允许的取值"), field="status")
    parent = series or drive
    if parent is not None:
        project_id = parent.project_id
    else:
        project = resolve_project(
            project, community_id=organization.community_id, error=ActivityError
        )
        project_id = project.pk if project else None
    activity = Activity(
        community_id=organization.community_id,
        organization=organization,
        series=series,
        drive=drive,
        project_id=project_id,
        created_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )
    _book(actor=actor, activity=activity)
    activity.save()
    audit(
        actor=actor,
        community_id=activity.community_id,
        action="activity.create",
        obj=activity,
        new={**_audit_values(values), "project": project_id},
    )
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, **changes: Any) -> Activity:
    """Change one activity (one occurrence of a series alone). Places never drop below taken.

    `project` moves it, with the service records that followed it, to another project.
    """
    unknown = set(changes) - CHANGEABLE - {"project"}
    if unknown:
        raise ActivityError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("booking")
        .get(pk=activity.pk)
    )
    if activity.status == Activity.Status.CANCELLED:
        raise ActivityError(_("活动已取消，不能修改"))
    if changes.get("status") == Activity.Status.CANCELLED:
        raise ActivityError(_("请使用“取消活动”"), field="status")
    moving = "project" in changes
    project = changes.pop("project", None)
    if moving:
        project = resolve_project(
            project,
            community_id=activity.community_id,
            current=activity.project_id,
            error=ActivityError,
        )
    old = _values_of(activity)
    # Hours that followed the length keep following it.
    if (
        {"starts_at", "ends_at"} & set(changes)
        and "hours_credited" not in changes
        and old["hours_credited"] == duration_hours(old["starts_at"], old["ends_at"])
    ):
        changes["hours_credited"] = None
    merged = _clean({**old, **changes})
    changed = {k: v for k, v in merged.items() if v != old[k]}
    new_project_id = project.pk if project else None
    if moving and new_project_id != activity.project_id:
        old["project"] = activity.project_id
        reattribute(
            Activity.objects.filter(pk=activity.pk), old_id=activity.project_id, new=project
        )
        activity.project = project
        changed["project"] = new_project_id
    if not changed:
        return activity
    if changed.get("status") == Activity.Status.DRAFT and _live_signups(activity).exists():
        # A draft is hidden from those signed up, and they would not be told.
        raise ActivityError(
            _("已有人报名，不能改回草稿；如不再举办，请取消活动（报名的人会收到通知）"),
            field="status",
        )
    if changed.get("places") is not None and changed["places"] < activity.places_taken:
        raise ActivityError(
            _("已有 %(n)s 人报名，名额不能少于此数") % {"n": activity.places_taken},
            field="places",
        )
    moved = {"room", "starts_at", "ends_at"} & set(changed)
    for key, value in changed.items():
        if key != "project":
            setattr(activity, key, value)
    if "places" in changed:
        # More places open it again (the waitlist may fill them, at a new moment);
        # as many places as are taken fills it now.
        full = activity.places is not None and activity.places_taken >= activity.places
        activity.filled_at = (activity.filled_at or timezone.now()) if full else None
    if moved:
        _release(actor=actor, activity=activity)
        _book(actor=actor, activity=activity)
    activity.save()
    audit(
        actor=actor,
        community_id=activity.community_id,
        action="activity.update",
        obj=activity,
        old=_audit_values({k: old[k] for k in changed}),
        new=_audit_values(changed),
    )
    if "starts_at" in changed:
        reminders_forget(activity_id=activity.pk)
    if {"starts_at", "ends_at", "room", "address"} & set(changed):
        with recipients_language():
            _tell_signed_up(
                activity,
                kind="activity_changed",
                title=_("活动时间或地点有变：%(t)s") % {"t": activity.title},
                body=_("新的时间：%(w)s，地点：%(p)s")
                % {"w": _when(activity.starts_at), "p": activity.room or activity.address},
            )
    # More places: the waitlist moves up (the sign-up service decides who).
    if "places" in changed and (old["places"] is not None):
        grown = changed["places"] is None or changed["places"] > old["places"]
        if grown:
            _promote_after_growth(actor=actor, activity=activity)
    return activity


def _promote_after_growth(*, actor, activity: Activity) -> None:
    from kuihua.activities.signups.services import waitlist_promote  # signups imports this module

    waitlist_promote(actor=actor, activity=activity)


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, reason: str = "") -> Activity:
    """Cancel an activity: the room is given back and everyone signed up is told."""
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("booking")
        .get(pk=activity.pk)
    )
    if activity.status == Activity.Status.CANCELLED:
        return activity
    old_status = activity.status
    activity.status = Activity.Status.CANCELLED
    _release(actor=actor, activity=activity)
    activity.save(update_fields=["status", "booking"])
    audit(
        actor=actor,
        community_id=activity.community_id,
        action="activity.cancel",
        obj=activity,
        old={"status": old_status},
        new={"status": activity.status, "reason": reason[:200]},
    )
    with recipients_language():
        _tell_signed_up(
            activity,
            kind="activity_cancelled",
            title=_("活动已取消：%(t)s") % {"t": activity.title},
            body=_("原定 %(w)s 的活动已取消。%(r)s")
            % {"w": _when(activity.starts_at), "r": reason},
        )
    return activity


def places_left(activity: Activity) -> int | None:
    """Free places now (None: unlimited)."""
    if activity.places is None:
        return None
    return max(activity.places - activity.places_taken, 0)
