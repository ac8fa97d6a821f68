"""Reads of the stewards' books: who may see which compound, arrears by age, the
collection rate, and the reconciliation of bills, credits, payments and ledger.

Who sees what (one door, `access_books`):
- "keep": a coordinator, or a steward assigned to the compound now;
- "read": those, plus a resident whose home is in the compound (as a member or an
  owner), for the compound's public pages (statements, collection rate).
Anything else is a 404, as for another community's compound.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.ledger.models import Account, Entry
from kuihua.ledger.selectors import balances, books_check
from kuihua.ledger.services import FEES, PREPAID
from kuihua.registry.models import Compound, Household, Ownership
from kuihua.stewards.models import (
    Allocation,
    Bill,
    CompoundBooks,
    HomeCredit,
    Payment,
    StewardAssignment,
)

KEEP, READ = "keep", "read"


def kept_compound_ids(user) -> set[int]:
    """The compounds `user` keeps the books of (all self-managed ones for a coordinator)."""
    if not user.is_authenticated or user.community_id is None:
        return set()
    if user.role == Role.COORDINATOR:
        return set(Compound.objects.filter(has_property_company=False).values_list("pk", flat=True))
    if user.role != Role.STEWARD:
        return set()
    return set(
        StewardAssignment.objects.filter(steward=user, until__isnull=True).values_list(
            "compound_id", flat=True
        )
    )


def home_compound_ids(user) -> set[int]:
    """The compounds where `user`'s registry record lives or owns a home."""
    resident_id = getattr(user, "resident_id", None)
    if not resident_id or user.community_id is None:
        return set()
    ids = set(
        Household.objects.filter(members__pk=resident_id).values_list(
            "building__compound_id", flat=True
        )
    )
    ids |= set(
        Ownership.objects.filter(resident_id=resident_id).values_list(
            "household__building__compound_id", flat=True
        )
    )
    return ids


def compounds_for(user, action: str = READ) -> QuerySet[Compound]:
    ids = kept_compound_ids(user)
    if action == READ:
        ids |= home_compound_ids(user)
    return Compound.objects.filter(pk__in=ids, has_property_company=False).order_by("name")


def access_books(user, compound_id: int, action: str = READ) -> CompoundBooks:
    """The compound's books if `user` may `action` them ("keep" or "read"), else 404."""
    if action not in (KEEP, READ):
        raise ValueError(action)
    books = (
        CompoundBooks.objects.select_related("compound", "ledger")
        .filter(compound_id=compound_id, compound__in=compounds_for(user, action))
        .first()
    )
    if books is None:
        raise Http404
    return books


def access_bill(user, bill_id: int, action: str = KEEP) -> Bill:
    """A bill if `user` keeps its compound's books, or ("read") it is their own home's;
    a neighbour's bill is 404 to a resident, as another community's is."""
    bill = Bill.objects.select_related("household__building__compound").filter(pk=bill_id).first()
    if bill is None:
        raise Http404
    if action == READ and _is_home_of(user, bill.household):
        return bill
    access_books(user, bill.compound_id, KEEP)
    return bill


def access_payment(user, payment_id: int, action: str = KEEP) -> Payment:
    payment = (
        Payment.objects.select_related("household__building", "compound", "recorded_by", "entry")
        .filter(pk=payment_id)
        .first()
    )
    if payment is None:
        raise Http404
    if action == READ and _owns_payment(user, payment):
        return payment
    access_books(user, payment.compound_id, KEEP)
    return payment


def access_entry(user, entry_id: int, action: str = KEEP) -> Entry:
    """A posted entry of a compound's books, with its legs' accounts, if `user` may
    `action` those books ("read": the compound's residents see the entries behind the
    published statement, never the evidence; that is `keep` only), else 404."""
    entry = (
        Entry.objects.select_related("ledger__compound_books", "posted_by", "reverses")
        .prefetch_related("legs__account")
        .filter(pk=entry_id, posted=True, ledger__compound_books__isnull=False)
        .first()
    )
    if entry is None:
        raise Http404
    access_books(user, entry.ledger.compound_books.compound_id, action)
    return entry


def _owns_payment(user, payment: Payment) -> bool:
    """A resident reads their own home's receipts."""
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        return False
    return (
        Household.objects.filter(pk=payment.household_id)
        .filter(Q(members__pk=resident_id) | Q(ownerships__resident_id=resident_id))
        .exists()
    )


def access_home(user, compound: Compound, household_id: int, action: str = KEEP) -> Household:
    """A home of `compound` (already opened through `access_books`), else 404."""
    home = (
        Household.objects.select_related("building__compound")
        .filter(pk=household_id, building__compound=compound)
        .first()
    )
    if home is None:
        raise Http404
    if action == READ and not _is_home_of(user, home):
        access_books(user, compound.pk, KEEP)
    return home


def _is_home_of(user, home: Household) -> bool:
    resident_id = getattr(user, "resident_id", None)
    return bool(resident_id) and (
        Household.objects.filter(pk=home.pk)
        .filter(Q(members__pk=resident_id) | Q(ownerships__resident_id=resident_id))
        .exists()
    )


def my_homes(user) -> QuerySet[Household]:
    """The homes whose bills `user` may read as a member or owner."""
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        return Household.objects.none()
    return (
        Household.objects.filter(
            Q(members__pk=resident_id) | Q(ownerships__resident_id=resident_id)
        )
        .filter(building__compound__has_property_company=False)
        .select_related("building__compound")
        .distinct()
    )


# --- arrears --------------------------------------------------------------------------

BUCKETS = ("0-3", "3-6", "6-12", "12+")


@dataclass
class Aging:
    """Past-due amounts of a compound by how long they have been due (months)."""

    buckets: dict[str, int]
    homes: int

    @property
    def total_fen(self) -> int:
        return sum(self.buckets.values())


def _cutoffs(today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    return (
        today - relativedelta(months=3),
        today - relativedelta(months=6),
        today - relativedelta(months=12),
    )


def arrears_aging(compound: Compound, *, today: dt.date | None = None) -> Aging:
    """One query: the outstanding amounts of bills past their due date, by age."""
    today = today or timezone.localdate()
    c3, c6, c12 = _cutoffs(today)
    owed = F("amount_fen") - F("paid_fen")
    row = Bill.objects.filter(
        compound=compound, due_date__lt=today, paid_fen__lt=F("amount_fen")
    ).aggregate(
        b0=Sum(owed, filter=Q(due_date__gte=c3), default=0),
        b3=Sum(owed, filter=Q(due_date__lt=c3, due_date__gte=c6), default=0),
        b6=Sum(owed, filter=Q(due_date__lt=c6, due_date__gte=c12), default=0),
        b12=Sum(owed, filter=Q(due_date__lt=c12), default=0),
        homes=Count("household", distinct=True),
    )
    return Aging(
        buckets=dict(zip(BUCKETS, (row["b0"], row["b3"], row["b6"], row["b12"]), strict=True)),
        homes=row["homes"],
    )


def arrears_totals(compounds, *, today: dt.date | None = None) -> dict[int, tuple[int, int]]:
    """Several compounds' past-due totals in one query: compound id → (fen, homes)."""
    today = today or timezone.localdate()
    rows = (
        Bill.objects.filter(compound__in=list(compounds), due_date__lt=today)
        .filter(paid_fen__lt=F("amount_fen"))
        .values("compound_id")
        .annotate(
            owed=Sum(F("amount_fen") - F("paid_fen")), homes=Count("household", distinct=True)
        )
    )
    return {r["compound_id"]: (r["owed"], r["homes"]) for r in rows}


@dataclass
class HomeArrears:
    household: Household
    outstanding_fen: int
    bills: int
    oldest_due: dt.date

    @property
    def bucket(self) -> str:
        today = timezone.localdate()
        c3, c6, c12 = _cutoffs(today)
        if self.oldest_due >= c3:
            return BUCKETS[0]
        if self.oldest_due >= c6:
            return BUCKETS[1]
        if self.oldest_due >= c12:
            return BUCKETS[2]
        return BUCKETS[3]


def arrears_by_home(compound: Compound, *, today: dt.date | None = None) -> list[HomeArrears]:
    """Each home with a past-due balance, the oldest first: two queries."""
    today = today or timezone.localdate()
    rows = list(
        Bill.objects.filter(compound=compound, due_date__lt=today, paid_fen__lt=F("amount_fen"))
        .values("household_id")
        .annotate(owed=Sum(F("amount_fen") - F("paid_fen")), n=Count("id"), oldest=Min("due_date"))
        .order_by("oldest", "household_id")
    )
    homes = Household.objects.select_related("building__compound").in_bulk(
        [r["household_id"] for r in rows]
    )
    return [HomeArrears(homes[r["household_id"]], r["owed"], r["n"], r["oldest"]) for r in rows]


# --- collection -----------------------------------------------------------------------


@dataclass
class Collection:
    """A year's collection (收缴率) of a compound, over the bills that have fallen due:
    bills paid in full ÷ bills due, and amount collected ÷ amount due."""

    compound: Compound
    year: int
    bills_due: int
    bills_paid: int
    due_fen: int
    paid_fen: int

    @property
    def bills_rate(self) -> float | None:
        return self.bills_paid / self.bills_due if self.bills_due else None

    @property
    def amount_rate(self) -> float | None:
        return self.paid_fen / self.due_fen if self.due_fen else None


def collection(compound: Compound, year: int, *, today: dt.date | None = None) -> Collection:
    """One aggregate query, whatever the number of bills."""
    return collections([compound], year, today=today)[0]


def collections(compounds, year: int, *, today: dt.date | None = None) -> list[Collection]:
    """The year's collection of several compounds in one query."""
    today = today or timezone.localdate()
    compounds = list(compounds)
    rows = {
        r["compound_id"]: r
        for r in Bill.objects.filter(
            compound__in=compounds, period_start__year=year, due_date__lte=today
        )
        .values("compound_id")
        .annotate(
            n=Count("id"),
            paid=Count("id", filter=Q(paid_fen__gte=F("amount_fen"))),
            due=Sum("amount_fen", default=0),
            got=Sum("paid_fen", default=0),
        )
    }
    out = []
    for compound in compounds:
        r = rows.get(compound.pk, {"n": 0, "paid": 0, "due": 0, "got": 0})
        out.append(Collection(compound, year, r["n"], r["paid"], r["due"], r["got"]))
    return out


# --- reconciliation -------------------------------------------------------------------


@dataclass
class Reconciliation:
    """The books check: the ledger's own (balanced, chained, numbered) and the
    sub-ledgers against it, to the fen."""

    problems: list[str] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def books_reconcile(books: CompoundBooks) -> Reconciliation:
    """Fee income = what the bills have been paid; owners' credit in the ledger = the
    homes' credits; receipts in sequence without a gap; the ledger's own check."""
    from django.utils.translation import gettext as _

    from kuihua.core.money import yuan

    result = Reconciliation()
    books = CompoundBooks.objects.select_related("ledger", "compound").get(pk=books.pk)
    check = books_check(books.ledger)
    result.problems.extend(check.problems)
    totals = balances(books.ledger)
    fee_income = -totals.get(FEES, 0)
    prepaid = -totals.get(PREPAID, 0)
    bills_paid = Bill.objects.filter(compound=books.compound).aggregate(
        s=Sum("paid_fen", default=0)
    )["s"]
    allocated = (
        Allocation.objects.filter(bill__compound=books.compound)
        .filter(Q(payment__isnull=True) | Q(payment__reversal_entry__isnull=True))
        .aggregate(s=Sum("amount_fen", default=0))["s"]
    )
    credits = HomeCredit.objects.filter(compound=books.compound).aggregate(
        s=Sum("balance_fen", default=0)
    )["s"]
    receipts = Payment.objects.filter(compound=books.compound).aggregate(
        n=Count("id"), top=Max("receipt_no")
    )
    result.figures = {
        "fee_income_fen": fee_income,
        "bills_paid_fen": bills_paid,
        "allocated_fen": allocated,
        "prepaid_fen": prepaid,
        "home_credits_fen": credits,
        "receipts": receipts["n"],
        "entries": check.entries,
    }
    if fee_income != bills_paid or allocated != bills_paid:
        result.problems.append(
            _("物业费收入 %(income)s 元与账单已缴 %(paid)s 元不符。")
            % {"income": yuan(fee_income), "paid": yuan(bills_paid)}
        )
    if prepaid != credits:
        result.problems.append(
            _("账上的业主预存款 %(ledger)s 元与各户预存余额合计 %(homes)s 元不符。")
            % {"ledger": yuan(prepaid), "homes": yuan(credits)}
        )
    if (receipts["top"] or 0) != receipts["n"] or books.last_receipt_no != receipts["n"]:
        result.problems.append(_("收据号不连续。"))
    return result


# --- lists for the API and pages (each a fixed number of queries per page) ------------


def _owed_subquery(outer: str, today: dt.date):
    """The past-due outstanding of bills whose `outer` is the row (a compound or a home)."""
    owed = (
        Bill.objects.filter(
            **{outer: OuterRef("pk")}, due_date__lt=today, paid_fen__lt=F("amount_fen")
        )
        .order_by()
        .values(outer)
    )
    total = owed.annotate(s=Sum(F("amount_fen") - F("paid_fen"))).values("s")
    return Coalesce(Subquery(total, output_field=BigIntegerField()), 0), owed


def compounds_overview(
    user, *, year: int | None = None, today: dt.date | None = None
) -> QuerySet[Compound]:
    """The compounds `user` may read, each with the year's collection (bills that have
    fallen due: how many, paid in full, amount due and paid) and its arrears (past-due
    outstanding, homes owing): one query however many compounds."""
    today = today or timezone.localdate()
    year = year or today.year
    arrears, owed = _owed_subquery("compound", today)
    due = (
        Bill.objects.filter(compound=OuterRef("pk"), period_start__year=year, due_date__lte=today)
        .order_by()
        .values("compound")
    )

    def agg(expr, field=BigIntegerField):
        return Coalesce(Subquery(due.annotate(v=expr).values("v"), output_field=field()), 0)

    return compounds_for(user, READ).annotate(
        bills_due=agg(Count("id"), IntegerField),
        bills_paid=agg(Count("id", filter=Q(paid_fen__gte=F("amount_fen"))), IntegerField),
        due_fen=agg(Sum("amount_fen")),
        paid_fen=agg(Sum("paid_fen")),
        arrears_fen=arrears,
        arrears_homes=Coalesce(
            Subquery(
                owed.annotate(n=Count("household", distinct=True)).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
    )


def homes_with_arrears(
    compound: Compound, *, today: dt.date | None = None, owing_only: bool = False
) -> QuerySet[Household]:
    """The compound's homes, each with its past-due outstanding, the due date of its
    oldest unpaid bill (the age of its arrears) and its credit (预存): one query."""
    today = today or timezone.localdate()
    arrears, owed = _owed_subquery("household", today)
    homes = (
        Household.objects.filter(building__compound=compound)
        .select_related("building__compound")
        .annotate(
            arrears_fen=arrears,
            bills_owing=Coalesce(
                Subquery(owed.annotate(n=Count("id")).values("n"), output_field=IntegerField()),
                0,
            ),
            oldest_due=Subquery(
                owed.annotate(d=Min("due_date")).values("d"), output_field=DateField()
            ),
            credit_fen=Coalesce(F("credit__balance_fen"), 0),
        )
        .order_by("building__name", "unit", "room", "pk")
    )
    if owing_only:
        homes = homes.filter(arrears_fen__gt=0)
    return homes


def age_bucket(oldest_due: dt.date | None, *, today: dt.date | None = None) -> str | None:
    """Which of BUCKETS a past-due balance whose oldest bill fell due on `oldest_due` is in."""
    if oldest_due is None:
        return None
    c3, c6, c12 = _cutoffs(today or timezone.localdate())
    if oldest_due >= c3:
        return BUCKETS[0]
    if oldest_due >= c6:
        return BUCKETS[1]
    if oldest_due >= c12:
        return BUCKETS[2]
    return BUCKETS[3]


def home_bills(home: Household) -> QuerySet[Bill]:
    """A home's bills, the newest period first."""
    return Bill.objects.filter(household=home).order_by("-period_start", "-id")


def home_payments(home: Household) -> QuerySet[Payment]:
    """A home's payments and refunds, the newest receipt first."""
    return (
        Payment.objects.filter(household=home)
        .select_related("recorded_by", "compound__books", "household__building__compound")
        .order_by("-receipt_no")
    )


def bill_detail(bill: Bill) -> Bill:
    """A bill with its changes (who, why, from what) and the payments that settled it."""
    return (
        Bill.objects.select_related("household__building__compound", "compound")
        .prefetch_related("changes__changed_by", "allocations__payment__compound__books")
        .get(pk=bill.pk)
    )


def payment_detail(payment: Payment) -> Payment:
    """A payment (a receipt) with the bills it settled."""
    return (
        Payment.objects.select_related(
            "household__building__compound",
            "compound__books",
            "recorded_by",
            "entry",
            "reversal_entry",
        )
        .prefetch_related("allocations__bill")
        .get(pk=payment.pk)
    )


def ledger_entries(books: CompoundBooks, *, month: dt.date | None = None) -> QuerySet[Entry]:
    """A compound's posted entries, the newest first, with their legs; in `month` if given."""
    entries = Entry.objects.filter(ledger=books.ledger, posted=True)
    if month is not None:
        entries = entries.filter(date__year=month.year, date__month=month.month)
    return (
        entries.select_related("posted_by", "reverses", "reversed_by")
        .prefetch_related("legs__account")
        .order_by("-number")
    )


def ledger_accounts(books: CompoundBooks) -> QuerySet[Account]:
    """The compound's chart of accounts, by code."""
    return Account.objects.filter(ledger=books.ledger).order_by("code")


def ledger_account(books: CompoundBooks, code: str) -> Account | None:
    """One account of the compound's chart by its code, or None."""
    return Account.objects.filter(ledger=books.ledger, code=code).first()


# --- the workbench (dashboard.workbench): what waits for a user today --------------------


@dataclass
class CompoundArrears:
    compound: Compound
    owed_fen: int
    homes: int


def arrears_to_collect(user, *, today: dt.date | None = None) -> list[CompoundArrears]:
    """The compounds whose books `user` keeps that have bills past due and unpaid (欠费),
    the largest amount first: three queries, whatever the number of compounds."""
    kept = list(compounds_for(user, KEEP).filter(books__isnull=False))
    totals = arrears_totals(kept, today=today) if kept else {}
    rows = [CompoundArrears(c, *totals[c.pk]) for c in kept if totals.get(c.pk, (0, 0))[0] > 0]
    rows.sort(key=lambda r: (-r.owed_fen, r.compound.name))
    return rows
