"""Owners (业主) and floor areas from and to Excel: the homes must exist, owners are
matched to residents, every refusal says why, and the same file twice changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kuihua.core.models import AccessLog, AuditLog
from kuihua.core.sheets import SHEET_KINDS
from kuihua.core.tenancy import use_community
from kuihua.registry import services
from kuihua.registry.models import Household, Ownership
from kuihua.registry.owners_exporting import owners_export
from kuihua.registry.owners_importing import owners_import_file
from kuihua.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    ResidentFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

HEADERS = ["小区", "楼栋", "单元", "室", "专有面积（㎡）", "业主姓名", "业主身份证号", "业主电话"]


def sheet(rows, *, headers=HEADERS, title="翠苑一区业主登记表") -> io.BytesIO:
    """An .xlsx in memory: a title row, the header (row 2), data from row 3."""
    workbook = Workbook()
    ws = workbook.active
    ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def row(room, area=None, name=None, id_number=None, phone=None, *, compound="翠苑一区"):
    return [compound, "1幢", "1单元", f"{room}室", area, name, id_number, phone]


def errors_by_row(report):
    return {e.row: (e.column, e.message) for e in report.errors}


def owners() -> list[tuple]:
    return sorted(
        (o.household.room, o.name, o.resident_id is not None, o.phone)
        for o in Ownership.objects.select_related("household")
    )


def areas() -> dict[str, Decimal | None]:
    return dict(Household.objects.values_list("room", "exclusive_area"))


@pytest.fixture
def homes(in_community, compound):
    """翠苑一区 1幢 1单元 101, 102, 201, 202, 301: a couple in 101, 周国华 in 301."""
    building = BuildingFactory(compound=compound, name="1幢")
    made = {
        room: HouseholdFactory(building=building, unit="1", room=room)
        for room in ("101", "102", "201", "202", "301")
    }
    return made


@pytest.fixture
def people(homes):
    born = dt.date(1950, 3, 12)  # the factory's birth date
    return {
        "王强": ResidentFactory(
            household=homes["101"], name="王强", id_number=make_id_number(born, 401)
        ),
        "赵丽": ResidentFactory(
            household=homes["101"], name="赵丽", id_number=make_id_number(born, 402, male=False)
        ),
        "周国华": ResidentFactory(
            household=homes["301"], name="周国华", id_number=make_id_number(born, 403)
        ),
    }


def happy_rows(people):
    return [
        row("101", "89.5", "王强"),  # matched by name among the home's residents
        row("101", "89.50", "赵丽"),  # co-owner, the same area written another way
        row("301", "120", "周国华", people["周国华"].id_number),  # three homes, by ID number
        row("102", "60.25㎡", "周国华", people["周国华"].id_number),
        row("201", None, "周国华", people["周国华"].id_number),  # no area: the home keeps none
        row("202", "75", "陈志远", None, "137 0000 2222"),  # lives elsewhere
    ]


def test_co_owners_an_owner_of_three_homes_and_an_owner_living_elsewhere(people, coordinator):
    report = owners_import_file(sheet(happy_rows(people)), actor=coordinator)

    assert report.errors == []
    assert report.warnings == []
    assert (report.imported, report.rejected) == (6, 0)
    assert owners() == [
        ("101", "王强", True, ""),
        ("101", "赵丽", True, ""),
        ("102", "周国华", True, ""),
        ("201", "周国华", True, ""),
        ("202", "陈志远", False, "13700002222"),
        ("301", "周国华", True, ""),
    ]
    assert areas() == {
        "101": Decimal("89.50"),
        "102": Decimal("60.25"),
        "201": None,
        "202": Decimal("75.00"),
        "301": Decimal("120.00"),
    }
    assert Ownership.objects.filter(resident=people["周国华"]).count() == 3
    assert AuditLog.objects.filter(action="ownership.import").count() == 1
    assert AuditLog.objects.filter(action="ownership.add").count() == 6


def test_an_empty_area_keeps_the_area_on_record(people, coordinator, homes):
    services.home_area_set(actor=coordinator, household=homes["101"], area="88")

    report = owners_import_file(sheet([row("101", None, "王强")]), actor=coordinator)

    assert report.errors == []
    assert areas()["101"] == Decimal("88.00")


@pytest.mark.parametrize(
    "bad, column, message",
    [
        (
            row("909", "80", "王强"),
            "室",
            "找不到该房屋：翠苑一区1幢1单元909室，请先在居民信息里登记这套房屋",
        ),
        (row("101", "80", "王强", compound="翠苑九区"), "室", "找不到该房屋"),
        (["翠苑一区", "", "1", "101", "80", "王强", None, None], "楼栋", "住址不完整"),
        (row("101", "八十", "王强"), "专有面积", "不是数字"),
        (row("101", "0", "王强"), "专有面积", "须大于 0"),
        (row("101", "80.123", "王强"), "专有面积", "两位小数"),
        (row("101", "80", "王强", "330106196205010011"), "业主身份证号", "校验位"),
        (row("202", "80", "陈志远", None, "12345"), "业主电话", "电话号码格式不正确"),
        (row("202", "80", "陈志远", None, "137****2222"), "业主电话", "已脱敏"),
        (row("202", "80", "陈1远", None, "13700002222"), "业主姓名", "数字"),
        (row("202", None, None), "业主姓名", "既没有业主姓名，也没有面积"),
        (row("202", "#N/A", "陈志远"), "专有面积", "公式错误"),
    ],
)
def test_a_wrong_row_is_refused_with_its_reason_and_the_good_row_goes_in(
    people, coordinator, bad, column, message
):
    report = owners_import_file(
        sheet([bad, row("102", "60", "陈志远", None, "13700002222")]), actor=coordinator
    )

    assert report.rejected == 1
    assert report.imported == 1
    assert errors_by_row(report)[3][0] == column
    assert message in errors_by_row(report)[3][1]
    assert owners() == [("102", "陈志远", False, "13700002222")]
    assert Household.objects.count() == 5  # no home made from this sheet


def test_an_id_number_of_someone_else_refuses_the_row(people, coordinator):
    report = owners_import_file(
        sheet([row("101", "80", "王强", people["赵丽"].id_number)]), actor=coordinator
    )

    assert "登记的居民是“赵丽”" in errors_by_row(report)[3][1]
    assert owners() == []


def test_two_areas_for_one_home_refuse_the_second_row(people, coordinator):
    report = owners_import_file(
        sheet([row("101", "89.5", "王强"), row("101", "90", "赵丽")]), actor=coordinator
    )

    assert errors_by_row(report) == {
        4: ("专有面积", "同一套房屋在第 3 行的面积是 89.50 ㎡，与本行不一致")
    }
    assert owners() == [("101", "王强", True, "")]
    assert areas()["101"] == Decimal("89.50")


def test_the_same_owner_twice_in_a_sheet_refuses_the_second_row(people, coordinator):
    report = owners_import_file(
        sheet([row("101", "89.5", "王强"), row("101", "89.5", "王强")]), actor=coordinator
    )

    assert "与第 3 行是同一套房屋的同一位业主" in errors_by_row(report)[4][1]
    assert len(owners()) == 1


def test_an_unknown_id_number_is_a_warning_and_the_owner_is_recorded_by_name(people, coordinator):
    stranger = make_id_number(dt.date(1970, 1, 1), 7)

    report = owners_import_file(
        sheet([row("202", "70", "孙红", stranger, "13900001111")]), actor=coordinator
    )

    assert report.errors == []
    assert [(w.row, w.column) for w in report.warnings] == [(3, "业主身份证号")]
    assert "没有这个身份证号码" in report.warnings[0].message
    assert owners() == [("202", "孙红", False, "13900001111")]


def test_importing_the_same_file_again_changes_nothing(people, coordinator):
    owners_import_file(sheet(happy_rows(people)), actor=coordinator)
    before = (owners(), areas(), AuditLog.objects.exclude(action="ownership.import").count())

    again = owners_import_file(sheet(happy_rows(people)), actor=coordinator)

    assert again.errors == []
    assert again.imported == 6
    assert again.exit_code == 0
    assert "其中 6 行的业主和面积都已登记，没有变化" in again.notes
    assert (owners(), areas(), AuditLog.objects.exclude(action="ownership.import").count()) == (
        before
    )


def test_strict_mode_imports_nothing_when_a_row_is_wrong(people, coordinator):
    rows = [*happy_rows(people), row("909", "80", "王强")]

    report = owners_import_file(sheet(rows), actor=coordinator, strict=True)

    assert report.imported == 0
    assert report.exit_code == 1
    assert any("严格模式" in n for n in report.notes)
    assert owners() == []
    assert set(areas().values()) == {None}


def test_aliases_and_any_column_order_are_read(people, coordinator):
    headers = ["产权人", "房号", "建筑面积", "楼栋", "单元", "小区", "手机"]

    report = owners_import_file(
        sheet([["陈志远", "202", 70, "1幢", "1", "翠苑一区", "13700002222"]], headers=headers),
        actor=coordinator,
    )

    assert report.errors == []
    assert owners() == [("202", "陈志远", False, "13700002222")]
    assert areas()["202"] == Decimal("70.00")


def test_a_sheet_without_the_owner_column_is_refused_as_a_whole(people, coordinator):
    report = owners_import_file(
        sheet([row("101", "80", "王强")], headers=["小区", "楼栋", "单元", "室", "面积", "姓名"]),
        actor=coordinator,
    )

    assert report.errors[0].row is None
    assert "业主姓名" in report.errors[0].message


def exported(path) -> list[list]:
    return [list(r) for r in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]


def test_the_export_has_a_row_per_owner_and_per_home_with_only_an_area_masked(
    people, coordinator, homes, tmp_path
):
    owners_import_file(sheet(happy_rows(people)), actor=coordinator)
    HouseholdFactory(building=homes["101"].building, unit="1", room="401")  # nothing known
    services.home_area_set(actor=coordinator, household=homes["201"], area="50")
    services.owner_remove(
        actor=coordinator, ownership=Ownership.objects.get(household=homes["201"])
    )
    path = tmp_path / "owners.xlsx"

    count = owners_export(path, actor=coordinator)

    rows = exported(path)
    assert rows[0] == HEADERS
    assert count == len(rows) - 1 == 6
    by_room = {(r[3], r[5]): r for r in rows[1:]}
    assert by_room[("201", None)][4] == 50  # an area and no owner: one row
    assert by_room[("202", "陈志远")][7] == "137****2222"
    assert (
        by_room[("301", "周国华")][6]
        == people["周国华"].id_number[:3] + "*" * 11 + (people["周国华"].id_number[-4:])
    )
    assert "401" not in {r[3] for r in rows[1:]}
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("whole", [False, True])
def test_an_exported_sheet_imports_back_as_it_was(people, coordinator, tmp_path, whole):
    owners_import_file(sheet(happy_rows(people)), actor=coordinator)
    before = (owners(), areas())
    path = tmp_path / "owners.xlsx"
    owners_export(path, actor=coordinator, whole=whole)

    # the same community: nothing changes
    again = owners_import_file(str(path), actor=coordinator)
    assert (again.errors, again.warnings) == ([], [])
    assert (owners(), areas()) == before

    # a whole sheet into a registry that lost its owners and areas: all of it back
    if whole:
        for ownership in Ownership.objects.all():
            services.owner_remove(actor=coordinator, ownership=ownership)
        for home in Household.objects.all():
            services.home_area_set(actor=coordinator, household=home, area=None)
        back = owners_import_file(str(path), actor=coordinator)
        assert (back.errors, back.warnings) == ([], [])
        assert (owners(), areas()) == before


def test_a_whole_export_logs_an_access_per_resident_owner(people, coordinator, tmp_path):
    owners_import_file(sheet(happy_rows(people)), actor=coordinator)

    owners_export(tmp_path / "o.xlsx", actor=coordinator, whole=True)

    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 3


def test_the_commands_import_and_export_owners(community, coordinator, tmp_path):
    assert "owners" in SHEET_KINDS
    with use_community(community):
        building = BuildingFactory(
            compound__community=community, compound__name="翠苑一区", name="1幢"
        )
        HouseholdFactory(building=building, unit="1", room="202")
    path = tmp_path / "in.xlsx"
    path.write_bytes(sheet([row("202", "70", "陈志远", None, "13700002222")]).getvalue())

    out = io.StringIO()
    call_command("import_data", "owners", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["imported"] == 1
    out = io.StringIO()
    call_command("export_data", "owners", str(tmp_path / "out.xlsx"), stdout=out)
    assert "已导出 1 条业主与面积记录" in out.getvalue()

    with pytest.raises(CommandError):
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(sheet([row("909", "70", "陈志远")]).getvalue())
        call_command("import_data", "owners", str(bad), stdout=io.StringIO())


def test_the_upload_page_imports_an_owners_sheet(client, people, coordinator):
    client.force_login(coordinator)
    upload = SimpleUploadedFile(
        "业主.xlsx", sheet([row("909", "80", "王强"), row("101", "80", "王强")]).getvalue()
    )

    page = client.post(reverse("registry:import"), {"kind": "owners", "file": upload})

    html = page.content.decode()
    assert "共 2 行，导入 1 行，未导入 1 行" in html
    assert "找不到该房屋：翠苑一区1幢1单元909室" in html
    assert owners() == [("101", "王强", True, "")]
