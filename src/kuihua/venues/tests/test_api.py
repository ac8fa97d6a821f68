"""/api/venues: rooms, the calendar, and booking through JSON."""

import datetime as dt

import pytest

from kuihua.activities.tests.factories import ActivityFactory
from kuihua.core.tests.clock import days_from_today, today
from kuihua.venues.models import Booking, Room
from kuihua.venues.tests.factories import BookingFactory, RoomFactory, local_datetime, tomorrow

pytestmark = pytest.mark.django_db

URL = "/api/venues"


@pytest.fixture(autouse=True)
def _in_community(in_community):
    return in_community


def _body(room, organization=None, *, start=14, end=16, day=None, **extra):
    day = day or tomorrow()
    return {
        "room_id": room.pk,
        "organization_id": organization.pk if organization else None,
        "title": "合唱排练",
        "starts_at": local_datetime(day, start).isoformat(),
        "ends_at": local_datetime(day, end).isoformat(),
        **extra,
    }


class TestRooms:
    def test_anyone_signed_in_lists_rooms(self, client, volunteer, room):
        client.force_login(volunteer)

        response = client.get(f"{URL}/rooms")

        assert response.status_code == 200
        assert [r["name"] for r in response.json()["items"]] == ["多功能厅"]

    def test_a_coordinator_adds_a_room(self, client, coordinator):
        client.force_login(coordinator)

        response = client.post(
            f"{URL}/rooms",
            {"name": "健康小屋", "capacity": 8, "equipment": "血压计"},
            content_type="application/json",
        )

        assert response.status_code == 201
        assert Room.objects.get().name == "健康小屋"

    def test_a_leader_may_not_add_a_room(self, client, choir_leader):
        client.force_login(choir_leader)

        response = client.post(
            f"{URL}/rooms", {"name": "x", "capacity": 8}, content_type="application/json"
        )

        assert response.status_code == 403


class TestCalendar:
    def test_bookings_and_activities_of_the_week(self, client, volunteer, community, room, choir):
        BookingFactory(room=room, community=community, organization=choir, title="合唱排练")
        ActivityFactory(
            community=community,
            title="楼道清洁",
            address="3幢楼下",
            starts_at=local_datetime(tomorrow(), 9),
        )
        client.force_login(volunteer)
        start = tomorrow()

        response = client.get(
            f"{URL}/calendar",
            {"start": start.isoformat(), "end": (start + dt.timedelta(days=7)).isoformat()},
        )

        body = response.json()
        assert response.status_code == 200
        assert [(b["title"], b["organization"], b["room"]) for b in body["bookings"]] == [
            ("合唱排练", "夕阳红合唱团", str(room))
        ]
        assert [(a["title"], a["place"]) for a in body["activities"]] == [("楼道清洁", "3幢楼下")]

    def test_too_long_a_span_is_refused(self, client, volunteer):
        client.force_login(volunteer)

        response = client.get(
            f"{URL}/calendar", {"start": str(today()), "end": str(days_from_today(152))}
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "end"


class TestBookings:
    def test_a_leader_books_for_their_organization(self, client, choir_leader, room, choir):
        client.force_login(choir_leader)

        response = client.post(
            f"{URL}/bookings", _body(room, choir), content_type="application/json"
        )

        assert response.status_code == 201
        assert response.json()[0]["organization"]["name"] == "夕阳红合唱团"
        assert Booking.objects.get().booked_by == choir_leader

    def test_a_clash_is_a_400_naming_it(self, client, coordinator, community, room, readers):
        BookingFactory(
            room=room,
            community=community,
            organization=readers,
            title="读书会",
            starts_at=local_datetime(tomorrow(), 15),
        )
        client.force_login(coordinator)

        response = client.post(
            f"{URL}/bookings", _body(room, readers), content_type="application/json"
        )

        assert response.status_code == 400
        day = tomorrow().isoformat()
        assert response.json()["message"] == (
            f"该时段已被“读书会”（书香读书会，{day} 15:00–17:00）占用"
        )
        assert Booking.objects.count() == 1

    def test_a_recurring_booking_is_all_or_nothing(
        self, client, coordinator, community, room, choir
    ):
        clash_day = tomorrow() + dt.timedelta(weeks=1)
        BookingFactory(room=room, community=community, starts_at=local_datetime(clash_day, 15))
        client.force_login(coordinator)
        repeat = {"rule": "weekly", "until": (tomorrow() + dt.timedelta(weeks=3)).isoformat()}

        refused = client.post(
            f"{URL}/bookings", _body(room, choir, repeat=repeat), content_type="application/json"
        )
        booked = client.post(
            f"{URL}/bookings",
            _body(room, choir, start=9, end=10, repeat=repeat),
            content_type="application/json",
        )

        assert refused.status_code == 400 and clash_day.isoformat() in refused.json()["message"]
        assert booked.status_code == 201 and len(booked.json()) == 4
        assert Booking.objects.count() == 5

    def test_a_leader_cannot_book_for_another_organization(
        self, client, choir_leader, room, readers
    ):
        client.force_login(choir_leader)

        response = client.post(
            f"{URL}/bookings", _body(room, readers), content_type="application/json"
        )

        assert response.status_code == 404
        assert Booking.objects.count() == 0

    def test_a_leader_must_name_the_organization(self, client, choir_leader, room):
        client.force_login(choir_leader)

        response = client.post(f"{URL}/bookings", _body(room), content_type="application/json")

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "organization_id"

    def test_a_volunteer_may_not_book(self, client, volunteer, room):
        client.force_login(volunteer)

        response = client.post(f"{URL}/bookings", _body(room), content_type="application/json")

        assert response.status_code == 403

    def test_a_leader_cancels_their_own_booking_not_anothers(
        self, client, choir_leader, community, room, choir, readers
    ):
        own = BookingFactory(room=room, community=community, organization=choir)
        theirs = BookingFactory(
            room=room,
            community=community,
            organization=readers,
            starts_at=local_datetime(tomorrow(), 14),
        )
        client.force_login(choir_leader)

        assert client.delete(f"{URL}/bookings/{theirs.pk}").status_code == 404
        assert client.delete(f"{URL}/bookings/{own.pk}").status_code == 204
        own.refresh_from_db()
        theirs.refresh_from_db()
        assert own.cancelled_at is not None and theirs.cancelled_at is None

    def test_cancelling_a_series_from_one_occurrence(self, client, coordinator, room, choir):
        client.force_login(coordinator)
        repeat = {"rule": "daily", "until": (tomorrow() + dt.timedelta(days=4)).isoformat()}
        ids = [
            b["id"]
            for b in client.post(
                f"{URL}/bookings",
                _body(room, choir, repeat=repeat),
                content_type="application/json",
            ).json()
        ]

        response = client.delete(f"{URL}/bookings/{ids[2]}?series=true")

        assert response.status_code == 204
        live = set(Booking.objects.filter(cancelled_at__isnull=True).values_list("pk", flat=True))
        assert live == set(ids[:2])

    def test_another_communitys_room_is_404(self, client, coordinator, other_community):
        from kuihua.core.tenancy import unscoped

        with unscoped():
            theirs = RoomFactory(community=other_community)
        client.force_login(coordinator)

        response = client.post(f"{URL}/bookings", _body(theirs), content_type="application/json")

        assert response.status_code == 404
