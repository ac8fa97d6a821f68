"""Cells a sheet holds that are no typed text: Excel's TRUE/FALSE and formulas never calculated.

A TRUE/FALSE cell is 是/否 in a yes/no column (是否党员) and refuses its row anywhere
else, never imported as the text "True"; a formula whose result the file does not
hold (written by a program, never saved in Excel) refuses its row, never imported
as an empty cell.
"""

from __future__ import annotations

import pytest

from kuihua.registry.importing import residents_import_file
from kuihua.registry.models import Resident
from kuihua.registry.owners_importing import owners_import_file
from kuihua.registry.tests.test_import import HEADERS, errors_by_row, person, write_sheet

pytestmark = pytest.mark.django_db

OPEN_AND_SAVE = (
    "这一格是公式，但文件里没有保存公式的结果（文件可能是用程序生成的）。"
    "请用 Excel 或 WPS 打开这个文件，保存后再导入"
)


class TestTrueFalseCells:
    def test_true_and_false_in_a_yes_no_column_are_是_and_否(
        self, in_community, coordinator, tmp_path
    ):
        headers = [*HEADERS, "是否党员"]
        rows = [person(0, 是否党员=True), person(1, 是否党员=False), person(2, 是否党员="是")]

        report = residents_import_file(
            write_sheet(tmp_path, rows, headers=headers), actor=coordinator
        )

        assert report.errors == []
        assert report.imported == 3
        status = {r.name: r.political_status for r in Resident.objects.all()}
        assert [status[row["姓名"]] for row in rows] == ["party", "masses", "party"]

    def test_a_yes_no_answer_the_political_status_contradicts_refuses_the_row(
        self, in_community, coordinator, tmp_path
    ):
        headers = [*HEADERS, "政治面貌", "是否党员"]
        rows = [
            person(0, 政治面貌="中共党员", 是否党员=True),
            person(1, 政治面貌="群众", 是否党员=True),
            person(2, 政治面貌="", 是否党员="不清楚"),
        ]

        report = residents_import_file(
            write_sheet(tmp_path, rows, headers=headers), actor=coordinator
        )

        assert report.imported == 1
        assert errors_by_row(report) == {
            (4, "是否党员"): "是否党员填的是“是”，政治面貌却是“群众”，请核对",
            (5, "是否党员"): "应填写“是”或“否”，这里是“不清楚”",
        }

    def test_true_in_a_text_column_refuses_its_row_naming_the_column(
        self, in_community, coordinator, tmp_path
    ):
        headers = [*HEADERS, "备注"]
        rows = [person(0, 备注="腿脚不便"), person(1, 备注=True)]

        report = residents_import_file(
            write_sheet(tmp_path, rows, headers=headers), actor=coordinator
        )

        assert report.imported == 1
        assert errors_by_row(report) == {
            (4, "备注"): "“备注”这一列不是填“是/否”的，这一格却是 Excel 的逻辑值 TRUE，"
            "请改成实际内容"
        }
        assert not Resident.objects.filter(name=rows[1]["姓名"]).exists()
        assert not Resident.objects.filter(notes="True").exists()

    def test_false_in_the_owners_sheet_refuses_its_row(self, in_community, coordinator, tmp_path):
        residents_import_file(write_sheet(tmp_path, [person(0)], name="r.xlsx"), actor=coordinator)
        headers = ["小区", "楼栋", "单元", "室", "业主姓名", "业主电话"]
        rows = [["翠苑一区", "1幢", "1", "101", person(0)["姓名"], False]]

        report = owners_import_file(
            write_sheet(tmp_path, rows, headers=headers, name="o.xlsx"), actor=coordinator
        )

        assert report.imported == 0
        assert errors_by_row(report) == {
            (3, "业主电话"): "“业主电话”这一列不是填“是/否”的，这一格却是 Excel 的逻辑值 "
            "FALSE，请改成实际内容"
        }


class TestFormulasNeverCalculated:
    def test_a_formula_without_its_result_refuses_its_row_asking_to_open_and_save(
        self, in_community, coordinator, tmp_path
    ):
        # openpyxl writes the formula alone, as a script would: no result is stored.
        headers = [*HEADERS, "备注"]
        rows = [person(0, 备注="腿脚不便"), person(1, 备注='=CONCAT("腿脚","不便")')]

        report = residents_import_file(
            write_sheet(tmp_path, rows, headers=headers), actor=coordinator
        )

        assert report.imported == 1
        assert errors_by_row(report) == {(4, "备注"): OPEN_AND_SAVE}
        assert not Resident.objects.filter(name=rows[1]["姓名"]).exists()

    def test_a_row_of_uncalculated_formulas_is_not_skipped_as_blank(
        self, in_community, coordinator, tmp_path
    ):
        headers = ["姓名", "小区", "楼栋", "室"]
        rows = [["王一甲", "翠苑一区", "1幢", "101"], ["=A3", "=B3", "=C3", "=D3"]]

        report = residents_import_file(
            write_sheet(tmp_path, rows, headers=headers), actor=coordinator
        )

        assert report.rows_total == 2
        assert report.imported == 1
        assert {row for row, _column in errors_by_row(report)} == {4}
        assert Resident.objects.count() == 1

    def test_strict_mode_imports_nothing(self, in_community, coordinator, tmp_path):
        rows = [person(0), person(1, 联系电话="=1+1")]

        report = residents_import_file(write_sheet(tmp_path, rows), actor=coordinator, strict=True)

        assert report.imported == 0
        assert errors_by_row(report) == {(4, "联系电话"): OPEN_AND_SAVE}
        assert Resident.objects.count() == 0
