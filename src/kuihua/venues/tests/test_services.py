"""Booking rooms: overlaps are refused naming the clash; series are all or nothing."""

import datetime as dt

import pytest
from django.db import connection

from kuihua.core.models import AuditLog
from kuihua.core.tests.clock import days_from_today
from kuihua.venues import services
from kuihua.venues.models import Booking
from kuihua.venues.tests.factories import BookingFactory, RoomFactory, local_datetime, tomorrow

pytestmark = pytest.mark.django_db


def book(actor, room, organization, start_hour, end_hour, *, day=None, title="排练"):
    day = day or tomorrow()
    return services.booking_create(
        actor=actor,
        room=room,
        organization=organization,
        title=title,
        starts_at=local_datetime(day, start_hour),
        ends_at=local_datetime(day, end_hour),
    )


def test_a_booking_is_created_and_audited(in_community, coordinator, room, choir):
    booking = book(coordinator, room, choir, 9, 11)

    assert booking.pk and booking.organization == choir and booking.booked_by == coordinator
    assert AuditLog.objects.filter(action="booking.create", object_id=booking.pk).exists()


def test_an_overlapping_booking_is_refused_naming_the_clash(
    in_community, coordinator, room, choir, readers
):
    first = book(coordinator, room, choir, 9, 11, title="合唱排练")

    with pytest.raises(services.BookingClash) as caught:
        book(coordinator, room, readers, 10, 12, title="读书会")

    assert caught.value.clash == first
    day = tomorrow().isoformat()
    assert str(caught.value) == f"该时段已被“合唱排练”（夕阳红合唱团，{day} 09:00–11:00）占用"
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(("start", "end"), [(8, 10), (10, 11), (9, 11), (8, 12)])
def test_every_kind_of_overlap_is_refused(in_community, coordinator, room, choir, start, end):
    book(coordinator, room, choir, 9, 11)

    with pytest.raises(services.BookingClash):
        book(coordinator, room, choir, start, end)


def test_touching_bookings_are_allowed(in_community, coordinator, room, choir, readers):
    book(coordinator, room, choir, 9, 11)

    book(coordinator, room, readers, 11, 12)
    book(coordinator, room, readers, 7, 9)

    assert Booking.objects.count() == 3


def test_other_rooms_do_not_clash(in_community, coordinator, room, choir, community):
    other = RoomFactory(community=community, name="书画室")
    book(coordinator, room, choir, 9, 11)

    book(coordinator, other, choir, 9, 11)

    assert Booking.objects.count() == 2


def test_a_cancelled_booking_does_not_block(in_community, coordinator, room, choir, readers):
    first = book(coordinator, room, choir, 9, 11)
    services.booking_cancel(actor=coordinator, booking=first)

    second = book(coordinator, room, readers, 9, 11)

    first.refresh_from_db()
    assert first.cancelled_at is not None and second.pk
    assert AuditLog.objects.filter(action="booking.cancel", object_id=first.pk).exists()


def test_cancelling_twice_is_refused(in_community, coordinator, room, choir):
    booking = book(coordinator, room, choir, 9, 11)
    services.booking_cancel(actor=coordinator, booking=booking)

    with pytest.raises(services.BookingError):
        services.booking_cancel(actor=coordinator, booking=booking)


def test_an_end_before_the_start_is_refused(in_community, coordinator, room, choir):
    with pytest.raises(services.BookingError) as caught:
        book(coordinator, room, choir, 11, 9)

    assert caught.value.field == "ends_at"


def test_an_inactive_room_cannot_be_booked(in_community, coordinator, room, choir):
    services.room_update(actor=coordinator, room=room, is_active=False)

    with pytest.raises(services.BookingError) as caught:
        book(coordinator, room, choir, 9, 11)

    assert caught.value.field == "room"


def test_a_weekly_series_books_each_occurrence(in_community, coordinator, room, choir):
    first_day = tomorrow()

    bookings = services.booking_create_series(
        actor=coordinator,
        room=room,
        organization=choir,
        title="合唱排练",
        first_starts_at=local_datetime(first_day, 14),
        first_ends_at=local_datetime(first_day, 16),
        rule="weekly",
        until=first_day + dt.timedelta(weeks=3),
    )

    assert [b.starts_at for b in bookings] == [
        local_datetime(first_day + dt.timedelta(weeks=n), 14) for n in range(4)
    ]
    assert len({b.series_key for b in bookings}) == 1
    assert Booking.objects.filter(series_key=bookings[0].series_key).count() == 4


def test_monthly_on_a_day_some_months_lack_is_refused_not_thinned(
    in_community, coordinator, room, choir
):
    first_day = next(d for d in map(days_from_today, range(1, 63)) if d.day == 31)

    with pytest.raises(services.BookingError, match="每月 31 日不是每个月都有") as refused:
        services.booking_create_series(
            actor=coordinator,
            room=room,
            organization=choir,
            title="月度例会",
            first_starts_at=local_datetime(first_day, 14),
            first_ends_at=local_datetime(first_day, 16),
            rule="monthly",
            until=first_day + dt.timedelta(days=365),
        )

    assert refused.value.field == "rule"
    assert not Booking.objects.exists()


def test_an_rrule_series_books_the_named_days(in_community, coordinator, room, choir):
    first_day = tomorrow()
    while first_day.weekday() != 1:  # a Tuesday
        first_day += dt.timedelta(days=1)

    bookings = services.booking_create_series(
        actor=coordinator,
        room=room,
        organization=choir,
        title="血压测量",
        first_starts_at=local_datetime(first_day, 8),
        first_ends_at=local_datetime(first_day, 9),
        rule="FREQ=WEEKLY;BYDAY=TU,TH",
        until=first_day + dt.timedelta(days=13),
    )

    assert [
        b.starts_at.astimezone(local_datetime(first_day, 8).tzinfo).weekday() for b in bookings
    ] == [
        1,
        3,
        1,
        3,
    ]


def test_a_series_with_one_clash_books_nothing_and_lists_the_dates(
    in_community, coordinator, room, choir, readers
):
    first_day = tomorrow()
    clash_day = first_day + dt.timedelta(weeks=2)
    book(coordinator, room, readers, 14, 15, day=clash_day, title="读书会")

    with pytest.raises(services.BookingClash) as caught:
        services.booking_create_series(
            actor=coordinator,
            room=room,
            organization=choir,
            title="合唱排练",
            first_starts_at=local_datetime(first_day, 14),
            first_ends_at=local_datetime(first_day, 16),
            rule="weekly",
            until=first_day + dt.timedelta(weeks=3),
        )

    assert clash_day.isoformat() in str(caught.value)
    assert "读书会" in str(caught.value)
    assert Booking.objects.count() == 1


def test_an_unknown_rule_is_refused(in_community, coordinator, room, choir):
    day = tomorrow()
    with pytest.raises(services.BookingError) as caught:
        services.booking_create_series(
            actor=coordinator,
            room=room,
            organization=choir,
            title="x",
            first_starts_at=local_datetime(day, 9),
            first_ends_at=local_datetime(day, 10),
            rule="FREQ=SOMETIMES",
            until=day + dt.timedelta(days=7),
        )
    assert caught.value.field == "rule"


def test_rooms_are_created_and_renamed_by_service(in_community, coordinator):
    room = services.room_create(actor=coordinator, name=" 舞蹈室 ", capacity=40, centre="中心")

    services.room_update(actor=coordinator, room=room, name="舞蹈排练室", capacity=35)

    room.refresh_from_db()
    assert (room.name, room.capacity) == ("舞蹈排练室", 35)
    with pytest.raises(services.BookingError):
        services.room_create(actor=coordinator, name="舞蹈排练室", capacity=10, centre="中心")


def test_factory_bookings_block_too(in_community, coordinator, room, choir):
    BookingFactory(room=room, community=room.community, title="旧预约")

    with pytest.raises(services.BookingClash):
        book(coordinator, room, choir, 9, 11)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints: PostgreSQL")
def test_on_postgresql_the_database_itself_refuses_an_overlap_the_check_missed(
    in_community, coordinator, room, choir, readers, monkeypatch
):
    first = book(coordinator, room, choir, 9, 11, title="合唱排练")
    real = services._overlapping
    calls = []

    def blind_first_time(*args):
        calls.append(args)
        return real(*args).none() if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_overlapping", blind_first_time)

    with pytest.raises(services.BookingClash) as caught:
        book(coordinator, room, readers, 10, 12, title="读书会")

    assert caught.value.clash == first
    assert "合唱排练" in str(caught.value)
    assert Booking.objects.count() == 1
