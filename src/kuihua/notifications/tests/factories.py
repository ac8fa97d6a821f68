"""Factories for the notification tests: people with accounts, activities and sign-ups.

Kept here (not borrowed from activities) so that these tests build exactly the
rows they read and nothing more.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.models import Activity, Signup
from kuihua.notifications.models import Message
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory


def volunteer(community, **resident_fields):
    """A resident with a volunteer account in `community`."""
    resident = ResidentFactory(
        household__building__compound__community=community, **resident_fields
    )
    return UserFactory(
        role=Role.VOLUNTEER,
        community=community,
        resident=resident,
        display_name=resident.name,
    )


def activity(community, *, starts_in: dt.timedelta, **fields) -> Activity:
    starts_at = timezone.now() + starts_in
    values = {
        "community": community,
        "organization": OrganizationFactory(community=community),
        "title": "社区环境清洁",
        "address": "翠苑一区北门",
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(hours=2),
        "places": 10,
        "hours_credited": Decimal("2.00"),
        **fields,
    }
    return Activity.objects.create(**values)


def signup(act: Activity, user, *, status=Signup.Status.CONFIRMED) -> Signup:
    return Signup.objects.create(
        community_id=act.community_id, activity=act, resident=user.resident, status=status
    )


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    recipient = factory.SubFactory(UserFactory)
    community = factory.SelfAttribute("recipient.community")
    kind = "test"
    title = factory.Sequence(lambda n: f"消息{n}")
    body = "内容"
