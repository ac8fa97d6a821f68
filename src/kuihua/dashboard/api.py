"""数据看板 over JSON (mounted at /api/dashboard): the figures a page shows, as numbers.

`GET /api/dashboard?year=` is the community in force's (coordinators and district
viewers); `GET /api/dashboard/district?year=` every community of a district viewer and
their total. Computed as the pages compute them (`selectors.dashboard_for`, one pass);
anyone else gets 404, as for anything one may not see.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from kuihua.core.api_support import ServiceError, error_responses, require
from kuihua.core.dates import EARLIEST
from kuihua.core.models import Community
from kuihua.dashboard.selectors import Shown, dashboard_for

router = Router(tags=["dashboard"])


class YearIn(Schema):
    year: int | None = None


class PointOut(Schema):
    label: str
    value: int | float


class FigureOut(Schema):
    key: str
    section: str
    title: str
    definition: str
    format: str  # count | decimal | percent (0..1) | yuan (in fen)
    unit: str
    value: int | float | None
    series: list[PointOut]


class DashboardOut(Schema):
    year: int
    community_id: int
    computed_at: dt.datetime
    figures: list[FigureOut]


class CommunityFiguresOut(Schema):
    id: int
    name: str
    street: str
    figures: list[FigureOut]


class DistrictOut(Schema):
    year: int
    computed_at: dt.datetime
    communities: list[CommunityFiguresOut]
    total: list[FigureOut]


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _figure(item: Shown) -> dict:
    figure = item.figure
    return {
        "key": figure.key,
        "section": figure.section,
        "title": str(figure.title),
        "definition": str(figure.definition),
        "format": figure.format,
        "unit": str(figure.unit or ""),
        "value": _number(item.value),
        "series": [{"label": label, "value": _number(n)} for label, n in item.series],
    }


def _year(query: YearIn) -> int:
    this_year = timezone.localdate().year
    if query.year is None:
        return this_year
    if not EARLIEST.year <= query.year <= this_year:
        raise ServiceError(
            _("请选择 %(first)s 年到 %(last)s 年之间的年份。")
            % {"first": EARLIEST.year, "last": this_year},
            field="year",
        )
    return query.year


@router.get(
    "",
    response={200: DashboardOut, **error_responses(400, 404)},
    summary="Every figure of the community in force for a year (this year by default)",
)
def get_dashboard(request, query: Query[YearIn]):
    require(request.user, "dashboard.view")
    year = _year(query)
    community_id = request.community_id
    board = dashboard_for([community_id], year)
    return {
        "year": year,
        "community_id": community_id,
        "computed_at": board.computed_at,
        "figures": [_figure(item) for item in board.total],
    }


@router.get(
    "/district",
    response={200: DistrictOut, **error_responses(400, 404)},
    summary="Every community of a district viewer side by side, and their total (the sum)",
)
def get_district(request, query: Query[YearIn]):
    require(request.user, "dashboard.view_district")
    year = _year(query)
    ids = list(request.community_ids)
    board = dashboard_for(ids, year)
    communities = Community.objects.filter(pk__in=ids).order_by("street", "name", "id")
    return {
        "year": year,
        "computed_at": board.computed_at,
        "communities": [
            {
                "id": c.pk,
                "name": c.name,
                "street": c.street,
                "figures": [_figure(item) for item in board.per_community[c.pk]],
            }
            for c in communities
        ],
        "total": [_figure(item) for item in board.total],
    }
