"""Rules of procedure (赋制): the first from the template, every change decided by a vote,
and a vote already open keeps the rules it opened under."""

import datetime as dt

import pytest
from django.utils import timezone

from kuihua.council import procedure, services
from kuihua.council.models import EligibleVoter, RulesOfProcedure
from kuihua.council.procedure import ProcedureError
from kuihua.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(in_community, compound):
    return [
        ResidentFactory(household=HouseholdFactory(building__compound=compound)) for _ in range(4)
    ]


def propose(coordinator, **values):
    return procedure.rules_propose(
        actor=coordinator,
        closes_at=timezone.now() + dt.timedelta(days=7),
        reason="到会比例太低",
        **values,
    )


def cast(coordinator, vote, people, choices):
    for person, choice in zip(people, choices, strict=False):
        voter = EligibleVoter.objects.get(vote=vote, members__resident=person)
        services.ballot_cast(actor=coordinator, vote=vote, voter=voter, choice=choice)


def test_the_first_rules_come_from_the_template_and_a_second_first_is_refused(
    in_community, coordinator
):
    rules = procedure.rules_adopt_first(actor=coordinator)

    assert (rules.version, rules.status, rules.notice_days) == (1, "in_force", 7)
    with pytest.raises(ProcedureError, match="须提交表决"):
        procedure.rules_adopt_first(actor=coordinator, notice_days=3)


def test_a_change_passed_by_vote_comes_into_force_and_open_votes_keep_the_old(
    coordinator, compound, households
):
    procedure.rules_adopt_first(actor=coordinator)
    earlier = services.vote_open(
        actor=coordinator, title="楼道清洁", closes_at=timezone.now() + dt.timedelta(days=9)
    )
    proposal = propose(coordinator, quorum_percent=60)
    cast(coordinator, proposal.decided_by, households, ["agree", "agree", "agree"])

    services.vote_close(actor=coordinator, vote=proposal.decided_by)

    proposal.refresh_from_db()
    assert (proposal.version, proposal.status) == (2, "in_force")
    assert RulesOfProcedure.objects.get(version=1).status == "superseded"
    assert procedure.rules_in_force().quorum_percent == 60
    earlier.refresh_from_db()
    assert earlier.quorum_percent == 50 and earlier.rules.version == 1


def test_a_change_the_vote_refuses_is_rejected_and_the_rules_stay(
    coordinator, compound, households
):
    procedure.rules_adopt_first(actor=coordinator)
    proposal = propose(coordinator, notice_days=3)
    cast(coordinator, proposal.decided_by, households, ["against", "against", "agree"])

    services.vote_close(actor=coordinator, vote=proposal.decided_by)

    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert procedure.rules_in_force().version == 1


def test_a_change_needs_a_reason_and_a_difference(in_community, coordinator):
    procedure.rules_adopt_first(actor=coordinator)

    with pytest.raises(ProcedureError, match="修改理由"):
        procedure.rules_propose(
            actor=coordinator, closes_at=timezone.now() + dt.timedelta(days=1), quorum_percent=60
        )
    with pytest.raises(ProcedureError, match="一样"):
        propose(coordinator)


def test_the_worker_closes_votes_whose_time_is_up(coordinator, compound, households, clock):
    procedure.rules_adopt_first(actor=coordinator)
    proposal = propose(coordinator, quorum_percent=60)
    cast(coordinator, proposal.decided_by, households, ["agree", "agree", "agree"])

    clock.move_to(timezone.now() + dt.timedelta(days=8))
    assert services.votes_close_due() == 1

    assert procedure.rules_in_force().version == 2
