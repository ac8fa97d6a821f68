"""Reading a ledger: balances, the monthly statement, budget against actual, and the
check any keeper can run. Each is a fixed number of aggregate queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from kuihua.ledger.models import Account, Budget, Entry, Ledger, Leg, PeriodClose
from kuihua.ledger.services import entry_hash, month_end


@dataclass
class StatementLine:
    account: Account
    amount_fen: int


@dataclass
class Statement:
    """One month's 收支公示: what came in, what went out, and the balance."""

    ledger: Ledger
    month: dt.date
    opening_fen: int
    income: list[StatementLine]
    expenses: list[StatementLine]
    prepaid_change_fen: int  # owners' advance payments received less applied
    other_change_fen: int
    closing_fen: int
    closed: bool

    @property
    def income_fen(self) -> int:
        return sum(line.amount_fen for line in self.income)

    @property
    def expense_fen(self) -> int:
        return sum(line.amount_fen for line in self.expenses)


def posted_legs(ledger: Ledger):
    return Leg.objects.filter(entry__ledger=ledger, entry__posted=True)


def statement(ledger: Ledger, month: dt.date) -> Statement:
    """The month's statement, from posted entries: two queries."""
    first, last = month.replace(day=1), month_end(month)
    accounts = {a.pk: a for a in Account.objects.filter(ledger=ledger)}
    rows = (
        posted_legs(ledger)
        .filter(entry__date__lte=last)
        .values("account_id")
        .annotate(
            before=Sum("amount_fen", filter=Q(entry__date__lt=first), default=0),
            during=Sum("amount_fen", filter=Q(entry__date__gte=first), default=0),
        )
    )
    opening = change = prepaid = other = 0
    income, expenses = [], []
    for row in rows:
        acct = accounts[row["account_id"]]
        if acct.kind == Account.Kind.ASSET:
            opening += row["before"]
            change += row["during"]
        elif acct.kind == Account.Kind.INCOME and row["during"]:
            income.append(StatementLine(acct, -row["during"]))
        elif acct.kind == Account.Kind.EXPENSE and row["during"]:
            expenses.append(StatementLine(acct, row["during"]))
        elif acct.kind == Account.Kind.LIABILITY:
            prepaid += -row["during"]
        elif acct.kind == Account.Kind.EQUITY:
            other += -row["during"]
    income.sort(key=lambda line: line.account.code)
    expenses.sort(key=lambda line: line.account.code)
    return Statement(
        ledger=ledger,
        month=first,
        opening_fen=opening,
        income=income,
        expenses=expenses,
        prepaid_change_fen=prepaid,
        other_change_fen=other,
        closing_fen=opening + change,
        closed=bool(ledger.closed_through and last <= ledger.closed_through),
    )


def balances(ledger: Ledger) -> dict[str, int]:
    """Each account's balance by code (debit +), from posted entries: one query."""
    codes = dict(Account.objects.filter(ledger=ledger).values_list("pk", "code"))
    rows = posted_legs(ledger).values("account_id").annotate(total=Sum("amount_fen"))
    return {codes[r["account_id"]]: r["total"] for r in rows}


@dataclass
class BudgetLine:
    account: Account
    budget_fen: int | None
    actual_fen: int

    @property
    def remaining_fen(self) -> int | None:
        return None if self.budget_fen is None else self.budget_fen - self.actual_fen


def budget_against_actual(ledger: Ledger, year: int) -> list[BudgetLine]:
    """Every income and expense category with its budget and what was posted in `year`."""
    budgets = dict(
        Budget.objects.filter(ledger=ledger, year=year).values_list("account_id", "amount_fen")
    )
    actual = dict(
        posted_legs(ledger)
        .filter(entry__date__year=year)
        .values("account_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("account_id", "total")
    )
    lines = []
    for acct in Account.objects.filter(
        ledger=ledger, kind__in=[Account.Kind.INCOME, Account.Kind.EXPENSE]
    ):
        total = actual.get(acct.pk, 0)
        total = -total if acct.kind == Account.Kind.INCOME else total
        if total or acct.pk in budgets:
            lines.append(BudgetLine(acct, budgets.get(acct.pk), total))
    return lines


@dataclass
class BooksCheck:
    """What the check found: `ok` when there is nothing in `problems`."""

    entries: int = 0
    legs_total_fen: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def books_check(ledger: Ledger) -> BooksCheck:
    """Check the books from the rows themselves: every entry balances, the numbers run
    1, 2, 3 … without a gap, each hash matches its content and the one before it,
    nothing was left unposted, and nothing went into a month after it was closed.
    Reads the ledger once, in number order.

    A close records the chain's hash at that moment, so the entries posted after it are
    those numbered after the entry with that hash: one of them dated in the closed
    month means the period was reopened behind the services' back (a plain update of
    `closed_through`, which no trigger guards), and so does a `closed_through` earlier
    than a recorded close."""
    from django.utils.translation import gettext as _

    result = BooksCheck()
    ledger = Ledger.objects.get(pk=ledger.pk)  # the chain's head as it is now
    unbalanced = (
        Entry.objects.filter(ledger=ledger, posted=True)
        .annotate(total=Sum("legs__amount_fen"), n=Count("legs"))
        .filter(~Q(total=0) | Q(n__lt=2))
        .values_list("number", flat=True)
    )
    for number in unbalanced:
        result.problems.append(_("凭证 #%(n)s 借贷不平。") % {"n": number})
    stray = Entry.objects.filter(ledger=ledger, posted=False).count()
    if stray:
        result.problems.append(_("有 %(n)s 张凭证未过账。") % {"n": stray})
    legs: dict[int, list[tuple[str, int]]] = {}
    for entry_id, code, amount in (
        posted_legs(ledger).values_list("entry_id", "account__code", "amount_fen").iterator()
    ):
        legs.setdefault(entry_id, []).append((code, amount))
        result.legs_total_fen += amount
    numbers = dict(Entry.objects.filter(ledger=ledger, posted=True).values_list("pk", "number"))
    # Each close fences off its months: the last day it closed, and the number of the
    # last entry then (the one whose hash it recorded; 0 when the ledger was empty).
    closes = list(PeriodClose.objects.filter(ledger=ledger).values_list("month", "chain_hash"))
    at_close = dict(
        Entry.objects.filter(
            ledger=ledger, posted=True, hash__in=[h for _m, h in closes if h]
        ).values_list("hash", "number")
    )
    fences = []
    for month, chain_hash in closes:
        if chain_hash and chain_hash not in at_close:
            result.problems.append(
                _("%(month)s 结账时的凭证链已经找不到了。") % {"month": month.strftime("%Y-%m")}
            )
        else:
            fences.append((month_end(month), at_close.get(chain_hash, 0)))
    prev = ""
    expected = 1
    for entry in (
        Entry.objects.filter(ledger=ledger, posted=True)
        .order_by("number")
        .only("pk", "number", "date", "memo", "source", "reverses_id", "prev_hash", "hash")
        .iterator()
    ):
        result.entries += 1
        if entry.number != expected:
            result.problems.append(_("凭证号 #%(n)s 不连续。") % {"n": expected})
            expected = entry.number
        expected += 1
        digest = entry_hash(
            ledger_id=ledger.pk,
            number=entry.number,
            date=entry.date,
            memo=entry.memo,
            source=entry.source,
            reverses=numbers.get(entry.reverses_id),
            legs=legs.get(entry.pk, []),
            prev_hash=prev,
        )
        if entry.prev_hash != prev or entry.hash != digest:
            result.problems.append(_("凭证 #%(n)s 的内容与记账时不一致。") % {"n": entry.number})
        if any(entry.number > last and entry.date <= end for end, last in fences):
            result.problems.append(
                _("凭证 #%(n)s 记在 %(day)s，而那个月已经结账。")
                % {"n": entry.number, "day": entry.date.isoformat()}
            )
        prev = entry.hash
    last_closed = max((month_end(month) for month, _h in closes), default=None)
    if last_closed and (ledger.closed_through is None or ledger.closed_through < last_closed):
        result.problems.append(_("账本的结账日期早于已结账的月份：结过的账被重新打开了。"))
    if result.legs_total_fen != 0:
        result.problems.append(_("全部借方与贷方合计不相等。"))
    if ledger.last_hash != prev:
        result.problems.append(_("账本的最后一张凭证与链尾不一致。"))
    return result
