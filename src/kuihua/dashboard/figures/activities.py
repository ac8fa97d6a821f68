"""Activities (DESIGN part 4): held and attended by month, and how fast places go.

How fast an activity fills is the time from its sign-up opening to the moment its last
place was taken (`Activity.filled_at`, recorded by the sign-up service). A median would
not add up across communities, so the parts are counts per time band and the total
seconds: the bands make the chart, total ÷ count the mean.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, ExtractMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from kuihua.activities.models import Activity, Attendance
from kuihua.dashboard.base import (
    ChartKind,
    FigureDef,
    Format,
    Parts,
    breakdown,
    part,
    register,
    series_of,
)
from kuihua.dashboard.figures.periods import month_labels, two_digit_months, year_span

SECTION = "activities"
# Where the fill time is counted from: the sign-up opening, else the activity's creation
# (an activity has no publication time of its own; most are published when created).
OPENED = Coalesce(F("signup_opens_at"), F("created_at"))
BANDS = (
    ("hour", dt.timedelta(hours=1)),
    ("day", dt.timedelta(days=1)),
    ("week", dt.timedelta(days=7)),
)


def _held(year: int):
    start, end = year_span(year)
    rows = (
        Activity.objects.filter(
            status=Activity.Status.PUBLISHED,
            starts_at__gte=start,
            starts_at__lt=min(end, timezone.now()),  # begun by now
        )
        .annotate(month=ExtractMonth("starts_at", tzinfo=start.tzinfo))
        .values("community_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return breakdown(two_digit_months(rows), group="month", by="month", column="n")


def _attended(year: int):
    start, end = year_span(year)
    rows = (
        Attendance.objects.filter(checked_in_at__gte=start, checked_in_at__lt=end)
        .annotate(month=ExtractMonth("checked_in_at", tzinfo=start.tzinfo))
        .values("community_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return breakdown(two_digit_months(rows), group="month", by="month", column="n")


def _filled(year: int):
    start, end = year_span(year)
    took = ExpressionWrapper(F("filled_at") - OPENED, output_field=DurationField())
    bands = {
        f"band_{name}": Count("id", filter=Q(filled_at__lte=OPENED + limit))
        for name, limit in BANDS
    }
    rows = (
        Activity.objects.filter(filled_at__gte=start, filled_at__lt=end)
        .exclude(status=Activity.Status.CANCELLED)
        .values("community_id")
        .annotate(n=Count("id"), took=Sum(took), **bands)
        .order_by()
    )
    result: dict[int, Parts] = {}
    for row in rows:  # one row per community
        # Bands up to each limit, made exclusive: within an hour, an hour to a day, …
        within = [row[f"band_{name}"] for name, _limit in BANDS]
        parts = {"filled": row["n"], "fill_seconds": int(row["took"].total_seconds())}
        below = 0
        for (name, _limit), count in zip(BANDS, within, strict=True):
            parts[f"fill:{name}"] = count - below
            below = count
        parts["fill:longer"] = row["n"] - below
        result[row["community_id"]] = parts
    return result


def _band_labels() -> dict[str, str]:
    return {
        "hour": _g("1小时内"),
        "day": _g("1小时至1天"),
        "week": _g("1天至1周"),
        "longer": _g("1周以上"),
    }


def _mean_hours(parts: Parts) -> Decimal | None:
    filled = part(parts, "filled")
    if not filled:
        return None
    return (Decimal(part(parts, "fill_seconds")) / filled / 3600).quantize(Decimal("0.1"))


def _overview_url(year: int) -> str:
    return f"{reverse('activities:overview')}?month={year}-01"


FILL_DEFINITION = _(
    "本年度（北京时间）报满的活动（最后一个名额被报上的时间在本年度，已取消的不计），"
    "按报满用时分段统计。用时从报名开始时间算起，没有设报名开始时间的从活动创建时间算起，"
    "到最后一个名额被报上为止。名额空出后立即由候补补上的，仍按第一次报满计；"
    "空出后过一段时间才再报满的，按再次报满的时间计。不限名额的活动不计。"
)

register(
    FigureDef(
        key="activities_held",
        section=SECTION,
        title=_("举办的活动"),
        definition=_(
            "本年度（北京时间1月1日至12月31日）已开始的活动（已发布、未取消；"
            "固定活动每一次算一场），按开始月份统计。"
        ),
        parts=_held,
        value=lambda parts: sum(v for k, v in parts.items() if k.startswith("month:")),
        unit=_("场活动"),
        chart=ChartKind.LINE,
        series=lambda parts: series_of(parts, "month", month_labels()),
        rows_url=_overview_url,
        order=80,
    ),
    FigureDef(
        key="activities_attendances",
        section=SECTION,
        title=_("活动签到人次"),
        definition=_(
            "本年度（北京时间）在活动中签到的人次（扫码或组织者登记，一人一场算一次），"
            "按签到月份统计。"
        ),
        parts=_attended,
        value=lambda parts: sum(v for k, v in parts.items() if k.startswith("month:")),
        unit=_("人次"),
        chart=ChartKind.LINE,
        series=lambda parts: series_of(parts, "month", month_labels()),
        rows_url=_overview_url,
        order=81,
    ),
    FigureDef(
        key="activities_filled",
        section=SECTION,
        title=_("报满的活动及用时"),
        definition=FILL_DEFINITION,
        parts=_filled,
        value=lambda parts: part(parts, "filled"),
        unit=_("场活动"),
        chart=ChartKind.BAR,
        series=lambda parts: series_of(parts, "fill", _band_labels()),
        rows_url=_overview_url,
        order=82,
    ),
    FigureDef(
        key="activities_fill_hours",
        section=SECTION,
        title=_("活动报满平均用时"),
        definition=_(
            "本年度报满的活动从报名开始到最后一个名额被报上的平均用时（小时）："
            "各活动用时之和 ÷ 报满的活动数。报名开始时间、报满时间的算法同“报满的活动及用时”。"
        ),
        parts=_filled,
        value=_mean_hours,
        format=Format.DECIMAL,
        unit=_("小时"),
        rows_url=_overview_url,
        order=83,
    ),
)
