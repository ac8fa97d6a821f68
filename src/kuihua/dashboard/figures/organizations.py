"""Organizations by category, branch and stage (DESIGN part 2)."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuihua.dashboard.base import (
    ChartKind,
    FigureDef,
    breakdown,
    merge,
    register,
    series_of,
)
from kuihua.organizations.models import STAGE_ORDER, Category, Organization, Stage

SECTION = "organizations"


def _parts(year: int):
    # The organizations that exist now (a stage is a state, not an event of the year).
    rows = Organization.objects.values("community_id", "stage").annotate(n=Count("id"))
    by_category = Organization.objects.values("community_id", "category").annotate(n=Count("id"))
    return merge(
        breakdown(rows, group="stage", by="stage", column="n"),
        breakdown(by_category, group="category", by="category", column="n"),
    )


def _total(parts) -> int:
    return sum(v for k, v in parts.items() if k.startswith("stage:"))


register(
    FigureDef(
        key="organizations_by_stage",
        section=SECTION,
        title=_("社会组织发展阶段"),
        definition=_(
            "目前登记在平台上的社会组织，按发展阶段（孵化中、已备案、已登记、品牌组织）统计。"
        ),
        parts=_parts,
        value=_total,
        unit=_("个组织"),
        chart=ChartKind.FUNNEL,
        series=lambda parts: series_of(parts, "stage", {s: Stage(s).label for s in STAGE_ORDER}),
        rows_url=lambda year: reverse("organizations:list"),
        order=10,
    ),
    FigureDef(
        key="organizations_by_category",
        section=SECTION,
        title=_("社会组织类别"),
        definition=_("目前登记在平台上的社会组织，按五个类别统计；每个类别归属一个支部。"),
        parts=_parts,
        value=lambda parts: sum(v for k, v in parts.items() if k.startswith("category:")),
        unit=_("个组织"),
        chart=ChartKind.PIE,
        series=lambda parts: series_of(parts, "category", dict(Category.choices)),
        rows_url=lambda year: reverse("organizations:list"),
        order=11,
    ),
)
