"""Days and times for tests, read from the test's clock (the root conftest's `clock`).

A test never writes a literal month that will pass: it asks for "a Saturday ahead"
or "eight days from today", and `scripts/test --awkward-days` runs it again on the
days where date code breaks.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today() -> dt.date:
    return timezone.localdate()


def days_from_today(days: int) -> dt.date:
    return today() + dt.timedelta(days=days)


def next_weekday(weekday: int, *, after: dt.date | None = None) -> dt.date:
    """The first day with `weekday` (0 = Monday) strictly after `after` (default today)."""
    after = after or today()
    return after + dt.timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """`day` at hour:minute, Beijing time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone())


def iso_at(day: dt.date, hour: int, minute: int = 0) -> str:
    """The same as `at`, as an API client sends it: 2027-03-06T09:30:00+08:00."""
    return at(day, hour, minute).isoformat()
