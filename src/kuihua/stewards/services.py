"""Every write of the stewards' books: assignments, fee schedules, billing runs,
payments, refunds, voids and reminders.

The invariants, and what holds each (docs/adr/0014-ledger.md):

- One bill per home and period: the unique constraint; a run inserts with
  ON CONFLICT DO NOTHING, so a repeated or concurrent run skips what exists.
- One payment per idempotency key: checked under the compound's lock, and the
  unique constraint as the last word; a second request with the key gets the first
  payment back, and nothing is recorded twice.
- Receipt numbers 1, 2, 3 … per compound with no gap: the counter row is moved in
  the payment's own transaction, so a payment that rolls back gives its number back.
- Bills, credits and the ledger move together, under the compound's lock (its
  `CompoundBooks` row), in one transaction: the books reconcile to the fen
  (`selectors.books_reconcile`).
- No penalty of any kind (Civil Code art. 944): a reminder is a reminder.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.accounts.models import Role
from kuihua.core.audit import audit
from kuihua.core.bulk import insert_rows
from kuihua.core.errors import ApplicationError
from kuihua.core.models import AuditLog
from kuihua.core.money import MAX_FEN, fen_percent, fen_times, yuan
from kuihua.ledger import services as ledger_services
from kuihua.ledger.models import Account, Ledger
from kuihua.ledger.services import BANK, CASH, FEES, OPENING, PREPAID
from kuihua.registry.models import Compound, Household, Resident
from kuihua.stewards.models import (
    Allocation,
    Bill,
    BillChange,
    BillingRun,
    CompoundBooks,
    FeeSchedule,
    HardshipDecision,
    HomeCredit,
    Payment,
    Reminder,
    StewardAssignment,
)

logger = logging.getLogger("kuihua.stewards")

KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
PERIOD_MONTHS = {
    FeeSchedule.Frequency.MONTHLY: 1,
    FeeSchedule.Frequency.QUARTERLY: 3,
    FeeSchedule.Frequency.YEARLY: 12,
}


def _actor(user):
    return user if getattr(user, "pk", None) else None


# --- stewards and books --------------------------------------------------------------


@transaction.atomic
def books_open(
    *,
    compound: Compound,
    actor,
    opening_cash_fen: int = 0,
    opening_bank_fen: int = 0,
    opening_date: dt.date | None = None,
) -> CompoundBooks:
    """Open a self-managed compound's books: its ledger and receipt counter, with the
    cash and bank balance it starts from (from the old exercise book)."""
    if compound.has_property_company:
        raise ApplicationError(_("这个小区有物业公司，不由义管家记账。"))
    if CompoundBooks.objects.filter(compound=compound).exists():
        raise ApplicationError(_("这个小区已经建账了。"))
    ledger = ledger_services.ledger_open(
        name=_("%(compound)s 收支账") % {"compound": compound.name}, kind=Ledger.Kind.COMPOUND
    )
    books = CompoundBooks.objects.create(
        compound=compound, ledger=ledger, receipt_prefix=f"{compound.pk:03d}"
    )
    legs = []
    if opening_cash_fen:
        legs.append((ledger_services.account(ledger, CASH), opening_cash_fen))
    if opening_bank_fen:
        legs.append((ledger_services.account(ledger, BANK), opening_bank_fen))
    if legs:
        legs.append((ledger_services.account(ledger, OPENING), -sum(a for _x, a in legs)))
        ledger_services.entry_post(
            ledger=ledger,
            date=opening_date or timezone.localdate(),
            memo=_("期初结余"),
            legs=legs,
            actor=actor,
            source="opening",
        )
    audit(
        actor=actor,
        community_id=compound.community_id,
        action="stewards.books_opened",
        obj=books,
        new={"cash_fen": opening_cash_fen, "bank_fen": opening_bank_fen},
    )
    return books


@transaction.atomic
def steward_assign(
    *, compound: Compound, steward, actor, since: dt.date | None = None
) -> StewardAssignment:
    """Make `steward` (an account with the 义管家 role) keep `compound`'s books."""
    if compound.has_property_company:
        raise ApplicationError(_("这个小区有物业公司，不需要义管家。"))
    if steward.community_id != compound.community_id or steward.role != Role.STEWARD:
        raise ApplicationError(
            _("只能指派本社区角色为“义管家”的账号；请先在账号管理里设好角色。"), field="steward"
        )
    if StewardAssignment.objects.filter(
        compound=compound, steward=steward, until__isnull=True
    ).exists():
        raise ApplicationError(
            _("%(name)s 已经是这个小区的义管家了。") % {"name": steward}, field="steward"
        )
    assignment = StewardAssignment.objects.create(
        compound=compound,
        steward=steward,
        since=since or timezone.localdate(),
        assigned_by=_actor(actor),
    )
    audit(
        actor=actor,
        community_id=compound.community_id,
        action="stewards.assigned",
        obj=assignment,
        new={"compound": compound.pk, "steward": steward.pk},
    )
    return assignment


@transaction.atomic
def steward_release(*, assignment: StewardAssignment, actor) -> StewardAssignment:
    if assignment.until is not None:
        raise ApplicationError(_("这项分工已经结束了。"))
    assignment.until = timezone.localdate()
    assignment.save(update_fields=["until"])
    audit(
        actor=actor,
        community_id=assignment.community_id,
        action="stewards.released",
        obj=assignment,
        new={"until": assignment.until.isoformat()},
    )
    return assignment


# --- fee schedules and hardship --------------------------------------------------------


def period_bounds(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period of `frequency` that contains `day`: months, calendar quarters, years."""
    months = PERIOD_MONTHS[frequency]
    start_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, start_month, 1)
    return start, start + relativedelta(months=months) - dt.timedelta(days=1)


@transaction.atomic
def schedule_set(
    *,
    compound: Compound,
    actor,
    basis: str,
    monthly_rate_fen: int,
    frequency: str,
    starts_on: dt.date,
    name: str = "物业服务费",
    hardship_reduction_percent: int = 0,
    due_days: int = 30,
) -> FeeSchedule:
    """A new fee schedule from `starts_on` (the first day of a period); the one before it
    ends the day before. Bills already issued keep the schedule they were issued under."""
    if basis not in FeeSchedule.Basis.values:
        raise ApplicationError(_("请选择计费方式。"), field="basis")
    if frequency not in FeeSchedule.Frequency.values:
        raise ApplicationError(_("请选择收费周期。"), field="frequency")
    if not 0 < monthly_rate_fen <= MAX_FEN:
        raise ApplicationError(_("单价要大于 0。"), field="monthly_rate")
    if not 0 <= hardship_reduction_percent <= 100:
        raise ApplicationError(_("减免比例在 0 到 100 之间。"), field="hardship_reduction_percent")
    if not 0 <= due_days <= 366:
        raise ApplicationError(_("缴费期限在 0 到 366 天之间。"), field="due_days")
    if period_bounds(frequency, starts_on)[0] != starts_on:
        raise ApplicationError(
            _(
                "起始日期要是一个收费周期的第一天："
                "按月为 1 日，按季为 1、4、7、10 月 1 日，按年为 1 月 1 日。"
            ),
            field="starts_on",
        )
    name = (name or "").strip() or "物业服务费"
    if Bill.objects.filter(compound=compound, period_end__gte=starts_on).exists():
        raise ApplicationError(
            _("%(day)s 以后的账单已经开出，新标准请从之后的周期开始。")
            % {"day": starts_on.isoformat()},
            field="starts_on",
        )
    FeeSchedule.objects.filter(
        compound=compound, ends_on__isnull=True, starts_on__lt=starts_on
    ).update(ends_on=starts_on - dt.timedelta(days=1))
    FeeSchedule.objects.filter(compound=compound, starts_on__gte=starts_on).delete()
    schedule = FeeSchedule.objects.create(
        compound=compound,
        name=name[:40],
        basis=basis,
        monthly_rate_fen=monthly_rate_fen,
        frequency=frequency,
        hardship_reduction_percent=hardship_reduction_percent,
        due_days=due_days,
        starts_on=starts_on,
        created_by=_actor(actor),
    )
    audit(
        actor=actor,
        community_id=compound.community_id,
        action="stewards.schedule_set",
        obj=schedule,
        new={
            "basis": basis,
            "monthly_rate_fen": monthly_rate_fen,
            "frequency": frequency,
            "starts_on": starts_on.isoformat(),
            "hardship_reduction_percent": hardship_reduction_percent,
        },
    )
    return schedule


def schedule_in_force(compound: Compound, day: dt.date) -> FeeSchedule | None:
    return (
        FeeSchedule.objects.filter(compound=compound, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .order_by("-starts_on")
        .first()
    )


@transaction.atomic
def hardship_decide(
    *, household: Household, is_hardship: bool, reason: str, actor
) -> HardshipDecision:
    """A coordinator's word on a home's hardship status, overriding its members' tags."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请写明认定的理由。"), field="reason")
    decision, _created = HardshipDecision.objects.update_or_create(
        household=household,
        defaults={"is_hardship": is_hardship, "reason": reason[:200], "decided_by": _actor(actor)},
    )
    audit(
        actor=actor,
        community_id=household.community_id,
        action="stewards.hardship_decided",
        obj=decision,
        new={"is_hardship": is_hardship, "reason": reason},
    )
    return decision


def hardship_homes(compound: Compound) -> dict[int, str]:
    """The compound's hardship homes and why: a member tagged 困难家庭, unless a
    coordinator decided otherwise (then their reason). Two queries."""
    # From the tag's side: the few tagged people, not every resident of the community
    # (a filter on the community would make SQLite walk them all: 30 ms a run at
    # 15,000). The compound is the community's already.
    tagged = set(
        Resident.tags.through.objects.filter(
            tag__code="low_income", resident__household__building__compound=compound
        ).values_list("resident__household_id", flat=True)
    )
    reasons = {pk: _("家庭成员登记为困难家庭") for pk in tagged}
    for household_id, is_hardship, reason in HardshipDecision.objects.filter(
        household__building__compound=compound
    ).values_list("household_id", "is_hardship", "reason"):
        if is_hardship:
            reasons[household_id] = reason
        else:
            reasons.pop(household_id, None)
    return reasons


# --- billing --------------------------------------------------------------------------


def _lock_books(compound: Compound) -> CompoundBooks:
    """The compound's lock: payments, refunds, voids, credits and billing of one
    compound are taken one at a time on this row."""
    try:
        return (
            CompoundBooks.objects.select_for_update()
            .select_related("ledger")
            .get(compound=compound)
        )
    except CompoundBooks.DoesNotExist:
        raise ApplicationError(_("这个小区还没有建账。")) from None


BILL_COLUMNS = [
    "community_id",
    "compound_id",
    "household_id",
    "schedule_id",
    "run_id",
    "period_start",
    "period_end",
    "due_date",
    "gross_fen",
    "reduction_fen",
    "reduction_reason",
    "amount_fen",
    "paid_fen",
    "issued_at",
    "version",
]


@transaction.atomic
def billing_run(*, compound: Compound, period_start: dt.date, actor) -> BillingRun:
    """Issue the period's bill to every home of `compound` that has none yet.

    Safe to repeat, and to run twice at once: a home already billed for the period
    is skipped (counted in `skipped`). A home billed per m² whose area is unknown is
    not billed and is reported; so is a home with no fee at all.
    """
    books = _lock_books(compound)
    schedule = schedule_in_force(compound, period_start)
    if schedule is None:
        raise ApplicationError(
            _("这个时间没有适用的收费标准，请先设定收费标准。"), field="period_start"
        )
    start, end = period_bounds(schedule.frequency, period_start)
    if start != period_start:
        raise ApplicationError(
            _("账期要从周期的第一天开始：%(start)s。") % {"start": start.isoformat()},
            field="period_start",
        )
    if start > timezone.localdate() + relativedelta(months=12):
        raise ApplicationError(_("最多提前一年开单。"), field="period_start")
    months = PERIOD_MONTHS[schedule.frequency]
    hardship = hardship_homes(compound)
    run = BillingRun.objects.create(
        compound=compound,
        schedule=schedule,
        period_start=start,
        period_end=end,
        started_by=_actor(actor),
    )
    now = timezone.now()
    due = start + dt.timedelta(days=schedule.due_days)
    bills, unmeasured = [], 0
    for household_id, area in Household.objects.filter(building__compound=compound).values_list(
        "pk", "exclusive_area"
    ):
        if schedule.basis == FeeSchedule.Basis.PER_M2:
            if area is None:
                unmeasured += 1
                continue
            gross = fen_times(schedule.monthly_rate_fen, area * months)
        else:
            gross = schedule.monthly_rate_fen * months
        reduction, reason = 0, ""
        if household_id in hardship and schedule.hardship_reduction_percent:
            reduction = fen_percent(gross, schedule.hardship_reduction_percent)
            reason = hardship[household_id]
        bills.append(
            (
                compound.community_id,
                compound.pk,
                household_id,
                schedule.pk,
                run.pk,
                start,
                end,
                due,
                gross,
                reduction,
                reason[:200],
                gross - reduction,
                0,
                now,
                1,
            )
        )
    # ON CONFLICT DO NOTHING: a home already billed for the period is skipped.
    insert_rows(Bill, BILL_COLUMNS, bills, ignore_conflicts=True)
    created = Bill.objects.filter(run=run).count()
    run.created, run.skipped = created, len(bills) - created
    run.save(update_fields=["created", "skipped"])
    _apply_credits(books, run, actor)
    audit(
        actor=actor,
        community_id=compound.community_id,
        action="stewards.billing_run",
        obj=run,
        new={
            "period_start": start.isoformat(),
            "created": run.created,
            "skipped": run.skipped,
            "unmeasured": unmeasured,
        },
    )
    run.unmeasured = unmeasured
    return run


def _apply_credits(books: CompoundBooks, run: BillingRun, actor) -> None:
    """Settle the run's new bills from the homes' credit (预存), in one ledger entry."""
    credits = dict(
        HomeCredit.objects.filter(compound_id=run.compound_id, balance_fen__gt=0).values_list(
            "household_id", "balance_fen"
        )
    )
    if not credits:
        return
    allocations, total = [], 0
    for bill in Bill.objects.filter(run=run, household_id__in=credits, amount_fen__gt=0):
        take = min(credits[bill.household_id], bill.amount_fen)
        allocations.append((bill, take))
        total += take
    if not total:
        return
    ledger = books.ledger
    entry = ledger_services.entry_post(
        ledger=ledger,
        date=timezone.localdate(),
        memo=_("预存款抵扣 %(start)s 账单 %(n)s 户")
        % {"start": run.period_start.strftime("%Y-%m"), "n": len(allocations)},
        legs=[
            (ledger_services.account(ledger, PREPAID), total),
            (ledger_services.account(ledger, FEES), -total),
        ],
        actor=actor,
        source=f"credit:{run.pk}",
    )
    for bill, take in allocations:
        Bill.objects.filter(pk=bill.pk).update(paid_fen=F("paid_fen") + take)
        HomeCredit.objects.filter(household_id=bill.household_id).update(
            balance_fen=F("balance_fen") - take
        )
    Allocation.objects.bulk_create(
        [
            Allocation(
                community_id=run.community_id, payment=None, bill=bill, amount_fen=take, entry=entry
            )
            for bill, take in allocations
        ]
    )


@transaction.atomic
def bill_adjust(*, bill: Bill, amount_fen: int, reason: str, actor) -> Bill:
    """Change what a bill asks for, keeping what it was, why and who changed it. A bill is
    never set below what has been paid on it (void that payment first)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请写明修改的理由。"), field="reason")
    _lock_books(bill.compound)
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if amount_fen < 0 or amount_fen > MAX_FEN:
        raise ApplicationError(_("金额不能是负数。"), field="amount")
    if amount_fen < bill.paid_fen:
        raise ApplicationError(
            _("这张账单已缴 %(paid)s 元，不能改到比已缴还少；请先作废那笔收款。")
            % {"paid": yuan(bill.paid_fen)},
            field="amount",
        )
    if amount_fen == bill.amount_fen:
        raise ApplicationError(_("金额没有变化。"), field="amount")
    BillChange.objects.create(
        bill=bill,
        old_amount_fen=bill.amount_fen,
        new_amount_fen=amount_fen,
        reason=reason[:200],
        changed_by=_actor(actor),
    )
    old = bill.amount_fen
    bill.amount_fen = amount_fen
    bill.version += 1
    bill.save(update_fields=["amount_fen", "version"])
    audit(
        actor=actor,
        community_id=bill.community_id,
        action="stewards.bill_adjusted",
        obj=bill,
        old={"amount_fen": old},
        new={"amount_fen": amount_fen, "reason": reason},
    )
    return bill


# --- payments -------------------------------------------------------------------------


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not KEY_RE.match(key):
        raise ApplicationError(
            _("缺少有效的防重复码，请刷新页面后再提交。"), field="idempotency_key"
        )
    return key


class IdempotencyConflict(ApplicationError):
    """The idempotency key was already used for a different payment (the API's 409)."""


# How far back a payment may be dated when it is entered (a receipt found in a drawer
# is entered; a year-old one is a correction for the coordinator).
RECEIVED_ON_DAYS_BACK = 92


def received_on_check(day: dt.date, *, today: dt.date | None = None) -> dt.date:
    """The date money was received as entered by hand: not after today, and not more than
    RECEIVED_ON_DAYS_BACK days before it."""
    today = today or timezone.localdate()
    if day > today:
        raise ApplicationError(_("收款日期不能晚于今天。"), field="received_on")
    if day < today - dt.timedelta(days=RECEIVED_ON_DAYS_BACK):
        raise ApplicationError(
            _("收款日期最早只能填 %(days)s 天前；更早的收款请联系社区协调员更正。")
            % {"days": RECEIVED_ON_DAYS_BACK},
            field="received_on",
        )
    return day


def _same_request(
    existing: Payment, *, household: Household, amount_fen: int, method: str, kind: str
) -> Payment:
    if (existing.household_id, existing.amount_fen, existing.method, existing.kind) != (
        household.pk,
        amount_fen,
        method,
        kind,
    ):
        raise IdempotencyConflict(
            _("这个防重复码已经用于另一笔收款（收据 %(no)s），请刷新页面后重新填写。")
            % {"no": existing.receipt_no},
            field="idempotency_key",
        )
    return existing


def _validate(
    *, compound: Compound, household: Household, amount_fen: int, method: str, received_on: dt.date
) -> None:
    if household.building.compound_id != compound.pk:
        raise ApplicationError(_("这户不在这个小区。"), field="household")
    _validate_money(amount_fen=amount_fen, method=method, received_on=received_on)


def _validate_money(*, amount_fen: int, method: str, received_on: dt.date) -> None:
    if method not in Payment.Method.values:
        raise ApplicationError(_("请选择现金或转账。"), field="method")
    if not isinstance(amount_fen, int) or not 0 < amount_fen <= MAX_FEN:
        raise ApplicationError(_("金额要大于 0。"), field="amount")
    if received_on > timezone.localdate():
        raise ApplicationError(_("收款日期不能晚于今天。"), field="received_on")


def payment_record(
    *,
    compound: Compound,
    household: Household,
    amount_fen: int,
    method: str,
    idempotency_key: str,
    actor,
    received_on: dt.date | None = None,
    payer_name: str = "",
    note: str = "",
) -> tuple[Payment, bool]:
    """Record money received from a home, once per idempotency key.

    Returns (payment, created): a repeat of the same request returns the first payment
    and False. The money settles the home's oldest open bills first; what is left is
    held as the home's credit. Posted to the ledger in the same transaction.
    """
    key = _check_key(idempotency_key)
    received_on = received_on or timezone.localdate()
    _validate(
        compound=compound,
        household=household,
        amount_fen=amount_fen,
        method=method,
        received_on=received_on,
    )
    found = Payment.objects.filter(idempotency_key=key).first()
    if found is not None:
        return _same_request(
            found,
            household=household,
            amount_fen=amount_fen,
            method=method,
            kind=Payment.Kind.PAYMENT,
        ), False
    try:
        with transaction.atomic():
            books = _lock_books(compound)
            # Under the lock: a request with this key that committed meanwhile is seen.
            found = Payment.objects.filter(idempotency_key=key).first()
            if found is not None:
                return _same_request(
                    found,
                    household=household,
                    amount_fen=amount_fen,
                    method=method,
                    kind=Payment.Kind.PAYMENT,
                ), False
            return _record_payment(
                books=books,
                household=household,
                amount_fen=amount_fen,
                method=method,
                key=key,
                actor=actor,
                received_on=received_on,
                payer_name=payer_name,
                note=note,
            ), True
    except IntegrityError:
        found = Payment.objects.filter(idempotency_key=key).first()
        if found is None:
            raise
        return _same_request(
            found,
            household=household,
            amount_fen=amount_fen,
            method=method,
            kind=Payment.Kind.PAYMENT,
        ), False


def _next_receipt(books: CompoundBooks) -> int:
    CompoundBooks.objects.filter(pk=books.pk).update(last_receipt_no=F("last_receipt_no") + 1)
    books.refresh_from_db(fields=["last_receipt_no"])
    return books.last_receipt_no


def _record_payment(
    *,
    books: CompoundBooks,
    household: Household,
    amount_fen: int,
    method: str,
    key: str,
    actor,
    received_on: dt.date,
    payer_name: str,
    note: str,
) -> Payment:
    ledger = books.ledger
    open_bills = list(
        Bill.objects.filter(household=household, paid_fen__lt=F("amount_fen")).order_by(
            "period_start", "id"
        )
    )
    allocations, left = [], amount_fen
    for bill in open_bills:
        if not left:
            break
        take = min(left, bill.amount_fen - bill.paid_fen)
        allocations.append((bill, take))
        left -= take
    settled = amount_fen - left
    legs = [
        (
            ledger_services.account(ledger, CASH if method == Payment.Method.CASH else BANK),
            amount_fen,
        )
    ]
    if settled:
        legs.append((ledger_services.account(ledger, FEES), -settled))
    if left:
        legs.append((ledger_services.account(ledger, PREPAID), -left))
    receipt_no = _next_receipt(books)
    entry = ledger_services.entry_post(
        ledger=ledger,
        date=received_on,
        memo=_("收 %(home)s 物业费（收据 %(no)s）") % {"home": household.address, "no": receipt_no},
        legs=legs,
        actor=actor,
        source=f"payment:{receipt_no}",
    )
    payment = Payment.objects.create(
        community_id=books.community_id,
        compound_id=books.compound_id,
        household=household,
        kind=Payment.Kind.PAYMENT,
        method=method,
        amount_fen=amount_fen,
        receipt_no=receipt_no,
        idempotency_key=key,
        payer_name=(payer_name or "").strip()[:40],
        received_on=received_on,
        note=(note or "").strip()[:200],
        entry=entry,
        recorded_by=_actor(actor),
    )
    for bill, take in allocations:
        Bill.objects.filter(pk=bill.pk).update(paid_fen=F("paid_fen") + take)
    Allocation.objects.bulk_create(
        [
            Allocation(
                community_id=books.community_id,
                payment=payment,
                bill=bill,
                amount_fen=take,
                entry=entry,
            )
            for bill, take in allocations
        ]
    )
    if left:
        _credit_add(books, household, left)
    audit(
        actor=actor,
        community_id=books.community_id,
        action="stewards.payment_recorded",
        obj=payment,
        new={
            "receipt_no": receipt_no,
            "amount_fen": amount_fen,
            "method": method,
            "household": household.pk,
            "settled_fen": settled,
            "credit_fen": left,
        },
    )
    return payment


def _credit_add(books: CompoundBooks, household: Household, amount_fen: int) -> None:
    updated = HomeCredit.objects.filter(household=household).update(
        balance_fen=F("balance_fen") + amount_fen
    )
    if not updated:
        HomeCredit.objects.create(
            community_id=books.community_id,
            household=household,
            compound_id=books.compound_id,
            balance_fen=amount_fen,
        )


def home_credit(household: Household) -> int:
    return (
        HomeCredit.objects.filter(household=household).values_list("balance_fen", flat=True).first()
        or 0
    )


@dataclass(frozen=True)
class PaymentIn:
    """One payment for `payments_record_many`: what `payment_record` takes, per payment."""

    household: Household
    amount_fen: int
    method: str
    idempotency_key: str
    received_on: dt.date
    payer_name: str = ""
    note: str = ""


def _chunks(items: list, size: int = ledger_services.BULK_BATCH):
    for first in range(0, len(items), size):
        yield items[first : first + size]


PAYMENT_COLUMNS = [
    "community_id",
    "compound_id",
    "household_id",
    "kind",
    "method",
    "amount_fen",
    "receipt_no",
    "idempotency_key",
    "payer_name",
    "received_on",
    "note",
    "entry_id",
    "recorded_by_id",
    "recorded_at",
    "reversal_reason",
]


def payments_record_many(
    *, compound: Compound, payments: Sequence[PaymentIn], actor
) -> list[tuple[Payment, bool]]:
    """Record many payments of one compound at once (a month typed in from the exercise
    book, the demo's year), by the rules of `payment_record`, in a fixed number of
    queries per thousand payments.

    In the order given: receipt numbers follow on from the compound's last, each
    payment settles its home's oldest open bills first (counting those the batch has
    already settled), what is left becomes the home's credit, and each payment has its
    own ledger entry, chained as `payment_record` would chain it. A key recorded before,
    or earlier in the batch, gives that payment back with False; the same key for a
    different request refuses the whole batch (ApplicationError), and nothing is
    recorded. All of it under the compound's lock, in one transaction.
    """
    wanted = [(p, _check_key(p.idempotency_key)) for p in payments]
    for p, _key in wanted:
        _validate_money(amount_fen=p.amount_fen, method=p.method, received_on=p.received_on)
    with transaction.atomic():
        books = _lock_books(compound)
        homes: dict[int, Household] = {}
        ids = sorted({p.household.pk for p in payments})
        for chunk in _chunks(ids):
            homes.update(
                Household.objects.select_related("building__compound")
                .filter(pk__in=chunk, building__compound=compound)
                .in_bulk()
            )
        if len(homes) != len(ids):
            raise ApplicationError(_("这户不在这个小区。"), field="household")
        found: dict[str, Payment] = {}
        for chunk in _chunks(sorted({key for _p, key in wanted})):
            found.update(
                (payment.idempotency_key, payment)
                for payment in Payment.objects.filter(idempotency_key__in=chunk)
            )
        results: list[tuple[Payment | PaymentIn, bool]] = []
        new: dict[str, PaymentIn] = {}
        for p, key in wanted:
            if key in found:
                results.append((_same_payment(found[key], p, Payment.Kind.PAYMENT), False))
            elif key in new:
                first = new[key]
                if (first.household.pk, first.amount_fen, first.method) != (
                    p.household.pk,
                    p.amount_fen,
                    p.method,
                ):
                    raise ApplicationError(
                        _("这个防重复码已经用于另一笔收款，请刷新页面后重新填写。"),
                        field="idempotency_key",
                    )
                results.append((first, False))
            else:
                new[key] = p
                results.append((p, True))
        made = _record_payments(books=books, homes=homes, wanted=list(new.values()), actor=actor)
        return [
            (made[item.idempotency_key.strip()] if isinstance(item, PaymentIn) else item, created)
            for item, created in results
        ]


def _same_payment(existing: Payment, p: PaymentIn, kind: str) -> Payment:
    return _same_request(
        existing, household=p.household, amount_fen=p.amount_fen, method=p.method, kind=kind
    )


def _record_payments(
    *, books: CompoundBooks, homes: dict[int, Household], wanted: list[PaymentIn], actor
) -> dict[str, Payment]:
    if not wanted:
        return {}
    ledger = books.ledger
    accounts = {a.code: a for a in Account.objects.filter(ledger=ledger)}
    open_bills: dict[int, list[list[int]]] = defaultdict(list)  # home: [[bill, open fen]]
    for chunk in _chunks(sorted({p.household.pk for p in wanted})):
        for bill_id, household_id, amount, paid in (
            Bill.objects.filter(household_id__in=chunk, paid_fen__lt=F("amount_fen"))
            .order_by("period_start", "id")
            .values_list("id", "household_id", "amount_fen", "paid_fen")
        ):
            open_bills[household_id].append([bill_id, amount - paid])
    paid_now: dict[int, int] = defaultdict(int)
    credit_now: dict[int, int] = defaultdict(int)
    first_no = books.last_receipt_no + 1
    plans, items = [], []
    for receipt_no, p in enumerate(wanted, start=first_no):
        household = homes[p.household.pk]
        takes, left = [], p.amount_fen
        for row in open_bills[household.pk]:
            if not left:
                break
            if not row[1]:
                continue
            take = min(left, row[1])
            takes.append((row[0], take))
            row[1] -= take
            paid_now[row[0]] += take
            left -= take
        settled = p.amount_fen - left
        legs = [(accounts[CASH if p.method == Payment.Method.CASH else BANK], p.amount_fen)]
        if settled:
            legs.append((accounts[FEES], -settled))
        if left:
            legs.append((accounts[PREPAID], -left))
            credit_now[household.pk] += left
        plans.append((receipt_no, p, household, takes, settled, left))
        memo = _("收 %(home)s 物业费（收据 %(no)s）") % {
            "home": household.address,
            "no": receipt_no,
        }
        items.append((p.received_on, memo, legs, f"payment:{receipt_no}"))
    CompoundBooks.objects.filter(pk=books.pk).update(
        last_receipt_no=F("last_receipt_no") + len(wanted)
    )
    books.last_receipt_no += len(wanted)
    entries = ledger_services.entries_post_many(ledger=ledger, items=items, actor=actor)
    recorded_by, now = getattr(_actor(actor), "pk", None), timezone.now()
    insert_rows(
        Payment,
        PAYMENT_COLUMNS,
        (
            (
                books.community_id,
                books.compound_id,
                household.pk,
                Payment.Kind.PAYMENT,
                p.method,
                p.amount_fen,
                receipt_no,
                p.idempotency_key.strip(),
                (p.payer_name or "").strip()[:40],
                p.received_on,
                (p.note or "").strip()[:200],
                entry.pk,
                recorded_by,
                now,
                "",
            )
            for (receipt_no, p, household, *_rest), entry in zip(plans, entries, strict=True)
        ),
    )
    payments = list(
        Payment.objects.filter(compound_id=books.compound_id, receipt_no__gte=first_no).order_by(
            "receipt_no"
        )
    )
    if len(payments) != len(wanted):
        raise RuntimeError("payments_record_many: the receipts do not read back in sequence")
    # Each bill moves by what the batch paid on it, as payment_record's F() does: one
    # prepared UPDATE, many rows of parameters.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {connection.ops.quote_name(Bill._meta.db_table)} "  # noqa: S608
            "SET paid_fen = paid_fen + %s WHERE id = %s",
            [(amount, bill_id) for bill_id, amount in sorted(paid_now.items())],
        )
    insert_rows(
        Allocation,
        ["community_id", "payment_id", "bill_id", "amount_fen", "entry_id"],
        (
            (books.community_id, payment.pk, bill_id, take, entry.pk)
            for payment, entry, (_no, _p, _h, takes, *_rest) in zip(
                payments, entries, plans, strict=True
            )
            for bill_id, take in takes
        ),
    )
    if credit_now:
        have = set(
            HomeCredit.objects.filter(household_id__in=list(credit_now)).values_list(
                "household_id", flat=True
            )
        )
        for household_id in sorted(have):
            HomeCredit.objects.filter(household_id=household_id).update(
                balance_fen=F("balance_fen") + credit_now[household_id]
            )
        HomeCredit.objects.bulk_create(
            [
                HomeCredit(
                    community_id=books.community_id,
                    household_id=household_id,
                    compound_id=books.compound_id,
                    balance_fen=amount,
                )
                for household_id, amount in sorted(credit_now.items())
                if household_id not in have
            ]
        )
    insert_rows(
        AuditLog,
        ["community_id", "actor_id", "action", "object_type", "object_id", "old", "new", "at"],
        (
            (
                books.community_id,
                getattr(_actor(actor), "pk", None),
                "stewards.payment_recorded",
                Payment._meta.label_lower,
                payment.pk,
                {},
                {
                    "receipt_no": receipt_no,
                    "amount_fen": p.amount_fen,
                    "method": p.method,
                    "household": household.pk,
                    "settled_fen": settled,
                    "credit_fen": left,
                },
                now,
            )
            for payment, (receipt_no, p, household, _takes, settled, left) in zip(
                payments, plans, strict=True
            )
        ),
    )
    return {payment.idempotency_key: payment for payment in payments}


def refund_record(
    *,
    compound: Compound,
    household: Household,
    amount_fen: int,
    method: str,
    idempotency_key: str,
    actor,
    reason: str,
    received_on: dt.date | None = None,
) -> tuple[Payment, bool]:
    """Pay back part or all of a home's credit (预存), with a numbered voucher."""
    key = _check_key(idempotency_key)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请写明退款原因。"), field="reason")
    day = received_on or timezone.localdate()
    _validate(
        compound=compound,
        household=household,
        amount_fen=amount_fen,
        method=method,
        received_on=day,
    )
    found = Payment.objects.filter(idempotency_key=key).first()
    if found is not None:
        return _same_request(
            found,
            household=household,
            amount_fen=amount_fen,
            method=method,
            kind=Payment.Kind.REFUND,
        ), False
    try:
        with transaction.atomic():
            books = _lock_books(compound)
            found = Payment.objects.filter(idempotency_key=key).first()
            if found is not None:
                return _same_request(
                    found,
                    household=household,
                    amount_fen=amount_fen,
                    method=method,
                    kind=Payment.Kind.REFUND,
                ), False
            credit = home_credit(household)
            if amount_fen > credit:
                raise ApplicationError(
                    _("这户的预存余额只有 %(credit)s 元，退款不能超过余额。")
                    % {"credit": yuan(credit)},
                    field="amount",
                )
            ledger = books.ledger
            receipt_no = _next_receipt(books)
            entry = ledger_services.entry_post(
                ledger=ledger,
                date=day,
                memo=_("退 %(home)s 预存款（凭证 %(no)s）")
                % {"home": household.address, "no": receipt_no},
                legs=[
                    (ledger_services.account(ledger, PREPAID), amount_fen),
                    (
                        ledger_services.account(
                            ledger, CASH if method == Payment.Method.CASH else BANK
                        ),
                        -amount_fen,
                    ),
                ],
                actor=actor,
                source=f"refund:{receipt_no}",
            )
            refund = Payment.objects.create(
                community_id=books.community_id,
                compound_id=compound.pk,
                household=household,
                kind=Payment.Kind.REFUND,
                method=method,
                amount_fen=amount_fen,
                receipt_no=receipt_no,
                idempotency_key=key,
                received_on=day,
                note=reason[:200],
                entry=entry,
                recorded_by=_actor(actor),
            )
            HomeCredit.objects.filter(household=household).update(
                balance_fen=F("balance_fen") - amount_fen
            )
            audit(
                actor=actor,
                community_id=books.community_id,
                action="stewards.refund_recorded",
                obj=refund,
                new={"receipt_no": receipt_no, "amount_fen": amount_fen, "reason": reason},
            )
            return refund, True
    except IntegrityError:
        found = Payment.objects.filter(idempotency_key=key).first()
        if found is None:
            raise
        return _same_request(
            found,
            household=household,
            amount_fen=amount_fen,
            method=method,
            kind=Payment.Kind.REFUND,
        ), False


@transaction.atomic
def payment_void(*, payment: Payment, reason: str, actor) -> Payment:
    """Void a payment recorded in error (作废): its ledger entry is reversed, the bills
    it settled are open again, and its receipt number stays used. Refused once any of
    the credit it made has been used or refunded (void those first)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请写明作废原因。"), field="reason")
    _lock_books(payment.compound)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.is_voided:
        raise ApplicationError(_("这笔已经作废了。"))
    allocations = list(payment.allocations.all())
    if payment.kind == Payment.Kind.PAYMENT:
        credit_part = payment.amount_fen - sum(a.amount_fen for a in allocations)
        if credit_part > home_credit(payment.household):
            raise ApplicationError(_("这笔多缴的钱已经抵扣了后来的账单或已退款，不能直接作废。"))
        for allocation in allocations:
            Bill.objects.filter(pk=allocation.bill_id).update(
                paid_fen=F("paid_fen") - allocation.amount_fen
            )
        if credit_part:
            HomeCredit.objects.filter(household_id=payment.household_id).update(
                balance_fen=F("balance_fen") - credit_part
            )
    else:
        HomeCredit.objects.filter(household_id=payment.household_id).update(
            balance_fen=F("balance_fen") + payment.amount_fen
        )
    reversal = ledger_services.entry_reverse(entry=payment.entry, reason=reason, actor=actor)
    payment.reversal_entry = reversal
    payment.reversal_reason = reason[:200]
    payment.save(update_fields=["reversal_entry", "reversal_reason"])
    audit(
        actor=actor,
        community_id=payment.community_id,
        action="stewards.payment_voided",
        obj=payment,
        new={"receipt_no": payment.receipt_no, "reason": reason},
    )
    return payment


# --- income and expenses --------------------------------------------------------------


@transaction.atomic
def cash_entry_post(
    *,
    compound: Compound,
    account: Account,
    amount_fen: int,
    method: str,
    date: dt.date,
    memo: str,
    actor,
    evidence=None,
):
    """Post an income or an expense of the compound's books (cash or bank), with its
    evidence (a photo or PDF of the receipt)."""
    books = _lock_books(compound)
    ledger = books.ledger
    if (
        account.ledger_id != ledger.pk
        or account.kind not in (Account.Kind.INCOME, Account.Kind.EXPENSE)
        or account.code == FEES
    ):
        raise ApplicationError(_("请选择一个收入或支出科目。"), field="account")
    if not isinstance(amount_fen, int) or not 0 < amount_fen <= MAX_FEN:
        raise ApplicationError(_("金额要大于 0。"), field="amount")
    if method not in Payment.Method.values:
        raise ApplicationError(_("请选择现金或转账。"), field="method")
    if date > timezone.localdate():
        raise ApplicationError(_("日期不能晚于今天。"), field="date")
    cash = ledger_services.account(ledger, CASH if method == Payment.Method.CASH else BANK)
    sign = 1 if account.kind == Account.Kind.EXPENSE else -1
    entry = ledger_services.entry_post(
        ledger=ledger,
        date=date,
        memo=memo,
        legs=[(account, sign * amount_fen), (cash, -sign * amount_fen)],
        actor=actor,
        evidence=evidence,
        source="cash",
    )
    audit(
        actor=actor,
        community_id=compound.community_id,
        action="stewards.entry_posted",
        obj=entry,
        new={"account": account.name, "amount_fen": amount_fen, "number": entry.number},
    )
    return entry


@transaction.atomic
def cash_entry_reverse(*, entry, reason: str, actor):
    """Reverse an income or expense a steward posted (never a payment's entry: a
    payment is voided, which reverses its entry and gives back what it paid)."""
    if entry.source != "cash":
        raise ApplicationError(
            _("这笔凭证来自缴费或退款，请在缴费记录里作废，不能在账上直接冲销。")
        )
    books = CompoundBooks.objects.select_for_update(of=("self",)).get(ledger_id=entry.ledger_id)
    reversal = ledger_services.entry_reverse(entry=entry, reason=reason, actor=actor)
    audit(
        actor=actor,
        community_id=books.community_id,
        action="stewards.entry_reversed",
        obj=entry,
        new={"number": entry.number, "reversal": reversal.number, "reason": reason},
    )
    return reversal


# --- reminders ------------------------------------------------------------------------


def reminders_send(*, compound: Compound, actor, min_days_between: int = 7) -> dict[str, int]:
    """Remind each home with a past-due balance: an inbox message to every account of
    its members and resident owners; without one, an SMS to an owner's or member's phone
    through the configured channel. A home reminded in the last `min_days_between` days
    is skipped. Never a penalty, never a cut of water, power or gas."""
    from kuihua.notifications.channels import sms_to_number
    from kuihua.notifications.services import notify, recipients_language
    from kuihua.stewards.selectors import arrears_by_home

    today = timezone.localdate()
    counts: dict[str, int] = defaultdict(int)
    recent = set(
        Reminder.objects.filter(
            compound=compound, sent_at__gte=timezone.now() - dt.timedelta(days=min_days_between)
        ).values_list("household_id", flat=True)
    )
    homes = [
        row for row in arrears_by_home(compound, today=today) if row.household.pk not in recent
    ]
    counts["skipped_recent"] = len(recent)
    if not homes:
        return dict(counts)
    from kuihua.accounts.models import User
    from kuihua.registry.models import Ownership

    ids = [row.household.pk for row in homes]
    accounts: dict[int, list] = defaultdict(list)
    for user in User.objects.filter(resident__household_id__in=ids, is_active=True):
        accounts[user.resident.household_id].append(user)
    phones: dict[int, str] = {}
    for resident in Resident.objects.filter(household_id__in=ids).exclude(phone_index=""):
        phones.setdefault(resident.household_id, resident.phone)
    for ownership in Ownership.objects.filter(household_id__in=ids).select_related("resident"):
        if ownership.resident is not None and hasattr(ownership.resident, "account"):
            user = ownership.resident.account
            if user.is_active and user not in accounts[ownership.household_id]:
                accounts[ownership.household_id].append(user)
        if ownership.phone:
            phones[ownership.household_id] = ownership.phone  # an owner before a member
    with transaction.atomic(), recipients_language():
        for row in homes:
            text = _(
                "【%(compound)s】%(home)s 尚有 %(amount)s 元费用未缴（最早一期 %(since)s），"
                "请到义管家处或转账缴纳。如有困难，请联系社区。"
            ) % {
                "compound": compound.name,
                "home": row.household.address,
                "amount": yuan(row.outstanding_fen),
                "since": row.oldest_due.strftime("%Y-%m"),
            }
            users = accounts.get(row.household.pk, [])
            if users:
                channel = Reminder.Channel.NOTIFICATION
                for user in users:
                    notify(recipient=user, kind="fee_reminder", title=_("缴费提醒"), body=text)
            elif row.household.pk in phones:
                channel = Reminder.Channel.SMS
                phone = phones[row.household.pk]
                transaction.on_commit(lambda p=phone, t=text: sms_to_number(p, t))
            else:
                channel = Reminder.Channel.NONE
            Reminder.objects.create(
                household=row.household,
                compound=compound,
                channel=channel,
                arrears_fen=row.outstanding_fen,
                sent_by=_actor(actor),
            )
            counts[channel] += 1
    return dict(counts)
