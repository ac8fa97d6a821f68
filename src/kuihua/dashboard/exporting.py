"""The dashboard to .xlsx, for pasting into a report.

One sheet of every figure, one row per number, laid out as the project's other exports
(registry/exporting.py: a merged title row, the Chinese headers, text that looks like a
formula kept as text): each figure's headline first (项目 "合计"/"总体") and then its
breakdown, with the section, the unit and the figure's definition on every row so that
a filtered or copied block still says what it counts. Amounts are numbers in yuan,
shares per-cent numbers, so Excel can add them up. The district's file has a second
sheet: the communities side by side, as on the page. Nothing is computed here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kuihua.core.money import fen_to_decimal
from kuihua.dashboard.base import Format, Number
from kuihua.dashboard.presenting import Comparison, Section, unit_of
from kuihua.registry.exporting import append_row, new_sheet

HEADERS = ["板块", "指标", "项目", "数值", "单位", "口径说明"]
WIDTHS = {"板块": 14, "指标": 24, "项目": 18, "数值": 14, "单位": 8, "口径说明": 60}
NUMBER_FORMATS = {
    Format.COUNT: "#,##0",
    Format.DECIMAL: "#,##0.0",
    Format.PERCENT: "0.0%",
    Format.YUAN: "#,##0.00",
}


def cell_number(value: Number | None, fmt: str):
    """A figure's number as a spreadsheet cell: yuan from fen; a share stays 0..1."""
    if value is None:
        return None
    if fmt == Format.YUAN:
        return fen_to_decimal(int(value))
    if isinstance(value, Decimal) and fmt == Format.COUNT and value == value.to_integral():
        return int(value)
    return value


def _unit(item) -> str:
    if item.figure.format == Format.YUAN:
        return _("元")
    return unit_of(item)


def _number_cell(sheet, column: int, fmt: str) -> None:
    cell = sheet.cell(sheet.max_row, column)
    cell.number_format = NUMBER_FORMATS.get(fmt, "General")


def write_figures(sheet, sections: list[Section]) -> None:
    for section in sections:
        for view in section.figures:
            figure, fmt = view.figure, view.figure.format
            unit = _unit(view.shown)
            total_label = _("总体") if fmt == Format.PERCENT else _("合计")
            append_row(
                sheet,
                [
                    section.title,
                    str(figure.title),
                    total_label,
                    cell_number(view.shown.value, fmt),
                    unit,
                    str(figure.definition),
                ],
            )
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(vertical="top")
            _number_cell(sheet, 4, fmt)
            for label, number in view.rows:
                append_row(
                    sheet,
                    [section.title, str(figure.title), label, cell_number(number, fmt), unit, ""],
                )
                _number_cell(sheet, 4, fmt)


def dashboard_export(file: str | IO[bytes], *, title: str, sections: list[Section]) -> None:
    """Every figure of `sections`, headline and breakdown, on one sheet."""
    workbook, sheet = new_sheet(title, HEADERS, widths=WIDTHS)
    sheet.title = _("数据看板")
    write_figures(sheet, sections)
    workbook.save(file)


def district_export(
    file: str | IO[bytes], *, title: str, sections: list[Section], table: Comparison
) -> None:
    """The district's total as `dashboard_export` writes it, then the communities side by side."""
    workbook, sheet = new_sheet(title, HEADERS, widths=WIDTHS)
    sheet.title = _("全区合计")
    write_figures(sheet, sections)

    side = workbook.create_sheet(_("各社区对比"))
    width = len(table.columns) + 2
    side.append([title])
    side.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    side["A1"].font = Font(bold=True, size=14)
    street_row = [_("街道"), ""]
    for street in table.streets:
        street_row += [street.name] * street.span
    append_row(side, [*street_row, ""])
    append_row(side, [_("指标"), _("单位"), *(c.label for c in table.columns)])
    for row_number in (2, 3):
        for cell in side[row_number]:
            cell.font = Font(bold=True)
    for row in table.rows:
        fmt = row.figure.format
        unit = _unit(row.total)
        numbers = [cell_number(cell.shown.value, fmt) for cell in row.cells]
        append_row(side, [str(row.figure.title), unit, *numbers])
        for column in range(3, width + 1):
            _number_cell(side, column, fmt)
    side.column_dimensions["A"].width = 24
    for column in range(3, width + 1):
        side.column_dimensions[get_column_letter(column)].width = 14
    side.freeze_panes = "C4"
    workbook.save(file)
