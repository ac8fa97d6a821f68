"""Reads of a compound's books for its pages: the month's entries as a steward reads
them, the published statement with the year's collection rate, the books check, the
months that can be closed, and the rows of the Excel export.

Each read is a fixed number of queries whatever the number of entries; which compound
a user may open is decided before, by `selectors.access_books` (the one door).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, Sum
from django.utils import timezone

from kuihua.ledger.models import Account, Entry, Leg, PeriodClose
from kuihua.ledger.selectors import (
    BooksCheck,
    Statement,
    books_check,
    budget_against_actual,
    statement,
)
from kuihua.ledger.services import BANK, CASH, month_end
from kuihua.stewards.models import Bill, CompoundBooks, Payment
from kuihua.stewards.selectors import Collection, Reconciliation, books_reconcile, collection

MONEY_ACCOUNTS = (CASH, BANK)


def parse_month(text: str | None, *, default: dt.date | None = None) -> dt.date:
    """The first day of the month a `?month=YYYY-MM` names; this month when absent or
    unreadable (a typed address never gives an error page)."""
    today = timezone.localdate()
    fallback = (default or today).replace(day=1)
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        day = dt.date(year, month, 1)
    except ValueError:
        return fallback
    # Books began long after 2000; beyond next year nothing is posted yet.
    return day if 2000 <= year <= today.year + 1 else fallback


def parse_year(text: str | None) -> int:
    today = timezone.localdate()
    if text and text.isdigit() and 2000 <= int(text) <= today.year + 1:
        return int(text)
    return today.year


def percent(rate: float | None) -> str:
    """A rate as people read it on a notice: "95.0%", or "—" when nothing was due."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


# --- the ledger page ------------------------------------------------------------------


@dataclass
class EntryRow:
    """One posted entry as a steward reads it: what it was posted to, money in or out."""

    entry: Entry
    categories: str
    money_in_fen: int
    money_out_fen: int
    method: str  # "现金", "银行", or "" when no money moved (credit applied to bills)
    reversed_by: Entry | None
    is_cash: bool  # a steward's own income or expense (reversible here)


def entry_row(entry: Entry) -> EntryRow:
    legs = list(entry.legs.all())
    money = [leg for leg in legs if leg.account.code in MONEY_ACCOUNTS]
    others = [leg for leg in legs if leg.account.code not in MONEY_ACCOUNTS]
    moved = sum(leg.amount_fen for leg in money)
    if not money:  # credit applied to bills: no money came in or went out
        moved = 0
    methods = sorted({leg.account.name for leg in money})
    return EntryRow(
        entry=entry,
        categories="、".join(dict.fromkeys(leg.account.name for leg in others)),
        money_in_fen=max(moved, 0),
        money_out_fen=max(-moved, 0),
        method="、".join(methods),
        reversed_by=getattr(entry, "reversed_by", None),
        is_cash=entry.source == "cash",
    )


def month_entries(books: CompoundBooks, month: dt.date) -> list[EntryRow]:
    """The month's posted entries, newest number last: two queries."""
    first, last = month.replace(day=1), month_end(month)
    entries = (
        Entry.objects.filter(ledger=books.ledger, posted=True, date__gte=first, date__lte=last)
        .select_related("posted_by", "reverses", "reversed_by", "payment")
        .prefetch_related("legs__account")
        .order_by("date", "number")
    )
    return [entry_row(entry) for entry in entries]


def money_on_hand(books: CompoundBooks, as_of: dt.date) -> dict[str, int]:
    """Cash (in the steward's box) and the bank balance at the end of `as_of`, as the
    books have them: one query. The steward counts the box against `cash`."""
    rows = dict(
        Leg.objects.filter(
            entry__ledger=books.ledger,
            entry__posted=True,
            entry__date__lte=as_of,
            account__code__in=MONEY_ACCOUNTS,
        )
        .values("account__code")
        .annotate(total=Sum("amount_fen"))
        .values_list("account__code", "total")
    )
    return {"cash": rows.get(CASH, 0), "bank": rows.get(BANK, 0)}


def categories(books: CompoundBooks):
    """The income and expense categories a steward posts to (fee income is the
    payments' own: it moves only with a payment)."""
    from kuihua.ledger.services import FEES

    return (
        Account.objects.filter(
            ledger=books.ledger, kind__in=[Account.Kind.INCOME, Account.Kind.EXPENSE]
        )
        .exclude(code=FEES)
        .order_by("kind", "code")
    )


# --- the published statement ------------------------------------------------------------


@dataclass
class PublishedStatement:
    """What the stairwell notice carries: the month's statement and the year's collection."""

    statement: Statement
    collection: Collection
    bills_rate: str
    amount_rate: str
    net_fen: int  # income less expenses of the month

    @property
    def month(self) -> dt.date:
        return self.statement.month


def published_statement(books: CompoundBooks, month: dt.date) -> PublishedStatement:
    """The month's income, expenses by category and balance, and the collection rate of
    the month's year (bills fallen due by today, or by the month's end for a past year)."""
    month = month.replace(day=1)
    stmt = statement(books.ledger, month)
    today = timezone.localdate()
    as_of = min(today, dt.date(month.year, 12, 31))
    coll = collection(books.compound, month.year, today=as_of)
    return PublishedStatement(
        statement=stmt,
        collection=coll,
        bills_rate=percent(coll.bills_rate),
        amount_rate=percent(coll.amount_rate),
        net_fen=stmt.income_fen - stmt.expense_fen,
    )


# --- budget ------------------------------------------------------------------------------


def budget_lines(books: CompoundBooks, year: int):
    """Budget against actual of `year`, income first (three queries)."""
    lines = budget_against_actual(books.ledger, year)
    lines.sort(key=lambda line: (line.account.kind != Account.Kind.INCOME, line.account.code))
    return lines


# --- periods -----------------------------------------------------------------------------


def closes(books: CompoundBooks) -> list[PeriodClose]:
    return list(
        PeriodClose.objects.filter(ledger=books.ledger)
        .select_related("closed_by")
        .order_by("-month")
    )


def closable_months(books: CompoundBooks, *, back: int = 24) -> list[dt.date]:
    """Months that have ended and are still open, the latest first, back to the month
    the books began (their first entry, or the day they were opened), at most `back`."""
    today = timezone.localdate()
    last_ended = today.replace(day=1) - relativedelta(months=1)
    closed_through = books.ledger.closed_through
    first_entry = Entry.objects.filter(ledger=books.ledger, posted=True).order_by("date").first()
    began = timezone.localdate(books.ledger.created_at)
    if first_entry is not None:
        began = min(began, first_entry.date)
    began = began.replace(day=1)
    months = []
    month = last_ended
    for _step in range(back):
        if month < began or (closed_through and month <= closed_through):
            break
        months.append(month)
        month -= relativedelta(months=1)
    return months


# --- the books check ----------------------------------------------------------------------


@dataclass
class Health:
    """The books check as a steward reads it: three questions, each answered."""

    balanced: bool
    debit_fen: int
    credit_fen: int
    unbalanced_entries: int
    chain: BooksCheck
    reconciliation: Reconciliation
    reconcile_problems: list[str]

    @property
    def ok(self) -> bool:
        return self.balanced and self.chain.ok and not self.reconcile_problems


def books_health(books: CompoundBooks) -> Health:
    """Do the books balance (debits = credits, every entry), is the chain intact (every
    entry as it was posted, numbers without a gap), and do bills, payments, credits and
    ledger reconcile to the fen."""
    totals = Leg.objects.filter(entry__ledger=books.ledger, entry__posted=True).aggregate(
        debit=Sum("amount_fen", filter=Q(amount_fen__gt=0), default=0),
        credit=Sum("amount_fen", filter=Q(amount_fen__lt=0), default=0),
    )
    unbalanced = (
        Entry.objects.filter(ledger=books.ledger, posted=True)
        .annotate(total=Sum("legs__amount_fen"), n=Count("legs"))
        .filter(~Q(total=0) | Q(n__lt=2))
        .count()
    )
    chain = books_check(books.ledger)
    reconciliation = books_reconcile(books)
    return Health(
        balanced=totals["debit"] == -totals["credit"] and not unbalanced,
        debit_fen=totals["debit"],
        credit_fen=-totals["credit"],
        unbalanced_entries=unbalanced,
        chain=chain,
        reconciliation=reconciliation,
        reconcile_problems=[p for p in reconciliation.problems if p not in chain.problems],
    )


# --- export rows --------------------------------------------------------------------------


def export_bills(books: CompoundBooks):
    return (
        Bill.objects.filter(compound=books.compound)
        .select_related("household__building__compound")
        .order_by("period_start", "household__building__name", "household__unit", "household__room")
    )


def export_payments(books: CompoundBooks):
    return (
        Payment.objects.filter(compound=books.compound)
        .select_related("household__building__compound", "recorded_by")
        .order_by("receipt_no")
    )


def export_legs(books: CompoundBooks):
    return (
        Leg.objects.filter(entry__ledger=books.ledger, entry__posted=True)
        .select_related("entry__posted_by", "entry__reverses", "account")
        .order_by("entry__number", "id")
    )
