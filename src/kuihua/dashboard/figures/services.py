"""Services delivered, and the share delivered by social organizations (DESIGN part 6).

The rows are the matching's `ServiceDelivery`: one per service delivered (each delivery
of a recurring need, docs/person-time.md), with the provider's type at the time, as
`matching.selectors.delivery_stats` counts them; a year is its deliveries' local days.
"""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuihua.dashboard.base import (
    ChartKind,
    FigureDef,
    Format,
    breakdown,
    merge,
    part,
    ratio,
    register,
    series_of,
)
from kuihua.dashboard.figures.periods import month_labels, two_digit_months, year_span
from kuihua.matching.models import ProviderType, ServiceDelivery

SECTION = "services"
ORGANIZATIONS = f"provider:{ProviderType.ORGANIZATION}"


def _deliveries(year: int):
    start, end = year_span(year)
    rows = ServiceDelivery.objects.filter(delivered_at__gte=start, delivered_at__lt=end)
    by_type = rows.values("community_id", "provider_type").annotate(n=Count("id")).order_by()
    by_month = (
        rows.annotate(month=ExtractMonth("delivered_at", tzinfo=start.tzinfo))
        .values("community_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return merge(
        breakdown(by_type, group="provider", by="provider_type", column="n"),
        breakdown(two_digit_months(by_month), group="month", by="month", column="n"),
    )


def _delivered(parts) -> int:
    return sum(v for k, v in parts.items() if k.startswith("provider:"))


def _stats_url(year: int) -> str:
    return reverse("matching:delivery_stats")


register(
    FigureDef(
        key="services_by_provider",
        section=SECTION,
        title=_("社会组织提供服务占比"),
        definition=_(
            "当年（北京时间1月1日至12月31日）需求对接中完成的服务里，由社会组织提供的所占比例；"
            "其余由志愿者个人、政府部门、企业、事业单位/机构提供。"
            "每完成一次服务算一次（长期需求每服务一次都算），提供方类型以完成时登记的为准。"
            "模范社区超过80%的服务由社会组织提供。"
        ),
        parts=_deliveries,
        value=lambda parts: ratio(part(parts, ORGANIZATIONS), _delivered(parts)),
        format=Format.PERCENT,
        chart=ChartKind.PIE,
        series=lambda parts: series_of(parts, "provider", dict(ProviderType.choices)),
        rows_url=_stats_url,
        order=30,
    ),
    FigureDef(
        key="services_delivered",
        section=SECTION,
        title=_("完成服务人次"),
        definition=_(
            "当年需求对接中完成的服务次数：一位居民得到一次服务算一人次，"
            "长期需求（每天、每周、每月）每服务一次都算，按完成时间所在月份画线。"
        ),
        parts=_deliveries,
        value=_delivered,
        unit=_("人次"),
        chart=ChartKind.LINE,
        series=lambda parts: series_of(parts, "month", month_labels()),
        rows_url=_stats_url,
        order=31,
    ),
)
