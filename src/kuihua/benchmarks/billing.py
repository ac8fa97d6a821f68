"""`kuihua bench billing [--db sqlite|postgres] [--scale F]`.

The self-managed compounds' books (义管家, docs/adr/0014-ledger.md) on a fresh database:
100 compounds of about 500 homes each (50,000 homes × scale), each with its books and
a monthly fee schedule, then

1. **billing**: a billing run of one month for every compound (one bill per home:
   ~50,000 bills), as bills per second, and the same run again, which must create
   nothing (a repeat skips every home already billed);
2. **payments**: a sample of payments recorded one at a time through `payment_record`,
   as a steward records them (payments per second, queries per payment); then the
   other eleven months billed for every home, and a year of payments of every
   compound, each compound's at once through `payments_record_many`;
3. **collection**: the year's collection rate (收缴率) of one compound read when one
   month is billed (`collection_month`) and when twelve months are billed and paid
   (`collection_year`), cold (the first read on a fresh connection) and warm (the
   median of five), with its query count, which must not grow with the rows;
4. **reconcile**: `books_reconcile` of every compound, which must all hold.

Goals (issue 15): billing ≥ 5,000 bills/s, the collection read < 100 ms with a constant
query count. The last line of output is one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable

DESCRIPTION = (
    "bill 50,000 homes, record payments, read the collection rate, reconcile (sqlite|postgres)"
)
COMPOUNDS = 100
HOMES = 50_000
SAMPLE_PAYMENTS = 1_000
TIME_LIMIT = 3600


def run(*, scale: float = 1.0, say: Callable[[str], None] = print, db: str = "sqlite") -> dict:
    from kuihua.benchmarks.signup_rush import _database

    homes = max(40, round(HOMES * scale))
    compounds = max(2, min(COMPOUNDS, round(COMPOUNDS * scale)))
    sample = max(10, round(SAMPLE_PAYMENTS * scale))
    with (
        tempfile.TemporaryDirectory(prefix="kuihua-bench-billing-") as home,
        _database(db, home) as url,
    ):
        env = {
            **os.environ,
            "KUIHUA_HOME": home,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.local",
        }
        say(f"{db}: {compounds} compounds, {homes:,} homes; billing, payments, collection …")
        done = subprocess.run(  # noqa: S603 - our own module, no shell
            [
                sys.executable,
                "-m",
                "kuihua.benchmarks.billing",
                str(compounds),
                str(homes),
                str(sample),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"billing failed:\n{done.stderr[-3000:]}")
        for line in done.stdout.strip().splitlines()[:-1]:
            say(line)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"benchmark": "billing", "db": db, **figures}


def _child(compounds: int, homes: int, sample: int) -> dict:
    import datetime as dt
    import statistics
    import time
    from decimal import Decimal

    import django

    django.setup()
    from dateutil.relativedelta import relativedelta
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from kuihua.accounts.models import Role, User
    from kuihua.core.tenancy import use_community
    from kuihua.registry.models import Building, Compound, Household
    from kuihua.stewards import selectors, services
    from kuihua.stewards.models import Bill, CompoundBooks, FeeSchedule
    from kuihua.stewards.services import PaymentIn
    from kuihua.tenants import community_create

    def say(line: str) -> None:
        print(line, flush=True)

    call_command("migrate", interactive=False, verbosity=0)
    today = timezone.localdate()
    first_month = today.replace(day=1) - relativedelta(months=11)
    months = [first_month + relativedelta(months=i) for i in range(12)]
    started = time.perf_counter()
    community = community_create(name="义管家压测社区", code="bench-billing")
    with use_community(community):
        coordinator = User.objects.create(
            username="bench-coordinator", role=Role.COORDINATOR, community=community
        )
        steward = User.objects.create(
            username="bench-steward", role=Role.STEWARD, community=community
        )
        with transaction.atomic():
            made = Compound.objects.bulk_create(  # none with a property company
                Compound(
                    community=community, name=f"自管小区{i + 1:03d}", has_property_company=False
                )
                for i in range(compounds)
            )
            buildings = Building.objects.bulk_create(
                Building(community=community, compound=compound, name=f"{b + 1}幢")
                for compound in made
                for b in range(5)
            )
            per_building = -(-homes // len(buildings))
            Household.objects.bulk_create(
                (
                    Household(
                        community=community,
                        building=building,
                        unit=str(1 + n // 50),
                        room=str(101 + n % 50),
                        exclusive_area=Decimal(6000 + (n * 37) % 6000) / 100,
                    )
                    for i, building in enumerate(buildings)
                    for n in range(per_building)
                    if i * per_building + n < homes
                ),
                batch_size=2000,
            )
            for i, compound in enumerate(made):
                services.books_open(compound=compound, actor=coordinator)
                services.steward_assign(compound=compound, steward=steward, actor=coordinator)
                services.schedule_set(
                    compound=compound,
                    actor=coordinator,
                    basis=FeeSchedule.Basis.PER_M2 if i % 2 else FeeSchedule.Basis.PER_HOME,
                    monthly_rate_fen=45 if i % 2 else 3000,
                    frequency=FeeSchedule.Frequency.MONTHLY,
                    starts_on=first_month,
                    hardship_reduction_percent=50,
                )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seed_seconds = time.perf_counter() - started
        say(f"seeded {compounds} compounds, {homes:,} homes in {seed_seconds:.1f} s")

        # 1. billing: one month for every home, then the same run again.
        began = time.perf_counter()
        for compound in made:
            services.billing_run(compound=compound, period_start=first_month, actor=steward)
        billing_seconds = time.perf_counter() - began
        bills = Bill.objects.count()
        began = time.perf_counter()
        repeated = sum(
            services.billing_run(compound=c, period_start=first_month, actor=steward).created
            for c in made
        )
        repeat_seconds = time.perf_counter() - began
        say(
            f"billing: {bills:,} bills in {billing_seconds:.2f} s "
            f"({bills / billing_seconds:,.0f}/s); repeated: {repeated} new in "
            f"{repeat_seconds:.2f} s"
        )

        # 2. payments: a sample one at a time, across the compounds, each paying the bill.
        sample_homes = list(
            Bill.objects.order_by("id").values_list("household_id", "compound_id", "amount_fen")[
                :: max(1, bills // sample)
            ]
        )[:sample]
        households = Household.objects.in_bulk([h for h, _c, _a in sample_homes])
        by_id = {c.pk: c for c in made}
        with connection.execute_wrapper(queries := _Counter()):
            began = time.perf_counter()
            for n, (household_id, compound_id, amount) in enumerate(sample_homes):
                services.payment_record(
                    compound=by_id[compound_id],
                    household=households[household_id],
                    amount_fen=amount,
                    method="cash" if n % 3 else "transfer",
                    idempotency_key=f"bench-one-{n:08d}",
                    actor=steward,
                    received_on=first_month + dt.timedelta(days=n % 28),
                )
            payment_seconds = time.perf_counter() - began
        say(
            f"payments one by one: {len(sample_homes)} in {payment_seconds:.2f} s "
            f"({len(sample_homes) / payment_seconds:,.0f}/s), "
            f"{queries.n / len(sample_homes):.1f} queries each"
        )

        # 3. collection of one compound: a month billed, then a year billed and paid.
        target = made[-1]
        year = first_month.year

        def read(label: str) -> dict:
            connection.close()  # cold: the first read on a fresh connection (its opening
            connection.ensure_connection()  # is not counted)
            with connection.execute_wrapper(counted := _Counter()):
                began = time.perf_counter()
                result = selectors.collection(target, year, today=today)
                cold = (time.perf_counter() - began) * 1000
            warm = []
            for _ in range(5):
                began = time.perf_counter()
                selectors.collection(target, year, today=today)
                warm.append((time.perf_counter() - began) * 1000)
            figures = {
                "bills_due": result.bills_due,
                "cold_ms": round(cold, 2),
                "warm_ms": round(statistics.median(warm), 2),
                "queries": counted.n,
            }
            say(f"collection ({label}): {figures}")
            return figures

        month_read = read("a month billed")

        # 2b. a year: the other eleven months billed for every home, then the year's
        # payments of every compound at once (one bill in twenty left unpaid).
        began = time.perf_counter()
        for compound in made:
            for month in months[1:]:
                services.billing_run(compound=compound, period_start=month, actor=steward)
        year_billing_seconds = time.perf_counter() - began
        year_bills_made = Bill.objects.count() - bills
        say(
            f"billing the rest of the year: {year_bills_made:,} bills in "
            f"{year_billing_seconds:.2f} s ({year_bills_made / year_billing_seconds:,.0f}/s)"
        )
        batch_count = 0
        batch_seconds = 0.0
        for compound in made:
            year_bills = list(
                Bill.objects.filter(compound=compound, paid_fen=0)
                .order_by("period_start", "household_id")
                .values_list("household_id", "amount_fen", "period_start")
            )
            homes_here = Household.objects.filter(building__compound=compound).in_bulk()
            batch = [
                PaymentIn(
                    household=homes_here[household_id],
                    amount_fen=amount,
                    method="transfer",
                    idempotency_key=f"bench-many-{compound.pk}-{n:08d}",
                    received_on=min(period_start + dt.timedelta(days=10), today),
                )
                for n, (household_id, amount, period_start) in enumerate(year_bills)
                if n % 20  # one bill in twenty left unpaid: about 95% collected
            ]
            began = time.perf_counter()
            services.payments_record_many(compound=compound, payments=batch, actor=steward)
            batch_seconds += time.perf_counter() - began
            batch_count += len(batch)
        say(
            f"a year of payments, every compound at once: {batch_count:,} in "
            f"{batch_seconds:.2f} s ({batch_count / batch_seconds:,.0f}/s)"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        year_read = read("a year billed and paid")
        collected = selectors.collection(target, year, today=today)

        # 4. reconcile every compound's books.
        began = time.perf_counter()
        problems = [
            (books.compound_id, selectors.books_reconcile(books).problems)
            for books in CompoundBooks.objects.all()
        ]
        reconcile_seconds = time.perf_counter() - began
        failing = [(c, p) for c, p in problems if p]
        say(f"reconcile: {len(problems)} compounds in {reconcile_seconds:.2f} s, {failing or 'ok'}")

    return {
        "compounds": compounds,
        "homes": homes,
        "seed_seconds": round(seed_seconds, 1),
        "bills": bills,
        "billing_seconds": round(billing_seconds, 2),
        "bills_per_s": round(bills / billing_seconds),
        "repeat_created": repeated,
        "repeat_seconds": round(repeat_seconds, 2),
        "payments": len(sample_homes),
        "payments_seconds": round(payment_seconds, 2),
        "payments_per_s": round(len(sample_homes) / payment_seconds, 1),
        "queries_per_payment": round(queries.n / len(sample_homes), 1),
        "year_bills": year_bills_made,
        "year_billing_seconds": round(year_billing_seconds, 2),
        "year_bills_per_s": round(year_bills_made / year_billing_seconds),
        "batch_payments": batch_count,
        "batch_seconds": round(batch_seconds, 2),
        "batch_payments_per_s": round(batch_count / batch_seconds),
        "collection_month": month_read,
        "collection_year": year_read,
        "collection_queries_constant": month_read["queries"] == year_read["queries"],
        "collection_amount_rate": round(collected.amount_rate or 0, 4),
        "reconcile_seconds": round(reconcile_seconds, 2),
        "reconciled": not failing,
    }


class _Counter:
    """Counts the statements sent (not capped, as Django's debug query log is at 9,000)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


if __name__ == "__main__":
    print(json.dumps(_child(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))))
