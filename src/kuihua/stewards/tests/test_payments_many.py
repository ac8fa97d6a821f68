"""`payments_record_many` records what `payment_record` would, one by one: the same
receipts, allocations, credits and ledger entries, once per key, in a fixed number of
queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kuihua.core.errors import ApplicationError
from kuihua.ledger.models import Entry
from kuihua.ledger.selectors import balances
from kuihua.stewards import selectors, services
from kuihua.stewards.models import Allocation, Bill, Payment
from kuihua.stewards.services import PaymentIn
from kuihua.stewards.tests.factories import new_key, steward_world

pytestmark = pytest.mark.django_db

# (home, amount in fen, method): partial, exact, over (credit), a second over, cash and bank
PAYMENTS = [
    (0, 2000, "cash"),
    (0, 5000, "transfer"),
    (1, 9000, "cash"),
    (2, 12000, "cash"),
    (2, 1234, "transfer"),
    (3, 3000, "cash"),
    (0, 500, "cash"),
]


def _billed_world(community, coordinator, name):
    world = steward_world(community, coordinator, name=name)
    this_month = timezone.localdate().replace(day=1)
    for months_back in (2, 1, 0):
        start = (this_month - dt.timedelta(days=28 * months_back)).replace(day=1)
        services.billing_run(compound=world.compound, period_start=start, actor=coordinator)
    return world


def _picture(world):
    """What the books hold, in terms that do not depend on row ids."""
    home = {h.pk: i for i, h in enumerate(world.homes)}
    entries = [
        (
            e.number,
            e.date,
            e.memo.replace(world.compound.name, ""),  # the address names the compound
            e.source,
            sorted((leg.account.code, leg.amount_fen) for leg in e.legs.all()),
        )
        for e in Entry.objects.filter(ledger=world.books.ledger, posted=True)
        .order_by("number")
        .prefetch_related("legs__account")
    ]
    return {
        "payments": list(
            Payment.objects.filter(compound=world.compound)
            .order_by("receipt_no")
            .values_list("receipt_no", "household_id", "amount_fen", "method", "entry__number")
        ),
        "allocations": sorted(
            (a.payment.receipt_no, home[a.bill.household_id], a.bill.period_start, a.amount_fen)
            for a in Allocation.objects.filter(bill__compound=world.compound).select_related(
                "payment", "bill"
            )
        ),
        "bills": sorted(
            (home[b.household_id], b.period_start, b.paid_fen)
            for b in Bill.objects.filter(compound=world.compound)
        ),
        "credits": [services.home_credit(h) for h in world.homes],
        "balances": balances(world.books.ledger),
        "entries": entries,
        "receipt_counter": type(world.books).objects.get(pk=world.books.pk).last_receipt_no,
    }


def _ids_to_homes(picture, world):
    home = {h.pk: i for i, h in enumerate(world.homes)}
    picture["payments"] = [(no, home[h], *rest) for no, h, *rest in picture["payments"]]
    return picture


def test_a_batch_records_exactly_what_payments_one_by_one_record(in_community, coordinator):
    one = _billed_world(in_community, coordinator, "一号院")
    many = _billed_world(in_community, coordinator, "二号院")
    day = timezone.localdate()

    for i, amount, method in PAYMENTS:
        services.payment_record(
            compound=one.compound,
            household=one.homes[i],
            amount_fen=amount,
            method=method,
            idempotency_key=new_key(),
            actor=one.steward,
            received_on=day,
        )
    results = services.payments_record_many(
        compound=many.compound,
        payments=[
            PaymentIn(many.homes[i], amount, method, new_key(), day)
            for i, amount, method in PAYMENTS
        ],
        actor=many.steward,
    )

    assert [created for _p, created in results] == [True] * len(PAYMENTS)
    assert [p.receipt_no for p, _c in results] == list(range(1, len(PAYMENTS) + 1))
    assert _ids_to_homes(_picture(many), many) == _ids_to_homes(_picture(one), one)
    assert services.home_credit(many.homes[2]) > 0  # an overpayment became credit
    assert selectors.books_reconcile(one.books).ok
    assert selectors.books_reconcile(many.books).ok  # the hash chain included


def test_a_batch_follows_on_from_payments_recorded_one_by_one(in_community, coordinator):
    world = _billed_world(in_community, coordinator, "三号院")
    services.payment_record(
        compound=world.compound,
        household=world.homes[0],
        amount_fen=1000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
    )

    results = services.payments_record_many(
        compound=world.compound,
        payments=[PaymentIn(world.homes[0], 4000, "cash", new_key(), timezone.localdate())],
        actor=world.steward,
    )
    services.payment_record(
        compound=world.compound,
        household=world.homes[1],
        amount_fen=1000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
    )

    assert results[0][0].receipt_no == 2
    paid = list(
        Bill.objects.filter(household=world.homes[0])
        .order_by("period_start")
        .values_list("paid_fen", flat=True)
    )
    assert paid == [3000, 2000, 0]
    assert list(Payment.objects.order_by("receipt_no").values_list("receipt_no", flat=True)) == [
        1,
        2,
        3,
    ]
    assert selectors.books_reconcile(world.books).ok


def test_a_key_is_recorded_once_in_a_batch_across_batches_and_after_payment_record(
    in_community, coordinator
):
    world = _billed_world(in_community, coordinator, "四号院")
    day = timezone.localdate()
    earlier = new_key()
    first, _ = services.payment_record(
        compound=world.compound,
        household=world.homes[0],
        amount_fen=3000,
        method="cash",
        idempotency_key=earlier,
        actor=world.steward,
    )
    key = new_key()
    batch = [
        PaymentIn(world.homes[1], 3000, "cash", key, day),
        PaymentIn(world.homes[1], 3000, "cash", key, day),  # a double tap
        PaymentIn(world.homes[0], 3000, "cash", earlier, day),  # a retry
    ]

    results = services.payments_record_many(compound=world.compound, payments=batch, actor=None)
    again = services.payments_record_many(compound=world.compound, payments=batch, actor=None)

    assert [c for _p, c in results] == [True, False, False]
    assert results[0][0].pk == results[1][0].pk and results[2][0].pk == first.pk
    assert [c for _p, c in again] == [False, False, False]
    assert [p.pk for p, _c in again] == [p.pk for p, _c in results]
    assert Payment.objects.count() == 2
    assert selectors.books_reconcile(world.books).ok


def test_a_key_reused_for_another_payment_refuses_the_whole_batch(in_community, coordinator):
    world = _billed_world(in_community, coordinator, "五号院")
    day = timezone.localdate()
    key = new_key()
    services.payment_record(
        compound=world.compound,
        household=world.homes[0],
        amount_fen=3000,
        method="cash",
        idempotency_key=key,
        actor=world.steward,
    )

    with pytest.raises(ApplicationError, match="另一笔"):
        services.payments_record_many(
            compound=world.compound,
            payments=[
                PaymentIn(world.homes[1], 3000, "cash", new_key(), day),
                PaymentIn(world.homes[0], 3100, "cash", key, day),
            ],
            actor=None,
        )
    other = new_key()
    with pytest.raises(ApplicationError, match="另一笔"):
        services.payments_record_many(
            compound=world.compound,
            payments=[
                PaymentIn(world.homes[1], 3000, "cash", other, day),
                PaymentIn(world.homes[2], 3000, "cash", other, day),
            ],
            actor=None,
        )

    assert Payment.objects.count() == 1
    assert selectors.books_reconcile(world.books).ok


def test_a_home_of_another_compound_refuses_the_batch(in_community, coordinator):
    world = _billed_world(in_community, coordinator, "六号院")
    other = steward_world(in_community, coordinator, name="七号院")

    with pytest.raises(ApplicationError, match="不在这个小区"):
        services.payments_record_many(
            compound=world.compound,
            payments=[PaymentIn(other.homes[0], 3000, "cash", new_key(), timezone.localdate())],
            actor=None,
        )
    assert Payment.objects.count() == 0


def test_a_batch_takes_the_same_number_of_queries_for_ten_payments_as_for_fifty(
    in_community, coordinator
):
    small = _billed_world(in_community, coordinator, "八号院")
    large = steward_world(in_community, coordinator, homes=40, name="九号院")
    for world in (small, large):
        services.billing_run(
            compound=world.compound,
            period_start=timezone.localdate().replace(day=1),
            actor=coordinator,
        )
    day = timezone.localdate()

    def record(world, n):
        payments = [
            PaymentIn(world.homes[i % len(world.homes)], 1000, "cash", new_key(), day)
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as queries:
            services.payments_record_many(
                compound=world.compound, payments=payments, actor=world.steward
            )
        return len(queries)

    small_queries = record(small, 10)
    large_queries = record(large, 50)

    # (SQLite splits an INSERT every 999 parameters: about 60 payments a statement)
    assert large_queries == small_queries
    assert selectors.books_reconcile(small.books).ok
    assert selectors.books_reconcile(large.books).ok
