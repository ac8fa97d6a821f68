"""The generic sheet reader (kuihua.core.sheets): header below titles, aliases, cells,
footers, files that are not sheets. No app's columns: a made-up roster of three."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from openpyxl import Workbook

from kuihua.core.identity import InvalidValue
from kuihua.core.sheets import (
    UNCALCULATED,
    ImportReport,
    RowError,
    SheetError,
    cell_errors,
    parse_date,
    parse_yes_no,
    read_sheet,
)

COLUMNS = {"名称": "name", "名字": "name", "数量": "count", "日期": "day"}
REQUIRED = {"name": "名称"}


def _save(tmp_path, rows, *, name="s.xlsx", title="某某社区登记表", merge=()):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells("A1:C1")
    for row in rows:
        sheet.append(row)
    for cells in merge:
        sheet.merge_cells(cells)
    path = tmp_path / name
    workbook.save(path)
    return path


def _read(path):
    return read_sheet(path, columns=COLUMNS, key_header="名称", required=REQUIRED)


def test_the_header_is_found_below_a_title_in_any_order_with_aliases_and_notes(tmp_path):
    path = _save(
        tmp_path,
        [["填表单位：某某社区"], [], ["序号", "数量", "年龄", "名称"], [1, 3, 70, "甲"]],
    )

    sheet = _read(path)

    assert sheet.header_row == 4
    assert sheet.rows == [(5, {"count": 3, "name": "甲"})]
    assert sheet.notes == ["未识别的列“年龄”已忽略"]  # 序号 is ignored silently


def test_two_aliases_of_one_field_read_the_first_and_say_so(tmp_path):
    sheet = _read(_save(tmp_path, [["名称", "名字"], ["甲", "乙"]]))

    assert sheet.rows == [(3, {"name": "甲"})]
    assert sheet.notes == ["“名字”与“名称”是同一项，只读取了“名称”"]


def test_blank_rows_are_skipped_and_a_footer_ends_the_data(tmp_path):
    path = _save(
        tmp_path,
        [["名称", "数量"], ["甲", 1], [], ["乙", 2], [" ", None], ["合计：2"], ["丙", 3]],
    )

    assert [cells["name"] for _row, cells in _read(path).rows] == ["甲", "乙"]


def test_cells_merged_down_a_column_count_for_every_row(tmp_path):
    path = _save(tmp_path, [["名称", "数量"], ["甲", 5], ["乙", None]], merge=["B3:B4"])

    assert [cells["count"] for _row, cells in _read(path).rows] == [5, 5]


def test_a_missing_required_column_or_header_refuses_the_sheet(tmp_path):
    with pytest.raises(SheetError, match="没有找到表头"):
        _read(_save(tmp_path, [["数量"], [1]]))
    with pytest.raises(SheetError, match="缺少必需的列：数量"):
        read_sheet(
            _save(tmp_path, [["名称"], ["甲"]], name="b.xlsx"),
            columns=COLUMNS,
            key_header="名称",
            required={**REQUIRED, "count": "数量"},
        )


# Moved from registry/tests/test_import.py (TestRowChecks, TestSheetLayout,
# TestFilesThatAreNotSheets): they test the reader, not residents.


def test_several_sheets_that_fit_are_refused_not_half_imported(tmp_path):
    workbook = Workbook()
    for index, title in enumerate(("一区", "二区")):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append(["名称"])
        sheet.append([title])
    workbook.save(tmp_path / "two.xlsx")

    with pytest.raises(SheetError, match="2 个工作表都有“名称”表头（一区、二区）"):
        _read(tmp_path / "two.xlsx")


def test_a_file_that_is_not_xlsx_reads_as_nothing(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not a zip")

    with pytest.raises(SheetError, match=r"\.xlsx"):
        _read(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(SheetError, match="找不到文件"):
        _read(tmp_path / "missing.xlsx")


def _damaged(tmp_path, damage):
    # a date cell: a styled cell for the damage to hit
    good = _save(tmp_path, [["名称", "日期"], ["甲", dt.date(1950, 3, 12)]], name="good.xlsx")
    with zipfile.ZipFile(good) as source:
        files = {name: source.read(name) for name in source.namelist()}
    if damage == "style_index":  # as some other programs write them
        sheet = files["xl/worksheets/sheet1.xml"].decode()
        files["xl/worksheets/sheet1.xml"] = re.sub(r' s="\d+"', ' s="99"', sheet).encode()
    elif damage == "font_size":
        styles = files["xl/styles.xml"].decode()
        files["xl/styles.xml"] = re.sub(r'<sz val="[^"]*"', '<sz val="x"', styles).encode()
    else:
        workbook = files["xl/workbook.xml"]
        files["xl/workbook.xml"] = workbook[: len(workbook) // 2]
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(damaged, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    return damaged


@pytest.mark.parametrize("damage", ["font_size", "broken_xml"])
def test_a_file_openpyxl_chokes_on_is_unreadable_not_a_crash(tmp_path, damage):
    with pytest.raises(SheetError, match="无法读取"):
        _read(_damaged(tmp_path, damage))


def test_a_style_index_out_of_range_loses_no_data(tmp_path):
    # The sheet is read as a stream of values: a broken style costs the date its
    # format, and the date column still reads the day (as a day number).
    sheet = _read(_damaged(tmp_path, "style_index"))

    [(_row, cells)] = sheet.rows
    assert cells["name"] == "甲"
    assert parse_date(cells["day"]) == dt.date(1950, 3, 12)


def test_a_lone_cell_far_away_is_refused_quickly(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "名称"
    sheet.cell(row=200_000, column=200, value="x")
    path = tmp_path / "far.xlsx"
    workbook.save(path)

    with pytest.raises(SheetError, match="太大"):
        _read(path)


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("1950.03.12", dt.date(1950, 3, 12)),
        ("1950-3-12", dt.date(1950, 3, 12)),
        ("1950/03/12", dt.date(1950, 3, 12)),
        ("1950年3月12日", dt.date(1950, 3, 12)),
        (19500312, dt.date(1950, 3, 12)),  # all digits: still a date
        (dt.datetime(1950, 3, 12, 0, 0), dt.date(1950, 3, 12)),
        ("", None),
        (None, None),
    ],
)
def test_dates_as_people_type_them(cell, day):
    assert parse_date(cell) == day


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (1950, "“1950”不是完整的日期，应为 1950-03-12 或 1950年3月12日"),
        (1950.03, "“1950.03”不是完整的日期，应为 1950-03-12 或 1950年3月12日"),
        (78, "“78”不是完整的日期，应为 1950-03-12 或 1950年3月12日"),
        ("1950.13.40", "日期不存在"),
        ("去年", "日期格式不正确，应为 1950-03-12 或 1950年3月12日"),
    ],
)
def test_numbers_typed_into_a_date_column_are_not_read_as_1900s_days(cell, reason):
    with pytest.raises(InvalidValue) as refused:
        parse_date(cell)

    assert str(refused.value) == reason


def test_a_formula_error_is_the_rows_error_naming_the_column():
    errors = cell_errors(7, {"name": "甲", "count": "#N/A"}, {"name": "名称", "count": "数量"})

    assert errors == [RowError(7, "数量", "单元格是公式错误（#N/A），请改成实际内容")]


def test_a_report_keeps_warnings_apart_from_refusals():
    report = ImportReport(
        rows_total=3,
        imported=2,
        rejected=1,
        errors=[RowError(4, "名称", "不对")],
        warnings=[RowError(5, "数量", "没有导入数量"), RowError(4, "数量", "moot")],
    )

    data = report.as_dict()

    assert data["errors"] == [{"row": 4, "column": "名称", "message": "不对"}]
    # a refused row's warnings are moot: only imported rows carry warnings
    assert data["warnings"] == [{"row": 5, "column": "数量", "message": "没有导入数量"}]
    assert report.exit_code == 0


@pytest.mark.parametrize("module", ["sheets", "identity", "errors"])
def test_the_ground_floor_imports_no_app(module):
    import ast
    from pathlib import Path

    import kuihua.core

    source = Path(kuihua.core.__file__).with_name(f"{module}.py").read_text()
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    }

    assert {m for m in imported if m.startswith("kuihua.")} <= {
        "kuihua.core.identity",
        "kuihua.core.errors",
    }


def _with_sheet_xml(tmp_path, rows, edit):
    """A sheet saved by openpyxl, its worksheet XML then changed as another program writes it."""
    path = _save(tmp_path, rows, title="")
    with zipfile.ZipFile(path) as source:
        files = {name: source.read(name) for name in source.namelist()}
    files["xl/worksheets/sheet1.xml"] = edit(files["xl/worksheets/sheet1.xml"].decode()).encode()
    edited = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(edited, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    return edited


def test_a_formula_without_its_result_is_uncalculated_not_empty(tmp_path):
    sheet = _read(_save(tmp_path, [["名称", "数量"], ["甲", "=1+1"], ["=A2", None]]))

    assert [(row, cells["count"], cells["name"]) for row, cells in sheet.rows] == [
        (3, UNCALCULATED, "甲"),
        (4, None, UNCALCULATED),
    ]
    assert cell_errors(3, sheet.rows[0][1], {"count": "数量"}) == [
        RowError(
            3,
            "数量",
            "这一格是公式，但文件里没有保存公式的结果（文件可能是用程序生成的）。"
            "请用 Excel 或 WPS 打开这个文件，保存后再导入",
        )
    ]


def test_a_formula_saved_with_its_result_reads_the_result(tmp_path):
    # As Excel saves it: the result beside the formula; a result of "" is written t="str".
    def calculated(xml):
        xml = xml.replace("<f>1+1</f><v />", "<f>1+1</f><v>2</v>")
        return xml.replace('<c r="A3"><f>""</f><v />', '<c r="A3" t="str"><f>""</f><v></v>')

    path = _with_sheet_xml(tmp_path, [["名称", "数量"], ["甲", "=1+1"], ['=""', 3]], calculated)

    sheet = _read(path)

    assert [cells for _row, cells in sheet.rows] == [
        {"name": "甲", "count": 2},
        {"name": None, "count": 3},
    ]
    assert all(cell_errors(r, c, {}) == [] for r, c in sheet.rows)


def test_cells_written_without_their_reference_are_placed_by_position(tmp_path):
    def without_references(xml):
        return re.sub(r' r="[A-Z]+\d+"', "", xml)

    path = _with_sheet_xml(tmp_path, [["名称", "数量"], ["甲", "=1+1"]], without_references)

    [(row, cells)] = _read(path).rows

    assert (row, cells) == (2, {"name": "甲", "count": UNCALCULATED})


def test_true_false_is_an_error_outside_a_yes_no_column():
    cells = {"name": True, "count": False}
    labels = {"name": "名称", "count": "数量"}

    assert cell_errors(5, cells, labels, yes_no=["count"]) == [
        RowError(
            5, "名称", "“名称”这一列不是填“是/否”的，这一格却是 Excel 的逻辑值 TRUE，请改成实际内容"
        )
    ]


@pytest.mark.parametrize(
    ("cell", "answer"),
    [
        (True, True),
        (False, False),
        ("是", True),
        (" 否 ", False),
        ("Y", True),
        ("no", False),
        ("√", True),
        ("×", False),
        ("", None),
        (None, None),
    ],
)
def test_yes_no_cells(cell, answer):
    assert parse_yes_no(cell) is answer


def test_a_yes_no_cell_with_anything_else_says_what_it_found():
    with pytest.raises(InvalidValue) as refused:
        parse_yes_no("不清楚")

    assert str(refused.value) == "应填写“是”或“否”，这里是“不清楚”"
