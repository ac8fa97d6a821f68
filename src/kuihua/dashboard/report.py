"""The annual report (年度报告) of a community or of a district: what it says, in order.

The report is the one a community office used to write by hand for the street: a
title, a paragraph of headline numbers, then one section per area with each figure's
title, value, definition, chart and table. Its numbers are the dashboard's own
(`selectors.dashboard_for`), so the page, the Excel export and the report never
disagree; this module only arranges them and writes them as people read them. It reads
no database: the caller passes the Dashboard and the communities' names.

A district's report puts its communities side by side with the total, and the total
is the dashboard's total, computed from the sum of the communities' parts: it equals
the sum of its communities by construction. Whatever figures are registered are
shown, grouped by section in the page's order; a section this module does not know
gets a generic heading, a figure without a chart gets none, and an undefined value
(a ratio with nothing under it) reads "—".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from kuihua.core.money import yuan
from kuihua.dashboard.base import Format, Number, add_parts
from kuihua.dashboard.selectors import Dashboard, Shown
from kuihua.dashboard.selectors import shown as shown_of

# The sections in the page's order with the page's headings (the dashboard pages'
# `presenting.SECTION_TITLES`, kept alike so that page and report read the same); a
# section named by no entry here comes after them as OTHER_SECTION.
SECTION_HEADINGS = {
    "organizations": gettext_lazy("社会组织"),
    "people": gettext_lazy("居民与志愿者"),
    "services": gettext_lazy("志愿服务与需求对接"),
    "care": gettext_lazy("关爱服务"),
    "projects": gettext_lazy("公益项目"),
    "fees": gettext_lazy("小区收费"),
    "council": gettext_lazy("百姓议事会"),
    "activities": gettext_lazy("社区活动"),
    "market": gettext_lazy("爱心集市"),
}
OTHER_SECTION = gettext_lazy("其他统计")
NUMERALS = "一二三四五六七八九十"
# Columns of a side-by-side table before it is split into several (A4, portrait).
WIDE = 7
# A community's series longer than this is laid across the page instead of down it.
LONG = 6
DASH = "—"


def ordinal(n: int) -> str:
    """一, 二, … 十, 十一, … 二十 (section numbers as Chinese reports write them)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else NUMERALS[tens - 1]
    return head + "十" + (NUMERALS[ones - 1] if ones else "")


def format_number(number: Number | None, fmt: str) -> str:
    """One number as the page writes it in `fmt` (Format): 1,234 · 1,234.5 · 81.2%
    (from 0.812) · ¥1,234.00 (from 123400 fen); "—" when there is none."""
    if number is None:
        return DASH
    value = Decimal(number)
    if fmt == Format.PERCENT:
        return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
    if fmt == Format.YUAN:
        return "¥" + yuan(int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    if fmt == Format.DECIMAL:
        rounded = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{rounded:,.1f}".removesuffix(".0")
    return f"{int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"


def unit_of(shown: Shown) -> str:
    """The unit written after a value; none after ¥ or % (they say it already)."""
    unit = str(shown.figure.unit or "")
    if shown.figure.format == Format.YUAN and unit in ("", "元"):
        return ""
    if shown.figure.format == Format.PERCENT and unit == "%":
        return ""
    return unit


def format_value(shown: Shown) -> str:
    """A figure's headline value with its unit: "12 个", "81.2%", "—"."""
    text = format_number(shown.value, shown.figure.format)
    unit = unit_of(shown)
    return f"{text} {unit}" if unit and shown.value is not None else text


def chart_number(number: Number, fmt: str) -> Number:
    """A series number in the unit the chart is read in: yuan, not fen; 81.2, not 0.812
    (as the page draws it)."""
    if fmt == Format.YUAN:
        return Decimal(number) / 100
    if fmt == Format.PERCENT:
        return Decimal(number) * 100
    return number


def table_total(shown: Shown) -> Number | None:
    """A table's last row: the sum of its rows; for shares, the figure's overall share
    (a sum of monthly percentages means nothing)."""
    if shown.figure.format == Format.PERCENT:
        return shown.value
    return sum((number for _label, number in shown.series), 0)


@dataclass(frozen=True)
class Grid:
    """A table: its header, its rows of text; `total_last` when the last row is a total,
    `total_column` when the last column is."""

    header: list[str]
    rows: list[list[str]]
    total_last: bool = False
    total_column: bool = False  # the last column is a total (a long series laid across)
    marked_rows: tuple[int, ...] = ()  # rows (0 = the first under the header) of subtotals
    marked_columns: tuple[int, ...] = ()  # columns of subtotals and of the total


@dataclass(frozen=True)
class FigureBlock:
    """One figure in the report: the community's, or for a district the total with each
    community's beside it in `tables`."""

    key: str
    title: str
    definition: str
    value: str
    chart: str | None  # a ChartKind; None without a chart or with nothing but zeros to draw
    series: list[tuple[str, Number]]  # the chart's, in yuan and percent as the page draws

    tables: list[Grid]


@dataclass(frozen=True)
class Section:
    key: str
    heading: str  # "一、社会组织"
    figures: list[FigureBlock]


@dataclass(frozen=True)
class AnnualReport:
    """Everything the PDF prints, in order, already written as people read it."""

    title: str
    subtitle: str
    summary: str
    year: int
    generated_on: dt.date
    computed_at: dt.datetime
    community_names: list[str]
    is_district: bool
    sections: list[Section]
    overview: list[Grid] = field(default_factory=list)  # a district's figures side by side
    footer: str = ""
    filename: str = ""


def area_name(communities: Sequence) -> str:
    """What a set of communities is called: their common street, else their common
    district, else "所辖社区"."""
    for attribute in ("street", "district"):
        values = {getattr(c, attribute, "") for c in communities}
        if len(values) == 1 and (only := values.pop()):
            return only
    return _("所辖社区")


def _split(
    first: list[str],
    columns: list[str],
    rows: list[tuple[str, list[str]]],
    *,
    marked: set[int] = frozenset(),
) -> list[Grid]:
    """A table too wide for the page as several, the first column repeated in each;
    `marked` are the indexes in `columns` of subtotals and totals."""
    if not rows:
        return []
    grids = []
    for start, end in _chunks(len(columns)):
        header = [*first, *columns[start:end]]
        grids.append(
            Grid(
                header,
                [[label, *cells[start:end]] for label, cells in rows],
                marked_columns=tuple(1 + i - start for i in range(start, end) if i in marked),
            )
        )
    return grids


@dataclass(frozen=True)
class Line:
    """A community, a street's subtotal or the total, with its figures (board order)."""

    label: str
    kind: str  # "community" | "street" | "total"
    figures: list[Shown]


def street_name(street: str) -> str:
    return street or _("未填街道")


def lines_of(
    board: Dashboard, names: Mapping[int, str], streets: Mapping[int, str] | None = None
) -> list[Line]:
    """The district's communities, then the total. When they lie in several streets, as
    on the dashboard page: grouped by street, each street's subtotal after its
    communities, computed as the total is, from the sum of their parts."""
    ids = list(board.community_ids)
    groups: dict[str, list[int]] = {"": ids}
    if streets and len({streets.get(cid, "") for cid in ids}) > 1:
        groups = {}
        for cid in sorted(ids, key=lambda c: (street_name(streets.get(c, "")), names[c], c)):
            groups.setdefault(street_name(streets.get(cid, "")), []).append(cid)
    lines = []
    for street, members in groups.items():
        lines += [Line(names[cid], "community", board.per_community[cid]) for cid in members]
        if street:
            subtotal = [
                shown_of(total.figure, add_parts(board.per_community[c][i].parts for c in members))
                for i, total in enumerate(board.total)
            ]
            lines.append(Line(_("%(street)s小计") % {"street": street}, "street", subtotal))
    lines.append(Line(_("合计"), "total", board.total))
    return lines


def _chunks(n: int) -> list[tuple[int, int]]:
    """`n` columns as (start, end) runs of at most WIDE, as even as they go (13 → 7 + 6,
    never 6 + 6 + 1)."""
    count = max(-(-n // WIDE), 1)
    size = -(-n // count) if n else 0
    return [(start, min(start + size, n)) for start in range(0, max(n, 1), max(size, 1))]


def _community_tables(shown: Shown) -> list[Grid]:
    if not shown.series:
        return []
    fmt = shown.figure.format
    total_label = _("总体") if fmt == Format.PERCENT else _("合计")
    cells = [(str(label), format_number(number, fmt)) for label, number in shown.series]
    cells.append((total_label, format_number(table_total(shown), fmt)))
    item, value = pgettext("table column", "项目"), _("数值")
    if len(shown.series) <= LONG:
        return [Grid([item, value], [list(cell) for cell in cells], total_last=True)]
    # A long series (the twelve months) runs across the page, a few columns at a time.
    grids = []
    for start, end in _chunks(len(cells)):
        chunk = cells[start:end]
        grids.append(
            Grid(
                [item, *(label for label, _v in chunk)],
                [[value, *(v for _label, v in chunk)]],
                total_column=end == len(cells),
            )
        )
    return grids


def _district_tables(index: int, lines: list[Line]) -> list[Grid]:
    """Communities (and streets' subtotals) down the side, the headline value then each
    category across; the last row is the total."""
    total = lines[-1].figures[index]
    fmt = total.figure.format
    labels = [str(label) for label, _n in total.series]

    def cells(item: Shown) -> list[str]:
        by_label = {str(label): number for label, number in item.series}
        return [format_value(item)] + [format_number(by_label.get(lbl, 0), fmt) for lbl in labels]

    rows = [(line.label, cells(line.figures[index])) for line in lines]
    marked = tuple(i for i, line in enumerate(lines) if line.kind == "street")
    grids = _split([_("社区")], [_("数值"), *labels], rows)
    return [Grid(g.header, g.rows, total_last=True, marked_rows=marked) for g in grids]


def _block(index: int, total: Shown, lines: list[Line] | None) -> FigureBlock:
    figure = total.figure
    return FigureBlock(
        key=figure.key,
        title=str(figure.title),
        definition=str(figure.definition),
        value=format_value(total),
        # An all-zero chart draws nothing but its axes; the table says the zeros.
        chart=figure.chart if figure.chart and any(n for _l, n in total.series) else None,
        series=[(label, chart_number(n, figure.format)) for label, n in total.series],
        tables=_community_tables(total) if lines is None else _district_tables(index, lines),
    )


def _sections(board: Dashboard, lines: list[Line] | None) -> list[Section]:
    order: list[str] = []
    blocks: dict[str, list[FigureBlock]] = {}
    for i, total in enumerate(board.total):
        key = total.figure.section
        if key not in blocks:
            order.append(key)
            blocks[key] = []
        blocks[key].append(_block(i, total, lines))
    known = list(SECTION_HEADINGS)
    order.sort(key=lambda k: known.index(k) if k in known else len(known))
    return [
        Section(
            key,
            f"{ordinal(n)}、{SECTION_HEADINGS.get(key, OTHER_SECTION)}",
            blocks[key],
        )
        for n, key in enumerate(order, start=1)
    ]


def _headlines(sections: list[Section]) -> str:
    """The first figure of each section that has a value, as a worker lists them:
    "社会组织发展阶段 12 个；……"."""
    items = []
    for section in sections:
        block = next((b for b in section.figures if b.value != DASH), None)
        if block is not None:
            items.append(f"{block.title} {block.value}")
    return "；".join(items)


def _overview(board: Dashboard, lines: list[Line]) -> list[Grid]:
    """Each figure's value in each community (and street) and in total, across."""
    rows = [
        (str(total.figure.title), [format_value(line.figures[i]) for line in lines])
        for i, total in enumerate(board.total)
    ]
    marked = {i for i, line in enumerate(lines) if line.kind != "community"}
    return _split([_("指标")], [line.label for line in lines], rows, marked=marked)


def annual_report(
    board: Dashboard,
    *,
    names: Mapping[int, str],
    generated_on: dt.date,
    district: str | None = None,
    streets: Mapping[int, str] | None = None,
) -> AnnualReport:
    """The report of `board` (from `dashboard_for`): of its one community, or, when
    `district` names the area, of its communities side by side with their total.

    `names` maps each community id of the board to its name, `streets` to its street
    (a district over several streets gets each street's subtotal).
    """
    year = board.year
    community_names = [names[cid] for cid in board.community_ids]
    place = district if district is not None else community_names[0]
    title = _("%(place)s %(year)s 年度工作报告（数据部分）") % {"place": place, "year": year}
    lines = lines_of(board, names, streets) if district is not None else None
    sections = _sections(board, lines)
    headlines = _headlines(sections)
    if district is not None:
        summary = _(
            "%(year)s 年，%(place)s所辖 %(n)s 个社区（%(names)s）在葵花平台上的主要数据合计如下："
            "%(items)s。各社区的数字在下面逐项并列，合计等于各社区之和。"
        ) % {
            "year": year,
            "place": place,
            "n": len(community_names),
            "names": "、".join(community_names),
            "items": headlines or _("还没有数据"),
        }
    else:
        summary = _(
            "%(year)s 年，%(place)s在葵花平台上记录的主要数据如下：%(items)s。"
            "下面分部分列出每个数字的统计口径、图表和明细。"
        ) % {"year": year, "place": place, "items": headlines or _("还没有数据")}
    if year >= generated_on.year:
        summary += _("本年度还没有结束，数字截至 %(day)s。") % {"day": generated_on.isoformat()}
    subtitle = _("生成日期：%(day)s　数据计算于：%(at)s") % {
        "day": generated_on.isoformat(),
        "at": timezone.localtime(board.computed_at).strftime("%Y-%m-%d %H:%M"),
    }
    if district is not None:
        subtitle = _("包括：%(names)s") % {"names": "、".join(community_names)} + "\n" + subtitle
    return AnnualReport(
        title=title,
        subtitle=subtitle,
        summary=summary,
        year=year,
        generated_on=generated_on,
        computed_at=board.computed_at,
        community_names=community_names,
        is_district=district is not None,
        sections=sections,
        overview=_overview(board, lines) if lines is not None else [],
        footer=_("%(title)s · 生成于 %(day)s") % {"title": title, "day": generated_on.isoformat()},
        filename=_("%(place)s%(year)s年度报告.pdf") % {"place": place, "year": year},
    )
