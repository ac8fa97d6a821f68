"""Sign-ups from several processes at once: never over-booked, never promoted twice.

Each race runs in real processes (spawned, each with its own connection) on a
fresh database of the kind the suite runs on: a temporary SQLite file, or a new
PostgreSQL database when KUIHUA_TEST_DATABASE_URL points at PostgreSQL. See
race.py for the workers.
"""

import pytest
from django.conf import settings

from kuihua.activities.tests.race import Race, split

WORKERS = 4


@pytest.fixture(scope="module")
def race():
    race = Race(settings.DATABASES["default"], workers=WORKERS)
    yield race
    race.close()


def test_sixty_people_at_once_for_twenty_places_give_twenty_confirmed_and_forty_queued(race):
    world = race.one("job_seed", people=60, places=20)

    outcomes = race.together(
        "job_sign_up",
        [
            {"community": world["community"], "activity": world["activity"], "residents": share}
            for share in split(world["residents"], WORKERS)
        ],
    )

    assert sorted(set(outcomes)) == ["confirmed", "waitlisted"]
    assert outcomes.count("confirmed") == 20
    outcome = race.one("job_outcome", community=world["community"], activity=world["activity"])
    assert outcome["by_status"] == {"confirmed": 20, "waitlisted": 40}
    assert outcome["places_taken"] == 20
    assert outcome["filled"] and outcome["filled_among_places"]
    assert outcome["duplicates"] == 0
    assert outcome["positions"] == list(range(1, 41))


def test_the_same_person_signing_up_from_every_process_at_once_gets_one_sign_up(race):
    world = race.one("job_seed", people=1, places=20)
    (person,) = world["residents"]

    outcomes = race.together(
        "job_sign_up",
        [
            {"community": world["community"], "activity": world["activity"], "residents": [person]}
            for _ in range(WORKERS)
        ],
    )

    assert outcomes.count("confirmed") == 1
    assert set(outcomes) - {"confirmed"} == {"已报名该活动，不能重复报名"}
    outcome = race.one("job_outcome", community=world["community"], activity=world["activity"])
    assert outcome["by_status"] == {"confirmed": 1}
    assert outcome["places_taken"] == 1


def test_ten_cancellations_at_once_promote_exactly_ten_waiting_people(race):
    world = race.one("job_seed", people=20, places=10, signed_up=20)
    confirmed = world["signups"][:10]

    outcomes = race.together(
        "job_cancel",
        [
            {"community": world["community"], "signups_to_cancel": share}
            for share in split(confirmed, WORKERS)
        ],
    )

    assert outcomes == ["cancelled"] * 10
    outcome = race.one("job_outcome", community=world["community"], activity=world["activity"])
    assert outcome["by_status"] == {"cancelled": 10, "confirmed": 10}
    assert outcome["promoted"] == 10
    assert outcome["places_taken"] == 10
    assert outcome["filled"]  # every freed place was taken again at once
    assert outcome["positions"] == []


def test_cancellations_racing_new_sign_ups_leave_no_place_free_while_people_wait(race):
    world = race.one("job_seed", people=30, places=10, signed_up=14)
    confirmed, newcomers = world["signups"][:10], world["residents"][14:]

    outcomes = race.together(
        "job_mixed",
        [
            {
                "community": world["community"],
                "activity": world["activity"],
                "cancel": cancel,
                "sign_up": sign_up,
            }
            for cancel, sign_up in zip(
                split(confirmed[:6], WORKERS), split(newcomers, WORKERS), strict=True
            )
        ],
    )

    assert outcomes.count("cancelled") == 6
    outcome = race.one("job_outcome", community=world["community"], activity=world["activity"])
    # 14 signed up, 6 left, 16 came: 24 live, 10 of them in the places
    assert outcome["by_status"]["confirmed"] == 10
    assert outcome["by_status"]["waitlisted"] == 14
    assert outcome["places_taken"] == 10
    assert outcome["filled"]
    assert outcome["duplicates"] == 0
    assert outcome["positions"] == list(range(1, 15))


def test_concurrent_offers_keep_the_count_of_held_places(race):
    world = race.one("job_seed", people=20, places=10, signed_up=20, confirm_within=2)

    race.together(
        "job_cancel",
        [
            {"community": world["community"], "signups_to_cancel": share}
            for share in split(world["signups"][:10], WORKERS)
        ],
    )

    outcome = race.one("job_outcome", community=world["community"], activity=world["activity"])
    assert outcome["by_status"] == {"cancelled": 10, "offered": 10}
    assert outcome["places_taken"] == 10


def test_sign_ups_cancellations_and_offers_racing_on_the_hot_path_keep_places_equal_to_rows(race):
    # 10 places, offers to confirm within 2 hours; 16 signed up: 10 hold places, 6 wait.
    world = race.one("job_seed", people=40, places=10, signed_up=16, confirm_within=2)
    holders, newcomers = world["signups"][:10], world["residents"][16:]

    race.together(
        "job_churn",
        [
            {
                "community": world["community"],
                "activity": world["activity"],
                "cancel": cancel,
                "sign_up": sign_up,
                "expire": worker % 2 == 0,
            }
            for worker, (cancel, sign_up) in enumerate(
                zip(split(holders[:8], WORKERS), split(newcomers, WORKERS), strict=True)
            )
        ],
    )

    outcome = race.one("job_outcome", community=world["community"], activity=world["activity"])
    by_status = outcome["by_status"]
    held = by_status.get("confirmed", 0) + by_status.get("offered", 0)
    assert outcome["places_taken"] == held
    assert outcome["audited_sign_ups"] == outcome["sign_ups"] == 40
    # 8 holders left and some offers ran out; every place is held while anyone waits
    assert by_status["cancelled"] == 8 + outcome["offers_expired"]
    live = 40 - by_status["cancelled"]
    assert held == min(10, live)
    assert by_status.get("waitlisted", 0) == live - held
    assert outcome["positions"] == list(range(1, live - held + 1))
    assert outcome["duplicates"] == 0
