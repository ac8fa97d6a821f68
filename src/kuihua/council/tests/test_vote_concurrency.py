"""Ballots from several processes at once, on the database the suite runs on (SQLite file
or PostgreSQL): every eligible voter counted exactly once, changes never doubled."""

import pytest
from django.conf import settings

from kuihua.activities.tests.race import Race, split
from kuihua.council.tests.race_votes import JOB

WORKERS = 4


@pytest.fixture(scope="module")
def race():
    race = Race(settings.DATABASES["default"], workers=WORKERS)
    yield race
    race.close()


def test_every_owner_voting_from_every_process_at_once_is_counted_once(race):
    world = race.one(JOB + "job_vote_seed", owners=40, allow_change=False)

    outcomes = race.together(
        JOB + "job_cast",
        [{**world, "voters": world["voters"], "choice": "agree"} for _ in range(WORKERS)],
    )

    assert outcomes.count("cast") == 40
    assert len(outcomes) - 40 == 3 * 40  # every other try refused, none counted
    outcome = race.one(JOB + "job_vote_outcome", community=world["community"], vote=world["vote"])
    assert outcome["receipts"] == 40
    assert outcome["tallies"]["agree"] == (40, "3200.00")


def test_changes_of_vote_racing_each_other_move_each_voter_once(race):
    world = race.one(JOB + "job_vote_seed", owners=20, allow_change=True)
    race.together(
        JOB + "job_cast",
        [
            {**world, "voters": share, "choice": "agree"}
            for share in split(world["voters"], WORKERS)
        ],
    )

    choices = ["against", "abstain", "against", "abstain"]
    race.together(
        JOB + "job_cast",
        [{**world, "voters": world["voters"], "choice": c} for c in choices],
    )

    outcome = race.one(JOB + "job_vote_outcome", community=world["community"], vote=world["vote"])
    heads = {choice: h for choice, (h, _a) in outcome["tallies"].items()}
    assert outcome["receipts"] == 20
    assert sum(heads.values()) == 20  # each voter in exactly one column
    assert heads["agree"] == 0
    areas = sum(float(a) for _h, a in outcome["tallies"].values())
    assert areas == 20 * 80
