"""义管家 over JSON (mounted at /api/stewards; docs/adr/0014-ledger.md).

Who sees what is decided by the one door, `selectors.access_books` and its kin: a
steward keeps the compounds assigned to them, a coordinator all of the community's
self-managed compounds; a resident reads their own compound's public figures
(collection, statement, entries without evidence) and their own home's bills and
receipts. Anything else is 404, as another community's compound is. Each handler
parses input and calls a service; money is whole fen in, fen and yuan out.

A payment or refund is recorded once per idempotency key (`Idempotency-Key` header or
the body's `idempotency_key`): the first answer is 201, the same request again is
200 with the same payment, a different request with the key is 409.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from kuihua.core.api_support import ServiceError, error_responses, paginated
from kuihua.ledger.selectors import balances, statement
from kuihua.ledger.services import BANK, CASH, PREPAID
from kuihua.stewards import selectors, services
from kuihua.stewards.models import CompoundBooks
from kuihua.stewards.schemas import (
    BillAdjustIn,
    BillDetailOut,
    BillingRunIn,
    BillingRunOut,
    BillOut,
    BooksCheckOut,
    CashEntryIn,
    CollectionOut,
    FeePaymentIn,
    FeePaymentOut,
    FeeReceiptOut,
    FeeRefundIn,
    HomeArrearsOut,
    KeptCompoundDetailOut,
    KeptCompoundOut,
    LedgerAccountOut,
    LedgerEntryOut,
    RemindersOut,
    StatementOut,
    StewardReasonIn,
    fen_pair,
    percent,
)
from kuihua.stewards.selectors import KEEP, READ

router = Router(tags=["stewards"])

MONTH = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
KEY_HEADER = Header(
    None,
    alias="Idempotency-Key",
    max_length=64,
    description="one key per payment form: 8–64 of A–Z a–z 0–9 _ . : -",
)


def _books(request, compound_id: int, action: str = READ) -> CompoundBooks:
    return selectors.access_books(request.user, compound_id, action)


def _month(text: str | None) -> dt.date:
    if not text:
        return timezone.localdate().replace(day=1)
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


# --- compounds and homes ---------------------------------------------------------------


@router.get(
    "/compounds",
    response={200: list[KeptCompoundOut], **error_responses(422)},
    summary="The self-managed compounds I may see, with this year's collection and arrears",
)
@paginated
def list_compounds(request):
    return selectors.compounds_overview(request.user)


@router.get(
    "/compounds/{int:compound_id}",
    response={200: KeptCompoundDetailOut, **error_responses(404, 422)},
    summary="A compound: the year's collection, arrears by age, cash, bank and owners' "
    "advance payments",
)
def get_compound(request, compound_id: int):
    user = request.user
    books = _books(request, compound_id)
    compound = selectors.compounds_overview(user).get(pk=books.compound_id)
    aging = selectors.arrears_aging(compound)
    totals = balances(books.ledger)
    compound.year = timezone.localdate().year
    compound.may_keep = compound.pk in selectors.kept_compound_ids(user)
    compound.aging = [{"bucket": b, "amount_fen": fen} for b, fen in aging.buckets.items()]
    compound.cash_fen = totals.get(CASH, 0)
    compound.bank_fen = totals.get(BANK, 0)
    compound.prepaid_fen = -totals.get(PREPAID, 0)
    return compound


@router.get(
    "/compounds/{int:compound_id}/homes",
    response={200: list[HomeArrearsOut], **error_responses(404, 422)},
    summary="A compound's homes with their arrears, its age and their credit (stewards)",
)
@paginated
def list_homes(request, compound_id: int, owing: bool = False):
    books = _books(request, compound_id, KEEP)
    return selectors.homes_with_arrears(books.compound, owing_only=owing)


def _home(request, compound_id: int, household_id: int, action: str = READ):
    books = _books(request, compound_id, action)
    home = selectors.access_home(request.user, books.compound, household_id, action)
    return books, home


@router.get(
    "/compounds/{int:compound_id}/homes/{int:household_id}/bills",
    response={200: list[BillOut], **error_responses(404, 422)},
    summary="A home's bills, the newest first (its stewards, and its own members and owners)",
)
@paginated
def list_home_bills(request, compound_id: int, household_id: int):
    home = _home(request, compound_id, household_id)[1]
    return selectors.home_bills(home)


@router.get(
    "/compounds/{int:compound_id}/homes/{int:household_id}/payments",
    response={200: list[FeePaymentOut], **error_responses(404, 422)},
    summary="A home's payments and refunds, the newest first",
)
@paginated
def list_home_payments(request, compound_id: int, household_id: int):
    home = _home(request, compound_id, household_id)[1]
    return selectors.home_payments(home)


# --- bills ---------------------------------------------------------------------------------


@router.get(
    "/bills/{int:bill_id}",
    response={200: BillDetailOut, **error_responses(404)},
    summary="A bill, its changes after issue and the payments that settled it",
)
def get_bill(request, bill_id: int):
    return selectors.bill_detail(selectors.access_bill(request.user, bill_id, READ))


@router.post(
    "/compounds/{int:compound_id}/billing-runs",
    response={201: BillingRunOut, **error_responses(400, 404)},
    summary="Bill every home for a period; safe to repeat: a home already billed is skipped",
)
def run_billing(request, compound_id: int, payload: BillingRunIn):
    books = _books(request, compound_id, KEEP)
    run = services.billing_run(
        compound=books.compound, period_start=payload.period_start, actor=request.user
    )
    return Status(201, run)


@router.post(
    "/bills/{int:bill_id}/adjust",
    response={200: BillDetailOut, **error_responses(400, 404)},
    summary="Change what a bill asks for, with the reason; the old amount is kept",
)
def adjust_bill(request, bill_id: int, payload: BillAdjustIn):
    bill = selectors.access_bill(request.user, bill_id, KEEP)
    bill = services.bill_adjust(
        bill=bill, amount_fen=payload.amount_fen, reason=payload.reason, actor=request.user
    )
    return selectors.bill_detail(bill)


# --- payments ------------------------------------------------------------------------------


def _key(header: str | None, body: str | None) -> str:
    if header and body and header != body:
        raise ServiceError(
            _("请求头和正文里的防重复码不一致。"), field="idempotency_key", status=400
        )
    return header or body or ""


def _once(record, **kwargs):
    """Run a payment service; the first time 201, a replay 200, a reused key 409."""
    try:
        payment, created = record(**kwargs)
    except services.IdempotencyConflict as exc:
        raise ServiceError(exc.message, field=exc.field, status=409) from None
    return Status(201 if created else 200, selectors.payment_detail(payment))


@router.post(
    "/compounds/{int:compound_id}/homes/{int:household_id}/payments",
    response={201: FeeReceiptOut, 200: FeeReceiptOut, **error_responses(400, 404, 409)},
    summary="Record money received from a home, once per idempotency key (201; the same "
    "request again: 200 and the first payment; the key with another request: 409)",
)
def record_payment(
    request,
    compound_id: int,
    household_id: int,
    payload: FeePaymentIn,
    idempotency_key: str | None = KEY_HEADER,
):
    books, home = _home(request, compound_id, household_id, KEEP)
    key = _key(idempotency_key, payload.idempotency_key)
    received_on = payload.received_on or timezone.localdate()
    services.received_on_check(received_on)
    return _once(
        services.payment_record,
        compound=books.compound,
        household=home,
        amount_fen=payload.amount_fen,
        method=payload.method,
        idempotency_key=key,
        actor=request.user,
        received_on=received_on,
        payer_name=payload.payer_name,
        note=payload.note,
    )


@router.post(
    "/compounds/{int:compound_id}/homes/{int:household_id}/refunds",
    response={201: FeeReceiptOut, 200: FeeReceiptOut, **error_responses(400, 404, 409)},
    summary="Pay back part or all of a home's credit, once per idempotency key",
)
def record_refund(
    request,
    compound_id: int,
    household_id: int,
    payload: FeeRefundIn,
    idempotency_key: str | None = KEY_HEADER,
):
    books, home = _home(request, compound_id, household_id, KEEP)
    key = _key(idempotency_key, payload.idempotency_key)
    received_on = payload.received_on or timezone.localdate()
    services.received_on_check(received_on)
    return _once(
        services.refund_record,
        compound=books.compound,
        household=home,
        amount_fen=payload.amount_fen,
        method=payload.method,
        idempotency_key=key,
        actor=request.user,
        reason=payload.reason,
        received_on=received_on,
    )


@router.get(
    "/payments/{int:payment_id}",
    response={200: FeeReceiptOut, **error_responses(404)},
    summary="A receipt: the payment, the bills it settled and what was held as credit",
)
def get_payment(request, payment_id: int):
    return selectors.payment_detail(selectors.access_payment(request.user, payment_id, READ))


@router.post(
    "/payments/{int:payment_id}/void",
    response={200: FeeReceiptOut, **error_responses(400, 404)},
    summary="Void a payment recorded in error, with the reason; its receipt number stays used",
)
def void_payment(request, payment_id: int, payload: StewardReasonIn):
    payment = selectors.access_payment(request.user, payment_id, KEEP)
    payment = services.payment_void(payment=payment, reason=payload.reason, actor=request.user)
    return selectors.payment_detail(payment)


# --- the books -----------------------------------------------------------------------------


@router.get(
    "/compounds/{int:compound_id}/entries",
    response={200: list[LedgerEntryOut], **error_responses(404, 422)},
    summary="The compound's posted entries, the newest first (residents too, without evidence)",
)
@paginated
def list_entries(request, compound_id: int, month: str | None = Query(None, pattern=MONTH)):
    books = _books(request, compound_id)
    return selectors.ledger_entries(books, month=_month(month) if month else None)


@router.get(
    "/entries/{int:entry_id}",
    response={200: LedgerEntryOut, **error_responses(404)},
    summary="One posted entry with its legs",
)
def get_entry(request, entry_id: int):
    return selectors.access_entry(request.user, entry_id, READ)


@router.get(
    "/compounds/{int:compound_id}/accounts",
    response={200: list[LedgerAccountOut], **error_responses(404, 422)},
    summary="The compound's chart of accounts (the categories to post income and expenses to)",
)
@paginated
def list_accounts(request, compound_id: int):
    books = _books(request, compound_id, KEEP)
    return selectors.ledger_accounts(books)


@router.post(
    "/compounds/{int:compound_id}/entries",
    response={201: LedgerEntryOut, **error_responses(400, 404)},
    summary="Post an income or an expense paid in cash or by transfer (evidence: on the page)",
)
def post_entry(request, compound_id: int, payload: CashEntryIn):
    books = _books(request, compound_id, KEEP)
    account = selectors.ledger_account(books, payload.account_code)
    if account is None:
        raise ServiceError(_("请选择一个收入或支出科目。"), field="account_code")
    entry = services.cash_entry_post(
        compound=books.compound,
        account=account,
        amount_fen=payload.amount_fen,
        method=payload.method,
        date=payload.date,
        memo=payload.memo,
        actor=request.user,
    )
    return Status(201, selectors.access_entry(request.user, entry.pk, KEEP))


@router.post(
    "/entries/{int:entry_id}/reverse",
    response={201: LedgerEntryOut, **error_responses(400, 404)},
    summary="Reverse a steward's income or expense with the reason (a payment: void it)",
)
def reverse_entry(request, entry_id: int, payload: StewardReasonIn):
    entry = selectors.access_entry(request.user, entry_id, KEEP)
    reversal = services.cash_entry_reverse(entry=entry, reason=payload.reason, actor=request.user)
    return Status(201, selectors.access_entry(request.user, reversal.pk, KEEP))


def _lines(lines) -> list[dict]:
    return [
        {"account_code": line.account.code, "account_name": line.account.name}
        | fen_pair("amount", line.amount_fen)
        for line in lines
    ]


@router.get(
    "/compounds/{int:compound_id}/statement",
    response={200: StatementOut, **error_responses(404, 422)},
    summary="The monthly statement (收支公示) of income, expenses and balance "
    "(?month=YYYY-MM, this month if left out)",
)
def get_statement(request, compound_id: int, month: str | None = Query(None, pattern=MONTH)):
    books = _books(request, compound_id)
    found = statement(books.ledger, _month(month))
    return {
        "compound_id": books.compound_id,
        "month": found.month.strftime("%Y-%m"),
        "income": _lines(found.income),
        "expenses": _lines(found.expenses),
        "closed": found.closed,
        **fen_pair("opening", found.opening_fen),
        **fen_pair("income", found.income_fen),
        **fen_pair("expense", found.expense_fen),
        **fen_pair("prepaid_change", found.prepaid_change_fen),
        **fen_pair("other_change", found.other_change_fen),
        **fen_pair("closing", found.closing_fen),
    }


@router.get(
    "/compounds/{int:compound_id}/collection",
    response={200: CollectionOut, **error_responses(404, 422)},
    summary="The year's collection rate: bills paid in full ÷ bills due, amount collected ÷ "
    "amount due (?year=, this year if left out)",
)
def get_collection(request, compound_id: int, year: int | None = Query(None, ge=2000, le=2100)):
    books = _books(request, compound_id)
    found = selectors.collection(books.compound, year or timezone.localdate().year)
    return {
        "compound_id": books.compound_id,
        "year": found.year,
        "bills_due": found.bills_due,
        "bills_paid": found.bills_paid,
        "bills_rate": percent(found.bills_paid, found.bills_due),
        "amount_rate": percent(found.paid_fen, found.due_fen),
        **fen_pair("due", found.due_fen),
        **fen_pair("paid", found.paid_fen),
    }


@router.get(
    "/compounds/{int:compound_id}/books-check",
    response={200: BooksCheckOut, **error_responses(404)},
    summary="Check the books: every entry balances, the chain and numbers hold, and bills, "
    "credits and receipts reconcile with the ledger to the fen (stewards)",
)
def check_books(request, compound_id: int):
    books = _books(request, compound_id, KEEP)
    result = selectors.books_reconcile(books)
    return {"ok": result.ok, "problems": result.problems, "figures": result.figures}


@router.post(
    "/compounds/{int:compound_id}/reminders",
    response={200: RemindersOut, **error_responses(404)},
    summary="Remind every home with arrears (inbox, or SMS without an account); a home "
    "reminded in the last 7 days is skipped. Never a penalty.",
)
def send_reminders(request, compound_id: int):
    books = _books(request, compound_id, KEEP)
    counts = services.reminders_send(compound=books.compound, actor=request.user)
    return {name: counts.get(name, 0) for name in ("notification", "sms", "none", "skipped_recent")}
