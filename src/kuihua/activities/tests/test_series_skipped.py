"""A series occurrence the daily run refuses (its room is taken that day): the organizer
is told once, with the clash named, and a link to arrange that one elsewhere or later."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities import services
from kuihua.activities.models import Activity, Series
from kuihua.activities.series import SERIES_SKIPPED, series_create, series_extend_all
from kuihua.core.tests.clock import at, next_weekday
from kuihua.notifications.models import Message
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.venues.models import Booking, Room

pytestmark = pytest.mark.django_db


def leader_of(organization, username: str):
    membership = MembershipFactory(organization=organization, role=Membership.Role.LEADER)
    return UserFactory(
        username=username,
        role=Role.ORG_LEADER,
        community=organization.community,
        resident=membership.resident,
    )


@pytest.fixture
def choir(in_community):
    return OrganizationFactory(community=in_community, name="夕阳红合唱团")


@pytest.fixture
def party(in_community):
    return OrganizationFactory(community=in_community, name="第一党支部")


@pytest.fixture
def leader(choir):
    return leader_of(choir, "choir-leader")


@pytest.fixture
def hall(in_community):
    return Room.objects.create(
        community=in_community, centre="邻里中心", name="多功能厅", capacity=60
    )


@pytest.fixture
def small_room(in_community):
    return Room.objects.create(
        community=in_community, centre="邻里中心", name="二楼小会议室", capacity=20
    )


@pytest.fixture
def taken_week(leader, choir, party, hall, coordinator):
    """A weekly choir in the hall, made for its first Wednesday only; the hall is booked by
    the party branch on the second Wednesday evening, before the nightly run comes."""
    first = next_weekday(2)
    series = series_create(
        actor=leader,
        organization=choir,
        title="合唱排练",
        first_starts_at=at(first, 19),
        first_ends_at=at(first, 21),
        rule="weekly",
        until=first,
        room=hall,
        places=30,
    )
    second = first + dt.timedelta(weeks=1)
    services.activity_create(
        actor=coordinator,
        organization=party,
        title="党课",
        starts_at=at(second, 19),
        ends_at=at(second, 20),
        room=hall,
    )
    return series, second


def told(user) -> list[Message]:
    return list(Message.objects.filter(recipient=user, kind=SERIES_SKIPPED))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_organizer_is_told_which_room_day_and_booking_and_only_once(
    leader, party, taken_week, coordinator
):
    series, second = taken_week
    other_leader = leader_of(party, "party-leader")

    series_extend_all()
    series_extend_all()  # the nightly run again, the same day

    (message,) = told(leader)
    assert f"{second:%Y-%m-%d}" in message.title
    assert "合唱排练" in message.title
    assert "邻里中心多功能厅" in message.body
    assert f"{second:%Y-%m-%d} 19:00–21:00" in message.body
    assert "党课" in message.body
    assert "第一党支部" in message.body
    assert "另选活动室或时间" in message.body
    assert message.link == reverse(
        "activities:series_skipped",
        kwargs={"series_id": series.pk, "skipped_id": series.skipped.get().pk},
    )
    # The others went ahead; the refused one was not made.
    days = {timezone.localtime(a.starts_at).date() for a in series.occurrences.all()}
    assert second not in days
    assert {second - dt.timedelta(weeks=1), second + dt.timedelta(weeks=1)} <= days
    assert told(other_leader) == []
    assert told(coordinator) == []


def test_a_run_that_read_the_old_horizon_tells_nobody_twice(leader, taken_week):
    """Two runs at once: the second reached the same day before the first had moved the
    horizon (as if it read generated_until before the first committed)."""
    series, _second = taken_week
    before = Series.objects.get(pk=series.pk).generated_until
    series_extend_all()
    Series.objects.filter(pk=series.pk).update(generated_until=before)
    later = Activity.objects.filter(series=series, starts_at__gt=at(before, 23, 59))
    Booking.objects.filter(activity__in=later).update(cancelled_at=timezone.now())
    later.delete()

    series_extend_all()

    assert len(told(leader)) == 1
    assert series.skipped.count() == 1


def test_the_link_lets_the_organizer_arrange_that_one_in_another_room(
    client, leader, party, taken_week, small_room
):
    series, second = taken_week
    series_extend_all()
    (message,) = told(leader)
    client.force_login(leader)

    page = client.get(message.link)
    assert page.status_code == 200
    assert "党课" in text(page)  # what is in the way
    assert f'value="{second:%Y-%m-%d}T19:00"' in text(page)  # the day, filled in
    series_page = text(client.get(reverse("activities:series_detail", args=[series.pk])))
    assert message.link in series_page  # also from the series' own page

    response = client.post(
        message.link,
        {
            "title": "合唱排练",
            "starts_at": f"{second:%Y-%m-%d}T19:00",
            "ends_at": f"{second:%Y-%m-%d}T21:00",
            "room": small_room.pk,
            "places": 30,
            "audience": "volunteers",
        },
    )

    arranged = Activity.objects.get(series=series, room=small_room)
    assert response.status_code == 302
    assert response.url == reverse("activities:manage", args=[arranged.pk])
    assert timezone.localtime(arranged.starts_at) == at(second, 19)
    assert arranged.booking is not None
    assert message.link not in text(
        client.get(reverse("activities:series_detail", args=[series.pk]))
    )
    again = client.get(message.link)  # the link still leads somewhere sensible
    assert again.status_code == 302
    assert again.url == reverse("activities:manage", args=[arranged.pk])

    client.force_login(leader_of(party, "party-leader"))
    assert client.get(message.link).status_code == 404


def test_the_same_room_still_taken_is_refused_naming_the_booking(client, leader, taken_week):
    _series, second = taken_week
    series_extend_all()
    (message,) = told(leader)
    client.force_login(leader)
    page = client.get(message.link)
    hall_id = re.search(r'<option value="(\d+)" selected>', page.content.decode()).group(1)

    response = client.post(
        message.link,
        {
            "title": "合唱排练",
            "starts_at": f"{second:%Y-%m-%d}T19:00",
            "ends_at": f"{second:%Y-%m-%d}T21:00",
            "room": hall_id,
            "audience": "volunteers",
        },
    )

    assert response.status_code == 200
    assert "党课" in text(response)
    assert not Activity.objects.filter(
        series=_series, starts_at=at(second, 19), status=Activity.Status.PUBLISHED
    ).exists()


@pytest.fixture
def race():
    from django.conf import settings

    from kuihua.activities.tests.race import Race

    race = Race(settings.DATABASES["default"], workers=2)
    yield race
    race.close()


def test_two_nightly_runs_at_once_tell_the_organizer_once(race):
    """Two workers (real processes) run the nightly task at the same moment."""
    jobs = "kuihua.activities.tests.series_race"
    world = race.one(f"{jobs}:job_seed")

    made = race.together(f"{jobs}:job_nightly_run", [{}, {}])

    assert sum(made) > 0  # one of them made the other weeks
    assert race.one(f"{jobs}:job_outcome", **world) == {"skipped": 1, "told": 1}
