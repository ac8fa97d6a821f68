"""What the stewards' API reads and writes (mounted at /api/stewards).

Money is whole fen: every amount is an integer `*_fen` beside a `*_yuan` string for
display ("1,234.50"), never a float. An amount sent must be a JSON integer of fen: 12.5
or "1250" is refused (422), as is a negative one. Rates are percent strings with one
decimal ("95.2"), null when nothing has fallen due.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict

from kuihua.core.money import MAX_FEN, yuan
from kuihua.registry.schemas import AREA_DESCRIPTION, area_text
from kuihua.stewards import selectors
from kuihua.stewards.models import Payment

YUAN = 'the amount in yuan for display, "1,234.50"'
PERCENT = 'percent with one decimal ("95.2"); null when nothing has fallen due'

# A JSON integer of fen: a float (12.5, even 12.0) or a string is refused, never rounded.
Fen = Annotated[int, Strict(), Field(ge=1, le=MAX_FEN, description="whole fen (分), > 0")]
Method = Literal["cash", "transfer"]
Reason = Annotated[str, Field(min_length=1, max_length=200)]
# A day of the books: this century (a year 1 or 9999 is a typing error, not a date).
Day = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2099, 12, 31))]


def _get(obj, name: str):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def shown(name: str):
    """A resolver for `<x>_yuan` from `<x>_fen`."""
    return staticmethod(lambda obj: yuan(_get(obj, name)))


def percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")))


def receipt_text(payment: Payment) -> str:
    """The receipt number as printed: the compound's prefix and the number ("007-000042")."""
    return f"{payment.compound.books.receipt_prefix}-{payment.receipt_no:06d}"


# --- compounds and homes ---------------------------------------------------------------


class KeptCompoundOut(Schema):
    """A self-managed compound with the year's collection (bills fallen due) and arrears."""

    id: int
    name: str
    bills_due: int
    bills_paid: int = Field(description="bills paid in full")
    bills_rate: str | None = Field(description="bills paid in full ÷ bills due, " + PERCENT)
    due_fen: int
    due_yuan: str = Field(description=YUAN)
    paid_fen: int
    paid_yuan: str = Field(description=YUAN)
    amount_rate: str | None = Field(description="amount collected ÷ amount due, " + PERCENT)
    arrears_fen: int = Field(description="outstanding on bills past their due date")
    arrears_yuan: str = Field(description=YUAN)
    arrears_homes: int

    resolve_due_yuan = shown("due_fen")
    resolve_paid_yuan = shown("paid_fen")
    resolve_arrears_yuan = shown("arrears_fen")

    @staticmethod
    def resolve_bills_rate(obj) -> str | None:
        return percent(_get(obj, "bills_paid"), _get(obj, "bills_due"))

    @staticmethod
    def resolve_amount_rate(obj) -> str | None:
        return percent(_get(obj, "paid_fen"), _get(obj, "due_fen"))


class AgingOut(Schema):
    bucket: str = Field(description='months past due: "0-3", "3-6", "6-12", "12+"')
    amount_fen: int
    amount_yuan: str = Field(description=YUAN)

    resolve_amount_yuan = shown("amount_fen")


class KeptCompoundDetailOut(KeptCompoundOut):
    year: int
    may_keep: bool = Field(description="the requesting user keeps this compound's books")
    aging: list[AgingOut] = Field(description="past-due amounts by age")
    cash_fen: int
    cash_yuan: str = Field(description=YUAN)
    bank_fen: int
    bank_yuan: str = Field(description=YUAN)
    prepaid_fen: int = Field(description="owners' advance payments held (预存)")
    prepaid_yuan: str = Field(description=YUAN)

    resolve_cash_yuan = shown("cash_fen")
    resolve_bank_yuan = shown("bank_fen")
    resolve_prepaid_yuan = shown("prepaid_fen")


class HomeArrearsOut(Schema):
    """A home with its past-due balance, the age of its oldest unpaid bill and its credit."""

    id: int
    address: str
    exclusive_area: str | None = Field(description=AREA_DESCRIPTION + "; null: not known")
    arrears_fen: int
    arrears_yuan: str = Field(description=YUAN)
    bills_owing: int = Field(description="bills past due and not paid in full")
    oldest_due: dt.date | None
    age: str | None = Field(description='"0-3", "3-6", "6-12", "12+" months; null: none due')
    credit_fen: int = Field(description="paid in advance (预存)")
    credit_yuan: str = Field(description=YUAN)

    resolve_arrears_yuan = shown("arrears_fen")
    resolve_credit_yuan = shown("credit_fen")

    @staticmethod
    def resolve_exclusive_area(obj) -> str | None:
        return area_text(obj.exclusive_area)

    @staticmethod
    def resolve_age(obj) -> str | None:
        return selectors.age_bucket(obj.oldest_due)


# --- bills -------------------------------------------------------------------------------


class BillOut(Schema):
    id: int
    compound_id: int
    household_id: int
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    gross_fen: int
    gross_yuan: str = Field(description=YUAN)
    reduction_fen: int
    reduction_yuan: str = Field(description=YUAN)
    reduction_reason: str
    amount_fen: int = Field(description="what the bill asks for: gross less the reduction")
    amount_yuan: str = Field(description=YUAN)
    paid_fen: int
    paid_yuan: str = Field(description=YUAN)
    outstanding_fen: int
    outstanding_yuan: str = Field(description=YUAN)
    version: int = Field(description="1 as issued; each change after issue adds one")
    issued_at: dt.datetime

    resolve_gross_yuan = shown("gross_fen")
    resolve_reduction_yuan = shown("reduction_fen")
    resolve_amount_yuan = shown("amount_fen")
    resolve_paid_yuan = shown("paid_fen")
    resolve_outstanding_yuan = shown("outstanding_fen")


class BillChangeOut(Schema):
    old_amount_fen: int
    old_amount_yuan: str = Field(description=YUAN)
    new_amount_fen: int
    new_amount_yuan: str = Field(description=YUAN)
    reason: str
    changed_by: str
    changed_at: dt.datetime

    resolve_old_amount_yuan = shown("old_amount_fen")
    resolve_new_amount_yuan = shown("new_amount_fen")

    @staticmethod
    def resolve_changed_by(obj) -> str:
        return str(obj.changed_by) if obj.changed_by_id else ""


class BillSettlementOut(Schema):
    """A part of a payment, or of the home's credit, that settled the bill."""

    payment_id: int | None = Field(description="null: settled from the home's credit (预存)")
    receipt: str | None
    voided: bool
    amount_fen: int
    amount_yuan: str = Field(description=YUAN)

    resolve_amount_yuan = shown("amount_fen")

    @staticmethod
    def resolve_receipt(obj) -> str | None:
        return receipt_text(obj.payment) if obj.payment_id else None

    @staticmethod
    def resolve_voided(obj) -> bool:
        return bool(obj.payment_id) and obj.payment.is_voided


class BillDetailOut(BillOut):
    address: str
    changes: list[BillChangeOut]
    settlements: list[BillSettlementOut]

    @staticmethod
    def resolve_address(obj) -> str:
        return obj.household.address

    @staticmethod
    def resolve_changes(obj):
        return list(obj.changes.all())

    @staticmethod
    def resolve_settlements(obj):
        return list(obj.allocations.all())


class BillingRunIn(Schema):
    period_start: Day = Field(description="the first day of a period of the fee schedule")


class BillingRunOut(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    created: int = Field(description="bills issued by this run")
    skipped: int = Field(description="homes already billed for the period")
    unmeasured: int = Field(description="homes not billed: per-m² fee and area unknown")


class BillAdjustIn(Schema):
    amount_fen: Annotated[int, Strict(), Field(ge=0, le=MAX_FEN)]
    reason: Reason


# --- payments ----------------------------------------------------------------------------


class FeePaymentIn(Schema):
    """Money received from a home. The idempotency key (8–64 of A–Z a–z 0–9 _ . : -) comes
    in the `Idempotency-Key` header or here; the same request sent again with it is
    answered with the first payment (200), a different one with it is 409."""

    amount_fen: Fen
    method: Method
    received_on: Day | None = Field(
        None, description="today if left out; not in the future, at most 92 days back"
    )
    payer_name: str = Field("", max_length=40)
    note: str = Field("", max_length=200)
    idempotency_key: str | None = Field(None, max_length=64)


class FeeRefundIn(Schema):
    """Paying back part or all of a home's credit (预存), with its reason and a key as for
    a payment."""

    amount_fen: Fen
    method: Method
    reason: Reason
    received_on: Day | None = Field(None, description="today if left out")
    idempotency_key: str | None = Field(None, max_length=64)


class StewardReasonIn(Schema):
    reason: Reason


class FeePaymentOut(Schema):
    """A payment or a refund, with its receipt number."""

    id: int
    compound_id: int
    household_id: int
    kind: Literal["payment", "refund"]
    kind_label: str
    method: Method
    method_label: str
    amount_fen: int
    amount_yuan: str = Field(description=YUAN)
    receipt_no: int = Field(description="1, 2, 3 … per compound, without a gap")
    receipt: str = Field(description="as printed: the compound's prefix and the number")
    payer_name: str
    received_on: dt.date
    note: str
    recorded_by: str
    recorded_at: dt.datetime
    voided: bool
    void_reason: str

    resolve_amount_yuan = shown("amount_fen")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_method_label(obj) -> str:
        return str(obj.get_method_display())

    @staticmethod
    def resolve_receipt(obj) -> str:
        return receipt_text(obj)

    @staticmethod
    def resolve_recorded_by(obj) -> str:
        return str(obj.recorded_by) if obj.recorded_by_id else ""

    @staticmethod
    def resolve_voided(obj) -> bool:
        return obj.is_voided

    @staticmethod
    def resolve_void_reason(obj) -> str:
        return obj.reversal_reason


class FeeReceiptLineOut(Schema):
    bill_id: int
    period_start: dt.date
    period_end: dt.date
    amount_fen: int
    amount_yuan: str = Field(description=YUAN)

    resolve_amount_yuan = shown("amount_fen")

    @staticmethod
    def resolve_period_start(obj) -> dt.date:
        return obj.bill.period_start

    @staticmethod
    def resolve_period_end(obj) -> dt.date:
        return obj.bill.period_end


class FeeReceiptOut(FeePaymentOut):
    """A receipt: the payment, the bills it settled, and what was held as credit."""

    compound_name: str
    address: str
    lines: list[FeeReceiptLineOut]
    credit_fen: int = Field(description="the part held as the home's credit (预存)")
    credit_yuan: str = Field(description=YUAN)
    entry_number: int | None = Field(description="its voucher in the compound's books")

    @staticmethod
    def resolve_credit_yuan(obj) -> str:
        return yuan(FeeReceiptOut.resolve_credit_fen(obj))

    @staticmethod
    def resolve_compound_name(obj) -> str:
        return obj.compound.name

    @staticmethod
    def resolve_address(obj) -> str:
        return obj.household.address

    @staticmethod
    def resolve_lines(obj):
        return list(obj.allocations.all())

    @staticmethod
    def resolve_credit_fen(obj) -> int:
        if obj.kind != Payment.Kind.PAYMENT:
            return 0
        return obj.amount_fen - sum(a.amount_fen for a in obj.allocations.all())

    @staticmethod
    def resolve_entry_number(obj) -> int | None:
        return obj.entry.number if obj.entry_id else None


# --- the books ---------------------------------------------------------------------------


class LedgerLegOut(Schema):
    account_code: str
    account_name: str
    amount_fen: int = Field(description="debit +, credit −")
    amount_yuan: str = Field(description=YUAN)

    resolve_amount_yuan = shown("amount_fen")

    @staticmethod
    def resolve_account_code(obj) -> str:
        return obj.account.code

    @staticmethod
    def resolve_account_name(obj) -> str:
        return obj.account.name


class LedgerEntryOut(Schema):
    """A posted entry (记账凭证): never changed, only reversed."""

    id: int
    number: int
    date: dt.date
    memo: str
    source: str = Field(description='what made it: "cash", "payment:42", "refund:7", …')
    amount_fen: int = Field(description="the entry's total (its debits)")
    amount_yuan: str = Field(description=YUAN)
    legs: list[LedgerLegOut]
    posted_by: str
    posted_at: dt.datetime | None
    reverses_number: int | None = Field(description="the entry this one reverses")
    reason: str = Field(description="why, for a reversal")
    reversed_by_number: int | None = Field(description="the entry that reversed this one")
    has_evidence: bool

    @staticmethod
    def resolve_amount_yuan(obj) -> str:
        return yuan(LedgerEntryOut.resolve_amount_fen(obj))

    @staticmethod
    def resolve_legs(obj):
        return list(obj.legs.all())

    @staticmethod
    def resolve_amount_fen(obj) -> int:
        return sum(leg.amount_fen for leg in obj.legs.all() if leg.amount_fen > 0)

    @staticmethod
    def resolve_posted_by(obj) -> str:
        return str(obj.posted_by) if obj.posted_by_id else ""

    @staticmethod
    def resolve_reverses_number(obj) -> int | None:
        return obj.reverses.number if obj.reverses_id else None

    @staticmethod
    def resolve_reversed_by_number(obj) -> int | None:
        return obj.reversed_by.number if hasattr(obj, "reversed_by") else None

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)


class CashEntryIn(Schema):
    """An income or an expense paid in cash or by transfer (evidence: on the page)."""

    account_code: str = Field(
        ..., max_length=20, description='an income or expense category, e.g. "5001" 保洁费'
    )
    amount_fen: Fen
    method: Method
    date: Day = Field(description="not in the future, nor in a closed month")
    memo: str = Field(..., min_length=1, max_length=200)


class LedgerAccountOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class StatementLineOut(Schema):
    account_code: str
    account_name: str
    amount_fen: int
    amount_yuan: str = Field(description=YUAN)


class StatementOut(Schema):
    """One month's 收支公示: the balance brought forward, income and expenses by category,
    the change in owners' advance payments, and the balance carried forward."""

    compound_id: int
    month: str = Field(description="YYYY-MM")
    opening_fen: int
    opening_yuan: str = Field(description=YUAN)
    income: list[StatementLineOut]
    income_fen: int
    income_yuan: str = Field(description=YUAN)
    expenses: list[StatementLineOut]
    expense_fen: int
    expense_yuan: str = Field(description=YUAN)
    prepaid_change_fen: int
    prepaid_change_yuan: str = Field(description=YUAN)
    other_change_fen: int
    other_change_yuan: str = Field(description=YUAN)
    closing_fen: int
    closing_yuan: str = Field(description=YUAN)
    closed: bool = Field(description="the month is closed: its figures are final")


class CollectionOut(Schema):
    """The year's collection (收缴率) over the bills that have fallen due."""

    compound_id: int
    year: int
    bills_due: int
    bills_paid: int
    bills_rate: str | None = Field(description=PERCENT)
    due_fen: int
    due_yuan: str = Field(description=YUAN)
    paid_fen: int
    paid_yuan: str = Field(description=YUAN)
    amount_rate: str | None = Field(description=PERCENT)


class BooksCheckOut(Schema):
    ok: bool
    problems: list[str]
    figures: dict[str, int] = Field(description="the reconciled totals, in fen or counts")


class RemindersOut(Schema):
    notification: int = Field(description="homes reminded in their inbox")
    sms: int = Field(description="homes without an account reminded by SMS")
    none: int = Field(description="homes with no way to reach them")
    skipped_recent: int = Field(description="homes reminded in the last 7 days")


def fen_pair(name: str, fen: int) -> dict:
    return {f"{name}_fen": fen, f"{name}_yuan": yuan(fen)}
