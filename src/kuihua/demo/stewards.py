"""Demo of the self-managed compounds (义管家) for a generated community (called by
kuihua.demo.write).

Each compound without a property company gets its books (an opening balance from the
old exercise book), a volunteer steward assigned, a monthly fee schedule (per home or
per m², hardship homes reduced) and a year of it up to the demo's month: every month
billed, the payments of the month, and its expenses (cleaning, public lighting and
water, repairs, greenery, notices). Five compounds collect about 95% of what has
fallen due, the other three between 70% and 85%; those who do not pay leave their
latest months open, so the arrears have ages. Months before the last two are closed.

Everything goes through the services (billing runs, `payments_record_many`, the
ledger's bulk posting), so every ledger balances and `books_reconcile` holds; only the
times the services stamp "now" on (a run's start, a bill's issue) are moved back into
the month they belong to, as the council's demo does for its votes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.db.models import Q, Sum
from django.utils import timezone

from kuihua.accounts.models import Role, User
from kuihua.demo.plan import years_before
from kuihua.ledger import services as ledger_services
from kuihua.ledger.models import Account, Leg
from kuihua.ledger.services import BANK, CASH, month_end
from kuihua.registry.models import Compound, Household, Resident
from kuihua.stewards import services
from kuihua.stewards.models import Bill, BillingRun, FeeSchedule, StewardAssignment
from kuihua.stewards.services import PaymentIn

MONTHS = 12
GOOD_COMPOUNDS = 5
GOOD_RATE = (0.95, 0.97)  # of what has fallen due, collected
OTHER_RATE = (0.70, 0.85)
# How often a paying home pays: every month, quarter, half year or year (share).
CADENCE = [(1, 0.15), (3, 0.35), (6, 0.30), (12, 0.20)]
CASH_SHARE = 0.6
ROUNDED_UP = 0.04  # payments rounded up to the next ten yuan: the rest is credit
CASH_KEPT = 300000  # the float a steward keeps in cash; the rest goes to the bank
# Monthly expenses as shares of the month's fee income: (account code, memo, share).
MONTHLY_COSTS = [
    ("5001", "楼道及公共区域保洁", 0.42),
    ("5004", "楼道灯、路灯及公共用水电费", 0.14),
]
OCCASIONAL_COSTS = [  # (code, memo, share of a month's income, months it happens in)
    ("5003", "维修：单元门禁、雨水管、楼道灯具", 0.9, (2, 5, 8, 11)),
    ("5002", "绿化修剪及补种", 0.35, (3, 6, 9)),
    ("5006", "收支公示栏、收据及文具", 0.06, (1, 7)),
]


def demo_stewards(*, community, seed: int = 2026, today: dt.date | None = None) -> dict:
    """A year of books for each compound of `community` (in force) without a property
    company. Returns counts."""
    today = min(today or timezone.localdate(), timezone.localdate())
    rng = random.Random(f"kuihua-demo-stewards:{seed}")
    coordinator = (
        User.objects.filter(community=community, role=Role.COORDINATOR).order_by("id").first()
    )
    compounds = list(Compound.objects.filter(has_property_company=False).order_by("id"))
    good = set(rng.sample([c.pk for c in compounds], min(GOOD_COMPOUNDS, len(compounds))))
    first_month = today.replace(day=1) - relativedelta(months=MONTHS - 1)
    counts: dict[str, int] = defaultdict(int)
    for compound in compounds:
        rate = rng.uniform(*(GOOD_RATE if compound.pk in good else OTHER_RATE))
        made = _compound_year(
            compound=compound,
            coordinator=coordinator,
            rng=rng,
            first_month=first_month,
            today=today,
            rate=rate,
        )
        for key, value in made.items():
            counts[key] += value
    counts["compounds"] = len(compounds)
    return dict(counts)


def _volunteer(compound: Compound, today: dt.date) -> User:
    """A steward account named after a resident of the compound aged 45 to 75 (the last
    such by id: the demo's steward login takes the first), not linked to the record (as
    the care demo's visitors: only the logins are)."""
    oldest, youngest = years_before(today, 75), years_before(today, 45)
    fitting = sorted(
        (
            pk
            for pk, born in Resident.objects.filter(household_id__in=_homes(compound))
            .order_by()
            .values_list("pk", "birth_date")
            if born and oldest < born <= youngest
        ),
        reverse=True,
    )
    taken = set(User.objects.filter(resident_id__in=fitting).values_list("resident_id", flat=True))
    chosen = next((pk for pk in fitting if pk not in taken), None)
    resident = Resident.objects.get(pk=chosen) if chosen else None
    return User.objects.create(
        username=f"{compound.community.code}-steward-{compound.pk}",
        role=Role.STEWARD,
        community_id=compound.community_id,
        display_name=resident.name if resident else f"{compound.name}义管家",
        is_active=True,
    )


def _homes(compound: Compound) -> list[int]:
    """The compound's homes' ids, as a list: a filter on them reads the residents of the
    compound by their home, not every resident of the community (SQLite's choice for a
    join through the buildings)."""
    return list(Household.objects.filter(building__compound=compound).values_list("pk", flat=True))


def _compound_year(*, compound, coordinator, rng, first_month, today, rate) -> dict:
    start_day = first_month - dt.timedelta(days=1)
    cash, bank = rng.randrange(1500, 6000) * 100, rng.randrange(8000, 40000) * 100
    books = services.books_open(
        compound=compound,
        actor=coordinator,
        opening_cash_fen=cash,
        opening_bank_fen=bank,
        opening_date=start_day,
    )
    steward = _volunteer(compound, today)
    services.steward_assign(
        compound=compound,
        steward=steward,
        actor=coordinator,
        since=start_day - dt.timedelta(days=rng.randrange(100, 1500)),
    )
    per_m2 = rng.random() < 0.4
    services.schedule_set(
        compound=compound,
        actor=coordinator,
        basis=FeeSchedule.Basis.PER_M2 if per_m2 else FeeSchedule.Basis.PER_HOME,
        monthly_rate_fen=rng.choice((35, 40, 45, 50)) if per_m2 else rng.choice((20, 25, 30)) * 100,
        frequency=FeeSchedule.Frequency.MONTHLY,
        starts_on=first_month,
        hardship_reduction_percent=rng.choice((50, 100)),
        due_days=30,
    )
    months = [first_month + relativedelta(months=i) for i in range(MONTHS)]
    for month in months:
        run = services.billing_run(compound=compound, period_start=month, actor=steward)
        issued = timezone.make_aware(dt.datetime.combine(month, dt.time(9)))
        BillingRun.objects.filter(pk=run.pk).update(started_at=issued)
        Bill.objects.filter(run=run).update(issued_at=issued)

    payments = _payments(compound=compound, rng=rng, today=today, rate=rate)
    by_month: dict[dt.date, list[PaymentIn]] = defaultdict(list)
    for payment in payments:
        by_month[payment.received_on.replace(day=1)].append(payment)
    ledger = books.ledger
    accounts = {a.code: a for a in Account.objects.filter(ledger=ledger)}
    billed = dict(
        Bill.objects.filter(compound=compound)
        .values("period_start")
        .annotate(total=Sum("amount_fen"))
        .values_list("period_start", "total")
    )
    expenses = 0
    for month in months:
        # The payments of the month, in the order of the days they came in; then what the
        # month cost, paid in cash or from the bank: about what the month's fees bring in.
        batch = sorted(by_month[month], key=lambda p: (p.received_on, p.idempotency_key))
        services.payments_record_many(compound=compound, payments=batch, actor=steward)
        cash += sum(p.amount_fen for p in batch if p.method == "cash")
        bank += sum(p.amount_fen for p in batch if p.method != "cash")
        income = round(billed.get(month, 0) * rate)
        items = []
        for day, memo, code, amount in _month_costs(month=month, income=income, rng=rng):
            if day > today:
                continue  # not yet
            # Small bills in cash while the till holds enough, the rest by transfer.
            if amount <= min(80000, cash - 20000):
                paid_from, cash = CASH, cash - amount
            else:
                paid_from, bank = BANK, bank - amount
            legs = [(accounts[code], amount), (accounts[paid_from], -amount)]
            items.append((day, memo, legs, "cash"))
        expenses += len(items)
        last = min(month_end(month), today)
        if cash > CASH_KEPT * 2 and last < today:
            # The month's takings beyond the float go to the bank.
            deposit, cash, bank = cash - CASH_KEPT, CASH_KEPT, bank + cash - CASH_KEPT
            legs = [(accounts[BANK], deposit), (accounts[CASH], -deposit)]
            items.append((last, f"{month:%Y年%m月}现金存入银行", legs, "deposit"))
        ledger_services.entries_post_many(ledger=ledger, items=items, actor=steward)
    _budgets(ledger=ledger, accounts=accounts, year=today.year, actor=coordinator, rng=rng)
    closing = months[-3] if len(months) >= 3 else None
    if closing is not None and month_end(closing) < timezone.localdate():
        ledger_services.period_close(ledger=ledger, month=closing, actor=steward)
    return {
        "bills": Bill.objects.filter(compound=compound).count(),
        "payments": len(payments),
        "expenses": expenses,
    }


def _payments(*, compound, rng, today, rate) -> list[PaymentIn]:
    """Who pays which months, and when: `rate` of the bills that have fallen due are
    paid; those left open are the latest months of a few homes."""
    bills: dict[int, list[Bill]] = defaultdict(list)
    for bill in Bill.objects.filter(compound=compound).order_by("household_id", "period_start"):
        bills[bill.household_id].append(bill)
    due = sum(1 for rows in bills.values() for b in rows if b.due_date <= today)
    unpaid_left = round(due * (1 - rate))
    homes = sorted(bills)
    rng.shuffle(homes)
    paid_months: dict[int, int] = {}
    for household_id in homes:
        rows = bills[household_id]
        n_due = sum(1 for b in rows if b.due_date <= today)
        if unpaid_left > 0 and n_due:
            # A home in arrears: its latest months open (all of them for a few).
            open_months = min(unpaid_left, rng.choice((1, 2, 3, 4, 6, 8, n_due)), n_due)
            paid_months[household_id] = n_due - open_months
            unpaid_left -= open_months
        else:
            # Pays what has fallen due, and the month not yet due for some.
            early = rng.random() < 0.5
            paid_months[household_id] = min(len(rows), n_due + (1 if early else 0))
    payers = dict(
        Resident.objects.filter(
            household_id__in=sorted(bills), relation_to_head=Resident.Relation.HEAD
        )
        .order_by()
        .values_list("household_id", "name")
    )
    cadences, weights = zip(*CADENCE, strict=True)
    out = []
    for household_id in sorted(bills):
        rows = bills[household_id][: paid_months[household_id]]
        every = rng.choices(cadences, weights)[0]
        method = "cash" if rng.random() < CASH_SHARE else "transfer"
        for first in range(0, len(rows), every):
            group = rows[first : first + every]
            amount = sum(b.amount_fen for b in group)
            if not amount:
                continue  # a home exempt from the fee
            if rng.random() < ROUNDED_UP:
                amount = (amount // 1000 + 1) * 1000
            day = group[0].period_start + dt.timedelta(days=rng.randrange(0, 28))
            if day > today:
                break  # not paid yet: this month's bills are not due
            out.append(
                PaymentIn(
                    household=Household(pk=household_id),
                    amount_fen=amount,
                    method=method,
                    idempotency_key=f"demo-{compound.pk}-{household_id}-{first:02d}",
                    received_on=day,
                    payer_name=payers.get(household_id, ""),
                )
            )
    return out


def _month_costs(*, month, income, rng) -> list[tuple]:
    """The month's expenses as (day, memo, account code, fen), about `income` a month
    over the year."""
    if not income:
        return []
    items = [(code, memo, share) for code, memo, share in MONTHLY_COSTS]
    items += [
        (code, memo, share)
        for code, memo, share, in_months in OCCASIONAL_COSTS
        if month.month in in_months
    ]
    out = []
    for code, memo, share in items:
        amount = round(income * share * rng.uniform(0.8, 1.1) / 100) * 100
        if amount > 0:
            day = month + dt.timedelta(days=rng.randrange(5, 27))
            out.append((day, f"{month:%Y年%m月}{memo}", code, amount))
    return out


def _budgets(*, ledger, accounts, year, actor, rng) -> None:
    """This year's budget per expense category: about a year's spending, in round
    hundreds of yuan (what the stewards proposed at the start of the year)."""
    spent = dict(
        Leg.objects.filter(entry__ledger=ledger, entry__posted=True)
        .filter(Q(account__kind=Account.Kind.EXPENSE))
        .values("account__code")
        .annotate(total=Sum("amount_fen"))
        .values_list("account__code", "total")
    )
    for code, total in sorted(spent.items()):
        budget = max(10000, round(total * rng.uniform(0.95, 1.1) / 10000) * 10000)
        ledger_services.budget_set(
            ledger=ledger, account=accounts[code], year=year, amount_fen=budget, actor=actor
        )


def steward_login_assign(*, user: User, compound: Compound | None) -> None:
    """The demo's steward login keeps the books of `compound` (its resident's) and no
    other; a second run leaves it so."""
    today = timezone.localdate()
    StewardAssignment.objects.filter(steward=user, until__isnull=True).exclude(
        compound=compound
    ).update(until=today)
    if compound is None or compound.has_property_company:
        return
    if not StewardAssignment.objects.filter(
        steward=user, compound=compound, until__isnull=True
    ).exists():
        services.steward_assign(compound=compound, steward=user, actor=None, since=today)
