"""Fixtures shared by every app's tests: two communities and a user of each role."""

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.registry.tests.factories import CommunityFactory, CompoundFactory


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
