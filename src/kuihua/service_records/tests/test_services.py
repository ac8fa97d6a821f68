"""The rules of service records: hours, who verifies, corrections, points, totals, stars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kuihua.activities.models import Activity
from kuihua.core.models import AuditLog
from kuihua.notifications.models import Message
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.service_records import selectors, services
from kuihua.service_records.models import (
    CorrectionRequest,
    PointsEntry,
    RecordRevision,
    ServiceRecord,
)
from kuihua.service_records.services import ServiceRecordError
from kuihua.service_records.tests.factories import (
    finished_attendance,
    manual_record,
    verified_record,
)

pytestmark = pytest.mark.django_db


# --- hours from attendance ---------------------------------------------------------------


def test_attendance_gives_the_actual_time_served(leader, organization, volunteer_resident):
    attendance = finished_attendance(
        organization=organization, resident=volunteer_resident, minutes=95, hours_credited="3"
    )

    record = services.record_from_attendance(attendance=attendance)

    assert record.hours == Decimal("1.58")  # 95 min = 1.5833… h, truncated, never rounded up
    assert record.status == ServiceRecord.Status.PENDING
    assert record.source == ServiceRecord.Source.ATTENDANCE
    assert record.organization == organization
    assert record.volunteer == volunteer_resident
    assert record.date == timezone.localdate(attendance.checked_in_at)
    assert record.person_in_charge == leader.resident.name


def test_attendance_hours_are_capped_by_the_activitys_hours(organization, volunteer_resident):
    attendance = finished_attendance(
        organization=organization, resident=volunteer_resident, minutes=300, hours_credited="2"
    )

    record = services.record_from_attendance(attendance=attendance)

    assert record.hours == Decimal("2.00")


def test_one_attendance_makes_one_record_however_often_it_is_reported(
    organization, volunteer_resident
):
    attendance = finished_attendance(organization=organization, resident=volunteer_resident)

    first = services.record_from_attendance(attendance=attendance)
    second = services.record_from_attendance(attendance=attendance)

    assert first.pk == second.pk
    assert ServiceRecord.objects.filter(attendance=attendance).count() == 1
    assert AuditLog.objects.filter(action="service_record.create").count() == 1


def _second_attendance(first):
    """A second finished attendance of the same person at the same activity: what data
    from before today's sign-up rules holds (the first sign-up cancelled after it
    was recorded, a new one checked in and out)."""
    from kuihua.activities.models import Attendance, Signup

    signup = first.signup
    Signup.objects.filter(pk=signup.pk).update(status=Signup.Status.CANCELLED)
    again = Signup.objects.create(
        community_id=signup.community_id,
        activity_id=signup.activity_id,
        resident_id=signup.resident_id,
        status=Signup.Status.CONFIRMED,
    )
    return Attendance.objects.create(
        community_id=signup.community_id,
        signup=again,
        checked_in_at=first.checked_in_at,
        checked_out_at=first.checked_out_at,
        check_in_method=Attendance.Method.QR,
        check_out_method=Attendance.Method.QR,
    )


def test_one_activity_makes_one_record_per_volunteer(organization, volunteer_resident):
    first = finished_attendance(organization=organization, resident=volunteer_resident)
    record = services.record_from_attendance(attendance=first)

    again = services.record_from_attendance(attendance=_second_attendance(first))

    assert again.pk == record.pk
    assert ServiceRecord.objects.filter(volunteer=volunteer_resident).count() == 1


def test_the_database_refuses_a_second_record_of_one_activity(
    leader, organization, volunteer_resident
):
    from django.db import IntegrityError, transaction

    attendance = finished_attendance(organization=organization, resident=volunteer_resident)
    record = services.record_from_attendance(attendance=attendance)
    copy = {
        f.attname: getattr(record, f.attname)
        for f in ServiceRecord._meta.concrete_fields
        if f.attname not in ("id", "attendance_id")
    }

    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecord.objects.create(**copy)
    # Rejected, it steps aside: the organization may record the service again.
    services.record_reject(actor=leader, record=record, reason="签到时间有误")
    ServiceRecord.objects.create(**copy)
    # Entered by hand, with no activity: as many as there were pieces of service.
    manual_record(actor=leader, organization=organization, resident=volunteer_resident)
    manual_record(actor=leader, organization=organization, resident=volunteer_resident)
    assert ServiceRecord.objects.filter(activity__isnull=True).count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"no_show": True},
        {"checked_out_at": None},
        {"checked_in_at": None},
    ],
)
def test_nothing_is_recorded_without_a_finished_attendance(
    organization, volunteer_resident, change
):
    attendance = finished_attendance(organization=organization, resident=volunteer_resident)
    for field, value in change.items():
        setattr(attendance, field, value)
    attendance.save()

    assert services.record_from_attendance(attendance=attendance) is None
    assert not ServiceRecord.objects.exists()


def test_a_cancelled_activity_records_nothing(organization, volunteer_resident):
    attendance = finished_attendance(organization=organization, resident=volunteer_resident)
    Activity.objects.filter(pk=attendance.signup.activity_id).update(
        status=Activity.Status.CANCELLED
    )
    attendance.refresh_from_db()

    assert services.record_from_attendance(attendance=attendance) is None


# --- manual records -------------------------------------------------------------------------


def test_a_leader_records_by_hand_with_evidence_and_reason(
    leader, organization, volunteer_resident
):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)

    assert record.source == ServiceRecord.Source.MANUAL
    assert record.status == ServiceRecord.Status.PENDING
    assert record.recorder == leader
    assert record.evidence and record.reason


@pytest.mark.parametrize(
    ("field", "value"),
    [("evidence", " "), ("reason", ""), ("content", "")],
)
def test_a_manual_record_needs_content_evidence_and_reason(
    leader, organization, volunteer_resident, field, value
):
    with pytest.raises(ServiceRecordError) as caught:
        manual_record(
            actor=leader, organization=organization, resident=volunteer_resident, **{field: value}
        )

    assert caught.value.field == field


@pytest.mark.parametrize("hours", ["0", "-1", "24.5"])
def test_manual_hours_must_be_plausible(leader, organization, volunteer_resident, hours):
    with pytest.raises(ServiceRecordError) as caught:
        manual_record(
            actor=leader, organization=organization, resident=volunteer_resident, hours=hours
        )

    assert caught.value.field == "hours"


def test_no_record_for_the_future(leader, organization, volunteer_resident):
    with pytest.raises(ServiceRecordError) as caught:
        manual_record(
            actor=leader,
            organization=organization,
            resident=volunteer_resident,
            date=timezone.localdate() + dt.timedelta(days=1),
        )

    assert caught.value.field == "date"


def test_another_organizations_leader_cannot_record_for_it(
    other_leader, organization, volunteer_resident
):
    with pytest.raises(ServiceRecordError):
        manual_record(actor=other_leader, organization=organization, resident=volunteer_resident)


# --- verification ----------------------------------------------------------------------------


def test_the_organizer_verifies_and_points_are_credited_at_once(
    leader, volunteer, organization, volunteer_resident
):
    record = manual_record(
        actor=leader, organization=organization, resident=volunteer_resident, hours="2.5"
    )

    services.record_verify(actor=leader, record=record, quality="good")

    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.VERIFIED
    assert record.verified_by == leader
    assert record.quality == "good"
    assert selectors.points_balance(volunteer_resident) == Decimal("2.50")
    message = Message.objects.get(recipient=volunteer)
    assert "已审核" in message.title
    assert message.link.endswith(f"/records/{record.pk}/")
    assert selectors.volunteer_profile(volunteer_resident).number.startswith("KH-CUIYUAN-1-")


def test_the_community_rate_sets_the_points(coordinator, leader, organization, volunteer_resident):
    services.points_rule_set(actor=coordinator, points_per_hour="10")
    record = manual_record(
        actor=leader, organization=organization, resident=volunteer_resident, hours="1.5"
    )

    services.record_verify(actor=leader, record=record)

    assert selectors.points_balance(volunteer_resident) == Decimal("15.00")


@pytest.mark.parametrize("who", ["volunteer", "other_leader"])
def test_only_the_organizer_verifies(request, leader, organization, volunteer_resident, who):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)
    actor = request.getfixturevalue(who)

    with pytest.raises(ServiceRecordError):
        services.record_verify(actor=actor, record=record)

    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.PENDING
    assert not PointsEntry.objects.exists()


def test_a_coordinator_verifies_for_any_organization(
    coordinator, leader, organization, volunteer_resident
):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)

    services.record_verify(actor=coordinator, record=record)

    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.VERIFIED


def test_a_leader_does_not_verify_their_own_hours(leader, coordinator, organization):
    record = manual_record(actor=leader, organization=organization, resident=leader.resident)

    with pytest.raises(ServiceRecordError, match="自己"):
        services.record_verify(actor=leader, record=record)
    assert record not in selectors.verification_queue(leader)


def test_a_record_is_verified_once(leader, organization, volunteer_resident):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)

    with pytest.raises(ServiceRecordError):
        services.record_verify(actor=leader, record=record)

    assert PointsEntry.objects.filter(record=record).count() == 1


def test_a_rejected_record_earns_nothing_and_says_why(
    leader, volunteer, organization, volunteer_resident
):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)

    services.record_reject(actor=leader, record=record, reason="当天未开展该活动")

    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.REJECTED
    assert record.reject_reason == "当天未开展该活动"
    assert selectors.points_balance(volunteer_resident) == 0
    told = Message.objects.get(recipient=volunteer).body
    assert told == "原因：当天未开展该活动。如有异议，请联系组织重新登记。"
    # what it suggests is possible: a rejected record takes no correction request
    with pytest.raises(services.ServiceRecordError):
        services.correction_request(actor=volunteer, record=record, hours="1", reason="我去了")


def test_rejecting_needs_a_reason(leader, organization, volunteer_resident):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)

    with pytest.raises(ServiceRecordError) as caught:
        services.record_reject(actor=leader, record=record, reason="  ")

    assert caught.value.field == "reason"


# --- corrections ----------------------------------------------------------------------------


def test_an_approved_correction_leaves_a_trail_and_adjusts_points_by_a_new_entry(
    leader, volunteer, organization, volunteer_resident
):
    record = verified_record(
        actor=leader, organization=organization, resident=volunteer_resident, hours="2"
    )
    earned = PointsEntry.objects.get(record=record)

    correction = services.correction_request(
        actor=volunteer, record=record, hours="3", reason="服务到11点才结束"
    )
    with translation.override("en"):  # the leader reads the pages in English
        services.correction_decide(actor=leader, correction=correction, approve=True, note="属实")

    record.refresh_from_db()
    assert record.hours == Decimal("3.00")
    told = Message.objects.get(recipient=volunteer, kind="service_record.correction_decided")
    assert told.title.startswith("您的更正申请已同意")  # the volunteer reads Chinese
    revision = RecordRevision.objects.get(record=record)
    assert revision.old == {"hours": "2.00"}
    assert revision.new == {"hours": "3.00"}
    assert revision.changed_by == leader
    assert revision.reason == "服务到11点才结束"
    # The posted entry is untouched; the difference is a new entry.
    earned_again = PointsEntry.objects.get(pk=earned.pk)
    assert earned_again.points == Decimal("2.00")
    adjustment = PointsEntry.objects.get(kind=PointsEntry.Kind.ADJUST)
    assert adjustment.points == Decimal("1.00")
    assert adjustment.correction == correction
    assert selectors.points_balance(volunteer_resident) == Decimal("3.00")
    correction.refresh_from_db()
    assert correction.status == CorrectionRequest.Status.APPROVED


def test_a_lower_correction_takes_points_back_at_the_rate_earned(
    coordinator, leader, volunteer, organization, volunteer_resident
):
    services.points_rule_set(actor=coordinator, points_per_hour="2")
    record = verified_record(
        actor=leader, organization=organization, resident=volunteer_resident, hours="3"
    )
    services.points_rule_set(actor=coordinator, points_per_hour="5")  # later change
    correction = services.correction_request(
        actor=volunteer, record=record, hours="2", reason="提前一小时离开"
    )

    services.correction_decide(actor=leader, correction=correction, approve=True)

    assert PointsEntry.objects.get(kind=PointsEntry.Kind.ADJUST).points == Decimal("-2.00")
    assert selectors.points_balance(volunteer_resident) == Decimal("4.00")


def test_a_refused_correction_changes_nothing(leader, volunteer, organization, volunteer_resident):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    correction = services.correction_request(
        actor=volunteer, record=record, content="还帮忙修了水管", reason="漏记了"
    )

    services.correction_decide(
        actor=leader, correction=correction, approve=False, note="没有相关证明"
    )

    record.refresh_from_db()
    assert record.content == "陪伴独居老人聊天、打扫卫生"
    assert not RecordRevision.objects.exists()
    assert PointsEntry.objects.count() == 1
    assert "未同意" in Message.objects.filter(recipient=volunteer).first().title


def test_refusing_needs_a_note(leader, volunteer, organization, volunteer_resident):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    correction = services.correction_request(
        actor=volunteer, record=record, hours="1", reason="记多了"
    )

    with pytest.raises(ServiceRecordError) as caught:
        services.correction_decide(actor=leader, correction=correction, approve=False)

    assert caught.value.field == "note"


def test_a_correction_of_a_pending_record_moves_no_points(
    leader, volunteer, organization, volunteer_resident
):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)
    correction = services.correction_request(
        actor=volunteer, record=record, hours="4", reason="实际四小时"
    )
    services.correction_decide(actor=leader, correction=correction, approve=True)

    services.record_verify(actor=leader, record=record)

    assert list(PointsEntry.objects.values_list("kind", "points")) == [("earn", Decimal("4.00"))]


def test_one_open_correction_per_record(leader, volunteer, organization, volunteer_resident):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    services.correction_request(actor=volunteer, record=record, hours="1", reason="记多了")

    with pytest.raises(ServiceRecordError, match="待处理"):
        services.correction_request(actor=volunteer, record=record, hours="1.5", reason="再改")


def test_a_correction_must_change_something(leader, volunteer, organization, volunteer_resident):
    record = verified_record(
        actor=leader, organization=organization, resident=volunteer_resident, hours="2"
    )

    with pytest.raises(ServiceRecordError):
        services.correction_request(actor=volunteer, record=record, hours="2", reason="一样")


def test_someone_else_cannot_ask_to_correct_my_record(
    leader, organization, volunteer_resident, other_leader
):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)

    with pytest.raises(ServiceRecordError):
        services.correction_request(actor=other_leader, record=record, hours="9", reason="改")


def test_a_volunteer_who_does_not_lead_the_organization_cannot_decide_a_correction(
    leader, volunteer, organization, volunteer_resident
):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    correction = services.correction_request(actor=volunteer, record=record, hours="9", reason="改")

    with pytest.raises(ServiceRecordError, match="只有记录组织的负责人"):
        services.correction_decide(actor=volunteer, correction=correction, approve=True)


# --- points ----------------------------------------------------------------------------------


def test_points_are_append_only(leader, organization, volunteer_resident):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    entry = PointsEntry.objects.get(record=record)

    entry.points = Decimal("100")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_spending_is_refused_beyond_the_balance(
    coordinator, leader, organization, volunteer_resident
):
    verified_record(actor=leader, organization=organization, resident=volunteer_resident, hours="3")

    services.points_spend(
        actor=coordinator, resident=volunteer_resident, points="2", note="换洗衣液"
    )
    with pytest.raises(ServiceRecordError, match="不足"):
        services.points_spend(
            actor=coordinator, resident=volunteer_resident, points="2", note="再换"
        )

    assert selectors.points_balance(volunteer_resident) == Decimal("1.00")


# --- totals and stars ------------------------------------------------------------------------


def test_totals_count_verified_hours_this_year_and_in_all(leader, organization, volunteer_resident):
    today = timezone.localdate()
    last_year = today.replace(year=today.year - 1, month=6, day=1)
    verified_record(actor=leader, organization=organization, resident=volunteer_resident, hours="2")
    verified_record(
        actor=leader,
        organization=organization,
        resident=volunteer_resident,
        hours="3.5",
        date=last_year,
    )
    manual_record(actor=leader, organization=organization, resident=volunteer_resident, hours="8")

    totals = selectors.volunteer_totals(volunteer_resident, year=today.year)
    last = selectors.volunteer_totals(volunteer_resident, year=last_year.year)

    assert totals["year_hours"] == Decimal("2.00")  # the pending 8 h do not count
    assert totals["lifetime_hours"] == Decimal("5.50")
    assert last["year_hours"] == Decimal("3.50")
    rows = {o.pk: o for o in selectors.organization_totals(year=today.year)}
    assert rows[organization.pk].year_hours == Decimal("2.00")
    assert rows[organization.pk].lifetime_hours == Decimal("5.50")
    assert rows[organization.pk].year_volunteers == 1


def test_totals_take_one_query_however_many_organizations_and_records(
    leader, coordinator, organization, volunteer_resident, in_community
):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            list(selectors.organization_totals())
            selectors.volunteer_totals(volunteer_resident)
            selectors.volunteer_totals_list()
        return len(ctx.captured_queries)

    verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    before = count_queries()
    for _ in range(3):
        other = OrganizationFactory(community=in_community)
        resident = ResidentFactory(household__building__compound__community=in_community)
        verified_record(actor=coordinator, organization=other, resident=resident)

    assert count_queries() == before == 3


@pytest.mark.parametrize(
    ("hours", "stars"),
    [
        (0, 0),
        (99.99, 0),
        (100, 1),
        (299, 1),
        (300, 2),
        (600, 3),
        (999, 3),
        (1000, 4),
        (1500, 5),
        (20000, 5),
    ],
)
def test_star_levels_at_the_default_thresholds(hours, stars):
    assert selectors.star_level(Decimal(str(hours))) == stars


def test_star_thresholds_come_from_settings(settings):
    settings.KUIHUA_STAR_THRESHOLDS = [10, 20, 30, 40, 50]

    assert selectors.star_level(Decimal("25")) == 2
    assert selectors.next_star_hours(Decimal("25")) == Decimal("5")


def test_a_volunteer_reaches_a_star_by_verified_hours(leader, organization, volunteer_resident):
    for day in range(1, 6):
        verified_record(
            actor=leader,
            organization=organization,
            resident=volunteer_resident,
            hours="20",
            date=timezone.localdate() - dt.timedelta(days=day),
        )

    assert selectors.volunteer_totals(volunteer_resident)["stars"] == 1


def test_volunteer_numbers_are_unique_and_stable(organization, in_community):
    first = ResidentFactory(household__building__compound__community=in_community)
    second = ResidentFactory(household__building__compound__community=in_community)

    a = services.volunteer_profile_ensure(resident=first)
    b = services.volunteer_profile_ensure(resident=second)

    assert a.number != b.number
    assert services.volunteer_profile_ensure(resident=first).number == a.number
