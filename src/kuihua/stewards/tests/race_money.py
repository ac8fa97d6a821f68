"""Jobs for the money races (run inside kuihua.activities.tests.race workers).

Each worker runs its share of requests in several threads at once, each thread with
its own database connection, after every worker and every thread has reached the
start line: a race of `workers × threads` requests in flight at the same moment.

Nothing here may import Django models at module level: the workers import this
module after they set Django up, but the test module imports it before.
"""

from __future__ import annotations

JOB = "kuihua.stewards.tests.race_money:"


def job_ledger_guards() -> None:
    """The ledger's triggers (migrations 0002 and 0003) in the race database, whose
    tables were made from the models without the migrations."""
    import importlib

    from django.db import connection

    for name in ("0002_guards", "0003_closed_through_guard"):
        guards = importlib.import_module(f"kuihua.ledger.migrations.{name}")
        with connection.schema_editor() as editor:
            guards.create(None, editor)


def job_money_seed(*, compounds: int, homes: int) -> dict:
    """A community with `compounds` self-managed compounds of `homes` homes each, their
    books open, a steward each, and this month's bills issued (¥30 a home)."""
    import uuid

    from django.utils import timezone

    from kuihua.accounts.models import Role
    from kuihua.accounts.tests.factories import UserFactory
    from kuihua.core.tenancy import use_community
    from kuihua.registry.tests.factories import CommunityFactory
    from kuihua.stewards import services
    from kuihua.stewards.tests.factories import steward_world

    code = uuid.uuid4().hex[:8]
    community = CommunityFactory(code=f"money-{code}", name=f"义管社区{code}")
    made = []
    with use_community(community):
        coordinator = UserFactory(username=f"c-{code}", role=Role.COORDINATOR, community=community)
        for k in range(compounds):
            world = steward_world(
                community,
                coordinator,
                homes=homes,
                name=f"自管小区{k + 1}",
                steward_username=f"s-{code}-{k}",
            )
            services.billing_run(
                compound=world.compound,
                period_start=timezone.localdate().replace(day=1),
                actor=coordinator,
            )
            made.append(
                {
                    "compound": world.compound.pk,
                    "steward": world.steward.pk,
                    "homes": [h.pk for h in world.homes],
                }
            )
    return {"community": community.pk, "coordinator": coordinator.pk, "compounds": made}


def pay(
    *,
    compound: int,
    home: int,
    amount_fen: int,
    key: str,
    steward: int,
    method="cash",
    last_month: bool = False,
):
    """A payment request, as a steward's form or an API client sends it; received
    today, or on the last day of last month (written up late)."""
    return {
        "do": "pay",
        "compound": compound,
        "home": home,
        "amount_fen": amount_fen,
        "key": key,
        "steward": steward,
        "method": method,
        "last_month": last_month,
    }


def close_last_month(*, compound: int, actor: int):
    """Close last month in the compound's books (结账)."""
    return {"do": "close", "compound": compound, "actor": actor}


def refund(*, compound: int, home: int, amount_fen: int, key: str, steward: int):
    """A refund of part of a home's credit (预存), in cash."""
    return {
        "do": "refund",
        "compound": compound,
        "home": home,
        "amount_fen": amount_fen,
        "key": key,
        "steward": steward,
        "method": "cash",
    }


def void(*, payment: int, steward: int):
    """Void (作废) a payment recorded in error."""
    return {"do": "void", "payment": payment, "steward": steward}


def bill_next_month(*, compound: int, actor: int):
    """Start the billing run of next month for `compound`."""
    return {"do": "bill", "compound": compound, "actor": actor}


def job_requests(
    *, community: int, requests: list[dict], threads: int, together: bool = True
) -> list[dict]:
    """Wait for every worker (unless not `together`: a lone worker setting the scene),
    then send `requests` from `threads` threads at once, each with its own connection;
    what each request got back."""
    import threading

    from dateutil.relativedelta import relativedelta
    from django.db import connection
    from django.utils import timezone

    from kuihua.accounts.models import User
    from kuihua.activities.tests.race import wait_for_all
    from kuihua.core.tenancy import use_community
    from kuihua.ledger import services as ledger_services
    from kuihua.registry.models import Compound, Household
    from kuihua.stewards import services
    from kuihua.stewards.models import CompoundBooks, Payment

    with use_community(community):
        compounds = {c.pk: c for c in Compound.objects.all()}
        homes = {h.pk: h for h in Household.objects.select_related("building")}
        users = {u.pk: u for u in User.objects.filter(community_id=community)}
    next_month = timezone.localdate().replace(day=1) + relativedelta(months=1)
    last_month_end = timezone.localdate().replace(day=1) - relativedelta(days=1)
    outcomes: list[dict] = []
    start = threading.Barrier(threads)

    def send(request: dict) -> dict:
        try:
            if request["do"] == "bill":
                run = services.billing_run(
                    compound=compounds[request["compound"]],
                    period_start=next_month,
                    actor=users[request["actor"]],
                )
                return {"do": "bill", "run": run.pk, "created": run.created, "skipped": run.skipped}
            if request["do"] == "void":
                voided = services.payment_void(
                    payment=Payment.objects.get(pk=request["payment"]),
                    reason="收错了户",
                    actor=users[request["steward"]],
                )
                return {"do": "void", "payment": voided.pk, "receipt_no": voided.receipt_no}
            if request["do"] == "refund":
                made, created = services.refund_record(
                    compound=compounds[request["compound"]],
                    household=homes[request["home"]],
                    amount_fen=request["amount_fen"],
                    method=request["method"],
                    idempotency_key=request["key"],
                    actor=users[request["steward"]],
                    reason="搬家退还预存款",
                )
                return {
                    "do": "refund",
                    "key": request["key"],
                    "payment": made.pk,
                    "created": created,
                    "receipt_no": made.receipt_no,
                }
            if request["do"] == "close":
                closed = ledger_services.period_close(
                    ledger=CompoundBooks.objects.get(compound_id=request["compound"]).ledger,
                    month=last_month_end,
                    actor=users[request["actor"]],
                )
                return {"do": "close", "chain_hash": closed.chain_hash}
            payment, created = services.payment_record(
                compound=compounds[request["compound"]],
                household=homes[request["home"]],
                amount_fen=request["amount_fen"],
                method=request["method"],
                idempotency_key=request["key"],
                actor=users[request["steward"]],
                received_on=last_month_end if request.get("last_month") else None,
            )
            return {
                "do": "pay",
                "key": request["key"],
                "payment": payment.pk,
                "created": created,
                "receipt_no": payment.receipt_no,
            }
        except Exception as exc:  # every outcome is reported, none lost
            return {"do": request["do"], "error": f"{type(exc).__name__}: {exc}"}

    def thread(share: list[dict]) -> None:
        try:
            with use_community(community):
                start.wait(timeout=60)
                for request in share:
                    outcomes.append(send(request))
        finally:
            connection.close()

    workers = [
        threading.Thread(target=thread, args=(requests[k::threads],)) for k in range(threads)
    ]
    if together:
        wait_for_all()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


def job_money_outcome(*, community: int) -> dict:
    """What the database holds after a race, per compound: receipts, bills, payments,
    the ledger's balances and check, and the books' reconciliation."""
    from django.db.models import Count

    from kuihua.core.tenancy import use_community
    from kuihua.ledger.selectors import balances
    from kuihua.ledger.services import BANK, CASH
    from kuihua.stewards.models import Bill, CompoundBooks, HomeCredit, Payment
    from kuihua.stewards.selectors import books_reconcile

    out = {}
    with use_community(community):
        for books in CompoundBooks.objects.select_related("ledger"):
            payments = Payment.objects.filter(compound_id=books.compound_id)
            totals = balances(books.ledger)
            reconciled = books_reconcile(books)
            out[books.compound_id] = {
                "receipts": sorted(payments.values_list("receipt_no", flat=True)),
                "last_receipt_no": books.last_receipt_no,
                "payments": payments.count(),
                # Money in less money paid back, leaving out what was voided.
                "net_received_fen": sum(
                    amount if kind == Payment.Kind.PAYMENT else -amount
                    for kind, amount in payments.filter(reversal_entry__isnull=True).values_list(
                        "kind", "amount_fen"
                    )
                ),
                "voided": payments.filter(reversal_entry__isnull=False).count(),
                "home_credits": dict(
                    HomeCredit.objects.filter(compound_id=books.compound_id).values_list(
                        "household_id", "balance_fen"
                    )
                ),
                "keys": sorted(payments.values_list("idempotency_key", flat=True)),
                "payment_entries": books.ledger.entries.filter(
                    source__startswith="payment:"
                ).count(),
                "bills": Bill.objects.filter(compound_id=books.compound_id).count(),
                "bills_per_period": dict(
                    Bill.objects.filter(compound_id=books.compound_id)
                    .values_list("period_start")
                    .annotate(n=Count("id"))
                    .order_by()
                    .values_list("period_start", "n")
                ),
                "duplicate_bills": Bill.objects.filter(compound_id=books.compound_id)
                .values("household_id", "period_start")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .count(),
                "cash_and_bank_fen": totals.get(CASH, 0) + totals.get(BANK, 0),
                "legs_total_fen": sum(totals.values()),
                "problems": reconciled.problems,
                "guarded": _refuses_a_change(books.ledger),
                "figures": reconciled.figures,
                "closed_through": books.ledger.closed_through,
            }
    return out


def _refuses_a_change(ledger) -> bool:
    """Whether the database refuses to change a posted entry of `ledger` (its triggers
    are in place)."""
    from django.db import DatabaseError, transaction

    entry = ledger.entries.filter(posted=True).first()
    if entry is None:
        return True
    try:
        with transaction.atomic():
            type(entry).objects.filter(pk=entry.pk).update(memo="改过")
    except DatabaseError:
        return True
    return False
