"""Activities, recurring series and drives: what organizers create and what people see change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities import services
from kuihua.activities.drives import drive_create, shifts_create
from kuihua.activities.models import Activity, Series, Signup
from kuihua.activities.series import (
    MAX_OCCURRENCES_PER_RUN,
    series_create,
    series_end,
    series_extend_all,
    series_generate,
    series_update,
)
from kuihua.activities.services import ActivityError
from kuihua.activities.tests.factories import ActivityFactory, SignupFactory
from kuihua.core.models import AuditLog
from kuihua.notifications.models import Message
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.venues.models import Room

pytestmark = pytest.mark.django_db


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def local_dates(activities) -> list[dt.date]:
    return [timezone.localtime(a.starts_at).date() for a in activities]


@pytest.fixture
def choir(in_community):
    return OrganizationFactory(community=in_community, name="夕阳红合唱团")


@pytest.fixture
def room(in_community):
    return Room.objects.create(
        community=in_community, centre="邻里中心", name="多功能厅", capacity=60
    )


@pytest.fixture
def winter_2026(clock):
    """For the tests written on the calendar of winter 2026–27 and the National Day holiday
    in the chinese_calendar data (which weekday the 2nd is, which Saturday is a make-up
    working day): their clock stands still just before those dates, whatever day the
    suite runs on, so every one of them stays in the future."""
    clock.move_to(local(2026, 9, 20, 10, 0), tick=False)


@pytest.mark.usefixtures("winter_2026")
def test_an_activity_credits_its_length_by_default_and_is_audited(coordinator, choir):
    activity = services.activity_create(
        actor=coordinator,
        organization=choir,
        title="合唱排练",
        starts_at=local(2026, 12, 2, 19, 0),
        ends_at=local(2026, 12, 2, 21, 30),
        places=30,
        address="社区活动中心二楼",
    )
    assert activity.hours_credited == Decimal("2.50")
    assert activity.places_taken == 0
    assert AuditLog.objects.filter(action="activity.create", object_id=activity.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"ends_at": local(2026, 12, 2, 18, 0)}, "ends_at"),
        ({"places": 0}, "places"),
        ({"hours_credited": Decimal("5")}, "hours_credited"),
        ({"address": ""}, "address"),
        ({"signup_closes_at": local(2026, 12, 3, 0, 0)}, "signup_closes_at"),
    ],
)
@pytest.mark.usefixtures("winter_2026")
def test_impossible_activities_are_refused_on_the_field_at_fault(
    coordinator, choir, changes, field
):
    values = {
        "title": "合唱排练",
        "starts_at": local(2026, 12, 2, 19, 0),
        "ends_at": local(2026, 12, 2, 21, 0),
        "address": "活动中心",
        **changes,
    }
    with pytest.raises(ActivityError) as caught:
        services.activity_create(actor=coordinator, organization=choir, **values)
    assert caught.value.field == field


@pytest.mark.usefixtures("winter_2026")
def test_an_activity_in_a_room_books_it_and_a_clash_is_named(coordinator, choir, room):
    first = services.activity_create(
        actor=coordinator,
        organization=choir,
        title="合唱排练",
        starts_at=local(2026, 12, 2, 19, 0),
        ends_at=local(2026, 12, 2, 21, 0),
        room=room,
    )
    assert first.booking is not None and first.booking.room == room

    with pytest.raises(ActivityError) as caught:
        services.activity_create(
            actor=coordinator,
            organization=choir,
            title="读书会",
            starts_at=local(2026, 12, 2, 20, 0),
            ends_at=local(2026, 12, 2, 22, 0),
            room=room,
        )
    assert caught.value.field == "room"
    assert "合唱排练" in str(caught.value)
    assert Activity.objects.count() == 1


def test_places_cannot_drop_below_those_taken(coordinator, in_community):
    activity = ActivityFactory(community=in_community, places=3)
    SignupFactory.create_batch(2, activity=activity)
    with pytest.raises(ActivityError) as caught:
        services.activity_update(actor=coordinator, activity=activity, places=1)
    assert caught.value.field == "places"
    services.activity_update(actor=coordinator, activity=activity, places=2)
    activity.refresh_from_db()
    assert activity.places == 2


def test_more_places_move_the_waitlist_up(coordinator, in_community):
    activity = ActivityFactory(community=in_community, places=1)
    SignupFactory(activity=activity)
    waiting = SignupFactory(activity=activity, status=Signup.Status.WAITLISTED)
    services.activity_update(actor=coordinator, activity=activity, places=2)
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.CONFIRMED


def test_moving_an_activity_tells_those_signed_up(coordinator, in_community):
    activity = ActivityFactory(community=in_community)
    signup = SignupFactory(activity=activity)
    volunteer = UserFactory(role=Role.VOLUNTEER, community=in_community, resident=signup.resident)
    services.activity_update(
        actor=coordinator, activity=activity, starts_at=activity.starts_at + dt.timedelta(hours=1)
    )
    assert Message.objects.filter(recipient=volunteer, kind="activity_changed").exists()


@pytest.mark.usefixtures("winter_2026")
def test_an_activitys_room_is_not_given_back_from_the_calendar(client, coordinator, choir, room):
    from kuihua.venues.services import BookingError, booking_cancel

    activity = services.activity_create(
        actor=coordinator,
        organization=choir,
        title="合唱排练",
        starts_at=local(2026, 12, 2, 19, 0),
        ends_at=local(2026, 12, 2, 21, 0),
        room=room,
    )
    booking = activity.booking
    client.force_login(coordinator)

    with pytest.raises(BookingError, match="这是活动“合唱排练”的场地"):
        booking_cancel(actor=coordinator, booking=booking)
    api = client.delete(f"/api/venues/bookings/{booking.pk}")
    page = client.post(reverse("venues:booking_cancel", args=[booking.pk]), follow=True)

    assert api.status_code == 400
    assert "这是活动“合唱排练”的场地" in page.content.decode()
    booking.refresh_from_db()
    assert booking.cancelled_at is None
    # cancelling the activity still gives the room back
    services.activity_cancel(actor=coordinator, activity=activity, reason="场地维修")
    booking.refresh_from_db()
    assert booking.cancelled_at is not None


def test_an_activity_people_signed_up_to_does_not_go_back_to_draft(coordinator, in_community):
    activity = ActivityFactory(community=in_community)
    SignupFactory(activity=activity)

    with pytest.raises(services.ActivityError, match="已有人报名，不能改回草稿") as refused:
        services.activity_update(actor=coordinator, activity=activity, status="draft")

    assert refused.value.field == "status"
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED


@pytest.mark.usefixtures("winter_2026")
def test_cancelling_gives_the_room_back_and_tells_everyone(coordinator, choir, room):
    activity = services.activity_create(
        actor=coordinator,
        organization=choir,
        title="合唱排练",
        starts_at=local(2026, 12, 2, 19, 0),
        ends_at=local(2026, 12, 2, 21, 0),
        room=room,
    )
    booking = activity.booking
    signup = SignupFactory(activity=activity)
    volunteer = UserFactory(
        role=Role.VOLUNTEER, community=choir.community, resident=signup.resident
    )

    services.activity_cancel(actor=coordinator, activity=activity, reason="场地维修")

    activity.refresh_from_db()
    booking.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED
    assert booking.cancelled_at is not None
    message = Message.objects.get(recipient=volunteer, kind="activity_cancelled")
    assert "合唱排练" in message.title and "场地维修" in message.body
    # The room is free again for someone else.
    services.activity_create(
        actor=coordinator,
        organization=choir,
        title="读书会",
        starts_at=local(2026, 12, 2, 19, 0),
        ends_at=local(2026, 12, 2, 21, 0),
        room=room,
    )


# --- series ------------------------------------------------------------------------------


@pytest.mark.usefixtures("winter_2026")
def test_a_weekly_choir_is_generated_eight_weeks_ahead(coordinator, choir):
    series = series_create(
        actor=coordinator,
        organization=choir,
        title="合唱排练",
        first_starts_at=local(2026, 12, 2, 19, 0),
        first_ends_at=local(2026, 12, 2, 21, 0),
        rule="weekly",
        weekdays=[2],
        until=dt.date(2026, 12, 2) + dt.timedelta(weeks=8),
        places=30,
        address="活动中心二楼",
    )
    occurrences = list(series.occurrences.order_by("starts_at"))
    assert len(occurrences) == 9
    assert all(timezone.localtime(a.starts_at).weekday() == 2 for a in occurrences)
    assert all(timezone.localtime(a.starts_at).hour == 19 for a in occurrences)
    assert {a.places for a in occurrences} == {30}
    assert series.generated_until == dt.date(2027, 1, 27)


def test_the_default_horizon_is_eight_weeks_from_today(coordinator, choir):
    today = timezone.localdate()
    first = local(today.year, today.month, today.day, 19, 0)
    series = series_create(
        actor=coordinator,
        organization=choir,
        title="合唱排练",
        first_starts_at=first,
        first_ends_at=first + dt.timedelta(hours=2),
        rule="weekly",
        address="活动中心",
    )
    assert series.generated_until == today + dt.timedelta(weeks=8)
    assert series.occurrences.count() == 9


@pytest.mark.usefixtures("winter_2026")
def test_a_series_longer_than_one_run_is_generated_on_later_and_never_loses_dates(
    coordinator, choir
):
    series = series_create(
        actor=coordinator,
        organization=choir,
        title="巡逻",
        first_starts_at=local(2026, 12, 1, 8, 0),
        first_ends_at=local(2026, 12, 1, 9, 0),
        rule="daily",
        until=dt.date(2028, 6, 30),
        address="社区",
    )
    assert series.occurrences.count() == MAX_OCCURRENCES_PER_RUN
    last = timezone.localtime(series.occurrences.order_by("-starts_at").first().starts_at)
    assert series.generated_until == last.date()  # not 2028-06-30: the rest is still due

    series_generate(series=series, until=dt.date(2028, 6, 30))

    assert series.occurrences.count() == (dt.date(2028, 6, 30) - dt.date(2026, 12, 1)).days + 1


@pytest.mark.usefixtures("winter_2026")
def test_a_twice_weekly_blood_pressure_station(coordinator, choir):
    series = series_create(
        actor=coordinator,
        organization=choir,
        title="血压测量点",
        first_starts_at=local(2026, 12, 1, 8, 30),
        first_ends_at=local(2026, 12, 1, 10, 30),
        rule="FREQ=WEEKLY;BYDAY=TU,FR",
        until=dt.date(2026, 12, 31),
        places=4,
        address="社区卫生服务站门口",
    )
    assert [d.day for d in local_dates(series.occurrences.all())] == [
        1, 4, 8, 11, 15, 18, 22, 25, 29,
    ]  # fmt: skip


@pytest.mark.usefixtures("winter_2026")
def test_a_monthly_charity_market_on_the_second_saturday(coordinator, choir):
    series = series_create(
        actor=coordinator,
        organization=choir,
        title="爱心集市",
        first_starts_at=local(2026, 12, 12, 9, 0),
        first_ends_at=local(2026, 12, 12, 11, 30),
        rule="FREQ=MONTHLY;BYDAY=+2SA",
        until=dt.date(2027, 3, 31),
        address="社区广场",
    )
    assert local_dates(series.occurrences.all()) == [
        dt.date(2026, 12, 12),
        dt.date(2027, 1, 9),
        dt.date(2027, 2, 13),
        dt.date(2027, 3, 13),
    ]


@pytest.mark.usefixtures("winter_2026")
def test_a_working_days_only_patrol_skips_the_national_day_holiday(coordinator, choir):
    series = series_create(
        actor=coordinator,
        organization=choir,
        title="治安巡逻",
        first_starts_at=local(2026, 9, 28, 19, 0),
        first_ends_at=local(2026, 9, 28, 20, 0),
        rule="daily",
        working_days_only=True,
        until=dt.date(2026, 10, 11),
        address="各小区",
    )
    days = local_dates(series.occurrences.all())
    # 1–7 October are holidays; Saturday 10 October is a make-up working day.
    assert days == [
        dt.date(2026, 9, 28),
        dt.date(2026, 9, 29),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 10),
    ]


@pytest.mark.usefixtures("winter_2026")
def test_one_occurrence_changes_alone_and_later_ones_keep_the_series_values(coordinator, choir):
    series = series_create(
        actor=coordinator,
        organization=choir,
        title="合唱排练",
        first_starts_at=local(2026, 12, 2, 19, 0),
        first_ends_at=local(2026, 12, 2, 21, 0),
        rule="weekly",
        until=dt.date(2026, 12, 23),
        places=30,
        address="活动中心二楼",
    )
    second = series.occurrences.order_by("starts_at")[1]
    services.activity_update(
        actor=coordinator,
        activity=second,
        title="合唱排练（新年音乐会彩排）",
        starts_at=local(2026, 12, 9, 18, 0),
        places=40,
    )
    titles = [a.title for a in series.occurrences.order_by("starts_at")]
    assert titles == ["合唱排练", "合唱排练（新年音乐会彩排）", "合唱排练", "合唱排练"]
    assert [a.places for a in series.occurrences.order_by("starts_at")] == [30, 40, 30, 30]

    # The latest occurrence changed alone (a longer rehearsal, more hours) too:
    last = series.occurrences.order_by("starts_at").last()
    services.activity_update(
        actor=coordinator,
        activity=last,
        title="合唱排练（加长）",
        ends_at=last.ends_at + dt.timedelta(hours=1),
        hours_credited=Decimal("3"),
        places=50,
    )

    # Extending starts from the series' own values, not from an occurrence changed alone.
    added = series_generate(series=series, until=dt.date(2027, 1, 6))
    assert [(a.title, a.places) for a in added] == [("合唱排练", 30), ("合唱排练", 30)]
    assert local_dates(added) == [dt.date(2026, 12, 30), dt.date(2027, 1, 6)]
    # Running again makes nothing twice.
    assert series_generate(series=series, until=dt.date(2027, 1, 6)) == []


@pytest.mark.usefixtures("winter_2026")
def test_each_occurrence_closes_its_sign_ups_as_the_first_one_does(coordinator, choir):
    first = local(2026, 12, 5, 9, 30)
    series = series_create(
        actor=coordinator,
        organization=choir,
        title="读书会",
        first_starts_at=first,
        first_ends_at=first + dt.timedelta(hours=1),
        signup_closes_at=first - dt.timedelta(days=1),
        rule="weekly",
        until=dt.date(2026, 12, 19),
        address="图书室",
    )
    later = series_generate(series=series, until=dt.date(2027, 1, 2))

    every = list(series.occurrences.order_by("starts_at"))
    assert len(every) == 5 and later
    assert {a.starts_at - a.signup_closes_at for a in every} == {dt.timedelta(days=1)}


@pytest.mark.usefixtures("winter_2026")
def test_a_monthly_series_on_the_31st_is_refused_with_the_way_out(coordinator, choir):
    with pytest.raises(services.ActivityError, match="请从 1 到 28 日中选") as refused:
        series_create(
            actor=coordinator,
            organization=choir,
            title="爱心集市",
            first_starts_at=local(2026, 12, 31, 9, 0),
            first_ends_at=local(2026, 12, 31, 11, 0),
            rule="monthly",
            until=dt.date(2027, 12, 31),
            address="广场",
        )

    assert refused.value.field == "rule"
    assert not Series.objects.exists()


@pytest.mark.usefixtures("winter_2026")
def test_a_change_to_the_series_carries_forward(coordinator, choir):
    series = series_create(
        actor=coordinator,
        organization=choir,
        title="读书会",
        first_starts_at=local(2026, 12, 5, 9, 30),
        first_ends_at=local(2026, 12, 5, 11, 0),
        rule="weekly",
        until=dt.date(2026, 12, 26),
        places=12,
        address="图书室",
    )
    series_update(actor=coordinator, series=series, starting=local(2026, 12, 10, 0, 0), places=15)
    assert [a.places for a in series.occurrences.order_by("starts_at")] == [12, 15, 15, 15]
    added = series_generate(series=series, until=dt.date(2027, 1, 2))
    assert [a.places for a in added] == [15]


@pytest.mark.usefixtures("winter_2026")
def test_the_daily_task_extends_every_series(coordinator, choir, community):
    series_create(
        actor=coordinator,
        organization=choir,
        title="合唱排练",
        first_starts_at=local(2026, 12, 2, 19, 0),
        first_ends_at=local(2026, 12, 2, 21, 0),
        rule="weekly",
        until=dt.date(2026, 12, 2),
        address="活动中心",
    )
    created = series_extend_all(today=dt.date(2026, 12, 2))
    assert created == 8
    assert Series.objects.get().generated_until == dt.date(2027, 1, 27)


@pytest.mark.usefixtures("winter_2026")
def test_a_series_whose_room_is_taken_on_one_date_is_refused_naming_it(coordinator, choir, room):
    services.activity_create(
        actor=coordinator,
        organization=choir,
        title="党课",
        starts_at=local(2026, 12, 16, 19, 0),
        ends_at=local(2026, 12, 16, 20, 0),
        room=room,
    )
    with pytest.raises(ActivityError) as caught:
        series_create(
            actor=coordinator,
            organization=choir,
            title="合唱排练",
            first_starts_at=local(2026, 12, 2, 19, 0),
            first_ends_at=local(2026, 12, 2, 21, 0),
            rule="weekly",
            until=dt.date(2026, 12, 30),
            room=room,
        )
    assert "2026-12-16" in str(caught.value)
    assert not Series.objects.exists()


@pytest.mark.usefixtures("winter_2026")
def test_an_unreadable_rule_is_refused(coordinator, choir):
    with pytest.raises(ActivityError) as caught:
        series_create(
            actor=coordinator,
            organization=choir,
            title="合唱排练",
            first_starts_at=local(2026, 12, 2, 19, 0),
            first_ends_at=local(2026, 12, 2, 21, 0),
            rule="FREQ=SOMETIMES",
            address="活动中心",
        )
    assert caught.value.field == "rule"


@pytest.mark.usefixtures("winter_2026")
def test_ending_a_series_cancels_later_occurrences(coordinator, choir):
    series = series_create(
        actor=coordinator,
        organization=choir,
        title="合唱排练",
        first_starts_at=local(2026, 12, 2, 19, 0),
        first_ends_at=local(2026, 12, 2, 21, 0),
        rule="weekly",
        until=dt.date(2026, 12, 30),
        address="活动中心",
    )
    assert series_end(actor=coordinator, series=series, after=local(2026, 12, 10)) == 3
    assert series_generate(series=series, until=dt.date(2027, 3, 1)) == []


# --- drives ------------------------------------------------------------------------------


@pytest.mark.usefixtures("winter_2026")
def test_a_drive_with_two_shifts_a_day_for_a_week(coordinator, choir):
    drive = drive_create(actor=coordinator, organization=choir, title="环境整治月")
    shifts = shifts_create(
        actor=coordinator,
        drive=drive,
        first_day=dt.date(2026, 12, 7),
        last_day=dt.date(2026, 12, 13),
        times=[(dt.time(8, 0), dt.time(11, 0)), (dt.time(14, 0), dt.time(17, 0))],
        places=15,
        address="各小区",
    )
    assert len(shifts) == 14
    assert drive.shifts.count() == 14
    assert sum(s.places for s in drive.shifts.all()) == 210
    assert {s.hours_credited for s in shifts} == {Decimal("3.00")}
