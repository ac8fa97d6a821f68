"""factory_boy factories for rooms and bookings.

Bookings default to tomorrow 09:00–11:00 Shanghai time and are created directly
(no clash check): tests that need the rule go through the services.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from kuihua.registry.tests.factories import CommunityFactory
from kuihua.venues.models import Booking, Room


def local_datetime(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at `hour:minute` Shanghai time on `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    community = factory.SubFactory(CommunityFactory)
    centre = "翠苑一区党群服务中心"
    name = factory.Sequence(lambda n: f"活动室{n + 1}")
    capacity = 30
    equipment = "投影仪、音响"


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    room = factory.SubFactory(RoomFactory)
    community = factory.SelfAttribute("room.community")
    organization = None
    title = factory.Sequence(lambda n: f"合唱排练{n}")
    starts_at = factory.LazyFunction(lambda: local_datetime(tomorrow(), 9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
