"""Attendance by a rotating QR code, by the organizer's list, and closed at the activity's end."""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.attendance import (
    AttendanceError,
    attendance_mark,
    attendance_scan,
    attendances_close,
    qr_svg,
    qr_token,
    scan_path,
    token_is_current,
)
from kuihua.activities.models import Attendance, Signup
from kuihua.activities.tests.factories import ActivityFactory, SignupFactory
from kuihua.core.models import AuditLog

pytestmark = pytest.mark.django_db

HAS_SERVICE_RECORDS = importlib.util.find_spec("kuihua.service_records.services") is not None


def service_records_of(attendance: Attendance) -> list:
    from kuihua.service_records.models import ServiceRecord

    return list(ServiceRecord.objects.filter(attendance=attendance))


@pytest.fixture
def activity(in_community):
    """An activity of 2 hours crediting 2 hours."""
    return ActivityFactory(community=in_community, title="社区环境清洁")


@pytest.fixture
def volunteer(activity):
    signup = SignupFactory(activity=activity)
    user = UserFactory(role=Role.VOLUNTEER, community=activity.community, resident=signup.resident)
    user.signup = signup
    return user


def test_the_code_changes_every_30_seconds_and_the_last_one_still_works(activity):
    at = activity.starts_at
    now, later, much_later = at, at + dt.timedelta(seconds=30), at + dt.timedelta(seconds=60)
    token = qr_token(activity, at=now)
    assert qr_token(activity, at=later) != token
    assert token_is_current(activity, token, now)
    assert token_is_current(activity, token, later)  # scanned just as it changed
    assert not token_is_current(activity, token, much_later)
    other = ActivityFactory(community=activity.community)
    assert not token_is_current(other, token, now)  # one activity's code is not another's


def test_the_code_is_an_inline_svg_of_the_scan_link(activity):
    svg = qr_svg("https://kuihua.example" + scan_path(activity, qr_token(activity)))
    assert svg.startswith("<svg") and "path" in svg


def test_a_photo_of_last_weeks_code_is_refused(activity, volunteer):
    old_token = qr_token(activity, at=activity.starts_at - dt.timedelta(days=7))
    with pytest.raises(AttendanceError) as caught:
        attendance_scan(actor=volunteer, activity=activity, token=old_token, now=activity.starts_at)
    assert str(caught.value) == "二维码已过期，请重新扫描"
    assert not Attendance.objects.exists()


def test_check_in_and_out_make_one_service_record_with_the_hours_served(activity, volunteer):
    arrived = activity.starts_at + dt.timedelta(minutes=5)
    left = activity.starts_at + dt.timedelta(minutes=95)

    attendance, action = attendance_scan(
        actor=volunteer, activity=activity, token=qr_token(activity, arrived), now=arrived
    )
    assert action == "in"
    _again, action = attendance_scan(
        actor=volunteer, activity=activity, token=qr_token(activity, arrived), now=arrived
    )
    assert action == "already_in"  # a double scan is not a check-out
    attendance, action = attendance_scan(
        actor=volunteer, activity=activity, token=qr_token(activity, left), now=left
    )
    assert action == "out"

    attendance.refresh_from_db()
    assert attendance.checked_in_at == arrived
    assert attendance.checked_out_at == left
    assert attendance.check_in_method == attendance.check_out_method == Attendance.Method.QR
    assert AuditLog.objects.filter(action="attendance.check_in").count() == 1
    assert AuditLog.objects.filter(action="attendance.check_out").count() == 1
    if HAS_SERVICE_RECORDS:
        (record,) = service_records_of(attendance)
        assert record.hours == Decimal("1.50")
        assert record.volunteer_id == volunteer.resident_id

    with pytest.raises(AttendanceError):
        attendance_scan(
            actor=volunteer, activity=activity, token=qr_token(activity, left), now=left
        )
    if HAS_SERVICE_RECORDS:
        assert len(service_records_of(attendance)) == 1


def test_hours_are_capped_by_the_activity(activity, volunteer):
    arrived = activity.starts_at - dt.timedelta(minutes=30)
    left = activity.ends_at + dt.timedelta(minutes=30)
    attendance_scan(
        actor=volunteer, activity=activity, token=qr_token(activity, arrived), now=arrived
    )
    attendance, _ = attendance_scan(
        actor=volunteer, activity=activity, token=qr_token(activity, left), now=left
    )
    if HAS_SERVICE_RECORDS:
        (record,) = service_records_of(attendance)
        assert record.hours == activity.hours_credited == Decimal("2")
    else:
        assert attendance.checked_out_at == left


def test_someone_not_signed_up_or_only_waitlisted_cannot_check_in(activity):
    waiting = SignupFactory(activity=activity, status=Signup.Status.WAITLISTED)
    user = UserFactory(role=Role.VOLUNTEER, community=activity.community, resident=waiting.resident)
    stranger = UserFactory(role=Role.VOLUNTEER, community=activity.community)
    now = activity.starts_at
    for who in (user, stranger):
        with pytest.raises(AttendanceError):
            attendance_scan(actor=who, activity=activity, token=qr_token(activity, now), now=now)


def test_scans_are_only_taken_around_the_activity(activity, volunteer):
    early = activity.starts_at - dt.timedelta(hours=3)
    with pytest.raises(AttendanceError):
        attendance_scan(
            actor=volunteer, activity=activity, token=qr_token(activity, early), now=early
        )


def test_a_missed_check_out_closes_at_the_activitys_end(activity, volunteer, community):
    arrived = activity.starts_at + dt.timedelta(minutes=10)
    attendance, _ = attendance_scan(
        actor=volunteer, activity=activity, token=qr_token(activity, arrived), now=arrived
    )
    absent = SignupFactory(activity=activity)

    # Before the end nothing is closed.
    assert attendances_close(now=activity.ends_at - dt.timedelta(minutes=1)) == 0
    closed = attendances_close(now=activity.ends_at + dt.timedelta(minutes=20))

    assert closed == 1
    attendance.refresh_from_db()
    assert attendance.checked_out_at == activity.ends_at
    assert attendance.check_out_method == Attendance.Method.AUTO
    assert Attendance.objects.get(signup=absent).no_show
    if HAS_SERVICE_RECORDS:
        (record,) = service_records_of(attendance)
        assert record.hours == Decimal("1.83")
    # Running again closes nothing twice.
    assert attendances_close(now=activity.ends_at + dt.timedelta(hours=2)) == 0


def test_the_organizer_marks_present_and_absent_from_the_list(activity, coordinator):
    came = SignupFactory(activity=activity)
    missed = SignupFactory(activity=activity)
    after = activity.ends_at + dt.timedelta(minutes=5)

    present = attendance_mark(actor=coordinator, signup=came, present=True, now=after)
    absent = attendance_mark(actor=coordinator, signup=missed, present=False, now=after)

    assert (present.checked_in_at, present.checked_out_at) == (activity.starts_at, activity.ends_at)
    assert present.check_in_method == Attendance.Method.MANUAL
    assert absent.no_show and absent.checked_in_at is None
    if HAS_SERVICE_RECORDS:
        (record,) = service_records_of(present)
        assert record.hours == Decimal("2")
        assert service_records_of(absent) == []
    # Once recorded, absent is a correction, not a click.
    with pytest.raises(AttendanceError):
        attendance_mark(actor=coordinator, signup=came, present=False, now=after)


def test_a_waitlisted_person_cannot_be_marked(activity, coordinator):
    waiting = SignupFactory(activity=activity, status=Signup.Status.WAITLISTED)
    with pytest.raises(AttendanceError):
        attendance_mark(actor=coordinator, signup=waiting, present=True, now=activity.ends_at)


def scan_at(activity, user, at):
    return attendance_scan(actor=user, activity=activity, token=qr_token(activity, at), now=at)


def test_a_volunteer_who_checked_in_cannot_cancel_and_walk_away_with_the_hours(activity, volunteer):
    from kuihua.activities.signups.services import SignupError, signup_cancel

    scan_at(activity, volunteer, activity.starts_at - dt.timedelta(minutes=30))

    with pytest.raises(SignupError, match="您已签到，不能再取消报名"):
        signup_cancel(actor=volunteer, signup=volunteer.signup)
    volunteer.signup.refresh_from_db()
    assert volunteer.signup.status == Signup.Status.CONFIRMED


@pytest.mark.skipif(not HAS_SERVICE_RECORDS, reason="service records not installed")
def test_a_checked_in_sign_up_cancelled_since_is_not_closed_into_hours(activity, volunteer):
    attendance, _ = scan_at(activity, volunteer, activity.starts_at)
    Signup.objects.filter(pk=volunteer.signup.pk).update(status=Signup.Status.CANCELLED)

    attendances_close(now=activity.ends_at + dt.timedelta(minutes=10))

    assert service_records_of(attendance) == []


@pytest.mark.skipif(not HAS_SERVICE_RECORDS, reason="service records not installed")
def test_only_time_within_the_activity_is_service(activity, volunteer):
    early = activity.starts_at - dt.timedelta(minutes=59)

    scan_at(activity, volunteer, early)
    _, before_start = scan_at(activity, volunteer, activity.starts_at - dt.timedelta(minutes=40))
    attendance, out = scan_at(activity, volunteer, activity.starts_at + dt.timedelta(minutes=60))

    assert (before_start, out) == ("already_in", "out")
    assert attendance.checked_in_at == early  # what happened is kept as it happened
    assert [r.hours for r in service_records_of(attendance)] == [Decimal("1.00")]


def test_a_first_scan_after_the_end_is_refused(activity, volunteer):
    with pytest.raises(AttendanceError, match="活动已结束，不能再签到"):
        scan_at(activity, volunteer, activity.ends_at + dt.timedelta(minutes=10))

    assert not Attendance.objects.exists()
