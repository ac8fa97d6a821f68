"""Incomplete optional parts warn; they never refuse the person (issue 11, item 5).

What makes the person wrong (ID number, name, birth date against the ID, a
malformed phone …) refuses the row; an emergency contact or an address left
incomplete keeps the resident, leaves the part out, and says so row by row.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from kuihua.core.tenancy import use_community
from kuihua.registry.importing import residents_import_file
from kuihua.registry.models import EmergencyContact, Resident
from kuihua.registry.tests.factories import make_id_number

pytestmark = pytest.mark.django_db

NO_PHONE = "没有填写紧急联系电话：紧急联系人没有导入，居民已导入。请补上电话后在居民页添加"

# An office's own layout: its own header words, a 序号 column, a contact without phones.
OFFICE_HEADERS = [
    "序号",
    "姓名",
    "性别",
    "身份证号",
    "出生年月日",
    "手机号码",
    "小区名称",
    "楼号",
    "单元",
    "房号",
    "紧急联系人",
    "紧急联系电话",
]
_NUMERALS = str.maketrans("0123456789", "〇一二三四五六七八九")


def birth_of(i: int) -> dt.date:
    """Spread over 1940–2008: in the past whatever the clock says."""
    return dt.date(1940, 1, 1) + dt.timedelta(days=37 * i % 25_000)


def office_row(i: int, **overrides) -> dict:
    """A good resident of the office's sheet: 紧急联系人 filled, 紧急联系电话 empty."""
    birth = birth_of(i)
    male = i % 2 == 0
    row = {
        "序号": i + 1,
        "姓名": "陈" + str(i).translate(_NUMERALS),
        "性别": "男" if male else "女",
        "身份证号": make_id_number(birth, i, male=male),
        "出生年月日": birth.strftime("%Y.%m.%d"),
        "手机号码": f"139{i:08d}",
        "小区名称": f"翠苑{i % 3 + 1}区",
        "楼号": f"{i % 12 + 1}幢",
        "单元": str(i % 3 + 1),
        "房号": str(101 + i),
        "紧急联系人": "陈" + str(i).translate(_NUMERALS) + "之子",
        "紧急联系电话": None,
    }
    row.update(overrides)
    return row


def office_sheet(tmp_path, rows, *, headers=OFFICE_HEADERS, name="office.xlsx"):
    """Title row (merged) above the header, as offices keep it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["翠苑一区社区常住人口花名册（2026年）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    path = tmp_path / name
    workbook.save(path)
    return path


def _bad_rows() -> list[tuple[dict, str, str]]:
    """(row, column, reason): each one wrong about the person."""
    checksum = office_row(1000)
    good_id = checksum["身份证号"]
    checksum["身份证号"] = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    contradicting = office_row(1001, 出生年月日="1961.01.01")
    born = birth_of(1001)
    return [
        (checksum, "身份证号", "身份证号码校验位不正确"),
        (
            contradicting,
            "出生年月日",
            f"出生日期与身份证号码不一致（身份证上为 {born.isoformat()}）",
        ),
        (office_row(1002, 手机号码="139123"), "手机号码", "电话号码格式不正确"),
        (office_row(1003, 姓名=""), "姓名", "姓名不能为空"),
        (office_row(1004, 姓名="陈3"), "姓名", "姓名里不能有数字，请检查是否与别的列串了"),
        (
            office_row(1005, 身份证号="330106********1234"),
            "身份证号",
            "身份证号码已脱敏（含 *），不能导入；请使用完整号码",
        ),
        (office_row(1006, 性别="女"), "性别", "性别与身份证号码不一致（身份证上为男）"),
    ]


class TestTheOfficeSheet:
    """The acceptance sheet of issue 11: 300 residents, contacts without phones, 7 bad rows."""

    def test_every_good_resident_is_imported_and_only_the_bad_rows_are_refused(
        self, in_community, coordinator, tmp_path
    ):
        # given: 300 good rows with a contact and no contact phone, the 7 bad rows spread
        # among them (title row 1, header row 2, data from row 3)
        rows = [office_row(i) for i in range(300)]
        bad = _bad_rows()
        expected_errors = {}
        for n, (row, column, reason) in enumerate(bad):
            index = 40 * n + 7
            rows.insert(index, row)
            expected_errors[(index + 3, column)] = reason
        path = office_sheet(tmp_path, rows)

        # when
        report = residents_import_file(path, actor=coordinator)

        # then: the people are in, the bad rows out with their reasons
        assert (report.rows_total, report.imported, report.rejected) == (307, 300, 7)
        assert {(e.row, e.column): e.message for e in report.errors} == expected_errors
        assert Resident.objects.count() == 300
        assert not Resident.objects.filter(name__in=["陈3", ""]).exists()
        # the incomplete contacts are warnings, one per imported row, naming the column
        bad_rows = {row for row, _column in expected_errors}
        good_rows = [r for r in range(3, 310) if r not in bad_rows]
        warnings = report.sorted_warnings()
        assert [(w.row, w.column) for w in warnings] == [(r, "紧急联系电话") for r in good_rows]
        assert {w.message for w in warnings} == {NO_PHONE}
        # EmergencyContact needs a phone: the contact is left out, never half kept
        assert EmergencyContact.objects.count() == 0
        assert report.exit_code == 0

    def test_the_command_lists_warnings_apart_from_refusals_and_exits_0(self, community, tmp_path):
        rows = [office_row(0), office_row(1), _bad_rows()[2][0]]
        path = office_sheet(tmp_path, rows)
        out = io.StringIO()

        call_command("import_data", "residents", str(path), "--json", stdout=out)  # no exit 1

        data = json.loads(out.getvalue())
        assert (data["rows_total"], data["imported"], data["rejected"]) == (3, 2, 1)
        assert data["errors"] == [{"row": 5, "column": "手机号码", "message": "电话号码格式不正确"}]
        assert data["warnings"] == [
            {"row": 3, "column": "紧急联系电话", "message": NO_PHONE},
            {"row": 4, "column": "紧急联系电话", "message": NO_PHONE},
        ]

        text = io.StringIO()
        with use_community(community):
            Resident.objects.all().delete()
        call_command("import_data", "residents", str(path), stdout=text)
        assert "以下 2 条提醒" in text.getvalue()
        assert f"提醒：第 3 行【紧急联系电话】{NO_PHONE}" in text.getvalue()
        assert "第 5 行【手机号码】电话号码格式不正确" in text.getvalue()

    def test_the_upload_page_shows_the_warnings_apart(self, client, coordinator, tmp_path):
        path = office_sheet(tmp_path, [office_row(0), _bad_rows()[3][0]])
        client.force_login(coordinator)

        with path.open("rb") as upload:
            response = client.post(
                "/registry/import/", {"kind": "residents", "file": upload}, HTTP_HX_REQUEST="true"
            )

        body = response.content.decode()
        assert "导入 1 行，未导入 1 行" in body
        refused, warned = body.split("提醒（这些行已导入）")
        assert "第 4 行" in refused and "姓名不能为空" in refused
        assert "第 3 行" in warned and NO_PHONE in warned and "紧急联系电话" in warned


class TestIncompleteOptionalParts:
    HEADERS = ["姓名", "身份证号码", "小区", "楼栋", "单元", "室", "紧急联系人", "紧急联系电话"]

    def _row(self, i, **overrides):
        row = office_row(i)
        values = {
            "姓名": row["姓名"],
            "身份证号码": row["身份证号"],
            "小区": "翠苑一区",
            "楼栋": "1幢",
            "单元": "1",
            "室": str(101 + i),
        }
        values.update(overrides)
        return values

    def _import(self, tmp_path, rows, headers=None, **kwargs):
        path = office_sheet(tmp_path, rows, headers=headers or self.HEADERS)
        return residents_import_file(path, actor=None, **kwargs)

    def test_a_contact_in_parts_keeps_the_resident(self, in_community, tmp_path):
        headers = [*self.HEADERS, "紧急联系人关系"]
        rows = [
            self._row(0, 紧急联系人="李四"),  # no phone
            self._row(1, 紧急联系电话="13800000000"),  # no name
            self._row(2, 紧急联系人关系="儿子"),  # only the relation
            self._row(3, 紧急联系人="王五", 紧急联系电话="13800000001"),  # whole
        ]

        report = self._import(tmp_path, rows, headers)

        assert (report.imported, report.errors) == (4, [])
        assert [(w.row, w.column) for w in report.sorted_warnings()] == [
            (3, "紧急联系电话"),
            (4, "紧急联系人"),
            (5, "紧急联系人关系"),
        ]
        assert list(EmergencyContact.objects.values_list("name", flat=True)) == ["王五"]

    def test_an_address_in_parts_imports_the_resident_without_a_household(
        self, in_community, tmp_path
    ):
        rows = [
            self._row(0, 室=None),
            self._row(1, 楼栋="", 室=""),
            self._row(2, 小区=None, 楼栋=None, 单元=None, 室=None),
        ]

        report = self._import(tmp_path, rows)

        assert (report.imported, report.errors) == (3, [])
        assert {(w.row, w.column): w.message for w in report.warnings} == {
            (3, "室"): "住址不完整（缺少室）：居民已导入，暂未入户，请在居民页补上住址",
            (4, "楼栋"): "住址不完整（缺少楼栋、室）：居民已导入，暂未入户，请在居民页补上住址",
            (5, "小区"): "没有填写住址：居民已导入，暂未入户，请在居民页补上住址",
        }
        assert not Resident.objects.filter(household__isnull=False).exists()

    def test_strict_mode_counts_refusals_not_warnings(self, in_community, tmp_path):
        report = self._import(tmp_path, [self._row(0, 紧急联系人="李四")], strict=True)

        assert (report.imported, report.errors, len(report.warnings)) == (1, [], 1)

    def test_a_refused_row_carries_no_warning(self, in_community, tmp_path):
        report = self._import(tmp_path, [self._row(0, 姓名="", 紧急联系人="李四")])

        assert [(e.row, e.column) for e in report.errors] == [(3, "姓名")]
        assert report.sorted_warnings() == []
