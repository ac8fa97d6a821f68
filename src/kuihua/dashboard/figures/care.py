"""The care programme 幸福来敲门: person-times served and the accident rate (DESIGN part 8).

The rows are the programme's own year figures' (`care.selectors.programme_rows`, which
`programme_figures` counts for one community): the same definitions, grouped by
community. Person-times follow docs/person-time.md.
"""

from __future__ import annotations

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuihua.care.selectors import programme_rows
from kuihua.dashboard.base import (
    ChartKind,
    FigureDef,
    Format,
    breakdown,
    merge,
    part,
    ratio,
    register,
    scalars,
    series_of,
)
from kuihua.dashboard.figures.periods import month_labels, two_digit_months, year_span
from kuihua.projects.models import OutcomeIndicator, Project

SECTION = "care"


def _by_month(queryset, field: str, zone):
    return two_digit_months(
        queryset.annotate(month=ExtractMonth(field, tzinfo=zone))
        .values("community_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )


def _person_times(year: int):
    rows = programme_rows(year=year)
    zone = year_span(year)[0].tzinfo
    contacts = _by_month(rows.contacts, "at", zone)
    delivered = _by_month(rows.delivered, "delivered_at", zone)
    return merge(
        scalars(contacts, contacts="n"),
        scalars(delivered, delivered="n"),
        # Both kinds in one line: breakdown() adds rows with the same month together.
        breakdown([*contacts, *delivered], group="month", by="month", column="n"),
    )


def _accidents(year: int):
    rows = programme_rows(year=year)
    enrolled = rows.enrolled.values("community_id").annotate(n=Count("id")).order_by()
    hurt = (
        rows.accidents.values("community_id")
        .annotate(n=Count("recipient_id", distinct=True))
        .order_by()
    )
    # The baseline and target the projects set for this rate (in per cent), for the
    # projects that ran during the year: summed here, averaged where shown.
    start, end = year_span(year)
    indicators = (
        OutcomeIndicator.objects.filter(
            source=OutcomeIndicator.Source.CARE_ACCIDENT_RATE,
            project__starts_on__lt=end.date(),
            project__ends_on__gte=start.date(),
        )
        .exclude(project__status=Project.Status.CANCELLED)
        .values("community_id")
        .annotate(n=Count("id"), baseline=Sum("baseline"), target=Sum("target"))
        .order_by()
    )
    return merge(
        scalars(enrolled, enrolled="n"),
        scalars(hurt, hurt="n"),
        scalars(indicators, indicators="n", baseline_sum="baseline", target_sum="target"),
    )


def _percent_of(parts, name: str):
    average = ratio(part(parts, name), part(parts, "indicators"))
    return None if average is None else average / 100


def _accident_series(parts):
    series = []
    for label, value in (
        (_("项目基线"), _percent_of(parts, "baseline_sum")),
        (_("项目目标"), _percent_of(parts, "target_sum")),
        (_("当年实际"), ratio(part(parts, "hurt"), part(parts, "enrolled"))),
    ):
        if value is not None:
            series.append((str(label), value))
    return series


def _figures_url(year: int) -> str:
    return reverse("care:figures")


register(
    FigureDef(
        key="care_person_times",
        section=SECTION,
        title=_("幸福来敲门服务人次"),
        definition=_(
            "当年（北京时间1月1日至12月31日）志愿者对关爱对象的上门探访和电话次数，"
            "加上通过需求对接给关爱对象完成的服务次数（长期需求每服务一次都算）；"
            "老人自己点的“本人签到”不算。按发生时间所在月份画线。"
            "模范社区自2014年起累计约36,000人次。"
        ),
        parts=_person_times,
        value=lambda parts: part(parts, "contacts") + part(parts, "delivered"),
        unit=_("人次"),
        chart=ChartKind.LINE,
        series=lambda parts: series_of(parts, "month", month_labels()),
        rows_url=_figures_url,
        order=40,
    ),
    FigureDef(
        key="care_accident_rate",
        section=SECTION,
        title=_("关爱对象意外发生率"),
        definition=_(
            "在当年年底前加入关爱名单的老人中，当年发生跌倒或其他意外的人所占比例"
            "（一人多次只算一人；住院不算意外）。图表把它和公益项目为这项指标定的基线、目标"
            "（当年在实施的项目的平均值）放在一起；模范社区从15%降到了8%。"
        ),
        parts=_accidents,
        value=lambda parts: ratio(part(parts, "hurt"), part(parts, "enrolled")),
        format=Format.PERCENT,
        chart=ChartKind.BAR,
        series=_accident_series,
        rows_url=_figures_url,
        order=41,
    ),
)
