"""Importing residents from Excel: messy sheets, row-by-row reports, all-or-nothing rows."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.identity import id_check_digit
from kuihua.core.models import AuditLog
from kuihua.core.sheets import read_sheet
from kuihua.core.tenancy import use_community
from kuihua.registry.importing import (
    RESIDENT_COLUMNS,
    RESIDENT_REQUIRED,
    residents_import,
    residents_import_file,
    residents_validate,
)
from kuihua.registry.models import Building, Compound, EmergencyContact, Household, Resident
from kuihua.registry.tests.factories import ResidentFactory, make_id_number

pytestmark = pytest.mark.django_db

HEADERS = [
    "姓名",
    "性别",
    "身份证号码",
    "出生日期",
    "联系电话",
    "小区",
    "楼栋",
    "单元",
    "室",
    "与户主关系",
]


def person(i: int, **overrides) -> dict:
    """A good row: a man born 1950 + i days, alone at 翠苑一区 1幢 1单元 (101 + i)."""
    birth = dt.date(1950, 3, 12) + dt.timedelta(days=i)
    row = {
        "姓名": f"王{'一二三四五六七八九'[i % 9]}{'甲乙丙丁'[i % 4]}",
        "性别": "男",
        "身份证号码": make_id_number(birth, i, male=True),
        "出生日期": birth,
        "联系电话": f"139{i:08d}",
        "小区": "翠苑一区",
        "楼栋": "1幢",
        "单元": "1",
        "室": str(101 + i),
        "与户主关系": "户主",
    }
    row.update(overrides)
    return row


def write_sheet(
    tmp_path,
    rows,
    *,
    headers=HEADERS,
    title="翠苑一区社区居民信息登记表",
    name="r.xlsx",
    before=(),
    after=(),
):
    """An .xlsx as offices keep it: a merged title row, then the header, the rows, a footer."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for extra in before:
        sheet.append(extra)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers] if isinstance(row, dict) else list(row))
    for extra in after:
        sheet.append(extra)
    path = tmp_path / name
    workbook.save(path)
    return path


def errors_by_row(report):
    return {(e.row, e.column): e.message for e in report.errors}


def id_ending_in_x(birth: dt.date) -> str:
    for seq in range(1000):
        first17 = f"330106{birth:%Y%m%d}{seq:03d}"
        if id_check_digit(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check digit")


class TestTheAcceptanceSheet:
    def test_imports_every_other_row_and_reports_exactly_the_three_bad_ones(
        self, in_community, coordinator, tmp_path
    ):
        # given: eight rows; row 5 has a bad checksum, row 7 a birth date its ID contradicts,
        # row 9 repeats the ID of row 4 (title is row 1, header row 2, data from row 3)
        rows = [person(i) for i in range(8)]
        born_in_row_7 = rows[4]["出生日期"]
        good_id = rows[2]["身份证号码"]
        rows[2]["身份证号码"] = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
        rows[4]["出生日期"] = dt.date(1961, 1, 1)
        rows[6].update(身份证号码=rows[1]["身份证号码"], 出生日期=rows[1]["出生日期"])
        path = write_sheet(tmp_path, rows)

        # when
        report = residents_import_file(path, actor=coordinator)

        # then
        assert (report.rows_total, report.imported, report.rejected) == (8, 5, 3)
        assert errors_by_row(report) == {
            (5, "身份证号码"): "身份证号码校验位不正确",
            (
                7,
                "出生日期",
            ): f"出生日期与身份证号码不一致（身份证上为 {born_in_row_7.isoformat()}）",
            (9, "身份证号码"): "身份证号码与第 4 行重复",
        }
        names = set(Resident.objects.values_list("name", flat=True))
        assert names == {rows[i]["姓名"] for i in (0, 1, 3, 5, 7)}
        assert Household.objects.count() == 5


class TestMessyCells:
    def test_ids_phones_dates_and_names_as_people_type_them(
        self, in_community, coordinator, tmp_path
    ):
        born = dt.date(1950, 3, 12)
        x_id = id_ending_in_x(born)
        rows = [
            person(
                0,
                姓名="张 三",
                身份证号码=x_id[:6] + " " + x_id[6:14] + " " + x_id[14:-1] + "x",
                出生日期="1950.03.12",
                联系电话="+86 138-0013-8000",
                性别="",
            ),
            person(1, 姓名="李\u3000四", 出生日期="1950-3-13", 联系电话="１３８００１３８００１"),
            person(2, 姓名=" 赵五 ", 出生日期="1950/03/14", 联系电话="0571-88886666"),
            person(3, 出生日期="1950年3月15日"),
            person(4, 出生日期=dt.datetime(1950, 3, 16)),
            person(5, 出生日期="", 单元="2单元", 室="506室"),
        ]
        path = write_sheet(tmp_path, rows)

        report = residents_import_file(path, actor=coordinator)

        assert report.errors == []
        assert report.imported == 6
        zhang = Resident.objects.get(name="张三")
        assert zhang.id_number == x_id
        assert zhang.phone == "13800138000"
        assert zhang.birth_date == born
        assert zhang.sex == ("M" if int(x_id[16]) % 2 else "F")
        assert Resident.objects.get(name="李四").phone == "13800138001"
        assert Resident.objects.get(name="赵五").phone == "057188886666"
        sixth = Resident.objects.get(name=rows[5]["姓名"])
        assert sixth.birth_date == dt.date(1950, 3, 17)  # from the ID
        assert (sixth.household.unit, sixth.household.room) == ("2", "506")

    def test_an_id_that_excel_turned_into_a_number_gets_a_clear_reason(
        self, in_community, coordinator, tmp_path
    ):
        row = person(0, 身份证号码=float(person(0)["身份证号码"][:17] + "1"))
        report = residents_import_file(write_sheet(tmp_path, [row]), actor=coordinator)

        assert report.imported == 0
        assert "存成了数字" in report.errors[0].message

    def test_a_masked_id_is_refused_with_its_reason(self, in_community, coordinator, tmp_path):
        row = person(0, 身份证号码="330106********1234")
        report = residents_import_file(write_sheet(tmp_path, [row]), actor=coordinator)

        assert "已脱敏" in report.errors[0].message


class TestSheetLayout:
    def test_header_below_title_and_notes_columns_in_any_order_and_aliases(
        self, in_community, coordinator, tmp_path
    ):
        headers = ["序号", "门牌号", "小区", "手机号码", "身份证号", "姓名", "年龄", "楼栋"]
        rows = [
            [1, "301", "翠苑二区", "13900000001", person(0)["身份证号码"], "钱一", 75, "5幢"],
            [2, "302", "翠苑二区", "13900000002", person(1)["身份证号码"], "孙二", 75, "5幢"],
        ]
        path = write_sheet(tmp_path, rows, headers=headers, before=[["填表单位：翠苑一区社区"], []])

        report = residents_import_file(path, actor=coordinator)

        assert report.imported == 2
        assert report.notes == ["未识别的列“年龄”已忽略"]
        qian = Resident.objects.get(name="钱一")
        assert qian.phone == "13900000001"
        assert qian.household.address == "翠苑二区5幢301室"

    def test_blank_rows_are_skipped_silently_and_a_footer_ends_the_data(
        self, in_community, coordinator, tmp_path
    ):
        rows = [person(0), {}, person(1), {"姓名": "  "}]
        path = write_sheet(
            tmp_path,
            rows,
            after=[
                [],
                ["合计：2人"],
                ["填表人：张三", None, "审核人：李四"],
                list(person(5).values()),  # below the footer: not data
            ],
        )

        report = residents_import_file(path, actor=coordinator)

        assert (report.rows_total, report.imported, report.errors) == (2, 2, [])

    def test_cells_merged_down_a_column_and_a_two_row_header(
        self, in_community, coordinator, tmp_path
    ):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["居民信息表"])
        sheet.append(["姓名", "身份证号码", "住址", None, None])
        sheet.append([None, None, "小区", "楼栋", "室"])
        sheet.merge_cells("A2:A3")
        sheet.merge_cells("B2:B3")
        sheet.merge_cells("C2:E2")
        sheet.append(["周一", person(0)["身份证号码"], "翠苑三区", "2幢", "101"])
        sheet.append(["周二", person(1)["身份证号码"], None, None, "101"])
        sheet.append(["周三", person(2)["身份证号码"], None, "3幢", "102"])
        sheet.merge_cells("C4:C6")
        sheet.merge_cells("D4:D5")
        path = tmp_path / "merged.xlsx"
        workbook.save(path)

        report = residents_import_file(path, actor=coordinator)

        assert report.errors == []
        assert (
            Resident.objects.get(name="周二").household_id
            == Resident.objects.get(name="周一").household_id
        )
        assert Resident.objects.get(name="周三").household.address == "翠苑三区3幢102室"

    def test_a_sheet_without_the_address_columns_is_refused_as_a_whole(
        self, in_community, coordinator, tmp_path
    ):
        path = write_sheet(tmp_path, [person(0)], headers=["姓名", "身份证号码"])

        report = residents_import_file(path, actor=coordinator)

        assert report.imported == 0
        assert report.errors[0].row is None
        assert "小区、楼栋、室" in report.errors[0].message


class TestRowChecks:
    @pytest.mark.parametrize(
        ("overrides", "column", "reason"),
        [
            ({"姓名": ""}, "姓名", "姓名不能为空"),
            ({"姓名": "王2芳"}, "姓名", "姓名里不能有数字，请检查是否与别的列串了"),
            ({"联系电话": "1381234567"}, "联系电话", "电话号码格式不正确"),
            ({"联系电话": "12345678901"}, "联系电话", "电话号码格式不正确"),
            ({"性别": "女"}, "性别", "性别与身份证号码不一致（身份证上为男）"),
            ({"性别": "未知"}, "性别", "性别应填写“男”或“女”"),
            ({"出生日期": "1950.13.40"}, "出生日期", "日期不存在"),
            ({"出生日期": "去年"}, "出生日期", "日期格式不正确，应为 1950-03-12 或 1950年3月12日"),
            (
                {"身份证号码": "33010619500312"},
                "身份证号码",
                "身份证号码应为18位（最后一位可以是X）",
            ),
        ],
    )
    def test_a_bad_cell_rejects_its_row_naming_the_column(
        self, in_community, coordinator, tmp_path, overrides, column, reason
    ):
        path = write_sheet(tmp_path, [person(0), person(1, **overrides)])

        report = residents_import_file(path, actor=coordinator)

        assert report.imported == 1
        assert errors_by_row(report) == {(4, column): reason}

    def test_an_emergency_phone_must_be_a_phone(self, in_community, coordinator, tmp_path):
        headers = [*HEADERS, "紧急联系人", "紧急联系电话"]
        rows = [
            person(0, 紧急联系人="王小明", 紧急联系电话="138 0000 000"),
            person(1, 紧急联系人="", 紧急联系电话="13800000000"),
        ]
        report = residents_import_file(
            write_sheet(tmp_path, rows, headers=headers), actor=coordinator
        )

        # A wrong phone refuses its row; a phone without a name (row 4) only warns:
        # the resident is imported, the nameless contact is not (this change).
        assert errors_by_row(report) == {(3, "紧急联系电话"): "电话号码格式不正确"}
        assert report.imported == 1
        assert [(w.row, w.column) for w in report.sorted_warnings()] == [(4, "紧急联系人")]
        assert EmergencyContact.objects.count() == 0

    def test_a_formula_error_refuses_its_row_and_is_not_imported(
        self, in_community, coordinator, tmp_path
    ):
        from kuihua.registry.models import Compound

        broken = write_sheet(tmp_path, [person(0), person(1, 小区="#N/A")], name="a.xlsx")
        report = residents_import_file(broken, actor=coordinator)
        assert report.imported == 1
        assert errors_by_row(report) == {(4, "小区"): "单元格是公式错误（#N/A），请改成实际内容"}
        assert not Compound.objects.filter(name="#N/A").exists()

    def test_the_emergency_contacts_name_column_may_say_姓名(
        self, in_community, coordinator, tmp_path
    ):
        headers = [*HEADERS, "紧急联系人姓名", "紧急联系人电话"]
        rows = [person(0, 紧急联系人姓名="王小明", 紧急联系人电话="13800000000")]

        report = residents_import_file(
            write_sheet(tmp_path, rows, headers=headers), actor=coordinator
        )

        assert (report.imported, report.errors) == (1, [])

    def test_an_id_already_registered_here_is_refused_but_not_one_registered_elsewhere(
        self, community, other_community, coordinator, tmp_path
    ):
        here = ResidentFactory(household__building__compound__community=community)
        there = ResidentFactory(household__building__compound__community=other_community)
        rows = [
            person(0, 身份证号码=here.id_number, 出生日期=here.birth_date),
            person(1, 身份证号码=there.id_number, 出生日期=there.birth_date),
        ]

        with use_community(community):
            report = residents_import_file(write_sheet(tmp_path, rows), actor=coordinator)

        assert errors_by_row(report) == {(3, "身份证号码"): "该身份证号码已登记"}
        assert report.imported == 1

    def test_an_unknown_tag_rejects_the_row(self, in_community, coordinator, tmp_path):
        headers = [*HEADERS, "标签"]
        rows = [person(0, 标签="独居、高龄"), person(1, 标签="独居,会唱歌")]
        report = residents_import_file(
            write_sheet(tmp_path, rows, headers=headers), actor=coordinator
        )

        assert report.imported == 1
        [error] = report.errors
        assert (error.row, error.column) == (4, "标签")
        assert error.message.startswith("未知的标签：会唱歌")
        assert set(Resident.objects.get().tags.values_list("name", flat=True)) == {"独居", "高龄"}

    def test_a_rejected_row_creates_no_compound_building_or_household(
        self, in_community, coordinator, tmp_path
    ):
        rows = [person(0), person(1, 小区="新建小区", 联系电话="123")]

        residents_import_file(write_sheet(tmp_path, rows), actor=coordinator)

        assert not Compound.objects.filter(name="新建小区").exists()
        assert Building.objects.count() == 1
        assert Household.objects.count() == 1
        assert Resident.objects.count() == 1


class TestHouseholdsAndDetails:
    def test_households_relations_party_tags_and_emergency_contacts(
        self, in_community, coordinator, tmp_path
    ):
        headers = [
            *HEADERS,
            "政治面貌",
            "民族",
            "人员类别",
            "标签",
            "紧急联系人",
            "紧急联系电话",
            "备注",
        ]
        address = {"小区": "翠苑四区", "楼栋": "7幢", "单元": "2", "室": "301"}
        rows = [
            person(0, **address, 与户主关系="本人", 政治面貌="党员", 标签="独居"),
            person(1, **address, 与户主关系="妻", 性别=None, 政治面貌="预备党员"),
            person(2, **address, 与户主关系="女儿", 政治面貌="团员", 民族="回"),
            person(3, **address, 与户主关系="母亲", 政治面貌="九三学社社员"),
            person(4, **address, 与户主关系="外孙女", 政治面貌="群众"),
            person(5, **address, 与户主关系="保姆", 紧急联系人="王小明（儿子） 13800000000"),
            person(
                6,
                与户主关系="",
                人员类别="低保",
                备注="腿脚不便",
                紧急联系人="李大姐",
                紧急联系电话="+86 139 0000 0000",
            ),
        ]
        report = residents_import_file(
            write_sheet(tmp_path, rows, headers=headers), actor=coordinator
        )
        assert report.errors == []

        home = Household.objects.get(building__compound__name="翠苑四区")
        members = {r.name: r for r in home.members.all()}
        assert len(members) == 6
        got = [
            (members[rows[i]["姓名"]].relation_to_head, members[rows[i]["姓名"]].political_status)
            for i in range(6)
        ]
        assert got == [
            ("head", "party"),
            ("spouse", "probationary"),
            ("child", "league"),
            ("parent", "democratic"),
            ("grandchild", "masses"),
            ("other", "masses"),
        ]
        assert members[rows[2]["姓名"]].ethnicity == "回族"
        assert [t.name for t in members[rows[0]["姓名"]].tags.all()] == ["独居"]
        contact = EmergencyContact.objects.get(resident=members[rows[5]["姓名"]])
        assert (contact.name, contact.relation, contact.phone) == ("王小明", "儿子", "13800000000")
        alone = Resident.objects.get(name=rows[6]["姓名"])
        assert (alone.relation_to_head, alone.category, alone.notes) == ("head", "低保", "腿脚不便")
        assert alone.emergency_contacts.get().phone == "13900000000"

    def test_an_existing_household_is_joined_not_duplicated(
        self, in_community, coordinator, tmp_path
    ):
        residents_import_file(write_sheet(tmp_path, [person(0)], name="a.xlsx"), actor=coordinator)
        residents_import_file(
            write_sheet(tmp_path, [person(1, 室="101", 与户主关系="配偶")], name="b.xlsx"),
            actor=coordinator,
        )

        assert Household.objects.count() == 1
        assert Household.objects.get().members.count() == 2

    def test_one_audit_entry_sums_up_the_batch(self, in_community, coordinator, tmp_path):
        rows = [person(0), person(1), person(2, 联系电话="1")]

        report = residents_import_file(
            write_sheet(tmp_path, rows), actor=coordinator, source="r.xlsx"
        )

        batch = AuditLog.objects.get(action="resident.import")
        assert batch.actor == coordinator
        assert batch.new["imported"] == 2
        assert batch.new["residents"] == report.created_ids
        assert AuditLog.objects.filter(action="resident.create").count() == 2


class TestStrictMode:
    def test_one_bad_row_means_nothing_is_imported(self, in_community, coordinator, tmp_path):
        rows = [person(0, 小区="甲小区"), person(1, 联系电话="1"), person(2)]

        report = residents_import_file(write_sheet(tmp_path, rows), actor=coordinator, strict=True)

        assert (report.imported, report.rejected, report.exit_code) == (0, 1, 1)
        assert Resident.objects.count() == 0
        assert Compound.objects.count() == 0
        assert Household.objects.count() == 0

    def test_all_good_rows_are_imported(self, in_community, coordinator, tmp_path):
        report = residents_import_file(
            write_sheet(tmp_path, [person(0), person(1)]), actor=coordinator, strict=True
        )

        assert (report.imported, report.rejected, report.exit_code) == (2, 0, 0)


class TestSavingRaces:
    """Rows that were good when checked but clash when saved (someone registered them meanwhile)."""

    def _validated(self, tmp_path, rows):
        sheet = read_sheet(
            write_sheet(tmp_path, rows),
            columns=RESIDENT_COLUMNS,
            key_header="姓名",
            required=RESIDENT_REQUIRED,
        )
        good, errors = residents_validate(sheet)
        assert errors == []
        return good

    def test_the_clashing_row_is_reported_and_the_others_saved_whole(
        self, in_community, coordinator, tmp_path
    ):
        good = self._validated(tmp_path, [person(0), person(1, 小区="乙小区"), person(2)])
        ResidentFactory(
            household__building__compound=Compound.objects.create(name="别处"),
            id_number=good[1].values["id_number"],
            birth_date=good[1].values["birth_date"],
        )

        created, errors = residents_import(actor=coordinator, rows=good, strict=False)

        assert len(created) == 2
        assert [(e.row, e.column, e.message) for e in errors] == [
            (4, "身份证号码", "该身份证号码已登记")
        ]
        assert not Compound.objects.filter(name="乙小区").exists()

    def test_strict_undoes_the_whole_batch(self, in_community, coordinator, tmp_path):
        good = self._validated(tmp_path, [person(0), person(1), person(2)])
        ResidentFactory(
            household__building__compound=Compound.objects.create(name="别处"),
            id_number=good[2].values["id_number"],
            birth_date=good[2].values["birth_date"],
        )
        before = Resident.objects.count()

        from kuihua.registry.importing import _StrictAbort

        with pytest.raises(_StrictAbort):
            residents_import(actor=coordinator, rows=good, strict=True)

        assert Resident.objects.count() == before


def test_a_large_sheet_imports_every_row_in_chunks(in_community, coordinator, tmp_path):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["翠苑一区社区居民信息表"])
    sheet.append([*HEADERS, "标签", "紧急联系人", "紧急联系电话"])
    for i in range(1_200):
        row = person(
            i,
            小区=f"小区{i % 8}",
            楼栋=f"{i % 40 + 1}幢",
            室=str(101 + i // 320),
            与户主关系="户主" if i % 3 == 0 else "配偶",
        )
        sheet.append(
            [
                *row.values(),
                "独居" if i % 5 == 0 else None,
                "李四" if i % 2 else None,
                "13900000000" if i % 2 else None,
            ]
        )
    path = tmp_path / "big.xlsx"
    workbook.save(path)

    report = residents_import_file(path, actor=coordinator)

    # More rows than one chunk: every chunk lands, contacts and tags with it.
    # The speed at full scale is measured by `kuihua bench import-residents`.
    assert (report.imported, report.errors) == (1_200, [])
    assert Resident.objects.count() == 1_200
    assert EmergencyContact.objects.count() == 600
    assert Resident.objects.filter(tags__code="living_alone").count() == 240


class TestCommand:
    def test_json_report_and_exit_code(self, community, tmp_path, capsys):
        rows = [person(0), person(1, 身份证号码="123")]
        path = write_sheet(tmp_path, rows)
        out = io.StringIO()

        call_command("import_data", "residents", str(path), "--json", stdout=out)

        data = json.loads(out.getvalue())
        assert (data["rows_total"], data["imported"], data["rejected"]) == (2, 1, 1)
        assert data["errors"] == [
            {"row": 4, "column": "身份证号码", "message": "身份证号码应为18位（最后一位可以是X）"}
        ]

    def test_text_report_in_chinese_and_exit_1_in_strict_mode(self, community, tmp_path):
        path = write_sheet(tmp_path, [person(0), person(1, 联系电话="1")])
        out = io.StringIO()

        with pytest.raises(CommandError) as raised:
            call_command("import_data", "residents", str(path), "--strict", stdout=out)

        assert raised.value.returncode == 1
        text = out.getvalue()
        assert "共 2 行，导入 0 行，未导入 1 行" in text
        assert "第 4 行【联系电话】电话号码格式不正确" in text
        with use_community(community):
            assert Resident.objects.count() == 0

    def test_nothing_readable_exits_1(self, community, tmp_path):
        path = tmp_path / "missing.xlsx"

        with pytest.raises(CommandError):
            call_command("import_data", "residents", str(path), stdout=io.StringIO())

    def test_the_community_must_be_named_when_there_are_several(
        self, community, other_community, tmp_path
    ):
        path = write_sheet(tmp_path, [person(0)])

        with pytest.raises(CommandError, match="cuiyuan-1, wenxin"):
            call_command("import_data", "residents", str(path), stdout=io.StringIO())
        call_command(
            "import_data", "residents", str(path), "--community", "wenxin", stdout=io.StringIO()
        )

        with use_community(other_community):
            assert Resident.objects.count() == 1
        with use_community(community):
            assert Resident.objects.count() == 0


class TestUploadPage:
    def test_coordinator_uploads_and_sees_the_row_by_row_report(
        self, client, coordinator, tmp_path
    ):
        path = write_sheet(tmp_path, [person(0), person(1, 出生日期="1960-01-01")])
        client.force_login(coordinator)

        assert client.get("/registry/import/").status_code == 200
        with path.open("rb") as upload:
            response = client.post(
                "/registry/import/", {"kind": "residents", "file": upload}, HTTP_HX_REQUEST="true"
            )

        assert response.status_code == 200
        body = response.content.decode()
        assert "导入 1 行，未导入 1 行" in body
        assert "第 4 行" in body and "出生日期与身份证号码不一致" in body
        assert "<html" not in body  # HTMX gets the report only

    def test_strict_checkbox_imports_nothing(self, client, coordinator, community, tmp_path):
        path = write_sheet(tmp_path, [person(0), person(1, 联系电话="1")])
        client.force_login(coordinator)

        with path.open("rb") as upload:
            response = client.post(
                "/registry/import/", {"kind": "residents", "file": upload, "strict": "on"}
            )

        assert "严格模式" in response.content.decode()
        with use_community(community):
            assert Resident.objects.count() == 0

    def test_an_oversized_upload_is_refused_before_it_is_read(
        self, client, coordinator, community, tmp_path, monkeypatch
    ):
        from kuihua.registry import import_views

        monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 1024)
        path = write_sheet(tmp_path, [person(i) for i in range(30)])
        client.force_login(coordinator)

        with path.open("rb") as upload:
            response = client.post("/registry/import/", {"kind": "residents", "file": upload})

        assert "文件太大" in response.content.decode()
        with use_community(community):
            assert Resident.objects.count() == 0

    def test_a_non_xlsx_upload_is_refused_by_the_form(self, client, coordinator, tmp_path):
        client.force_login(coordinator)
        path = tmp_path / "a.csv"
        path.write_text("姓名\n张三\n")

        with path.open("rb") as upload:
            response = client.post("/registry/import/", {"kind": "residents", "file": upload})

        assert ".xlsx" in response.content.decode()

    @pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ORG_LEADER, Role.RESIDENT])
    def test_others_get_404(self, client, community, role):
        client.force_login(UserFactory(role=role, community=community))

        assert client.get("/registry/import/").status_code == 404
        assert client.post("/registry/import/").status_code == 404
