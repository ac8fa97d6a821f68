"""The calendar, rooms and booking pages as a coordinator, a leader and a volunteer see them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kuihua.activities.calendar import week_start
from kuihua.activities.tests.factories import ActivityFactory
from kuihua.venues import services
from kuihua.venues.models import Booking, Room
from kuihua.venues.tests.factories import BookingFactory, RoomFactory, local_datetime, tomorrow

pytestmark = pytest.mark.django_db

CALENDAR = reverse("activities:calendar")
NEW_BOOKING = reverse("venues:booking_create")


def at_ten() -> dt.datetime:
    """10:00 tomorrow on the test's clock (read when the test runs, not at import)."""
    return local_datetime(tomorrow(), 10)


@pytest.fixture(autouse=True)
def _in_community(in_community):
    return in_community


def _booking_post(room, organization, *, day=None, start="14:00", end="16:00", **extra):
    day = day or tomorrow()
    return {
        "room": room.pk,
        "organization": organization.pk if organization else "",
        "title": "合唱排练",
        "day": day.isoformat(),
        "start_time": start,
        "end_time": end,
        **extra,
    }


class TestCalendar:
    def test_the_old_address_still_opens_the_calendar_on_the_same_day(self, client, volunteer):
        client.force_login(volunteer)
        day = tomorrow().isoformat()

        response = client.get("/venues/", {"date": day, "view": "month"}, follow=True)

        assert response.redirect_chain[0][0] == f"{CALENDAR}?date={day}&view=month"
        assert response.context["cal"].view == "month"

    def test_the_week_shows_bookings_and_activities_of_every_room(
        self, client, volunteer, community, room, choir
    ):
        BookingFactory(room=room, community=community, organization=choir, title="合唱排练")
        ActivityFactory(
            community=community, organization=choir, title="楼道清洁", starts_at=at_ten()
        )
        other = RoomFactory(community=community, name="书画室")
        ActivityFactory(community=community, title="书法课", room=other, starts_at=at_ten())
        client.force_login(volunteer)

        page = client.get(CALENDAR, {"date": tomorrow().isoformat()}).content.decode()

        for text in (
            "多功能厅",
            "书画室",
            "合唱排练",
            "夕阳红合唱团",
            "楼道清洁",
            "书法课",
            "其他地点",
        ):
            assert text in page

    def test_a_booking_made_for_an_activity_shows_once(
        self, client, coordinator, community, room, choir
    ):
        booking = BookingFactory(room=room, community=community, organization=choir, title="义诊")
        ActivityFactory(
            community=community,
            organization=choir,
            title="义诊",
            room=room,
            booking=booking,
            starts_at=booking.starts_at,
        )
        client.force_login(coordinator)

        response = client.get(CALENDAR, {"date": tomorrow().isoformat()})

        entries = [e for d in response.context["cal"].days for e in d.entries]
        assert [(e.kind, e.title) for e in entries] == [("activity", "义诊")]

    def test_cancelled_bookings_and_draft_activities_are_not_shown(
        self, client, coordinator, community, room, choir
    ):
        booking = BookingFactory(room=room, community=community, title="已取消的排练")
        services.booking_cancel(actor=coordinator, booking=booking)
        ActivityFactory(community=community, title="草稿活动", status="draft", starts_at=at_ten())
        client.force_login(coordinator)

        page = client.get(CALENDAR, {"date": tomorrow().isoformat()}).content.decode()

        assert "已取消的排练" not in page and "草稿活动" not in page

    def test_next_and_previous_weeks_and_the_month(self, client, coordinator, community, room):
        day = tomorrow()
        BookingFactory(
            room=room,
            community=community,
            title="下周的读书会",
            starts_at=local_datetime(day + dt.timedelta(weeks=1), 9),
        )
        client.force_login(coordinator)

        this_week = client.get(CALENDAR, {"date": day.isoformat()})
        next_week = client.get(CALENDAR, {"date": this_week.context["cal"].next.isoformat()})
        month = client.get(CALENDAR, {"view": "month", "date": day.isoformat()})

        assert "下周的读书会" not in this_week.content.decode()
        assert "下周的读书会" in next_week.content.decode()
        assert next_week.context["cal"].start == week_start(day) + dt.timedelta(weeks=1)
        assert month.context["cal"].view == "month"
        assert len(month.context["cal"].weeks) in (4, 5, 6)

    def test_a_day_out_of_reach_is_refused_or_ignored_never_a_500(
        self, client, coordinator, room, choir
    ):
        from kuihua.venues.models import Booking

        client.force_login(coordinator)

        for day in ("9999-12-31", "0001-01-01"):
            assert client.get(CALENDAR, {"date": day}).status_code == 200
            assert client.get(CALENDAR, {"view": "month", "date": day}).status_code == 200
            api = client.get("/api/venues/calendar", {"start": day})
            assert api.status_code == 422
            assert api.json()["errors"][0]["field"] == "start"
        far = client.post(NEW_BOOKING, _booking_post(room, choir, day=dt.date(1, 1, 1)))
        assert "日期超出范围" in far.content.decode()
        assert not Booking.objects.exists()
        overview = client.get(reverse("activities:overview"), {"month": "9999-12"})
        assert overview.status_code == 200

    def test_htmx_gets_the_calendar_alone(self, client, coordinator):
        client.force_login(coordinator)

        response = client.get(CALENDAR, {"view": "month"}, headers={"HX-Request": "true"})

        assert response.status_code == 200
        assert "<html" not in response.content.decode()
        assert "venues-month" in response.content.decode()

    @pytest.mark.parametrize("view", ["week", "month"])
    def test_runs_the_same_number_of_queries_as_the_calendar_fills(
        self, client, choir_leader, community, choir, view
    ):
        client.force_login(choir_leader)
        day = tomorrow()

        def count_queries():
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(CALENDAR, {"view": view, "date": day.isoformat()})
            assert response.status_code == 200
            return len(ctx.captured_queries)

        RoomFactory(community=community)
        few = count_queries()
        for n in range(6):
            room = RoomFactory(community=community)
            BookingFactory(
                room=room,
                community=community,
                organization=choir,
                starts_at=local_datetime(day, 8 + n),
            )
            ActivityFactory(
                community=community,
                organization=choir,
                room=room,
                starts_at=local_datetime(day, 14),
            )
            ActivityFactory(community=community, address=f"{n}号楼下", starts_at=at_ten())

        assert count_queries() == few

    def test_the_navigation_leads_those_who_book_to_the_calendar(
        self, client, coordinator, volunteer
    ):
        client.force_login(coordinator)
        booker = client.get("/").content.decode()
        client.force_login(volunteer)
        joiner = client.get("/").content.decode()

        assert CALENDAR in booker
        assert CALENDAR not in joiner  # a volunteer books no rooms: 场地预约 is not theirs


class TestRooms:
    def test_a_coordinator_adds_and_edits_a_room(self, client, coordinator):
        client.force_login(coordinator)

        response = client.post(
            reverse("venues:room_create"),
            {
                "centre": "党群服务中心",
                "name": "舞蹈室",
                "capacity": 40,
                "equipment": "镜子",
                "is_active": "on",
            },
        )
        room = Room.objects.get(name="舞蹈室")
        client.post(
            reverse("venues:room_edit", args=[room.pk]),
            {"centre": "党群服务中心", "name": "舞蹈室", "capacity": 35},
        )

        assert response.status_code == 302
        room.refresh_from_db()
        assert (room.capacity, room.is_active) == (35, False)
        assert "舞蹈室" in client.get(reverse("venues:rooms")).content.decode()

    def test_a_leader_sees_rooms_but_cannot_manage_them(self, client, choir_leader, room):
        client.force_login(choir_leader)

        assert "多功能厅" in client.get(reverse("venues:rooms")).content.decode()
        assert client.get(reverse("venues:room_create")).status_code == 404
        assert client.post(reverse("venues:room_edit", args=[room.pk])).status_code == 404


class TestBookingForm:
    def test_a_leader_books_for_their_organization(self, client, choir_leader, room, choir):
        client.force_login(choir_leader)

        response = client.post(NEW_BOOKING, _booking_post(room, choir))

        assert response.status_code == 302
        booking = Booking.objects.get()
        assert (booking.organization, booking.booked_by) == (choir, choir_leader)

    def test_a_clash_is_shown_and_nothing_changes(
        self, client, choir_leader, community, room, choir, readers
    ):
        BookingFactory(
            room=room,
            community=community,
            organization=readers,
            title="读书会",
            starts_at=local_datetime(tomorrow(), 15),
        )
        client.force_login(choir_leader)

        response = client.post(NEW_BOOKING, _booking_post(room, choir))

        assert response.status_code == 200
        assert f"该时段已被“读书会”（书香读书会，{tomorrow().isoformat()} 15:00–17:00）占用" in (
            response.content.decode()
        )
        assert Booking.objects.count() == 1

    def test_a_weekly_series_on_two_weekdays(self, client, coordinator, room, choir):
        client.force_login(coordinator)
        first = tomorrow()

        response = client.post(
            NEW_BOOKING,
            _booking_post(
                room,
                choir,
                day=first,
                repeat="weekly",
                weekdays=["TU", "TH"],
                until=(first + dt.timedelta(days=13)).isoformat(),
            ),
        )

        assert response.status_code == 302
        weekdays = {
            b.starts_at.astimezone(local_datetime(first, 0).tzinfo).weekday()
            for b in Booking.objects.all()
        }
        assert weekdays == {1, 3}
        assert Booking.objects.count() in (3, 4, 5)

    def test_a_leader_cannot_book_for_another_organization(
        self, client, choir_leader, room, readers
    ):
        client.force_login(choir_leader)

        response = client.post(NEW_BOOKING, _booking_post(room, readers))

        assert response.status_code == 200
        assert Booking.objects.count() == 0

    def test_a_volunteer_cannot_book(self, client, volunteer, room):
        client.force_login(volunteer)

        assert client.get(NEW_BOOKING).status_code == 404

    def test_a_leader_cancels_their_own_booking_but_not_anothers(
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

        refused = client.post(reverse("venues:booking_cancel", args=[theirs.pk]))
        done = client.post(reverse("venues:booking_cancel", args=[own.pk]))

        assert refused.status_code == 404 and done.status_code == 302
        own.refresh_from_db()
        theirs.refresh_from_db()
        assert own.cancelled_at is not None and theirs.cancelled_at is None
        detail = client.get(reverse("venues:booking_detail", args=[theirs.pk])).content.decode()
        assert "booking_cancel" not in detail and "/cancel/" not in detail
