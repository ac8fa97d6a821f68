"""Reads of the charity market: who may open which market day, stall, item or sale,
points balances and their history, a stall's takings, and self-financing over time.

One door per object (`access_*`), 404 for anything the user may not `action`, as
for another community's object:
- "view": anyone signed in with a community (market days, stalls, prices);
- "sell" / "manage" a stall or its items: a coordinator, or the leader or deputy of
  the stall's organization (a leader sells only at their own organization's stall);
- "manage" a market day: a coordinator.
A sale is seen by those who may sell at its stall and by its buyer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.ledger.models import Account, Leg
from kuihua.market.models import MarketDay, Sale, Stall, StallItem
from kuihua.organizations.models import Membership, Organization
from kuihua.service_records.models import PointsEntry

VIEW, SELL, MANAGE = "view", "sell", "manage"
LEADING_ROLES = [Membership.Role.LEADER, Membership.Role.DEPUTY]
ZERO_POINTS = Decimal("0.00")


def _is_member(user) -> bool:
    return bool(user.is_authenticated and user.community_id is not None)


def _is_coordinator(user) -> bool:
    return _is_member(user) and user.role == Role.COORDINATOR


def led_organization_ids(user) -> set[int]:
    """The organizations `user` leads or deputizes (whose stalls they keep)."""
    resident_id = getattr(user, "resident_id", None)
    if not _is_member(user) or not resident_id:
        return set()
    return set(
        Membership.objects.filter(resident_id=resident_id, role__in=LEADING_ROLES).values_list(
            "organization_id", flat=True
        )
    )


def market_days_for(user) -> QuerySet[MarketDay]:
    """The community's market days, latest first (any member sees them)."""
    if not _is_member(user):
        return MarketDay.objects.none()
    return MarketDay.objects.select_related("activity", "activity__room").order_by("-date", "-id")


def access_market_day(user, market_day_id: int, *, action: str = VIEW) -> MarketDay:
    if action not in (VIEW, MANAGE):
        raise ValueError(action)
    if action == MANAGE and not _is_coordinator(user):
        raise Http404
    day = market_days_for(user).filter(pk=market_day_id).first()
    if day is None:
        raise Http404
    return day


def stalls_for(user, *, action: str = VIEW) -> QuerySet[Stall]:
    """The stalls `user` may `action`: all for viewing and for a coordinator, their own
    organizations' for a leader selling or keeping items."""
    if not _is_member(user):
        return Stall.objects.none()
    stalls = Stall.objects.select_related("market_day", "organization")
    if action == VIEW or _is_coordinator(user):
        return stalls
    return stalls.filter(organization_id__in=led_organization_ids(user))


def access_stall(user, stall_id: int, *, action: str = VIEW) -> Stall:
    if action not in (VIEW, SELL, MANAGE):
        raise ValueError(action)
    stall = stalls_for(user, action=action).filter(pk=stall_id).first()
    if stall is None:
        raise Http404
    return stall


def access_item(user, item_id: int, *, action: str = VIEW) -> StallItem:
    item = StallItem.objects.select_related("stall").filter(pk=item_id).first()
    if item is None:
        raise Http404
    item.stall = access_stall(user, item.stall_id, action=action)
    return item


def sales_for(user) -> QuerySet[Sale]:
    """The sales `user` may read: at the stalls they may sell at, and their own purchases."""
    if not _is_member(user):
        return Sale.objects.none()
    sales = Sale.objects.select_related("stall", "item", "buyer", "points_entry")
    if _is_coordinator(user):
        return sales
    mine = Q(stall__organization_id__in=led_organization_ids(user))
    resident_id = getattr(user, "resident_id", None)
    if resident_id:
        mine |= Q(buyer_id=resident_id)
    return sales.filter(mine)


def access_sale(user, sale_id: int) -> Sale:
    sale = sales_for(user).filter(pk=sale_id).first()
    if sale is None:
        raise Http404
    return sale


# --- points ---------------------------------------------------------------------------


def points_balance(resident) -> Decimal:
    """The resident's points: the sum of their entries (the ledger is append-only)."""
    total = PointsEntry.objects.filter(resident=resident).aggregate(
        s=Coalesce(Sum("points"), ZERO_POINTS)
    )["s"]
    return Decimal(total).quantize(Decimal("0.01"))


def points_history(resident) -> QuerySet[PointsEntry]:
    """The resident's entries, latest first, each with the sale it paid for (if any):
    `entry.market_sale` (and its item and stall) for a spending at the market."""
    return (
        PointsEntry.objects.filter(resident=resident)
        .select_related("market_sale__item", "market_sale__stall", "record")
        .order_by("-created_at", "-id")
    )


def sale_of(entry: PointsEntry) -> Sale | None:
    """The sale a points entry paid for, or None (an earning, a correction)."""
    try:
        return entry.market_sale
    except Sale.DoesNotExist:
        return None


# --- takings and self-financing -------------------------------------------------------


@dataclass
class Takings:
    sales: int
    amount_fen: int
    cash_fen: int
    transfer_fen: int
    points: Decimal
    organization_fen: int
    welfare_fen: int


def _takings_sums() -> dict:
    return {
        "n": Count("id"),
        "amount": Coalesce(Sum("amount_fen"), 0),
        "cash": Coalesce(Sum("amount_fen", filter=Q(method=Sale.Method.CASH)), 0),
        "transfer": Coalesce(Sum("amount_fen", filter=Q(method=Sale.Method.TRANSFER)), 0),
        "points": Coalesce(Sum("points"), ZERO_POINTS),
        "organization": Coalesce(Sum("organization_fen"), 0),
        "welfare": Coalesce(Sum("welfare_fen"), 0),
    }


def _takings(sales: QuerySet[Sale]) -> Takings:
    return _takings_of(sales.aggregate(**_takings_sums()))


def _takings_of(row: dict) -> Takings:
    return Takings(
        sales=row["n"],
        amount_fen=int(row["amount"]),
        cash_fen=int(row["cash"]),
        transfer_fen=int(row["transfer"]),
        points=Decimal(row["points"]).quantize(Decimal("0.01")),
        organization_fen=int(row["organization"]),
        welfare_fen=int(row["welfare"]),
    )


def stall_takings(stall: Stall) -> Takings:
    """What a stall took: sales, money by method, points, and the split of the money."""
    return _takings(Sale.objects.filter(stall=stall))


def market_day_takings(market_day: MarketDay) -> Takings:
    return _takings(Sale.objects.filter(stall__market_day=market_day))


def stalls_takings(market_day: MarketDay) -> dict[int, Takings]:
    """Each stall's takings on a market day, in one grouped query (stall id → takings;
    a stall that sold nothing has all zeros)."""
    rows = (
        Sale.objects.filter(stall__market_day=market_day)
        .values("stall_id")
        .annotate(**_takings_sums())
        .order_by()
    )
    found = {row["stall_id"]: _takings_of(row) for row in rows}
    empty = _takings_of(
        {
            "n": 0,
            "amount": 0,
            "cash": 0,
            "transfer": 0,
            "points": 0,
            "organization": 0,
            "welfare": 0,
        }
    )
    return {
        stall_id: found.get(stall_id, empty)
        for stall_id in market_day.stalls.values_list("id", flat=True)
    }


@dataclass
class FundMonth:
    month: dt.date  # the first day of the month
    market_fen: int  # the organization's fund income from the market
    income_fen: int  # its fund income of every kind

    @property
    def share_percent(self) -> int | None:
        """The market's share of the fund's income, in whole percent (None: no income)."""
        if not self.income_fen:
            return None
        return round(self.market_fen * 100 / self.income_fen)


@dataclass
class ProceedsMonth:
    month: dt.date
    amount_fen: int
    organization_fen: int
    welfare_fen: int
    points: Decimal
    sales: int


@dataclass
class SelfFinancing:
    months: list[FundMonth]
    market_fen: int
    income_fen: int
    community: list[ProceedsMonth]

    @property
    def share_percent(self) -> int | None:
        if not self.income_fen:
            return None
        return round(self.market_fen * 100 / self.income_fen)


def _month_starts(months: int, today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    return [first - relativedelta(months=k) for k in range(months - 1, -1, -1)]


def self_financing(
    organization: Organization, *, months: int = 12, today: dt.date | None = None
) -> SelfFinancing:
    """Per month of the last `months` (this one included): the organization's fund
    income from the market against its fund income of every kind; and the community's
    market proceeds per month (money split, points spent)."""
    from kuihua.ledger.services import MARKET_INCOME

    today = today or timezone.localdate()
    starts = _month_starts(months, today)
    start, end = starts[0], starts[-1] + relativedelta(months=1)
    market = {m: 0 for m in starts}
    income = {m: 0 for m in starts}
    if organization.fund_ledger_id:
        legs = Leg.objects.filter(
            entry__ledger_id=organization.fund_ledger_id,
            entry__posted=True,
            entry__date__gte=start,
            entry__date__lt=end,
            account__kind=Account.Kind.INCOME,
        ).values_list("entry__date", "account__code", "amount_fen")
        for day, code, amount in legs:
            month = day.replace(day=1)
            # Income is a credit (negative leg); a reversal of income is a debit.
            income[month] -= amount
            if code == MARKET_INCOME:
                market[month] -= amount
    fund = [FundMonth(m, market[m], income[m]) for m in starts]
    return SelfFinancing(
        months=fund,
        market_fen=sum(f.market_fen for f in fund),
        income_fen=sum(f.income_fen for f in fund),
        community=community_proceeds(months=months, today=today),
    )


def community_proceeds(*, months: int = 12, today: dt.date | None = None) -> list[ProceedsMonth]:
    """The community's market sales per month of the last `months` (this one included):
    the money taken, its split between the organizations and the public-welfare fund,
    and the points spent. A sale counts in the month of its day on the community's clock."""
    today = today or timezone.localdate()
    starts = _month_starts(months, today)
    start, end = starts[0], starts[-1] + relativedelta(months=1)
    proceeds = {m: ProceedsMonth(m, 0, 0, 0, ZERO_POINTS, 0) for m in starts}
    zone = timezone.get_current_timezone()
    window = (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end, dt.time.min, tzinfo=zone),
    )
    for sold_at, amount, org_fen, welfare_fen, points in Sale.objects.filter(
        sold_at__gte=window[0], sold_at__lt=window[1]
    ).values_list("sold_at", "amount_fen", "organization_fen", "welfare_fen", "points"):
        row = proceeds[timezone.localtime(sold_at, zone).date().replace(day=1)]
        row.amount_fen += amount
        row.organization_fen += org_fen
        row.welfare_fen += welfare_fen
        row.points += points
        row.sales += 1
    return [proceeds[m] for m in starts]


# --- the workbench (dashboard.workbench): what waits for a user today --------------------


def stalls_coming(user, *, today: dt.date) -> QuerySet[Stall]:
    """The stalls of the organizations `user` leads at market days from today on that are
    not closed yet, the nearest first (a coordinator runs the days, holds no stall)."""
    if _is_coordinator(user):
        return Stall.objects.none()
    return (
        stalls_for(user, action=SELL)
        .filter(market_day__date__gte=today, market_day__closed_at__isnull=True)
        .order_by("market_day__date", "number", "id")
    )
