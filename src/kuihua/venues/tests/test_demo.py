import random

import pytest

from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.venues.demo import seed_venues
from kuihua.venues.models import Booking, Room

pytestmark = pytest.mark.django_db


def test_demo_rooms_and_a_week_of_bookings_twice_is_once(in_community, community):
    OrganizationFactory(community=community, name="夕阳红合唱团", category="culture")

    first = seed_venues(community, rng=random.Random(1))
    second = seed_venues(community, rng=random.Random(1))

    assert Room.objects.count() == 6
    assert len(first) == 15 and second == []
    assert Booking.objects.filter(title="合唱排练", organization__name="夕阳红合唱团").count() == 2
