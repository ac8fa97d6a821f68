"""Jobs for the nightly series run raced between real processes (see race.py).

Nothing here imports Django models at module level: the workers import this module
after they set Django up.
"""

from __future__ import annotations


def job_seed() -> dict:
    """A weekly series in a room made for its first week only, and the room booked by
    another organization on the second week: the next run refuses that occurrence."""
    import datetime as dt
    import uuid

    from kuihua.accounts.models import Role
    from kuihua.accounts.tests.factories import UserFactory
    from kuihua.activities import services
    from kuihua.activities.series import series_create
    from kuihua.core.tenancy import use_community
    from kuihua.core.tests.clock import at, next_weekday
    from kuihua.organizations.models import Membership
    from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
    from kuihua.registry.tests.factories import CommunityFactory
    from kuihua.venues.models import Room

    code = uuid.uuid4().hex[:8]
    community = CommunityFactory(code=f"race-{code}", name=f"赛跑社区{code}")
    with use_community(community):
        choir = OrganizationFactory(community=community)
        membership = MembershipFactory(organization=choir, role=Membership.Role.LEADER)
        leader = UserFactory(
            username=f"leader-{code}",
            role=Role.ORG_LEADER,
            community=community,
            resident=membership.resident,
        )
        room = Room.objects.create(community=community, name="多功能厅", capacity=60)
        first = next_weekday(2)
        series = series_create(
            actor=leader,
            organization=choir,
            title="合唱排练",
            first_starts_at=at(first, 19),
            first_ends_at=at(first, 21),
            rule="weekly",
            until=first,
            room=room,
        )
        second = first + dt.timedelta(weeks=1)
        services.activity_create(
            actor=None,
            organization=OrganizationFactory(community=community),
            title="党课",
            starts_at=at(second, 19),
            ends_at=at(second, 20),
            room=room,
        )
    return {"community": community.pk, "series": series.pk, "leader": leader.pk}


def job_nightly_run() -> list[int]:
    """Wait for every worker, then run the nightly extension; how many it made."""
    from kuihua.activities.series import series_extend_all
    from kuihua.activities.tests.race import wait_for_all

    wait_for_all()
    return [series_extend_all()]


def job_outcome(*, community: int, series: int, leader: int) -> dict:
    from kuihua.activities.models import SkippedOccurrence
    from kuihua.activities.series import SERIES_SKIPPED
    from kuihua.core.tenancy import use_community
    from kuihua.notifications.models import Message

    with use_community(community):
        return {
            "skipped": SkippedOccurrence.objects.filter(series_id=series).count(),
            "told": Message.objects.filter(recipient_id=leader, kind=SERIES_SKIPPED).count(),
        }
