"""factory_boy factories for activities and sign-ups.

Activities start tomorrow, last two hours, have 10 places and credit 2 hours;
sign-ups are created directly (confirmed, holding a place via `places_taken`)
so tests that need a given state need not go through the service.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.db.models import F
from django.utils import timezone

from kuihua.activities.models import Activity, Signup
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory


def _tomorrow_9am() -> dt.datetime:
    now = timezone.now()
    return (now + dt.timedelta(days=1)).replace(hour=1, minute=0, second=0, microsecond=0)


class ActivityFactory(factory.django.DjangoModelFactory):
    """A published activity tomorrow 09:00–11:00 Shanghai time, 10 places, open to volunteers."""

    class Meta:
        model = Activity

    community = factory.SubFactory(CommunityFactory)
    organization = factory.SubFactory(
        OrganizationFactory, community=factory.SelfAttribute("..community")
    )
    title = factory.Sequence(lambda n: f"社区环境清洁{n}")
    description = "清理楼道杂物"
    address = "翠苑一区活动中心"
    starts_at = factory.LazyFunction(_tomorrow_9am)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    places = 10
    hours_credited = Decimal("2")
    audience = Activity.Audience.VOLUNTEERS
    status = Activity.Status.PUBLISHED


class SignupFactory(factory.django.DjangoModelFactory):
    """A sign-up; a confirmed or offered one also takes a place on its activity."""

    class Meta:
        model = Signup

    activity = factory.SubFactory(ActivityFactory)
    community = factory.SelfAttribute("activity.community")
    resident = factory.LazyAttribute(
        lambda o: ResidentFactory(household__building__compound__community=o.activity.community)
    )
    status = Signup.Status.CONFIRMED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        signup = super()._create(model_class, *args, **kwargs)
        if signup.status in (Signup.Status.CONFIRMED, Signup.Status.OFFERED):
            Activity.objects.with_scopes_disabled().filter(pk=signup.activity_id).update(
                places_taken=F("places_taken") + 1
            )
            signup.activity.refresh_from_db(fields=["places_taken"])
        return signup


def volunteer(organization, *, account: bool = True, username: str | None = None, **fields):
    """A resident who is a member of `organization`, with a volunteer's account if asked.

    The account (if any) is `resident.account`.
    """
    from kuihua.accounts.models import Role
    from kuihua.accounts.tests.factories import UserFactory
    from kuihua.organizations.tests.factories import MembershipFactory

    resident = ResidentFactory(
        household__building__compound__community=organization.community, **fields
    )
    MembershipFactory(organization=organization, resident=resident)
    if account:
        extra = {"username": username} if username else {}
        UserFactory(
            role=Role.VOLUNTEER, community=organization.community, resident=resident, **extra
        )
    return resident


def assert_places_consistent(activity) -> None:
    """The invariant: places taken = confirmed + offered sign-ups, never above the places."""
    fresh = Activity.objects.with_scopes_disabled().get(pk=activity.pk)
    holding = Signup.objects.with_scopes_disabled().filter(
        activity_id=activity.pk, status__in=[Signup.Status.CONFIRMED, Signup.Status.OFFERED]
    )
    assert fresh.places_taken == holding.count()
    if fresh.places is not None:
        assert fresh.places_taken <= fresh.places
