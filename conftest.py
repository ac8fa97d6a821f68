"""Fixtures shared by every app's tests: the clock, two communities and a user of each role."""

import datetime as dt
import os

import pytest
import time_machine

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.registry.tests.factories import CommunityFactory, CompoundFactory

CLOCK_ENV = "KUIHUA_TEST_NOW"


def _clock_start() -> dt.datetime | None:
    """The moment KUIHUA_TEST_NOW names (ISO 8601; a date alone means 10:00 Beijing time)."""
    value = os.environ.get(CLOCK_ENV, "").strip()
    if not value:
        return None
    if len(value) == 10:
        value += "T10:00:00+08:00"
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise pytest.UsageError(f"{CLOCK_ENV}={value!r} needs a UTC offset, like +08:00")
    return moment


@pytest.fixture(autouse=True)
def clock():
    """Every test runs on a clock it controls: time-machine, ticking.

    It starts at the real now, or at KUIHUA_TEST_NOW when that is set (how
    `scripts/test --awkward-days` runs the suite on a month's last day, 29 February,
    New Year's night and the days around the Spring Festival). A test that needs a
    particular day moves there with `clock.move_to(...)`; everything else computes its
    dates from `timezone.localdate()` / `timezone.now()`, never from a literal month.
    """
    start = _clock_start() or dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


@pytest.fixture
def community(db):
    return CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")


@pytest.fixture
def other_community(db):
    return CommunityFactory(name="文新社区", code="wenxin")


@pytest.fixture
def in_community(community):
    """Run the test body with `community` in force, as a request of its user would."""
    with use_community(community):
        yield community


@pytest.fixture
def coordinator(community):
    return UserFactory(username="coordinator", role=Role.COORDINATOR, community=community)


@pytest.fixture
def compound(community):
    return CompoundFactory(community=community, name="翠苑一区")


@pytest.fixture(autouse=True)
def _restore_language():
    """A request through LocaleMiddleware leaves its language active in the thread:
    a test that reads a page in English must not make the next test's messages English."""
    from django.utils import translation

    before = translation.get_language()
    yield
    translation.activate(before)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Django's cache starts empty: sign-in delays counted in one test (per process,
    local memory) must not make the next test's user wait."""
    from django.core.cache import cache

    cache.clear()
    yield
