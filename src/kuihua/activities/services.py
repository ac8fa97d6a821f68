"""Every write to activities, recurring series and drives with their shifts.

Sign-ups live in the `kuihua.activities.signups` package, attendance in
`kuihua.activities.attendance`. Views and the API check permissions
(`activities.add_activity` on the organization, `activities.manage_activity`
on the activity) and then call these services.

A series keeps its recurrence in `Series.rule` as RFC 5545 lines in local time
(Asia/Shanghai), for example::

    DTSTART:20261202T190000
    DURATION:PT120M
    RRULE:FREQ=WEEKLY;BYDAY=WE
    X-WORKDAYS-ONLY:TRUE

Occurrences are generated ahead (`SERIES_WEEKS_AHEAD`) as ordinary activities,
each changeable on its own; a daily task (`tasks.series_extend`) keeps the
horizon ahead. New occurrences copy the latest one, so a change made to "this
and all later" occurrences (`series_update`) carries forward.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil import rrule as dateutil_rrule
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.activities.models import Activity, Drive, Series, Signup
from kuihua.activities.reminders import reminders_forget
from kuihua.core.audit import audit
from kuihua.core.dates import monthly_day_problem
from kuihua.core.errors import ApplicationError
from kuihua.notifications.services import notify, recipients_language

logger = logging.getLogger("kuihua.activities")

SERIES_WEEKS_AHEAD = 8
MAX_TITLE = 200
MAX_COURSE = 100  # TrainingRecord.course and Activity.required_training
MAX_HOURS = Decimal("999.99")
MAX_OCCURRENCES_PER_RUN = 400
FREQUENCIES = {
    "daily": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "monthly": "FREQ=MONTHLY",
}
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

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
# What an occurrence copies from the one before it.
TEMPLATE_FIELDS = (
    "organization_id",
    "title",
    "description",
    "room_id",
    "address",
    "places",
    "audience",
    "min_age",
    "max_age",
    "required_skill",
    "required_training",
    "hours_credited",
    "confirm_within_hours",
)


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
) -> Activity:
    """Create an activity (or a shift of a drive, an occurrence of a series); book its room."""
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
    activity = Activity(
        community_id=organization.community_id,
        organization=organization,
        series=series,
        drive=drive,
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
        new=_audit_values(values),
    )
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, **changes: Any) -> Activity:
    """Change one activity (one occurrence of a series alone). Places never drop below taken."""
    unknown = set(changes) - CHANGEABLE
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
        setattr(activity, key, value)
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


# --- recurring series ------------------------------------------------------------------


def build_rule(
    *,
    first_starts_at: dt.datetime,
    duration: dt.timedelta,
    frequency: str,
    weekdays: list[int] | None = None,
    interval: int = 1,
    working_days_only: bool = False,
) -> str:
    """The `Series.rule` text for a simple recurrence (weekdays 0 = Monday)."""
    if frequency == "monthly" and (problem := monthly_day_problem(_local(first_starts_at).day)):
        raise ActivityError(problem, field="rule")
    if frequency in FREQUENCIES:
        parts = [FREQUENCIES[frequency]]
        if interval and interval > 1:
            parts.append(f"INTERVAL={int(interval)}")
        if weekdays and frequency == "weekly":
            parts.append("BYDAY=" + ",".join(WEEKDAY_CODES[d] for d in sorted(set(weekdays))))
        recurrence = ";".join(parts)
    else:
        recurrence = frequency
    return compose_rule(
        first_starts_at=first_starts_at,
        duration=duration,
        rrule=recurrence,
        working_days_only=working_days_only,
    )


def compose_rule(
    *,
    first_starts_at: dt.datetime,
    duration: dt.timedelta,
    rrule: str,
    working_days_only: bool = False,
) -> str:
    text = (rrule or "").strip().removeprefix("RRULE:")
    if not text or "\n" in text or "UNTIL=" in text.upper() or "COUNT=" in text.upper():
        raise ActivityError(_("无法识别的重复规则"), field="rule")
    minutes = int(duration.total_seconds() // 60)
    if minutes <= 0:
        raise ActivityError(_("结束时间须晚于开始时间"), field="ends_at")
    lines = [
        f"DTSTART:{_local(first_starts_at):%Y%m%dT%H%M%S}",
        f"DURATION:PT{minutes}M",
        f"RRULE:{text}",
    ]
    if working_days_only:
        lines.append("X-WORKDAYS-ONLY:TRUE")
    rule = "\n".join(lines)
    if len(rule) > 200:
        raise ActivityError(_("重复规则太长"), field="rule")
    parse_rule(rule)  # raises ActivityError if dateutil cannot read it
    return rule


def parse_rule(rule: str) -> tuple[dateutil_rrule.rrule, dt.timedelta, bool]:
    """(recurrence over naive local datetimes, duration, working days only)."""
    fields = {}
    for line in rule.splitlines():
        name, _sep, value = line.partition(":")
        fields[name.strip().upper()] = value.strip()
    try:
        start = dt.datetime.strptime(fields["DTSTART"], "%Y%m%dT%H%M%S")
        match = re.fullmatch(r"PT(\d+)M", fields["DURATION"])
        duration = dt.timedelta(minutes=int(match.group(1)))  # type: ignore[union-attr]
        recurrence = dateutil_rrule.rrulestr(fields["RRULE"], dtstart=start, forceset=False)
    except (KeyError, ValueError, TypeError, AttributeError):
        raise ActivityError(_("无法识别的重复规则"), field="rule") from None
    return recurrence, duration, fields.get("X-WORKDAYS-ONLY", "").upper() == "TRUE"


def is_working_day(day: dt.date) -> bool:
    """China's official working days (make-up Saturdays count, holidays do not)."""
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # The calendar's data ends with the last announced year: Monday–Friday after that.
        return day.weekday() < 5


def _horizon(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(weeks=SERIES_WEEKS_AHEAD)


def series_dates(series: Series, *, after: dt.date | None, until: dt.date) -> list[dt.datetime]:
    """Local naive start times of the occurrences on days in (after, until]."""
    recurrence, _duration, workdays = parse_rule(series.rule)
    end = dt.datetime.combine(until, dt.time.max)
    found = []
    for moment in recurrence.xafter(recurrence._dtstart, inc=True):
        if moment > end:
            break
        if after is not None and moment.date() <= after:
            continue
        if workdays and not is_working_day(moment.date()):
            continue
        found.append(moment)
        if len(found) >= MAX_OCCURRENCES_PER_RUN:
            break
    return found


@transaction.atomic
def series_create(
    *,
    actor,
    organization,
    title: str,
    first_starts_at: dt.datetime,
    first_ends_at: dt.datetime,
    rule: str = "weekly",
    weekdays: list[int] | None = None,
    interval: int = 1,
    working_days_only: bool = False,
    until: dt.date | None = None,
    **template: Any,
) -> Series:
    """A recurring activity; its occurrences up to `until` (default 8 weeks ahead) are created.

    `rule` is "daily", "weekly" (with `weekdays`, 0 = Monday) or "monthly", or an RFC 5545
    RRULE such as `FREQ=WEEKLY;BYDAY=TU,FR` or `FREQ=MONTHLY;BYDAY=+2SA`. `template`
    takes the other fields of `activity_create` (places, address, room, hours_credited …).
    """
    unknown = set(template) - CHANGEABLE
    if unknown:
        raise ActivityError(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    # Check the first occurrence's values the way activity_create will.
    _clean(
        {
            "title": title,
            "starts_at": first_starts_at,
            "ends_at": first_ends_at,
            "audience": template.get("audience", Activity.Audience.VOLUNTEERS),
            **{k: v for k, v in template.items() if k != "audience"},
        }
    )
    text = build_rule(
        first_starts_at=first_starts_at,
        duration=first_ends_at - first_starts_at,
        frequency=rule,
        weekdays=weekdays,
        interval=interval,
        working_days_only=working_days_only,
    )
    template = {"title": title, **template}
    closes = template.pop("signup_closes_at", None)
    template.pop("signup_opens_at", None)
    if closes is not None:
        # Each occurrence closes as long before its end as the first one does.
        template["close_before"] = max(first_ends_at - closes, dt.timedelta(0))
    series = Series.objects.create(
        community_id=organization.community_id,
        organization=organization,
        title=title.strip(),
        rule=text,
        template=_template_json(template),
    )
    audit(
        actor=actor,
        community_id=series.community_id,
        action="series.create",
        obj=series,
        new={"title": series.title, "rule": text},
    )
    created = _generate(
        actor=actor, series=series, until=until or _horizon(), template=template, strict=True
    )
    if not created:
        raise ActivityError(_("按该规则没有任何一次"), field="rule")
    return series


def _template_json(values: dict[str, Any]) -> dict[str, Any]:
    """The template fields among `values` (activity_create's names), as JSON."""
    stored: dict[str, Any] = {}
    for name in TEMPLATE_FIELDS:
        key = name.removesuffix("_id")
        if key == "organization" or key not in values:
            continue
        value = values[key]
        if key == "room":
            stored["room_id"] = getattr(value, "pk", value)
        else:
            stored[key] = str(value) if isinstance(value, Decimal) else value
    if values.get("close_before") is not None:
        stored["close_before_seconds"] = int(values["close_before"].total_seconds())
    return stored


def _template_from(series: Series) -> dict[str, Any] | None:
    """What the next occurrence is made of: the series' own template; for a series
    made before it kept one, its latest occurrence."""
    if series.template:
        from kuihua.venues.models import Room

        values = dict(series.template)
        room_id = values.pop("room_id", None)
        values["room"] = Room.objects.filter(pk=room_id).first() if room_id else None
        if values.get("hours_credited") is not None:
            values["hours_credited"] = Decimal(values["hours_credited"])
        seconds = values.pop("close_before_seconds", None)
        if seconds is not None:
            values["close_before"] = dt.timedelta(seconds=seconds)
        values["organization"] = series.organization
        return values
    latest = (
        Activity.objects.filter(series=series)
        .exclude(status=Activity.Status.CANCELLED)
        .order_by("-starts_at", "-id")
        .first()
    )
    if latest is None:
        latest = Activity.objects.filter(series=series).order_by("-starts_at", "-id").first()
    if latest is None:
        return None
    values = {name.removesuffix("_id"): getattr(latest, name) for name in TEMPLATE_FIELDS}
    values["room"] = latest.room
    values["organization"] = latest.organization
    if latest.signup_closes_at is not None:
        values["close_before"] = latest.ends_at - latest.signup_closes_at
    return values


def _generate(
    *, actor, series: Series, until: dt.date, template: dict[str, Any], strict: bool
) -> list[Activity]:
    _recurrence, duration, _workdays = parse_rule(series.rule)
    template = dict(template)
    template.pop("organization", None)
    template.pop("starts_at", None)
    template.pop("ends_at", None)
    template.pop("signup_opens_at", None)
    close_before = template.pop("close_before", None)
    if template.pop("signup_closes_at", None) is not None and close_before is None:
        close_before = dt.timedelta(0)
    tz = timezone.get_current_timezone()
    created = []
    moments = series_dates(series, after=series.generated_until, until=until)
    if len(moments) >= MAX_OCCURRENCES_PER_RUN:
        # Capped: generated up to the last one made; the daily task goes on from there.
        until = moments[-1].date()
    for moment in moments:
        starts_at = timezone.make_aware(moment, tz)
        ends_at = starts_at + duration
        closes = ends_at - close_before if close_before is not None else None
        try:
            with transaction.atomic():
                created.append(
                    activity_create(
                        actor=actor,
                        organization=series.organization,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        signup_closes_at=closes,
                        series=series,
                        **template,
                    )
                )
        except ActivityError as exc:
            if strict:
                raise ActivityError(
                    _("%(d)s 这一次无法安排：%(e)s") % {"d": f"{moment:%Y-%m-%d}", "e": exc},
                    field=exc.field,
                ) from exc
            logger.info("series %s: occurrence %s skipped (%s)", series.pk, moment, exc.field)
    Series.objects.filter(pk=series.pk).update(generated_until=until)
    series.generated_until = until
    return created


@transaction.atomic
def series_generate(*, actor=None, series: Series, until: dt.date | None = None) -> list[Activity]:
    """Create the occurrences not yet generated, up to `until` (default 8 weeks ahead).

    Runs daily for every series; an occurrence whose room is taken is skipped and logged.
    """
    series = (
        Series.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=series.pk)
    )
    until = until or _horizon()
    if series.generated_until is not None and series.generated_until >= until:
        return []
    template = _template_from(series)
    if template is None:
        return []
    return _generate(actor=actor, series=series, until=until, template=template, strict=False)


@transaction.atomic
def series_update(
    *, actor, series: Series, starting: dt.datetime | None = None, **changes: Any
) -> list[Activity]:
    """Change this and every later occurrence (from `starting`, default now) alike.

    Times of day are not changed here; move one occurrence with `activity_update`.
    """
    allowed = CHANGEABLE - {"starts_at", "ends_at", "signup_opens_at", "signup_closes_at"}
    unknown = set(changes) - allowed
    if unknown:
        raise ActivityError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    starting = starting or timezone.now()
    changed = []
    for activity in (
        Activity.objects.filter(series=series, starts_at__gte=starting)
        .exclude(status=Activity.Status.CANCELLED)
        .order_by("starts_at", "id")
    ):
        changed.append(activity_update(actor=actor, activity=activity, **changes))
    if "title" in changes:
        series.title = changes["title"].strip()
    if series.template:
        series.template = {**series.template, **_template_json(changes)}
    series.save(update_fields=["title", "template"])
    return changed


@transaction.atomic
def series_end(*, actor, series: Series, after: dt.datetime | None = None) -> int:
    """Stop a series: later occurrences are cancelled (people told) and no more are made."""
    after = after or timezone.now()
    count = 0
    for activity in Activity.objects.filter(series=series, starts_at__gte=after).exclude(
        status=Activity.Status.CANCELLED
    ):
        activity_cancel(actor=actor, activity=activity, reason=_("固定活动已停止"))
        count += 1
    Series.objects.filter(pk=series.pk).update(generated_until=dt.date.max)
    audit(
        actor=actor,
        community_id=series.community_id,
        action="series.end",
        obj=series,
        new={"cancelled": count},
    )
    return count


def series_extend_all(*, today: dt.date | None = None) -> int:
    """For the daily task: keep every community's series generated 8 weeks ahead."""
    from kuihua.core.tenancy import sweep_every_community, use_community

    until = _horizon(today)
    with sweep_every_community():
        pending = list(
            Series.objects.exclude(generated_until__gte=until).values_list("pk", "community_id")
        )
    created = 0
    for series_id, community_id in pending:
        with use_community(community_id):
            series = Series.objects.get(pk=series_id)
            created += len(series_generate(series=series, until=until))
    return created


# --- drives and shifts -----------------------------------------------------------------


@transaction.atomic
def drive_create(*, actor, organization, title: str, description: str = "") -> Drive:
    """A recruitment drive (a month-long clean-up): its shifts are activities."""
    title = (title or "").strip()
    if not title:
        raise ActivityError(_("请填写名称"), field="title")
    if len(title) > MAX_TITLE:
        raise ActivityError(_("内容太长"), field="title")
    drive = Drive.objects.create(
        community_id=organization.community_id,
        organization=organization,
        title=title,
        description=description or "",
    )
    audit(
        actor=actor,
        community_id=drive.community_id,
        action="drive.create",
        obj=drive,
        new={"title": title},
    )
    return drive


@transaction.atomic
def shift_create(
    *,
    actor,
    drive: Drive,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    places: int | None,
    title: str = "",
    **fields: Any,
) -> Activity:
    """One shift of a drive (an activity of its own, with its own places)."""
    if not title:
        local = _local(starts_at)
        title = f"{drive.title} {local:%m-%d %H:%M}"
    fields.setdefault("description", drive.description)
    return activity_create(
        actor=actor,
        organization=drive.organization,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        places=places,
        drive=drive,
        **fields,
    )


@transaction.atomic
def shifts_create(
    *,
    actor,
    drive: Drive,
    first_day: dt.date,
    last_day: dt.date,
    times: list[tuple[dt.time, dt.time]],
    places: int,
    weekdays: list[int] | None = None,
    **fields: Any,
) -> list[Activity]:
    """Shifts for each day (optionally only some weekdays) and each (start, end) time."""
    if last_day < first_day:
        raise ActivityError(_("结束日期不能早于开始日期"), field="last_day")
    if (last_day - first_day).days > 92:
        raise ActivityError(_("一次最多安排92天"), field="last_day")
    if not times:
        raise ActivityError(_("请至少填写一个班次时间"), field="times")
    tz = timezone.get_current_timezone()
    shifts = []
    day = first_day
    while day <= last_day:
        if weekdays is None or day.weekday() in weekdays:
            for start, end in times:
                starts_at = timezone.make_aware(dt.datetime.combine(day, start), tz)
                ends_at = timezone.make_aware(dt.datetime.combine(day, end), tz)
                shifts.append(
                    shift_create(
                        actor=actor,
                        drive=drive,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        places=places,
                        **fields,
                    )
                )
        day += dt.timedelta(days=1)
    if not shifts:
        raise ActivityError(_("所选日期内没有班次"), field="weekdays")
    return shifts


def places_left(activity: Activity) -> int | None:
    """Free places now (None: unlimited)."""
    if activity.places is None:
        return None
    return max(activity.places - activity.places_taken, 0)
