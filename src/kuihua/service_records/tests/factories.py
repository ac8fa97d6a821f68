"""Test data for service records: attendance rows built directly, records through services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kuihua.activities.models import Attendance, Signup
from kuihua.activities.tests.factories import ActivityFactory
from kuihua.service_records import services


def finished_attendance(
    *,
    activity=None,
    resident=None,
    minutes: int = 120,
    hours_credited: Decimal | str = "2",
    checked_in_at: dt.datetime | None = None,
    **activity_fields,
) -> Attendance:
    """A confirmed sign-up that checked in and out `minutes` apart (activity in the past)."""
    start = checked_in_at or (timezone.now() - dt.timedelta(days=1)).replace(
        hour=1, minute=0, second=0, microsecond=0
    )
    if activity is None:
        community = resident.community if resident is not None else activity_fields.pop("community")
        activity = ActivityFactory(
            community=community,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            hours_credited=Decimal(str(hours_credited)),
            **activity_fields,
        )
    if resident is None:
        from kuihua.registry.tests.factories import ResidentFactory

        resident = ResidentFactory(household__building__compound__community=activity.community)
    signup = Signup.objects.create(
        community=activity.community,
        activity=activity,
        resident=resident,
        status=Signup.Status.CONFIRMED,
    )
    return Attendance.objects.create(
        community=activity.community,
        signup=signup,
        checked_in_at=start,
        checked_out_at=start + dt.timedelta(minutes=minutes),
        check_in_method=Attendance.Method.QR,
        check_out_method=Attendance.Method.QR,
    )


def manual_record(*, actor, organization, resident, hours="2", date=None, **fields):
    return services.record_create_manual(
        actor=actor,
        organization=organization,
        resident=resident,
        # Today, not yesterday: on 1 January yesterday is last year, and "this year's hours"
        # tests would find none.
        date=date or timezone.localdate(),
        hours=Decimal(str(hours)),
        content=fields.pop("content", "陪伴独居老人聊天、打扫卫生"),
        evidence=fields.pop("evidence", "服务对象签字的服务单"),
        reason=fields.pop("reason", "当天手机没电，未能扫码签到"),
        service_item=fields.pop("service_item", "幸福来敲门上门探访"),
        **fields,
    )


def verified_record(*, actor, organization, resident, hours="2", date=None, **fields):
    record = manual_record(
        actor=actor, organization=organization, resident=resident, hours=hours, date=date, **fields
    )
    return services.record_verify(actor=actor, record=record)


def service_world(*, coordinator, organization, resident) -> dict:
    """For the isolation walk: a verified record with a pending correction, and a certificate."""
    record = verified_record(actor=coordinator, organization=organization, resident=resident)
    correction = services.correction_request(
        actor=coordinator, record=record, hours=Decimal("1.5"), reason="实际服务一个半小时"
    )
    certificate = services.certificate_issue(
        actor=coordinator,
        resident=resident,
        organization=organization,
        period_start=record.date,
        period_end=record.date,
        contact="0571-88888888",
    )
    return {"record": record, "correction": correction, "certificate": certificate}
