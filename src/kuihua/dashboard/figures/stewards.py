"""Fees of the self-managed compounds (DESIGN part 10): billed, collected, the rate.

A compound's collection for a year is the stewards' own (`stewards.selectors.collections`):
its bills whose period starts in the year and that have fallen due by today, the amount
due against the amount paid on them. Here it is computed for every compound of the
communities in force in one grouped query; the parts keep each compound apart
(`billed:<id>:<name>`), so a district's chart still shows compound by compound and
its count of compounds at 95% is the sum of its communities'.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.dashboard.base import ChartKind, FigureDef, Format, Parts, ratio, register
from kuihua.stewards.models import Bill

SECTION = "fees"
# The model: five of the eight self-managed compounds collect 95% every year.
TARGET = Decimal("0.95")


def _parts(year: int):
    rows = (
        Bill.objects.filter(period_start__year=year, due_date__lte=timezone.localdate())
        .values("community_id", "compound_id", "compound__name")
        .annotate(billed=Sum("amount_fen"), collected=Sum("paid_fen"))
        .order_by()
    )
    result: dict[int, Parts] = {}
    for row in rows:  # one row per compound
        parts = result.setdefault(row["community_id"], {})
        tag = f"{row['compound_id']}:{row['compound__name']}"
        parts[f"billed:{tag}"] = row["billed"] or 0
        parts[f"collected:{tag}"] = row["collected"] or 0
    return result


def _compounds(parts: Parts) -> list[tuple[str, int, int]]:
    """(name, billed, collected) of each compound in the parts, by name."""
    found = []
    for name, billed in parts.items():
        if name.startswith("billed:"):
            tag = name.removeprefix("billed:")
            found.append((tag.split(":", 1)[1], billed, parts.get(f"collected:{tag}", 0)))
    return sorted(found)


def _sum(parts: Parts, group: str) -> int:
    return sum(v for k, v in parts.items() if k.startswith(f"{group}:"))


def _rate(parts: Parts) -> Decimal | None:
    return ratio(_sum(parts, "collected"), _sum(parts, "billed"))


def _rates(parts: Parts) -> list[tuple[str, Decimal]]:
    return [
        (name, ratio(collected, billed)) for name, billed, collected in _compounds(parts) if billed
    ]


def _at_target(parts: Parts) -> int:
    return sum(1 for _name, rate in _rates(parts) if rate >= TARGET)


def _rows_url(year: int) -> str:
    return reverse("stewards:home")


register(
    FigureDef(
        key="fees_collection_rate",
        section=SECTION,
        title=_("义管家小区物业费收缴率"),
        definition=_(
            "没有物业公司、由义管家管理的小区：账期在本年度开始、且到今天已过缴费期限的"
            "账单，实收金额 ÷ 应缴金额（减免后）。图中为各小区的收缴率。"
        ),
        parts=_parts,
        value=_rate,
        format=Format.PERCENT,
        chart=ChartKind.HBAR,
        series=_rates,
        rows_url=_rows_url,
        order=60,
    ),
    FigureDef(
        key="fees_billed_and_collected",
        section=SECTION,
        title=_("义管家小区应缴与实收"),
        definition=_(
            "义管家小区账期在本年度开始、且到今天已过缴费期限的账单：应缴金额（减免后）"
            "与其中已实收的金额，单位元。"
        ),
        parts=_parts,
        value=lambda parts: _sum(parts, "collected"),
        format=Format.YUAN,
        unit=_("元"),
        chart=ChartKind.BAR,
        series=lambda parts: [
            (str(_("应缴")), _sum(parts, "billed")),
            (str(_("实收")), _sum(parts, "collected")),
        ],
        rows_url=_rows_url,
        order=61,
    ),
    FigureDef(
        key="fees_compounds_at_target",
        section=SECTION,
        title=_("收缴率达到95%的小区"),
        definition=_(
            "本年度收缴率（实收 ÷ 应缴，账期在本年度开始且已过缴费期限的账单）"
            "达到95%及以上的义管家小区个数。"
        ),
        parts=_parts,
        value=_at_target,
        unit=_("个小区"),
        rows_url=_rows_url,
        order=62,
    ),
)
