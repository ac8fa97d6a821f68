"""Jobs for the vote races (run inside kuihua.activities.tests.race workers).

Nothing here may import Django models at module level: the workers import this
module after they set Django up, but the test module imports it before.
"""

from __future__ import annotations

JOB = "kuihua.council.tests.race_votes:"


def job_vote_seed(*, owners: int, allow_change: bool, secret: bool = False) -> dict:
    """A compound of `owners` homes of 80 m², one owner each, and an open owners' vote."""
    import datetime as dt
    import uuid

    from django.utils import timezone

    from kuihua.accounts.models import Role
    from kuihua.accounts.tests.factories import UserFactory
    from kuihua.core.tenancy import use_community
    from kuihua.council import services
    from kuihua.council.models import EligibleVoter, Vote
    from kuihua.registry import services as registry
    from kuihua.registry.tests.factories import (
        BuildingFactory,
        CommunityFactory,
        CompoundFactory,
        HouseholdFactory,
    )

    code = uuid.uuid4().hex[:8]
    community = CommunityFactory(code=f"vote-{code}", name=f"表决社区{code}")
    with use_community(community):
        coordinator = UserFactory(username=f"c-{code}", role=Role.COORDINATOR, community=community)
        compound = CompoundFactory(community=community, name="翠苑三区")
        building = BuildingFactory(compound=compound, name="1幢")
        for k in range(owners):
            home = HouseholdFactory(building=building, room=str(1001 + k))
            registry.home_area_set(actor=coordinator, household=home, area="80")
            name = "业主" + str(k).translate(str.maketrans("0123456789", "〇一二三四五六七八九"))
            registry.owner_add(actor=coordinator, household=home, name=name, phone="")
        vote = services.vote_open(
            actor=coordinator,
            title="更换电梯",
            voters=Vote.Voters.OWNER,
            majority=Vote.Majority.CIVIL_CODE,
            matter="6",
            compound=compound,
            closes_at=timezone.now() + dt.timedelta(days=1),
            allow_change=allow_change,
            secret=secret,
        )
        voters = list(EligibleVoter.objects.filter(vote=vote).values_list("pk", flat=True))
    return {
        "community": community.pk,
        "vote": vote.pk,
        "voters": voters,
        "coordinator": coordinator.pk,
    }


def job_cast(*, community: int, vote: int, voters: list[int], choice: str, coordinator: int):
    """Wait for every worker, then cast `choice` for each voter; the outcome of each."""
    from kuihua.accounts.models import User
    from kuihua.activities.tests.race import wait_for_all
    from kuihua.core.tenancy import use_community
    from kuihua.council import services
    from kuihua.council.models import EligibleVoter, Vote

    outcomes = []
    with use_community(community):
        target = Vote.objects.get(pk=vote)
        actor = User.objects.get(pk=coordinator)
        people = list(EligibleVoter.objects.filter(pk__in=voters))
        wait_for_all()
        for voter in people:
            try:
                cast = services.ballot_cast(actor=actor, vote=target, voter=voter, choice=choice)
                outcomes.append("changed" if cast.changed else "cast")
            except services.CouncilError as exc:
                outcomes.append(str(exc))
    return outcomes


def job_vote_outcome(*, community: int, vote: int) -> dict:
    from kuihua.core.tenancy import use_community
    from kuihua.council.models import BallotReceipt, ChoiceTally

    with use_community(community):
        return {
            "receipts": BallotReceipt.objects.filter(vote_id=vote).count(),
            "tallies": {
                t.choice: (t.heads, str(t.area)) for t in ChoiceTally.objects.filter(vote_id=vote)
            },
        }
