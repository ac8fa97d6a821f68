"""The stewards' books as a steward uses them: bills once per home and period, payments
once per key, receipts without a gap, credits, refunds, voids, and books that reconcile."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from kuihua.core.errors import ApplicationError
from kuihua.ledger.selectors import statement
from kuihua.registry.tests.factories import ResidentFactory, tag
from kuihua.stewards import selectors, services
from kuihua.stewards.models import Bill, FeeSchedule, Payment
from kuihua.stewards.tests.factories import new_key, steward_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(in_community, coordinator):
    return steward_world(in_community, coordinator)


def this_month():
    return timezone.localdate().replace(day=1)


def test_a_billing_run_bills_every_home_once_and_a_repeat_bills_nobody_twice(world, coordinator):
    first = services.billing_run(
        compound=world.compound, period_start=this_month(), actor=coordinator
    )
    again = services.billing_run(
        compound=world.compound, period_start=this_month(), actor=coordinator
    )

    assert (first.created, first.skipped) == (4, 0)
    assert (again.created, again.skipped) == (0, 4)
    assert Bill.objects.filter(compound=world.compound).count() == 4
    assert {b.amount_fen for b in Bill.objects.all()} == {3000}


def test_a_hardship_home_gets_the_reduction_with_its_reason_unless_a_coordinator_says_not(
    world, coordinator, in_community
):
    tagged, decided = world.homes[0], world.homes[1]
    ResidentFactory(household=tagged, tags=[tag(in_community, "low_income")])
    ResidentFactory(household=decided, tags=[tag(in_community, "low_income")])
    services.hardship_decide(
        household=decided, is_hardship=False, reason="已就业，收入恢复", actor=coordinator
    )

    services.billing_run(compound=world.compound, period_start=this_month(), actor=coordinator)

    bill = Bill.objects.get(household=tagged)
    assert (bill.gross_fen, bill.reduction_fen, bill.amount_fen) == (3000, 1500, 1500)
    assert "困难家庭" in bill.reduction_reason
    assert Bill.objects.get(household=decided).reduction_fen == 0


def test_per_m2_fees_are_exact_to_the_fen_and_homes_without_area_are_reported(
    in_community, coordinator
):
    world = steward_world(
        in_community,
        coordinator,
        basis=FeeSchedule.Basis.PER_M2,
        monthly_rate_fen=55,
        frequency=FeeSchedule.Frequency.QUARTERLY,
    )
    world.homes[0].exclusive_area = None
    world.homes[0].save()
    quarter = services.period_bounds("quarterly", timezone.localdate())[0]

    run = services.billing_run(compound=world.compound, period_start=quarter, actor=coordinator)

    assert run.created == 3 and run.unmeasured == 1
    assert {b.amount_fen for b in Bill.objects.all()} == {13200}  # 80 m² × ¥0.55 × 3


def test_a_payment_settles_the_oldest_bills_and_keeps_the_rest_as_credit(world, coordinator):
    home = world.homes[0]
    last = (this_month() - dt.timedelta(days=1)).replace(day=1)
    for start in (last, this_month()):
        services.billing_run(compound=world.compound, period_start=start, actor=coordinator)

    payment, created = services.payment_record(
        compound=world.compound,
        household=home,
        amount_fen=7000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
        payer_name="王阿姨",
    )

    assert created and payment.receipt_no == 1
    bills = list(Bill.objects.filter(household=home).order_by("period_start"))
    assert [b.paid_fen for b in bills] == [3000, 3000]
    assert services.home_credit(home) == 1000
    assert selectors.books_reconcile(world.books).ok


def test_the_same_key_records_one_payment_and_a_different_request_with_it_is_refused(
    world, coordinator
):
    key = new_key()
    kwargs = dict(
        compound=world.compound,
        household=world.homes[0],
        amount_fen=3000,
        method="cash",
        idempotency_key=key,
        actor=world.steward,
    )
    first, _ = services.payment_record(**kwargs)
    again, created = services.payment_record(**kwargs)

    assert again.pk == first.pk and not created
    with pytest.raises(ApplicationError, match="另一笔"):
        services.payment_record(**{**kwargs, "amount_fen": 3100})
    assert Payment.objects.count() == 1


def test_receipts_run_without_a_gap_even_when_a_payment_is_refused(world, coordinator):
    services.payment_record(
        compound=world.compound,
        household=world.homes[0],
        amount_fen=100,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
    )
    with pytest.raises(ApplicationError):
        services.refund_record(
            compound=world.compound,
            household=world.homes[1],
            amount_fen=100,
            method="cash",
            idempotency_key=new_key(),
            actor=world.steward,
            reason="多缴",
        )
    services.payment_record(
        compound=world.compound,
        household=world.homes[2],
        amount_fen=100,
        method="transfer",
        idempotency_key=new_key(),
        actor=world.steward,
    )

    assert list(Payment.objects.values_list("receipt_no", flat=True)) == [1, 2]


def test_a_credit_pays_the_next_bill_and_a_refund_pays_back_the_rest(world, coordinator):
    home = world.homes[0]
    services.payment_record(
        compound=world.compound,
        household=home,
        amount_fen=5000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
    )

    services.billing_run(compound=world.compound, period_start=this_month(), actor=coordinator)
    refund, _ = services.refund_record(
        compound=world.compound,
        household=home,
        amount_fen=2000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
        reason="搬走，退还预存",
    )

    assert Bill.objects.get(household=home).paid_fen == 3000
    assert services.home_credit(home) == 0
    assert refund.receipt_no == 2
    assert selectors.books_reconcile(world.books).ok


def test_a_voided_payment_reopens_its_bills_and_keeps_its_receipt_number(world, coordinator):
    services.billing_run(compound=world.compound, period_start=this_month(), actor=coordinator)
    home = world.homes[0]
    wrong, _ = services.payment_record(
        compound=world.compound,
        household=home,
        amount_fen=30000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
    )

    services.payment_void(payment=wrong, reason="多写了一个零", actor=world.steward)
    right, _ = services.payment_record(
        compound=world.compound,
        household=home,
        amount_fen=3000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
    )

    assert Bill.objects.get(household=home).paid_fen == 3000
    assert services.home_credit(home) == 0
    assert (wrong.receipt_no, right.receipt_no) == (1, 2)
    assert selectors.books_reconcile(world.books).ok


def test_the_month_statement_shows_fees_expenses_and_the_balance(world, coordinator):
    from kuihua.ledger.services import account

    services.billing_run(compound=world.compound, period_start=this_month(), actor=coordinator)
    for home in world.homes[:3]:
        services.payment_record(
            compound=world.compound,
            household=home,
            amount_fen=3000,
            method="cash",
            idempotency_key=new_key(),
            actor=world.steward,
        )
    services.cash_entry_post(
        compound=world.compound,
        account=account(world.books.ledger, "5001"),
        amount_fen=2500,
        method="cash",
        date=timezone.localdate(),
        memo="楼道保洁",
        actor=world.steward,
    )

    month = statement(world.books.ledger, timezone.localdate())

    assert (month.income_fen, month.expense_fen, month.closing_fen) == (9000, 2500, 6500)


def test_arrears_are_aged_and_collection_counts_bills_due(world, coordinator):
    today = timezone.localdate()
    old = today.replace(day=1) - relativedelta(months=8)  # due 7–8 months ago
    services.billing_run(compound=world.compound, period_start=old, actor=coordinator)
    services.payment_record(
        compound=world.compound,
        household=world.homes[0],
        amount_fen=3000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
    )

    aging = selectors.arrears_aging(world.compound, today=today)

    assert aging.buckets["6-12"] == 9000 and aging.homes == 3
    rate = selectors.collection(world.compound, old.year, today=today)
    assert (rate.bills_due, rate.bills_paid) == (4, 1)


def test_a_residents_export_lists_their_homes_bills_and_receipts_only(world, coordinator):
    from kuihua.registry.personal_data import export_sections

    me = ResidentFactory(household=world.homes[0], name="王秀英")
    ResidentFactory(household=world.homes[1], name="王秀英")  # a namesake next door
    services.billing_run(compound=world.compound, period_start=this_month(), actor=coordinator)
    for home in world.homes[:2]:
        services.payment_record(
            compound=world.compound,
            household=home,
            amount_fen=3000,
            method="cash",
            idempotency_key=new_key(),
            actor=world.steward,
            payer_name="王秀英",
        )

    part = export_sections(me)["stewards"]

    assert [b["home"] for b in part["bills"]] == [world.homes[0].address]
    assert [(r["receipt_no"], r["amount"]) for r in part["receipts"]] == [(1, "30.00")]
