"""Payments and billing runs from several processes and threads at once, on the database
the suite runs on (a SQLite file, or PostgreSQL): a payment sent twenty times is
recorded once, two hundred payments are all recorded, receipt numbers run 1 … n per
compound, a billing run started twice bills each home once, refunds and voids racing
each other pay back and void once, payments written into a month while it closes go in
before the close or are refused, and afterwards bills, payments and the ledger
reconcile to the fen.

Each race runs in 4 spawned processes × 5 threads, each thread with its own
connection, on a fresh database with the ledger's triggers (see race_money.py and
kuihua.activities.tests.race).
"""

import random

import pytest
from django.conf import settings

from kuihua.activities.tests.race import Race, split
from kuihua.stewards.tests.race_money import (
    JOB,
    bill_next_month,
    close_last_month,
    pay,
    refund,
    void,
)

# One worker of the suite keeps this module's race (its processes and database).
pytestmark = pytest.mark.xdist_group("stewards-race")

WORKERS, THREADS = 4, 5
AMOUNTS = [1000, 3000, 5000, 2550, 1]  # part of a ¥30 bill, all of it, more (credit), …


@pytest.fixture(scope="module")
def race():
    race = Race(settings.DATABASES["default"], workers=WORKERS)
    race.one(JOB + "job_ledger_guards")
    yield race
    race.close()


def send_together(race, world, requests, threads=THREADS) -> list[dict]:
    return race.together(
        JOB + "job_requests",
        [
            {"community": world["community"], "requests": share, "threads": threads}
            for share in split(requests, WORKERS)
        ],
    )


def outcome(race, world) -> dict:
    return race.one(JOB + "job_money_outcome", community=world["community"])


def assert_books_reconcile(books: dict) -> None:
    """Bills, payments and the ledger agree to the fen, and the ledger checks out."""
    figures = books["figures"]
    assert books["guarded"]  # the race ran with the ledger's triggers in place
    assert books["problems"] == []
    assert books["legs_total_fen"] == 0
    assert books["receipts"] == list(range(1, books["payments"] + 1))
    assert books["last_receipt_no"] == books["payments"]
    assert books["duplicate_bills"] == 0
    assert figures["fee_income_fen"] == figures["bills_paid_fen"] == figures["allocated_fen"]
    assert figures["prepaid_fen"] == figures["home_credits_fen"]
    assert books["cash_and_bank_fen"] == books["net_received_fen"]
    assert figures["fee_income_fen"] + figures["prepaid_fen"] == books["net_received_fen"]


def test_the_same_payment_sent_twenty_times_at_once_is_recorded_once(race):
    world = race.one(JOB + "job_money_seed", compounds=1, homes=4)
    (compound,) = world["compounds"]
    twenty = [
        pay(
            compound=compound["compound"],
            home=compound["homes"][0],
            amount_fen=3000,
            key="double-tap-0001",
            steward=compound["steward"],
        )
        for _ in range(WORKERS * THREADS)
    ]

    answers = send_together(race, world, twenty)

    assert len(answers) == 20
    assert [a for a in answers if "error" in a] == []
    assert sum(a["created"] for a in answers) == 1
    assert len({a["payment"] for a in answers}) == 1  # the 19 others got the same one back
    assert {a["receipt_no"] for a in answers} == {1}
    books = outcome(race, world)[compound["compound"]]
    assert books["payments"] == 1
    assert books["payment_entries"] == 1
    assert books["receipts"] == [1]
    assert books["figures"]["fee_income_fen"] == 3000
    assert_books_reconcile(books)


def test_two_hundred_different_payments_at_once_are_all_recorded_with_receipts_in_sequence(
    race,
):
    world = race.one(JOB + "job_money_seed", compounds=2, homes=20)
    requests, sent = [], {c["compound"]: 0 for c in world["compounds"]}
    for i in range(200):
        compound = world["compounds"][i % 2]
        amount = AMOUNTS[(i // 2) % len(AMOUNTS)]
        requests.append(
            pay(
                compound=compound["compound"],
                home=compound["homes"][(i // 2) % 20],
                amount_fen=amount,
                key=f"payment-{i:05d}",
                steward=compound["steward"],
                method="transfer" if i % 3 == 0 else "cash",
            )
        )
        sent[compound["compound"]] += amount

    answers = send_together(race, world, requests)

    assert [a for a in answers if "error" in a] == []
    assert len(answers) == 200 and all(a["created"] for a in answers)
    assert len({a["payment"] for a in answers}) == 200
    found = outcome(race, world)
    for compound_id, books in found.items():
        assert books["payments"] == 100
        assert books["payment_entries"] == 100
        assert books["keys"] == sorted({r["key"] for r in requests if r["compound"] == compound_id})
        # no gap, no repeat: the numbers are exactly 1 … 100
        assert books["receipts"] == list(range(1, 101))
        assert books["net_received_fen"] == sent[compound_id]
        assert_books_reconcile(books)


def test_a_billing_run_started_twice_at_once_bills_each_home_once(race):
    world = race.one(JOB + "job_money_seed", compounds=2, homes=20)
    first, second = world["compounds"]
    # Some homes pay ahead, so each run also settles bills from their credit.
    ahead = [
        pay(
            compound=c["compound"],
            home=home,
            amount_fen=5000,
            key=f"ahead-{c['compound']}-{home}",
            steward=c["steward"],
        )
        for c in world["compounds"]
        for home in c["homes"][:5]
    ]
    race.one(
        JOB + "job_requests",
        community=world["community"],
        requests=ahead,
        threads=1,
        together=False,
    )

    runs = race.together(
        JOB + "job_requests",
        [
            {
                "community": world["community"],
                "requests": [bill_next_month(compound=c["compound"], actor=world["coordinator"])],
                "threads": 1,
            }
            for c in (first, second, first, second)
        ],
    )

    assert [r for r in runs if "error" in r] == []
    assert sum(r["created"] for r in runs) == 40  # each compound's 20 homes, once
    assert all(r["created"] + r["skipped"] == 20 for r in runs)
    found = outcome(race, world)
    for c in (first, second):
        books = found[c["compound"]]
        assert sorted(books["bills_per_period"].values()) == [20, 20]  # this month, next
        assert books["bills"] == 40
        assert books["figures"]["home_credits_fen"] == 0  # 5 × ¥20 credit, used once
        assert books["figures"]["fee_income_fen"] == 5 * 5000
        assert_books_reconcile(books)


def test_refunds_and_voids_racing_each_other_never_pay_back_or_void_twice(race):
    world = race.one(JOB + "job_money_seed", compounds=1, homes=4)
    (compound,) = world["compounds"]
    steward, homes = compound["steward"], compound["homes"]
    # Each home pays ¥50 on its ¥30 bill: ¥20 held as its credit.
    paid = race.one(
        JOB + "job_requests",
        community=world["community"],
        requests=[
            pay(
                compound=compound["compound"],
                home=home,
                amount_fen=5000,
                key=f"ahead-{home:06d}",
                steward=steward,
            )
            for home in homes
        ],
        threads=1,
        together=False,
    )
    payment_of = {r["key"]: r["payment"] for r in paid}
    storm = [
        # two homes: five different refunds of the whole credit each, at once
        *(
            refund(
                compound=compound["compound"],
                home=home,
                amount_fen=2000,
                key=f"refund-{home}-{k}",
                steward=steward,
            )
            for home in homes[:2]
            for k in range(5)
        ),
        # the third home's payment voided five times at once
        *(void(payment=payment_of[f"ahead-{homes[2]:06d}"], steward=steward) for _ in range(5)),
        # the fourth home's refund sent five times with one key
        *(
            refund(
                compound=compound["compound"],
                home=homes[3],
                amount_fen=2000,
                key="refund-once-0001",
                steward=steward,
            )
            for _ in range(5)
        ),
    ]
    random.Random(15).shuffle(storm)

    answers = send_together(race, world, storm)

    refused = [a for a in answers if "error" in a]
    assert all(a["error"].startswith("ApplicationError") for a in refused), refused
    refunds = [a for a in answers if a["do"] == "refund" and "error" not in a]
    assert sum(a["created"] for a in refunds) == 3  # one for each of the three homes
    assert len({a["payment"] for a in refunds if a["key"] == "refund-once-0001"}) == 1
    assert len([a for a in answers if a["do"] == "void" and "error" not in a]) == 1
    assert len(refused) == 2 * 4 + 4
    books = outcome(race, world)[compound["compound"]]
    assert books["payments"] == 4 + 3 and books["voided"] == 1
    assert set(books["home_credits"].values()) == {0}  # never below nothing
    assert books["net_received_fen"] == 3 * 5000 - 3 * 2000
    assert books["figures"]["fee_income_fen"] == 3 * 3000  # the voided home owes again
    assert_books_reconcile(books)


def test_payments_written_into_a_month_while_it_is_closed_go_in_before_or_are_refused(race):
    world = race.one(JOB + "job_money_seed", compounds=1, homes=4)
    (compound,) = world["compounds"]
    late = [
        pay(
            compound=compound["compound"],
            home=compound["homes"][k % 4],
            amount_fen=1000,
            key=f"late-{k:05d}",
            steward=compound["steward"],
            last_month=True,
        )
        for k in range(WORKERS * THREADS - 1)
    ]
    storm = [*late, close_last_month(compound=compound["compound"], actor=world["coordinator"])]
    random.Random(15).shuffle(storm)

    answers = send_together(race, world, storm)

    closes = [a for a in answers if a["do"] == "close"]
    assert closes and "error" not in closes[0]
    refused = [a for a in answers if a["do"] == "pay" and "error" in a]
    assert all("ApplicationError" in a["error"] and "已经结账" in a["error"] for a in refused)
    recorded = [a for a in answers if a["do"] == "pay" and "error" not in a]
    assert len(recorded) + len(refused) == 19
    books = outcome(race, world)[compound["compound"]]
    assert books["closed_through"] is not None
    assert books["payments"] == len(recorded)  # a refused payment gave its number back
    assert_books_reconcile(books)  # and nothing went into the month after it closed


def test_after_payments_repeats_and_billing_runs_all_at_once_the_books_reconcile_to_the_fen(
    race,
):
    world = race.one(JOB + "job_money_seed", compounds=2, homes=10)
    requests = []
    for i in range(120):
        compound = world["compounds"][i % 2]
        requests.append(
            pay(
                compound=compound["compound"],
                home=compound["homes"][(i // 2) % 10],
                amount_fen=AMOUNTS[i % len(AMOUNTS)],
                key=f"storm-{i:05d}",
                steward=compound["steward"],
            )
        )
    # Every fourth payment sent again (a retry), and each compound's next bills started
    # twice, all mixed into the same storm.
    requests += [dict(r) for r in requests[::4]]
    requests += [
        bill_next_month(compound=c["compound"], actor=world["coordinator"])
        for c in world["compounds"] * 2
    ]
    random.Random(15).shuffle(requests)

    answers = send_together(race, world, requests)

    assert [a for a in answers if "error" in a] == []
    payments = [a for a in answers if a["do"] == "pay"]
    assert sum(a["created"] for a in payments) == 120
    by_key: dict[str, set] = {}
    for a in payments:
        by_key.setdefault(a["key"], set()).add(a["payment"])
    assert len(by_key) == 120 and all(len(ids) == 1 for ids in by_key.values())
    found = outcome(race, world)
    for compound in world["compounds"]:
        books = found[compound["compound"]]
        assert books["payments"] == 60
        assert books["payment_entries"] == 60
        assert books["bills"] == 20  # this month's and next month's, each home once
        assert books["net_received_fen"] == sum(
            r["amount_fen"] for r in _sent(requests, compound["compound"])
        )
        assert_books_reconcile(books)


def _sent(requests: list[dict], compound_id: int) -> list[dict]:
    """The distinct payments sent to a compound (a retry counted once)."""
    return list(
        {
            r["key"]: r for r in requests if r["do"] == "pay" and r["compound"] == compound_id
        }.values()
    )
