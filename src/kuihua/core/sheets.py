"""Reading the Excel sheets people keep by hand: the generic part of every import.

`read_sheet` finds the header row (title rows and notes may sit above it), maps
the headers to fields whatever their order and whatever alias a sheet uses,
fills vertically merged cells down, skips blank rows and stops at a footer
(填表人, 合计 …). It refuses, as a whole, a file that is no readable .xlsx, a
sheet too large to be a registry, a file with several sheets that fit, and a
sheet without a required column (`SheetError`). `cell_text`, `parse_date`,
`parse_yes_no` and `cell_errors` read single cells. `RowError` and `ImportReport` are the
row-by-row report every importer returns: refusals (the row was not imported)
apart from warnings (the row was imported, something in it was left out).

Core is the ground floor: this module knows no app. What a column means, and
which rows are good, is the importing app's business
(kuihua.registry.importing, kuihua.organizations.importing).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from kuihua.core.errors import ApplicationError
from kuihua.core.identity import InvalidValue, clean_name, clean_text

# How far down a sheet the header row may sit (title rows, notes above it).
HEADER_SEARCH_ROWS = 10

# Columns offices add that carry nothing to import; ignored without a note.
SILENT_COLUMNS = {"序号", "编号", "No.", "NO."}

# A data row whose first non-empty cell starts with one of these ends the data.
FOOTER_PREFIXES = (
    "填表人",
    "填报人",
    "制表人",
    "审核人",
    "审核:",
    "负责人签字",
    "统计人",
    "填表日期",
    "制表日期",
    "备注:",
    "说明:",
    "注:",
    "合计",
    "总计",
)

MERGE_CELL_TAG = f"{{{SHEET_MAIN_NS}}}mergeCell"
ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
CELL_TAG = f"{{{SHEET_MAIN_NS}}}c"
FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"
VALUE_TAG = f"{{{SHEET_MAIN_NS}}}v"

_DATE_TEXT = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")


class SheetError(ApplicationError):
    """The file as a whole cannot be read; the message is for the user, translated."""


class Uncalculated(str):
    """A formula cell whose result the file does not hold (read as "" by every reader).

    Excel and WPS store a formula's result beside it when they save; a file written
    by a program (openpyxl, a script, some exports) may hold the formula alone, and
    its cell would read as empty. `cell_errors` refuses the row instead.
    """

    __slots__ = ()


UNCALCULATED = Uncalculated()


@dataclass
class RowError:
    """One problem in one row: Excel row number (as the user sees it), column, reason.

    In a report's `errors` it refused its row; in its `warnings` the row was
    imported and only the part named was left out.
    """

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    """What an import did, row by row. `imported` rows are saved; `rejected` rows are not.

    `errors` are refusals (the row, or the whole file when `row` is None, was not
    imported); `warnings` name what was left out of rows that were imported.
    """

    rows_total: int = 0
    imported: int = 0
    rejected: int = 0
    strict: bool = False
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when something was imported; 1 when nothing was (unreadable, all bad, or strict)."""
        return 0 if self.imported else 1

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row is not None})

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_total": self.rows_total,
            "imported": self.imported,
            "rejected": self.rejected,
            "strict": self.strict,
            "errors": [e.as_dict() for e in self.sorted_errors()],
            "warnings": [w.as_dict() for w in self.sorted_warnings()],
            "notes": list(self.notes),
        }

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=_error_order)

    def sorted_warnings(self) -> list[RowError]:
        """Only the warnings of rows that were imported: a refused row's are moot."""
        refused = set(self.rejected_rows)
        return sorted((w for w in self.warnings if w.row not in refused), key=_error_order)


def _error_order(error: RowError) -> tuple[int, str]:
    return (error.row or 0, error.column)


# ----------------------------------------------------------------------------
# Reading a sheet


@dataclass
class Sheet:
    """The data rows of a sheet: cells by field, with the header each field was found under."""

    header_row: int
    labels: dict[str, str]  # field → header as written in the sheet
    rows: list[tuple[int, dict[str, Any]]]  # (Excel row number, field → raw cell value)
    notes: list[str]


def normalize_header(value) -> str:
    """'* 身份证号码（18位）' → '身份证号码'."""
    text = clean_name(value)
    text = re.sub(r"\(.*?\)$", "", text)
    return text.strip("*:")


def cell_text(value) -> str:
    """A cell as text: 3.0 → '3', full-width → half-width, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_text(value)


def cell_words(value) -> str:
    """A cell as text with every space removed: ' 3 幢' → '3幢', 101.0 → '101'."""
    return re.sub(r"\s+", "", cell_text(value))


def _is_footer(cells: Iterable[Any]) -> bool:
    first = next((t for t in (cell_text(c) for c in cells) if t), "")
    return bool(first) and first.startswith(FOOTER_PREFIXES)


# What openpyxl raises for a file that is no readable .xlsx (ValueError includes
# defusedxml's refusal of hostile XML).
UNREADABLE = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ParseError, ValueError)
# Larger than any community's registry (the model's has 15,000 residents), and small
# enough that one coordinator's upload cannot take the memory every community shares.
# The limits apply while the sheet is read, before any of it is kept: a .xlsx is a zip,
# and 1 MB of it can unzip to gigabytes of cells (a "zip bomb").
MAX_ROWS = 100_000
MAX_COLUMNS = 100
MAX_CELLS = 2_000_000  # a 20,000-person registry with 30 columns is 600,000
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # every part of the file, unzipped
# Sheets people keep compress 5–20 times; a part that unzips 200 times its size is
# no sheet anyone typed (checked for parts above 4 MB, where it matters).
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_ABOVE = 4 * 1024 * 1024


def _unreadable() -> SheetError:
    return SheetError(_("无法读取该文件：只支持 .xlsx 格式（旧的 .xls 请在 Excel 中另存为 .xlsx）"))


def _too_large(sheet: str) -> SheetError:
    return SheetError(
        _(
            "表格“%(sheet)s”太大：最多 %(rows)s 行、%(columns)s 列、%(cells)s 个单元格。"
            "请删去多余的行列，或分成几个文件导入。"
        )
        % {"sheet": sheet, "rows": MAX_ROWS, "columns": MAX_COLUMNS, "cells": MAX_CELLS}
    )


def _check_zip(file: str | IO[bytes]) -> None:
    """Refuse, from the zip's directory alone, a file that unzips too large to read."""
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except FileNotFoundError as exc:
        raise SheetError(_("找不到文件：%(file)s") % {"file": file}) from exc
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable() from exc
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    unzipped = sum(p.file_size for p in parts)
    bomb = any(
        p.file_size > RATIO_CHECKED_ABOVE
        and p.file_size > MAX_COMPRESSION_RATIO * max(p.compress_size, 1)
        for p in parts
    )
    if unzipped > MAX_UNZIPPED_BYTES or bomb:
        raise SheetError(
            _(
                "文件解压后太大（%(mb)s MB），不像是一份登记表，未导入。"
                "请删去多余的行列和格式后另存为 .xlsx 再导入。"
            )
            % {"mb": unzipped // (1024 * 1024)}
        )


def _merges_and_uncalculated(ws) -> tuple[list[CellRange], list[tuple[int, int]]]:
    """The merged ranges of a read-only worksheet and its formulas without a result
    (row, column, from 1), read from its XML as a stream.

    openpyxl's read-only mode keeps neither: the fill-down of merged cells needs the
    ranges, and with data_only a formula without a stored result reads as None, like
    an empty cell. (`_get_source` opens the sheet's part of the zip: read-only
    worksheets have no public way to it.)
    """
    ranges: list[CellRange] = []
    uncalculated: list[tuple[int, int]] = []
    pending: list[tuple[str | None, int]] = []  # this row's: (reference, place in the row)
    row = place = 0
    with ws._get_source() as source:
        for _event, element in iterparse(source):
            tag = element.tag
            if tag == CELL_TAG:
                place += 1
                # A formula whose result is "" is written t="str" with an empty <v>.
                if element.find(FORMULA_TAG) is not None and element.get("t") != "str":
                    value = element.find(VALUE_TAG)
                    if value is None or not (value.text or "").strip():
                        pending.append((element.get("r"), place))
                element.clear()
            elif tag == ROW_TAG:
                # r may be left out, of a row (the next one) or of its cells (in order).
                row = int(element.get("r") or row + 1)
                uncalculated.extend(coordinate_to_tuple(r) if r else (row, c) for r, c in pending)
                pending.clear()
                place = 0
                element.clear()
            elif tag == MERGE_CELL_TAG:
                ranges.append(CellRange(element.get("ref")))
                element.clear()
    return ranges, uncalculated


def _read_rows(ws, cells_left: int) -> tuple[list[list[Any]], int]:
    """The worksheet's values row by row, refused as soon as it passes a limit."""
    # The dimension the file declares: refuse a huge one before reading a row.
    if (ws.max_row or 0) > MAX_ROWS or (ws.max_column or 0) > MAX_COLUMNS:
        raise _too_large(ws.title)
    # Then read what is there: some programs write a wrong dimension, and read-only
    # openpyxl would stop at it and lose the rows below.
    ws.reset_dimensions()
    grid: list[list[Any]] = []
    for row in ws.iter_rows(values_only=True):
        cells_left -= len(row)
        if len(grid) >= MAX_ROWS or len(row) > MAX_COLUMNS or cells_left < 0:
            raise _too_large(ws.title)
        grid.append(list(row))
    return grid, cells_left


def _load_grid(file: str | IO[bytes]) -> list[tuple[str, list[list[Any]], Any]]:
    """Every worksheet as (title, rows of values, merged ranges), read as a stream.

    The workbook is never loaded whole: the zip's sizes are checked first, then
    each sheet is read row by row (openpyxl read-only) and refused as soon as it
    passes MAX_ROWS, MAX_COLUMNS or, all sheets together, MAX_CELLS.
    """
    _check_zip(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise SheetError(_("找不到文件：%(file)s") % {"file": file}) from exc
    except (*UNREADABLE, IndexError, TypeError) as exc:
        raise _unreadable() from exc
    try:
        sheets = []
        cells_left = MAX_CELLS
        for ws in workbook.worksheets:
            grid, cells_left = _read_rows(ws, cells_left)
            merged, uncalculated = _merges_and_uncalculated(ws)
            for row, column in uncalculated:
                if row <= len(grid):
                    cells = grid[row - 1]
                    cells.extend([None] * (column - len(cells)))
                    cells[column - 1] = UNCALCULATED
            sheets.append((ws.title, grid, merged))
        return sheets
    except SheetError:
        raise
    except (*UNREADABLE, IndexError, TypeError) as exc:
        # Files written by other programs trip openpyxl (a style index out of range,
        # a font size that is no number, broken XML met half-way): unreadable, not a 500.
        raise SheetError(
            _("无法读取该文件：请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入")
        ) from exc
    finally:
        workbook.close()


def read_sheet(
    file: str | IO[bytes],
    *,
    columns: dict[str, str],
    key_header: str | tuple[str, ...],
    required: dict[str, str],
) -> Sheet:
    """The data of the first worksheet that has `key_header` in its first rows.

    `key_header` may be several headers (a column and its aliases); the first one
    names the column in the refusal. `columns` maps headers to fields; `required`
    maps the fields that must have a column to the name to report them by. Raises
    SheetError when no sheet fits.
    """
    keys = (key_header,) if isinstance(key_header, str) else key_header
    key_header = keys[0]
    fitting = []
    for title, grid, merged in _load_grid(file):
        header_index = next(
            (
                i
                for i, row in enumerate(grid[:HEADER_SEARCH_ROWS])
                if any(normalize_header(c) in keys for c in row)
            ),
            None,
        )
        if header_index is not None:
            fitting.append((title, grid, merged, header_index))
    if len(fitting) > 1:
        # One sheet per compound is common; importing only the first would lose the rest.
        raise SheetError(
            _(
                "文件里有 %(n)d 个工作表都有“%(h)s”表头（%(sheets)s）："
                "请合并到一个工作表，或分成几个文件导入"
            )
            % {"n": len(fitting), "h": key_header, "sheets": "、".join(f[0] for f in fitting)}
        )
    if fitting:
        title, grid, merged, header_index = fitting[0]
        return _sheet_from_grid(title, grid, merged, header_index, columns, required)
    raise SheetError(
        _("没有找到表头：前 %(n)d 行中应有“%(h)s”这一列")
        % {"n": HEADER_SEARCH_ROWS, "h": key_header}
    )


def _sheet_from_grid(title, grid, merged, header_index, columns, required) -> Sheet:
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend([None] * (width - len(row)))
    header = [normalize_header(c) for c in grid[header_index]]
    data_start = header_index + 1
    # A two-row header: "住址" merged over 小区/楼栋/单元/室 in the row below.
    if data_start < len(grid):
        below = [normalize_header(c) for c in grid[data_start]]
        if any(b in columns and header[i] not in columns for i, b in enumerate(below)):
            header = [b if b in columns else h for h, b in zip(header, below, strict=True)]
            data_start += 1
    # Cells merged down a column (one 小区 for a block of rows) count for every row.
    for cell_range in merged:
        if cell_range.min_col == cell_range.max_col and cell_range.min_row > data_start:
            col = cell_range.min_col - 1
            value = grid[cell_range.min_row - 1][col]
            for r in range(cell_range.min_row, min(cell_range.max_row, len(grid))):
                grid[r][col] = value

    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    notes: list[str] = []
    for i, label in enumerate(header):
        if not label or label in SILENT_COLUMNS:
            continue
        name = columns.get(label)
        if name is None:
            notes.append(_("未识别的列“%(c)s”已忽略") % {"c": label})
        elif name in positions:
            notes.append(
                _("“%(c)s”与“%(first)s”是同一项，只读取了“%(first)s”")
                % {"c": label, "first": labels[name]}
            )
        else:
            positions[name] = i
            labels[name] = label
    missing = [shown for name, shown in required.items() if name not in positions]
    if missing:
        raise SheetError(
            _("工作表“%(sheet)s”缺少必需的列：%(cols)s")
            % {"sheet": title, "cols": "、".join(missing)}
        )

    rows: list[tuple[int, dict[str, Any]]] = []
    for index in range(data_start, len(grid)):
        cells = grid[index]
        if _is_footer(cells):
            break
        values = {name: cells[i] for name, i in positions.items()}
        if all(cell_text(v) == "" and not isinstance(v, Uncalculated) for v in values.values()):
            continue
        rows.append((index + 1, values))
    return Sheet(header_row=header_index + 1, labels=labels, rows=rows, notes=notes)


# ----------------------------------------------------------------------------
# Values of one cell


# Excel's day number of 1910-01-01: a plain number below it in a date column is a year,
# a year.month or an age typed by hand, not a date.
EARLIEST_SERIAL = 3654
EXCEL_ERRORS = frozenset(
    {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!"}
)


def cell_errors(
    row_number: int,
    cells: dict[str, Any],
    labels: dict[str, str],
    *,
    yes_no: Iterable[str] = (),
) -> list[RowError]:
    """The row's cells no importer may read as they are; each is the row's error.

    A formula's error (#N/A from a VLOOKUP that found nothing …), never imported
    as the text "#N/A"; a formula whose result the file does not hold (a file a
    program wrote and nobody saved in Excel), never imported as empty; an Excel
    TRUE/FALSE outside the `yes_no` fields, never imported as the text "True".
    In a `yes_no` field TRUE/FALSE are 是/否 (`parse_yes_no`).
    """
    yes_no = set(yes_no)
    errors = []
    for name, value in cells.items():
        column = labels.get(name, name)
        if isinstance(value, Uncalculated):
            message = _(
                "这一格是公式，但文件里没有保存公式的结果（文件可能是用程序生成的）。"
                "请用 Excel 或 WPS 打开这个文件，保存后再导入"
            )
        elif isinstance(value, str) and value.strip() in EXCEL_ERRORS:
            message = _("单元格是公式错误（%(e)s），请改成实际内容") % {"e": value.strip()}
        elif isinstance(value, bool) and name not in yes_no:
            message = _(
                "“%(column)s”这一列不是填“是/否”的，这一格却是 Excel 的逻辑值 %(value)s，"
                "请改成实际内容"
            ) % {"column": column, "value": "TRUE" if value else "FALSE"}
        else:
            continue
        errors.append(RowError(row_number, column, message))
    return errors


YES_WORDS = frozenset({"是", "Y", "YES", "TRUE", "√", "✓", "✔"})
NO_WORDS = frozenset({"否", "N", "NO", "FALSE", "×", "✗", "✘"})


def parse_yes_no(value) -> bool | None:
    """A yes/no cell: TRUE/FALSE, 是/否 (Y/N, √/×); None when empty.

    Raises InvalidValue for anything else.
    """
    if isinstance(value, bool):
        return value
    text = cell_words(value).upper()
    if not text:
        return None
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise InvalidValue(_("应填写“是”或“否”，这里是“%(v)s”") % {"v": cell_text(value)})


def parse_date(value) -> dt.date | None:
    """A real Excel date, or text such as 1950.03.12, 1950-3-12, 1950/03/12, 1950年3月12日."""
    if value is None or (isinstance(value, str) and not clean_text(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 10000101 <= value <= 99991231:
            value = str(int(value))  # 19500312 typed as a number
        elif float(value).is_integer() and EARLIEST_SERIAL <= value < 2958466:
            return from_excel(value).date()  # a date cell formatted as a plain number
        else:
            # 1950, 1950.03 or an age such as 78 would read as a day of 1900–1905.
            raise InvalidValue(
                _("“%(v)s”不是完整的日期，应为 1950-03-12 或 1950年3月12日")
                % {"v": cell_text(value)}
            )
    text = clean_text(value)
    match = _DATE_TEXT.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    elif re.fullmatch(r"\d{8}", text):
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    else:
        raise InvalidValue(_("日期格式不正确，应为 1950-03-12 或 1950年3月12日"))
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise InvalidValue(_("日期不存在")) from exc


# --- the kinds of sheet the platform exchanges ---------------------------------------------


@dataclass(frozen=True)
class SheetKind:
    """One kind of sheet offered by `kuihua import|export KIND` and the upload page.

    Each app registers its own in its AppConfig.ready (registry: residents;
    organizations: organizations), so that the command and the page, which live
    low in the house, import none of the apps above them.
    """

    key: str
    label: str  # for the upload page's choice
    imported_as: str  # the report's title: 居民导入
    counted_as: str  # what an export counts: 位居民
    import_file: Callable[..., ImportReport]
    export_file: Callable[..., int]


SHEET_KINDS: dict[str, SheetKind] = {}


def register_sheet_kind(kind: SheetKind) -> SheetKind:
    SHEET_KINDS[kind.key] = kind
    return kind
