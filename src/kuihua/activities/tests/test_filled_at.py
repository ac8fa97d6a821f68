"""When an activity became full (`Activity.filled_at`): set by the place that fills it,
kept when a freed place is taken again at once, cleared when a place stays free."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kuihua.activities.models import Activity, Signup
from kuihua.activities.services import activity_update
from kuihua.activities.signups import services as signups
from kuihua.activities.tests.factories import ActivityFactory, assert_places_consistent, volunteer
from kuihua.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(in_community):
    return OrganizationFactory(community=in_community)


def in_three_days(organization, **fields):
    # Far enough ahead for the clock to move hours without the activity starting.
    return ActivityFactory(
        community=organization.community,
        organization=organization,
        starts_at=timezone.now() + dt.timedelta(days=3),
        **fields,
    )


@pytest.fixture
def activity(organization):
    return in_three_days(organization, places=2)


def sign_up(activity, resident):
    return signups.signup_create(actor=resident.account, activity=activity, resident=resident)


def filled_at(activity) -> dt.datetime | None:
    return Activity.objects.values_list("filled_at", flat=True).get(pk=activity.pk)


def test_the_sign_up_that_takes_the_last_place_records_when_it_filled(
    activity, organization, clock
):
    first, second, third = (volunteer(organization) for _ in range(3))
    sign_up(activity, first)
    assert filled_at(activity) is None

    clock.shift(dt.timedelta(minutes=30))
    before = timezone.now()
    sign_up(activity, second)
    after = timezone.now()

    assert before <= filled_at(activity) <= after
    moment = filled_at(activity)
    clock.shift(dt.timedelta(minutes=5))
    sign_up(activity, third)  # waitlisted: the activity filled earlier
    assert filled_at(activity) == moment


def test_filling_costs_the_sign_up_no_extra_query(organization):
    roomy = in_three_days(organization, places=2)
    tight = in_three_days(organization, places=1)
    one, other = volunteer(organization), volunteer(organization)

    with CaptureQueriesContext(connection) as not_filling:
        sign_up(roomy, one)
    with CaptureQueriesContext(connection) as filling:
        sign_up(tight, other)

    assert len(filling) == len(not_filling)
    assert filled_at(tight) is not None and filled_at(roomy) is None


def test_a_freed_place_that_stays_free_opens_the_activity_again(activity, organization):
    first, second = volunteer(organization), volunteer(organization)
    mine = sign_up(activity, first)
    sign_up(activity, second)
    assert filled_at(activity) is not None

    signups.signup_cancel(actor=first.account, signup=mine)

    assert filled_at(activity) is None
    assert_places_consistent(activity)


def test_a_place_taken_again_at_once_from_the_waitlist_keeps_the_moment_it_filled(
    activity, organization, clock
):
    first, second, waiting = (volunteer(organization) for _ in range(3))
    mine = sign_up(activity, first)
    sign_up(activity, second)
    moment = filled_at(activity)
    queued = sign_up(activity, waiting)
    clock.shift(dt.timedelta(hours=2))

    signups.signup_cancel(actor=first.account, signup=mine)

    queued.refresh_from_db()
    assert queued.status == Signup.Status.CONFIRMED
    assert filled_at(activity) == moment


def test_after_opening_again_the_next_sign_up_fills_it_at_a_new_moment(
    activity, organization, clock
):
    first, second, third = (volunteer(organization) for _ in range(3))
    mine = sign_up(activity, first)
    sign_up(activity, second)
    moment = filled_at(activity)
    signups.signup_cancel(actor=first.account, signup=mine)
    clock.shift(dt.timedelta(hours=1))

    sign_up(activity, third)

    assert filled_at(activity) > moment + dt.timedelta(minutes=59)


def test_more_places_open_it_and_a_waitlist_promotion_that_fills_them_sets_it_again(
    activity, organization, coordinator, clock
):
    people = [volunteer(organization) for _ in range(3)]
    for person in people:
        sign_up(activity, person)  # two confirmed, one waiting
    moment = filled_at(activity)
    clock.shift(dt.timedelta(hours=3))

    activity_update(actor=coordinator, activity=activity, places=3)

    promoted = Signup.objects.get(activity=activity, resident=people[2])
    assert promoted.status == Signup.Status.CONFIRMED
    assert filled_at(activity) > moment + dt.timedelta(hours=2)
    assert_places_consistent(activity)

    activity_update(actor=coordinator, activity=Activity.objects.get(pk=activity.pk), places=5)
    assert filled_at(activity) is None  # room again, nobody waiting


def test_an_expired_offer_passes_the_place_on_or_opens_the_activity(activity, organization):
    Activity.objects.filter(pk=activity.pk).update(confirm_within_hours=2)
    activity.refresh_from_db()
    first, second, waiting = (volunteer(organization) for _ in range(3))
    mine = sign_up(activity, first)
    sign_up(activity, second)
    offered = sign_up(activity, waiting)
    signups.signup_cancel(actor=first.account, signup=mine)
    offered.refresh_from_db()
    assert offered.status == Signup.Status.OFFERED
    assert filled_at(activity) is not None  # the offered person holds the place

    later = offered.offer_expires_at + dt.timedelta(seconds=1)
    assert signups.offers_expire(now=later) == 1

    assert filled_at(activity) is None  # nobody else waits: a place is free
    assert_places_consistent(activity)


def test_an_activity_without_a_limit_never_fills(organization):
    open_to_all = in_three_days(organization, places=None)
    sign_up(open_to_all, volunteer(organization))
    assert filled_at(open_to_all) is None


def test_the_demo_drive_shift_that_fills_knows_when_and_opened_half_a_day_before(in_community):
    from kuihua.activities.demo import demo_activities
    from kuihua.organizations.tests.factories import MembershipFactory
    from kuihua.registry.tests.factories import ResidentFactory

    organization = OrganizationFactory(community=in_community)
    for _ in range(45):
        adult = ResidentFactory(
            household__building__compound__community=in_community, birth_date=dt.date(1970, 5, 1)
        )
        MembershipFactory(organization=organization, resident=adult)

    demo_activities(community=in_community)

    full = Activity.objects.get(title__startswith="疫苗接种", places_taken=25)
    assert full.filled_at is not None
    assert full.filled_at - full.signup_opens_at == dt.timedelta(hours=4, minutes=30)
    assert not Activity.objects.filter(filled_at__isnull=False).exclude(pk=full.pk).exists()
