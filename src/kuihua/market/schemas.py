"""What the market's API reads and writes (mounted at /api/market).

Money is whole fen: every amount is an integer `*_fen` beside a `*_yuan` string for
display ("1,234.50"), never a float; a price sent must be a JSON integer of fen.
Points are decimal strings with two places ("10.00").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict

from kuihua.core.api_support import RowId
from kuihua.core.money import MAX_FEN, yuan

YUAN = 'the amount in yuan for display, "1,234.50"'
POINTS = 'points with two decimals, "10.00"'

Fen = Annotated[int, Strict(), Field(ge=1, le=MAX_FEN, description="whole fen (分), > 0")]
PointsIn = Annotated[Decimal, Field(gt=0, le=Decimal("99999.99"), max_digits=7, decimal_places=2)]
Quantity = Annotated[int, Strict(), Field(ge=1, le=999)]
Stock = Annotated[int, Strict(), Field(ge=0, le=1_000_000)]
Kind = Literal["goods", "service"]
SaleMethod = Literal["cash", "transfer", "points"]


def _yuan_or_none(fen: int | None) -> str | None:
    return None if fen is None else yuan(fen)


# --- market days and stalls -------------------------------------------------------------


class MarketDayIn(Schema):
    """Open the market day of an occurrence of the monthly market series."""

    activity_id: RowId


class MarketDayOut(Schema):
    id: int
    date: dt.date
    activity_id: int
    title: str
    place: str = Field(description="the booked room, or the activity's address")
    starts_at: dt.datetime
    ends_at: dt.datetime
    closed: bool
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.activity.title

    @staticmethod
    def resolve_place(obj) -> str:
        activity = obj.activity
        return activity.room.name if activity.room_id else activity.address

    @staticmethod
    def resolve_starts_at(obj) -> dt.datetime:
        return obj.activity.starts_at

    @staticmethod
    def resolve_ends_at(obj) -> dt.datetime:
        return obj.activity.ends_at

    @staticmethod
    def resolve_closed(obj) -> bool:
        return obj.closed_at is not None


class StallIn(Schema):
    organization_id: RowId
    name: str = Field("", max_length=60, description="the organization's name if left empty")
    number: int = Field(0, ge=0, le=999)


class StallOut(Schema):
    id: int
    market_day_id: int
    organization_id: int
    organization_name: str
    name: str
    number: int
    may_sell: bool = Field(description="the signed-in user may sell and keep items here")

    @staticmethod
    def resolve_organization_name(obj) -> str:
        return obj.organization.name


class TakingsOut(Schema):
    sales: int
    amount_fen: int
    amount_yuan: str = Field(description=YUAN)
    cash_fen: int
    transfer_fen: int
    points: Decimal = Field(description=POINTS)
    organization_fen: int = Field(description="the organization's share of the money")
    welfare_fen: int = Field(description="the public-welfare fund's share")

    @staticmethod
    def resolve_amount_yuan(obj) -> str:
        return yuan(obj.amount_fen)


class StallDetailOut(StallOut):
    items: list[ItemOut]
    takings: TakingsOut | None = Field(description="for those who may sell at the stall")


# --- items ------------------------------------------------------------------------------


class ItemIn(Schema):
    """Something the stall offers, with a price in fen, in points, or both."""

    name: str = Field(min_length=1, max_length=60)
    kind: Kind = "goods"
    price_fen: Fen | None = None
    price_points: PointsIn | None = None
    stock: Stock | None = Field(None, description="null: no count kept (a service)")


class ItemPatch(Schema):
    """The fields to change; those left out stay. A price or stock sent as null clears it."""

    name: str | None = Field(None, min_length=1, max_length=60)
    kind: Kind | None = None
    price_fen: Fen | None = None
    price_points: PointsIn | None = None
    stock: Stock | None = None


class ItemOut(Schema):
    id: int
    stall_id: int
    name: str
    kind: Kind
    price_fen: int | None
    price_yuan: str | None = Field(description=YUAN)
    price_points: Decimal | None = Field(description=POINTS)
    stock: int | None = Field(description="what is left; null when no count is kept")

    @staticmethod
    def resolve_price_yuan(obj) -> str | None:
        return _yuan_or_none(obj.price_fen)


StallDetailOut.model_rebuild()


# --- sales -----------------------------------------------------------------------------


class SaleIn(Schema):
    """A sale at the item's stall. The idempotency key (8–64 of A–Z a–z 0–9 _ . : -) comes
    in the `Idempotency-Key` header or here; the same request sent again with it is
    answered with the first sale (200), a different one with it is 409."""

    quantity: Quantity = 1
    method: SaleMethod
    buyer_id: RowId | None = Field(None, description="the resident paying in points")
    idempotency_key: str | None = Field(None, max_length=64)


class SaleOut(Schema):
    id: int
    stall_id: int
    item_id: int
    item_name: str
    quantity: int
    method: SaleMethod
    method_label: str
    amount_fen: int
    amount_yuan: str = Field(description=YUAN)
    points: Decimal = Field(description=POINTS)
    buyer_id: int | None
    points_entry_id: int | None
    organization_fen: int
    welfare_fen: int
    organization_entry_id: int | None
    welfare_entry_id: int | None
    sold_at: dt.datetime

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.item.name

    @staticmethod
    def resolve_method_label(obj) -> str:
        return str(obj.get_method_display())

    @staticmethod
    def resolve_amount_yuan(obj) -> str:
        return yuan(obj.amount_fen)


class BuyerOut(Schema):
    id: int
    name: str = Field(description="masked (张*) unless the user is a coordinator")
    code: str | None = Field(description="the resident's market code (volunteer number)")


# --- points ----------------------------------------------------------------------------


class PointsSaleOut(Schema):
    id: int
    stall_name: str
    item_name: str
    quantity: int


class PointsEntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    points: Decimal = Field(description=POINTS)
    note: str
    created_at: dt.datetime
    sale: PointsSaleOut | None = Field(description="the market sale it paid for, if any")


class MyPointsOut(Schema):
    balance: Decimal = Field(description=POINTS + "; the sum of the entries")
    code: str | None = Field(description="my market code: show it at a stall to pay in points")
    history: list[PointsEntryOut] = Field(description="the latest entries first")


# --- the rule and self-financing -------------------------------------------------------------


class RuleIn(Schema):
    organization_percent: int = Field(ge=0, le=100)


class RuleOut(Schema):
    organization_percent: int = Field(description="the organization's share of the money")
    welfare_percent: int = Field(description="the public-welfare fund's share")


class FundMonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    market_fen: int = Field(description="the organization's fund income from the market")
    income_fen: int = Field(description="its fund income of every kind")
    share_percent: int | None = Field(description="market / income; null without income")


class ProceedsMonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    sales: int
    amount_fen: int
    organization_fen: int
    welfare_fen: int
    points: Decimal = Field(description=POINTS)


class SelfFinancingOut(Schema):
    organization_id: int
    months: list[FundMonthOut]
    market_fen: int
    income_fen: int
    share_percent: int | None


class ProceedsOut(Schema):
    months: list[ProceedsMonthOut]
