"""The charity market (DESIGN part 11) and the points it is paid in.

Proceeds are the market's own (`market.selectors.community_proceeds`): a sale counts in
the month of its moment on the community's clock; money sales are split between the
organization's fund and the public-welfare fund when they are made. Points are the
volunteers' points ledger (`service_records.PointsEntry`): earned for verified service,
adjusted by corrections, spent (negative entries) at the market.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from kuihua.dashboard.base import (
    ChartKind,
    FigureDef,
    Format,
    breakdown,
    merge,
    part,
    register,
    scalars,
    series_of,
)
from kuihua.dashboard.figures.periods import month_labels, two_digit_months, year_span
from kuihua.market.models import Sale
from kuihua.service_records.models import PointsEntry

SECTION = "market"
MONEY = (Sale.Method.CASH, Sale.Method.TRANSFER)


def _proceeds(year: int):
    start, end = year_span(year)
    sales = Sale.objects.filter(sold_at__gte=start, sold_at__lt=end)
    by_month = (
        sales.filter(method__in=MONEY)
        .annotate(month=ExtractMonth("sold_at", tzinfo=start.tzinfo))
        .values("community_id", "month")
        .annotate(fen=Sum("amount_fen"))
        .order_by()
    )
    totals = (
        sales.values("community_id")
        .annotate(
            organization=Sum("organization_fen"),
            welfare=Sum("welfare_fen"),
            points=Sum("points", filter=Q(method=Sale.Method.POINTS)),
            money_sales=Count("id", filter=Q(method__in=MONEY)),
            points_sales=Count("id", filter=Q(method=Sale.Method.POINTS)),
        )
        .order_by()
    )
    return merge(
        breakdown(two_digit_months(by_month), group="month", by="month", column="fen"),
        scalars(
            totals,
            **{
                "share:organization": "organization",
                "share:welfare": "welfare",
                "points_spent": "points",
                "sales:money": "money_sales",
                "sales:points": "points_sales",
            },
        ),
    )


def _points(year: int):
    start, end = year_span(year)
    rows = (
        PointsEntry.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("community_id", "kind")
        .annotate(points=Sum("points"))
        .order_by()
    )
    return breakdown(rows, group="kind", by="kind", column="points")


def _money_total(parts) -> int:
    return sum(v for k, v in parts.items() if k.startswith("month:"))


def _points_series(parts):
    return [
        (_g("服务获得"), part(parts, f"kind:{PointsEntry.Kind.EARN}")),
        (_g("更正调整"), part(parts, f"kind:{PointsEntry.Kind.ADJUST}")),
        # Spending entries are negative; the chart shows how much was spent.
        (_g("兑换使用"), -part(parts, f"kind:{PointsEntry.Kind.SPEND}")),
    ]


def _market_url(year: int) -> str:
    return reverse("market:days")


register(
    FigureDef(
        key="market_proceeds",
        section=SECTION,
        title=_("爱心集市现金收入"),
        definition=_(
            "本年度（北京时间）爱心集市上用现金或转账/扫码付款的销售金额，按销售月份统计，"
            "单位元（用积分兑换的不计在内）。"
        ),
        parts=_proceeds,
        value=_money_total,
        format=Format.YUAN,
        unit=_("元"),
        chart=ChartKind.LINE,
        series=lambda parts: series_of(parts, "month", month_labels()),
        rows_url=_market_url,
        order=90,
    ),
    FigureDef(
        key="market_proceeds_shares",
        section=SECTION,
        title=_("集市收入去向"),
        definition=_(
            "本年度爱心集市现金收入按社区分配规则的去向：摆摊组织的自有资金，和社区公益金，单位元。"
        ),
        parts=_proceeds,
        value=lambda parts: part(parts, "share:organization") + part(parts, "share:welfare"),
        format=Format.YUAN,
        unit=_("元"),
        chart=ChartKind.PIE,
        series=lambda parts: series_of(
            parts, "share", {"organization": _g("组织自有资金"), "welfare": _g("公益金")}
        ),
        rows_url=lambda year: reverse("market:self_financing"),
        order=91,
    ),
    FigureDef(
        key="market_sales_by_payment",
        section=SECTION,
        title=_("集市成交笔数"),
        definition=_("本年度爱心集市的成交笔数，分现金或转账/扫码付款的，和用爱心积分兑换的。"),
        parts=_proceeds,
        value=lambda parts: part(parts, "sales:money") + part(parts, "sales:points"),
        unit=_("笔"),
        chart=ChartKind.PIE,
        series=lambda parts: series_of(
            parts, "sales", {"money": _g("现金/转账"), "points": _g("积分兑换")}
        ),
        rows_url=_market_url,
        order=92,
    ),
    FigureDef(
        key="points_earned_and_spent",
        section=SECTION,
        title=_("爱心积分获得与使用"),
        definition=_(
            "本年度（北京时间）志愿者积分明细：服务时长审核通过后获得的积分，"
            "更正服务记录的调整（可正可负），以及在爱心集市兑换使用的积分。"
            "数值为获得加调整的积分。"
        ),
        parts=_points,
        value=lambda parts: (
            part(parts, f"kind:{PointsEntry.Kind.EARN}")
            + part(parts, f"kind:{PointsEntry.Kind.ADJUST}")
        ),
        format=Format.DECIMAL,
        unit=_("积分"),
        chart=ChartKind.BAR,
        series=_points_series,
        rows_url=None,
        order=93,
    ),
)
