"""Attendance: a rotating QR code to scan in and out, marking from the list, closing the day.

The organizer's screen shows a QR code for `/activities/scan/?a=<id>&t=<token>`
whose token is an HMAC of the activity and the current 30-second window. The
screen refreshes it by HTMX polling; a scan is accepted with the current or the
previous window's token only, so a photo of the code is useless a minute later.
The first scan checks a volunteer in, the next checks them out; check-out turns
the attendance into a service record (kuihua.service_records) when that app is
installed. A check-out nobody made closes at the activity's end, by a task that runs
every CLOSE_EVERY_MINUTES.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.activities.models import Activity, Attendance, Signup
from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError

WINDOW_SECONDS = 30
# Scans are taken from an hour before the start until an hour after the end.
SCAN_MARGIN = dt.timedelta(hours=1)
# A second scan this soon after checking in is taken as a double scan, not a check-out.
DOUBLE_SCAN = dt.timedelta(minutes=1)
TOKEN_LENGTH = 16
# How often the task that closes check-outs nobody made runs (activities/tasks.py): a
# check-out, and its service record, come within this many minutes of the end.
CLOSE_EVERY_MINUTES = 15


class AttendanceError(ApplicationError):
    """A refused scan or mark; `field` names the input at fault."""


# --- the rotating code -----------------------------------------------------------------


def _key() -> bytes:
    return hashlib.sha256(b"kuihua.attendance.qr:" + settings.SECRET_KEY.encode()).digest()


def _window(at: dt.datetime | None) -> int:
    moment = at or timezone.now()
    return int(moment.timestamp()) // WINDOW_SECONDS


def _token_for(activity_id: int, window: int) -> str:
    message = f"{activity_id}:{window}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def qr_token(activity: Activity, at: dt.datetime | None = None) -> str:
    """The code for `activity` in the 30-second window of `at` (default now)."""
    return _token_for(activity.pk, _window(at))


def token_is_current(activity: Activity, token: str, at: dt.datetime | None = None) -> bool:
    """True for the current or the previous window's code, and for nothing older."""
    window = _window(at)
    given = (token or "").strip().lower()[: TOKEN_LENGTH + 1]
    if not given.isascii():  # compare_digest takes ASCII strings only; no code has other letters
        return False
    return any(hmac.compare_digest(given, _token_for(activity.pk, w)) for w in (window, window - 1))


def scan_path(activity: Activity, token: str) -> str:
    query = urlencode({"a": activity.pk, "t": token})
    return f"{reverse('activities:scan')}?{query}"


def qr_svg(url: str) -> str:
    """An inline SVG of the QR code for `url` (no image file, no outside service)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#1f2328")


# --- services ----------------------------------------------------------------------------


def _record_service(attendance: Attendance) -> None:
    """Turn a closed attendance into a service record (who organized it records it)."""
    from kuihua.service_records.services import record_from_attendance

    record_from_attendance(attendance=attendance)


def _values(attendance: Attendance) -> dict:
    return {
        "checked_in_at": attendance.checked_in_at.isoformat() if attendance.checked_in_at else None,
        "checked_out_at": (
            attendance.checked_out_at.isoformat() if attendance.checked_out_at else None
        ),
        "no_show": attendance.no_show,
    }


def _locked_attendance(signup: Signup) -> Attendance:
    """The signup's attendance row, created if needed, locked for this transaction."""
    # Lock the sign-up first: two scans of one person queue here, in one order.
    Signup.objects.select_for_update().filter(pk=signup.pk).first()
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        signup=signup, defaults={"community_id": signup.community_id}
    )
    return attendance


@transaction.atomic
def attendance_scan(*, actor, activity: Activity, token: str, now: dt.datetime | None = None):
    """A volunteer scanned the code: check in, or check out if already in.

    Returns (attendance, "in" | "out" | "already_in").
    """
    now = now or timezone.now()
    if not token_is_current(activity, token, now):
        raise AttendanceError(_("二维码已过期，请重新扫描"), field="token")
    if activity.status == Activity.Status.CANCELLED:
        raise AttendanceError(_("活动已取消"))
    if now < activity.starts_at - SCAN_MARGIN or now > activity.ends_at + SCAN_MARGIN:
        raise AttendanceError(_("现在不在该活动的签到时间内"))
    resident_id = getattr(actor, "resident_id", None)
    signup = (
        Signup.objects.filter(
            activity=activity,
            resident_id=resident_id,
            status=Signup.Status.CONFIRMED,
        ).first()
        if resident_id
        else None
    )
    if signup is None:
        raise AttendanceError(_("您没有报名该活动，或仍在候补中"))
    attendance = _locked_attendance(signup)
    old = _values(attendance)
    if attendance.checked_out_at is not None:
        raise AttendanceError(_("您已签退，无需重复扫码"))
    if attendance.checked_in_at is None or attendance.no_show:
        if now >= activity.ends_at:
            raise AttendanceError(_("活动已结束，不能再签到"))
        attendance.checked_in_at = now
        attendance.check_in_method = Attendance.Method.QR
        attendance.no_show = False
        action = "in"
    elif now - attendance.checked_in_at < DOUBLE_SCAN or now < activity.starts_at:
        # A second scan before the start is not a check-out: the service has not begun.
        return attendance, "already_in"
    else:
        attendance.checked_out_at = max(now, attendance.checked_in_at)
        attendance.check_out_method = Attendance.Method.QR
        action = "out"
    attendance.recorded_by = actor if getattr(actor, "pk", None) else None
    attendance.save()
    audit(
        actor=actor,
        community_id=attendance.community_id,
        action=f"attendance.check_{action}",
        obj=attendance,
        old=old,
        new=_values(attendance),
    )
    if action == "out":
        _record_service(attendance)
    return attendance, action


@transaction.atomic
def attendance_mark(
    *, actor, signup: Signup, present: bool, now: dt.datetime | None = None
) -> Attendance:
    """The organizer marks from the list: present (in at the start, out at the end) or absent.

    Absent records a no-show. A check-out already made stays; a record already
    made is corrected through service records, not here.
    """
    now = now or timezone.now()
    activity = signup.activity
    if signup.status != Signup.Status.CONFIRMED:
        raise AttendanceError(_("只能为已报名（非候补）的人登记签到"), field="signup")
    if activity.status == Activity.Status.CANCELLED:
        raise AttendanceError(_("活动已取消"))
    if now < activity.starts_at - SCAN_MARGIN:
        raise AttendanceError(_("活动还没开始"))
    attendance = _locked_attendance(signup)
    old = _values(attendance)
    closed_now = False
    if present:
        if attendance.checked_in_at is None or attendance.no_show:
            attendance.checked_in_at = min(activity.starts_at, now)
            attendance.check_in_method = Attendance.Method.MANUAL
        attendance.no_show = False
        if attendance.checked_out_at is None and now >= activity.ends_at:
            attendance.checked_out_at = max(activity.ends_at, attendance.checked_in_at)
            attendance.check_out_method = Attendance.Method.MANUAL
            closed_now = True
    else:
        if attendance.checked_out_at is not None:
            raise AttendanceError(_("已签退并生成服务记录，如有错误请申请更正"), field="present")
        attendance.checked_in_at = None
        attendance.check_in_method = ""
        attendance.no_show = True
    attendance.recorded_by = actor if getattr(actor, "pk", None) else None
    attendance.save()
    audit(
        actor=actor,
        community_id=attendance.community_id,
        action="attendance.mark",
        obj=attendance,
        old=old,
        new=_values(attendance),
    )
    if closed_now:
        _record_service(attendance)
    return attendance


def attendances_close(*, now: dt.datetime | None = None) -> int:
    """Close check-outs nobody made at the activity's end; confirmed people who never came
    are recorded as no-shows. Runs for every community (periodic task). Returns closed count.
    """
    from kuihua.core.tenancy import sweep_every_community, use_community

    now = now or timezone.now()
    with sweep_every_community():
        open_ones = list(
            Attendance.objects.filter(
                checked_in_at__isnull=False,
                checked_out_at__isnull=True,
                no_show=False,
                signup__status=Signup.Status.CONFIRMED,
                signup__activity__ends_at__lte=now,
            ).values_list("pk", "community_id")
        )
        absent = list(
            Signup.objects.filter(
                status=Signup.Status.CONFIRMED,
                activity__ends_at__lte=now,
                activity__ends_at__gte=now - dt.timedelta(days=7),
                attendance__isnull=True,
            )
            .exclude(activity__status=Activity.Status.CANCELLED)
            .values_list("pk", "community_id")
        )
    closed = 0
    for attendance_id, community_id in open_ones:
        with use_community(community_id):
            closed += _close_one(attendance_id, now=now)
    for signup_id, community_id in absent:
        with use_community(community_id):
            _mark_no_show(signup_id)
    return closed


@transaction.atomic
def _close_one(attendance_id: int, *, now: dt.datetime) -> int:
    attendance = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("signup__activity")
        .filter(pk=attendance_id, checked_out_at__isnull=True)
        .first()
    )
    if attendance is None:
        return 0
    activity = attendance.signup.activity
    attendance.checked_out_at = max(activity.ends_at, attendance.checked_in_at)
    attendance.check_out_method = Attendance.Method.AUTO
    attendance.save(update_fields=["checked_out_at", "check_out_method"])
    audit(
        actor=None,
        community_id=attendance.community_id,
        action="attendance.auto_check_out",
        obj=attendance,
        new=_values(attendance),
    )
    _record_service(attendance)
    return 1


@transaction.atomic
def _mark_no_show(signup_id: int) -> None:
    signup = Signup.objects.filter(pk=signup_id, status=Signup.Status.CONFIRMED).first()
    if signup is None:
        return
    attendance = _locked_attendance(signup)
    if attendance.checked_in_at is not None or attendance.no_show:
        return
    attendance.no_show = True
    attendance.save(update_fields=["no_show"])
    audit(
        actor=None,
        community_id=attendance.community_id,
        action="attendance.no_show",
        obj=attendance,
        new=_values(attendance),
    )
