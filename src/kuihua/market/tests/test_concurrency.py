"""Market sales from several processes and threads at once, on the database the suite
runs on (a SQLite file, or PostgreSQL): a hundred points purchases against a balance
of fifty spend exactly fifty, a sale sent twenty times is recorded once, and money
sales racing at several stalls keep both funds' books reconciled to the fen.

Each race runs in 4 spawned processes × 5 threads, each thread with its own
connection, on a fresh database with the ledger's triggers (see race_market.py and
kuihua.activities.tests.race).
"""

from decimal import Decimal

import pytest
from django.conf import settings

from kuihua.activities.tests.race import Race, split
from kuihua.market.tests.race_market import JOB, sale
from kuihua.stewards.tests.race_money import JOB as MONEY_JOB

# One worker of the suite keeps this module's race (its processes and database).
pytestmark = pytest.mark.xdist_group("market-race")

WORKERS, THREADS = 4, 5
SHORT = "积分余额不足"


@pytest.fixture(scope="module")
def race():
    race = Race(settings.DATABASES["default"], workers=WORKERS)
    race.one(MONEY_JOB + "job_ledger_guards")
    yield race
    race.close()


def send_together(race, world, requests) -> list[dict]:
    return race.together(
        JOB + "job_sales",
        [
            {"community": world["community"], "requests": share, "threads": THREADS}
            for share in split(requests, WORKERS)
        ],
    )


def outcome(race, world) -> dict:
    return race.one(JOB + "job_market_outcome", community=world["community"], buyer=world["buyer"])


def test_a_hundred_points_purchases_against_fifty_points_spend_exactly_fifty(race):
    world = race.one(JOB + "job_market_seed", points="50")
    (stall,) = world["stalls"]
    hundred = [
        sale(
            item=stall["voucher"],
            seller=stall["leader"],
            key=f"points-{i:05d}",
            buyer=world["buyer"],
        )
        for i in range(100)
    ]

    answers = send_together(race, world, hundred)

    assert [a for a in answers if "error" in a] == []
    assert len(answers) == 100
    sold = [a for a in answers if "sale" in a]
    refused = [a for a in answers if "refused" in a]
    assert len(sold) == 50 and all(a["created"] for a in sold)
    assert len(refused) == 50 and {a["refused"] for a in refused} == {SHORT}
    found = outcome(race, world)
    assert found["sales"] == found["points_sales"] == 50
    assert found["spends"] == found["linked_entries"] == 50  # each entry names its sale
    assert Decimal(found["spent"]) == Decimal("50")
    assert Decimal(found["balance"]) == Decimal(found["entries_sum"]) == Decimal("0")
    assert found["keys"] == sorted(a["key"] for a in sold)
    assert found["funds"] == {}  # points move no money


def test_the_same_points_sale_sent_twenty_times_at_once_is_recorded_once(race):
    world = race.one(JOB + "job_market_seed", points="5")
    (stall,) = world["stalls"]
    twenty = [
        sale(
            item=stall["voucher"],
            seller=stall["leader"],
            key="double-tap-0001",
            buyer=world["buyer"],
            quantity=3,
        )
        for _ in range(WORKERS * THREADS)
    ]

    answers = send_together(race, world, twenty)

    assert [a for a in answers if "error" in a or "refused" in a] == []
    assert sum(a["created"] for a in answers) == 1
    assert len({a["sale"] for a in answers}) == 1  # the 19 others got the same one back
    found = outcome(race, world)
    assert found["sales"] == found["spends"] == 1
    assert Decimal(found["balance"]) == Decimal(found["entries_sum"]) == Decimal("2")


def test_money_sales_racing_at_three_stalls_keep_both_funds_reconciled(race):
    world = race.one(JOB + "job_market_seed", points="0", stalls=3)
    requests, sent = [], 0
    for i in range(120):
        stall = world["stalls"][i % 3]
        quantity = 1 + i % 3
        requests.append(
            sale(
                item=stall["slippers"],
                seller=stall["leader"],
                key=f"money-{i:05d}",
                method="transfer" if i % 4 == 0 else "cash",
                quantity=quantity,
            )
        )
        sent += 1500 * quantity
    # and a few taps twice
    requests += [dict(r) for r in requests[:10]]

    answers = send_together(race, world, requests)

    assert [a for a in answers if "error" in a or "refused" in a] == []
    assert sum(a["created"] for a in answers) == 120
    found = outcome(race, world)
    assert found["sales"] == found["money_sales"] == 120
    assert found["amount_fen"] == sent
    assert found["organization_fen"] + found["welfare_fen"] == sent
    # The funds were opened once each, by whichever sale came first.
    assert found["welfare_funds"] == 1 and found["organization_funds"] == 3
    funds = found["funds"]
    assert all(f["ok"] for f in funds.values())
    welfare = funds["public_welfare"]
    organizations = [f for kind, f in funds.items() if kind.startswith("organization")]
    assert welfare["entries"] == welfare["last_number"] == 120
    assert welfare["money_fen"] == welfare["market_income_fen"] == found["welfare_fen"]
    assert sum(f["money_fen"] for f in organizations) == found["organization_fen"]
    assert sum(f["entries"] for f in organizations) == 120
    # 1,000 in stock at each stall, less what each sold
    sold_per_item: dict[int, int] = {}
    for r in requests[:120]:
        sold_per_item[r["item"]] = sold_per_item.get(r["item"], 0) + r["quantity"]
    for item, quantity in sold_per_item.items():
        assert found["stock"][item] == 1000 - quantity
