"""What the dashboard pages and their Excel files show, from a `Dashboard`.

Nothing here queries the database: the figures come from `selectors.dashboard_for`
(one pass for every community asked for) and the communities from the view. A street's
subtotal is computed as the district's total is, from the sum of its communities'
parts (`base.add_parts`), so a subtotal is the sum of its columns by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import NoReverseMatch
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kuihua.dashboard import charts
from kuihua.dashboard.base import Format, Number, add_parts
from kuihua.dashboard.selectors import Dashboard, Shown, shown

# The sections of the page, in this order; each figure module names its own.
SECTION_TITLES = {
    "organizations": _("社会组织"),
    "people": _("居民与志愿者"),
    "services": _("志愿服务与需求对接"),
    "care": _("关爱服务"),
    "projects": _("公益项目"),
    "fees": _("小区收费"),
    "council": _("百姓议事会"),
    "activities": _("社区活动"),
    "market": _("爱心集市"),
}
OTHER_SECTION = _("其他统计")


@dataclass
class FigureView:
    """One figure as a page shows it: headline, definition, chart, and its table."""

    shown: Shown
    chart: SafeString | None
    rows: list[tuple[str, Number]]
    total: Number | None
    rows_url: str | None

    @property
    def figure(self):
        return self.shown.figure

    @property
    def unit(self) -> str:
        return unit_of(self.shown)

    @property
    def total_label(self) -> str:
        return str(_("总体") if self.figure.format == Format.PERCENT else _("合计"))


@dataclass
class Section:
    key: str
    title: str
    figures: list[FigureView] = field(default_factory=list)


def unit_of(item: Shown) -> str:
    """The unit written after a value; none after ¥ or % (they say it already)."""
    unit = str(item.figure.unit or "")
    if item.figure.format == Format.YUAN and unit in ("", "元"):
        return ""
    if item.figure.format == Format.PERCENT and unit == "%":
        return ""
    return unit


def chart_number(value: Number, fmt: str) -> Number:
    """A series number in the unit a reader reads the chart in: yuan, not fen; 81.2, not 0.812."""
    if fmt == Format.YUAN:
        return Decimal(value) / 100
    if fmt == Format.PERCENT:
        return Decimal(value) * 100
    return value


def table_total(item: Shown) -> Number | None:
    """The table's last row: the sum of its rows; for shares, the figure's overall share
    (a sum of monthly percentages means nothing)."""
    if item.figure.format == Format.PERCENT:
        return item.value
    return sum((number for _label, number in item.series), 0)


def _rows_url(item: Shown, year: int) -> str | None:
    if item.figure.rows_url is None:
        return None
    try:
        return item.figure.rows_url(year)
    except NoReverseMatch:
        return None


def figure_view(item: Shown, year: int, *, rows_links: bool = True) -> FigureView:
    chart = None
    if item.figure.chart and item.series:
        series = [(label, chart_number(n, item.figure.format)) for label, n in item.series]
        # Built by ElementTree from ReportLab's drawing: every label is escaped text.
        chart = mark_safe(charts.svg(item.figure.chart, series, title=str(item.figure.title)))  # noqa: S308
    return FigureView(
        shown=item,
        chart=chart,
        rows=list(item.series),
        total=table_total(item) if item.series else None,
        rows_url=_rows_url(item, year) if rows_links else None,
    )


def sections_of(items: list[Shown], year: int, *, rows_links: bool = True) -> list[Section]:
    """The figures grouped by section: known sections in their order, any other after."""
    by_key: dict[str, Section] = {}
    for item in items:
        key = item.figure.section
        if key not in by_key:
            by_key[key] = Section(key, str(SECTION_TITLES.get(key, OTHER_SECTION)))
        by_key[key].figures.append(figure_view(item, year, rows_links=rows_links))
    order = list(SECTION_TITLES)
    return sorted(
        by_key.values(), key=lambda s: order.index(s.key) if s.key in order else len(order)
    )


# --- the district's comparison -------------------------------------------------------------


@dataclass
class Column:
    """One column of the comparison: a community, a street's subtotal, or the total."""

    kind: str  # "community" | "street" | "district"
    label: str
    community_id: int | None = None


@dataclass
class Street:
    name: str
    communities: list  # Community rows, in the order of the columns

    @property
    def span(self) -> int:
        return len(self.communities) + 1  # its communities and its subtotal


@dataclass
class Cell:
    column: Column
    shown: Shown


@dataclass
class ComparisonRow:
    figure: object  # FigureDef
    cells: list[Cell]

    @property
    def total(self) -> Shown:
        return self.cells[-1].shown


@dataclass
class Comparison:
    streets: list[Street]
    columns: list[Column]
    rows: list[ComparisonRow]


def street_name(community) -> str:
    return community.street or str(_("未填街道"))


def comparison(board: Dashboard, communities) -> Comparison:
    """Figures down, communities across grouped by street, each street's subtotal after
    its communities and the district's total last."""
    streets: dict[str, list] = {}
    for community in sorted(communities, key=lambda c: (street_name(c), c.name, c.pk)):
        streets.setdefault(street_name(community), []).append(community)
    columns: list[Column] = []
    for name, members in streets.items():
        columns += [Column("community", c.name, c.pk) for c in members]
        columns.append(Column("street", str(_("%(street)s小计") % {"street": name})))
    columns.append(Column("district", str(_("合计"))))

    rows = []
    for index, total in enumerate(board.total):
        values: list[Shown] = []
        for members in streets.values():
            mine = [board.per_community[c.pk][index] for c in members]
            values += mine
            values.append(shown(total.figure, add_parts(item.parts for item in mine)))
        values.append(total)
        cells = [Cell(column, value) for column, value in zip(columns, values, strict=True)]
        rows.append(ComparisonRow(total.figure, cells))
    return Comparison([Street(name, members) for name, members in streets.items()], columns, rows)
