"""Jobs for the market races (run inside kuihua.activities.tests.race workers).

Each worker sends its share of sales from several threads at once, each thread with
its own database connection, after every worker and every thread reached the start
line: `workers × threads` sales in flight at the same moment.

Nothing here may import Django models at module level: the workers import this
module after they set Django up, but the test module imports it before.
"""

from __future__ import annotations

JOB = "kuihua.market.tests.race_market:"


def job_market_seed(*, points: str, stalls: int = 1) -> dict:
    """A community with the monthly market opened, `stalls` organizations' stalls (each
    with a 1-point voucher and ¥15 slippers, 1,000 in stock), and a resident holding
    exactly `points` points."""
    import uuid
    from decimal import Decimal

    from kuihua.accounts.models import Role
    from kuihua.accounts.tests.factories import UserFactory
    from kuihua.core.tenancy import use_community
    from kuihua.market import services
    from kuihua.market.tests.factories import leader_of, market_world
    from kuihua.organizations.tests.factories import OrganizationFactory
    from kuihua.registry.tests.factories import CommunityFactory

    code = uuid.uuid4().hex[:8]
    community = CommunityFactory(code=f"mkt-{code}", name=f"集市社区{code}")
    with use_community(community):
        coordinator = UserFactory(username=f"c-{code}", role=Role.COORDINATOR, community=community)
        world = market_world(community, coordinator, points=Decimal(points), prefix=code)
        services.item_update(actor=coordinator, item=world.goods, stock=1000)
        made = [
            {
                "stall": world.stall.pk,
                "leader": world.leader.pk,
                "voucher": world.by_points.pk,
                "slippers": world.goods.pk,
            }
        ]
        for k in range(1, stalls):
            org = OrganizationFactory(community=community, name=f"{code}手工坊{k}")
            stall = services.stall_add(
                actor=coordinator, market_day=world.market_day, organization=org, name=f"摊{k}"
            )
            slippers = services.item_add(
                actor=coordinator, stall=stall, name="手工拖鞋", price_fen=1500, stock=1000
            )
            voucher = services.item_add(
                actor=coordinator, stall=stall, name="爱心兑换券", price_points=Decimal("1")
            )
            made.append(
                {
                    "stall": stall.pk,
                    "leader": leader_of(org, username=f"{code}-leader-{k}").pk,
                    "voucher": voucher.pk,
                    "slippers": slippers.pk,
                }
            )
    return {
        "community": community.pk,
        "coordinator": coordinator.pk,
        "buyer": world.buyer.pk,
        "stalls": made,
    }


def sale(*, item: int, seller: int, key: str, method: str = "points", buyer=None, quantity=1):
    """A sale request, as the stall's phone sends it."""
    return {
        "item": item,
        "seller": seller,
        "key": key,
        "method": method,
        "buyer": buyer,
        "quantity": quantity,
    }


def job_sales(*, community: int, requests: list[dict], threads: int) -> list[dict]:
    """Wait for every worker, then send `requests` from `threads` threads at once, each
    with its own connection; what each request got back."""
    import threading

    from django.db import connection

    from kuihua.accounts.models import User
    from kuihua.activities.tests.race import wait_for_all
    from kuihua.core.tenancy import use_community
    from kuihua.market import services
    from kuihua.market.models import StallItem
    from kuihua.registry.models import Resident

    with use_community(community):
        items = {i.pk: i for i in StallItem.objects.all()}
        users = {u.pk: u for u in User.objects.filter(community_id=community)}
        residents = {r.pk: r for r in Resident.objects.all()}
    outcomes: list[dict] = []
    start = threading.Barrier(threads)

    def send(request: dict) -> dict:
        try:
            made, created = services.sale_record(
                actor=users[request["seller"]],
                item=items[request["item"]],
                quantity=request["quantity"],
                method=request["method"],
                idempotency_key=request["key"],
                buyer=residents.get(request["buyer"]),
            )
            return {"key": request["key"], "sale": made.pk, "created": created}
        except services.ApplicationError as exc:
            return {"key": request["key"], "refused": exc.message}
        except Exception as exc:  # every outcome is reported, none lost
            return {"key": request["key"], "error": f"{type(exc).__name__}: {exc}"}

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
    wait_for_all()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


def job_market_outcome(*, community: int, buyer: int) -> dict:
    """What the database holds after a race: sales, the buyer's points entries and
    balance, stock, and every fund's balances and check."""
    from django.db.models import Sum

    from kuihua.core.tenancy import use_community
    from kuihua.ledger.models import Ledger
    from kuihua.ledger.selectors import balances, books_check
    from kuihua.ledger.services import BANK, CASH, MARKET_INCOME
    from kuihua.market import selectors
    from kuihua.market.models import Sale, StallItem
    from kuihua.registry.models import Resident
    from kuihua.service_records.models import PointsEntry

    with use_community(community):
        resident = Resident.objects.get(pk=buyer)
        entries = PointsEntry.objects.filter(resident=resident)
        spends = entries.filter(kind=PointsEntry.Kind.SPEND)
        sales = Sale.objects.all()
        funds = {}
        for ledger in Ledger.objects.all():
            totals = balances(ledger)
            check = books_check(ledger)
            funds[ledger.kind + (f":{ledger.pk}" if ledger.kind == "organization" else "")] = {
                "money_fen": totals.get(CASH, 0) + totals.get(BANK, 0),
                "market_income_fen": -totals.get(MARKET_INCOME, 0),
                "ok": check.ok,
                "entries": ledger.entries.filter(posted=True).count(),
                "last_number": ledger.last_number,
            }
        return {
            "sales": sales.count(),
            "points_sales": sales.filter(method="points").count(),
            "money_sales": sales.exclude(method="points").count(),
            "keys": sorted(sales.values_list("idempotency_key", flat=True)),
            "linked_entries": sales.filter(points_entry__isnull=False).count(),
            "spends": spends.count(),
            "spent": str(-(spends.aggregate(s=Sum("points"))["s"] or 0)),
            "entries_sum": str(entries.aggregate(s=Sum("points"))["s"] or 0),
            "balance": str(selectors.points_balance(resident)),
            "amount_fen": sales.aggregate(s=Sum("amount_fen"))["s"] or 0,
            "organization_fen": sales.aggregate(s=Sum("organization_fen"))["s"] or 0,
            "welfare_fen": sales.aggregate(s=Sum("welfare_fen"))["s"] or 0,
            "stock": dict(StallItem.objects.values_list("pk", "stock")),
            "welfare_funds": Ledger.objects.filter(kind="public_welfare").count(),
            "organization_funds": Ledger.objects.filter(kind="organization").count(),
            "funds": funds,
        }
