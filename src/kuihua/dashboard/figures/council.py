"""The residents' council (DESIGN part 9): topics raised and answered, decisions made and
carried out, and on time."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from kuihua.council.models import Decision, Topic
from kuihua.dashboard.base import (
    ChartKind,
    FigureDef,
    Format,
    merge,
    part,
    ratio,
    register,
    scalars,
)
from kuihua.dashboard.figures.periods import year_span

SECTION = "council"


def _parts(year: int):
    start, end = year_span(year)
    topics = (
        Topic.objects.filter(raised_at__gte=start, raised_at__lt=end)
        .exclude(status=Topic.Status.MERGED)
        .values("community_id")
        .annotate(
            raised=Count("id"),
            answered=Count(
                "id", filter=Q(status__in=(Topic.Status.ANSWERED, Topic.Status.DECIDED))
            ),
        )
        .order_by()
    )
    made = (
        Decision.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("community_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    done = (
        Decision.objects.filter(status=Decision.Status.DONE, done_on__year=year)
        .values("community_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(done_on__lte=F("deadline"))))
        .order_by()
    )
    return merge(
        scalars(topics, raised="raised", answered="answered"),
        scalars(made, decisions="n"),
        scalars(done, done="n", done_on_time="on_time"),
    )


def _series(parts):
    return [
        (_g("提出议题"), part(parts, "raised")),
        (_g("已答复或形成决议"), part(parts, "answered")),
        (_g("形成决议"), part(parts, "decisions")),
        (_g("决议办结"), part(parts, "done")),
        (_g("按期办结"), part(parts, "done_on_time")),
    ]


register(
    FigureDef(
        key="council_topics_and_decisions",
        section=SECTION,
        title=_("百姓议事会议题与决议"),
        definition=_(
            "本年度（北京时间1月1日至12月31日）提出的议题（不含合并到其他议题的重复议题），"
            "其中已答复或已形成决议的；本年度形成的决议；本年度办结的决议（办结日期在本年度），"
            "其中在完成期限当天或之前办结的。"
        ),
        parts=_parts,
        value=lambda parts: part(parts, "raised"),
        unit=_("个议题"),
        chart=ChartKind.BAR,
        series=_series,
        rows_url=lambda year: reverse("council:topic_list"),
        order=70,
    ),
    FigureDef(
        key="council_decisions_on_time",
        section=SECTION,
        title=_("决议按期办结率"),
        definition=_(
            "本年度办结的决议中，在完成期限当天或之前办结的比例"
            "（按期办结数 ÷ 办结数；已终止的决议不计）。"
        ),
        parts=_parts,
        value=lambda parts: ratio(part(parts, "done_on_time"), part(parts, "done")),
        format=Format.PERCENT,
        rows_url=lambda year: reverse("council:notice_board"),
        order=71,
    ),
)
