"""Exporting residents to Excel: masked by default, whole only for coordinators, re-importable."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.models import AccessLog, AuditLog
from kuihua.core.tenancy import use_community
from kuihua.registry.exporting import residents_export
from kuihua.registry.importing import RESIDENT_HEADERS, residents_import_file
from kuihua.registry.models import Resident
from kuihua.registry.tests.factories import ResidentFactory, make_id_number, tag
from kuihua.registry.tests.test_import import HEADERS, person, write_sheet

pytestmark = pytest.mark.django_db


def rows_of(path):
    sheet = load_workbook(path).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def snapshot() -> list[tuple]:
    """Everything an export carries about each resident, comparable across communities."""
    out = []
    for r in Resident.objects.select_related("household__building__compound").order_by(
        "id_number_index", "name"
    ):
        contact = r.emergency_contacts.first()
        out.append(
            (
                r.name,
                r.sex,
                r.ethnicity,
                r.id_number,
                r.birth_date,
                r.phone,
                r.household.address,
                r.relation_to_head,
                r.political_status,
                r.category,
                r.notes,
                tuple(sorted(t.name for t in r.tags.all())),
                (contact.name, contact.phone, contact.relation) if contact else None,
            )
        )
    return out


@pytest.fixture
def seeded(in_community, coordinator):
    resident = ResidentFactory(
        household__building__compound__community=in_community,
        name="张三",
        phone="13812345678",
        notes='=HYPERLINK("http://x")',
        tags=[tag(in_community, "living_alone"), tag(in_community, "ill_disabled")],
    )
    return resident


def test_a_masked_export_has_the_title_the_headers_and_masked_numbers(
    seeded, coordinator, tmp_path
):
    path = tmp_path / "out.xlsx"

    count = residents_export(path, actor=coordinator)

    rows = rows_of(path)
    assert count == 1
    assert "翠苑一区社区居民信息表" in rows[0][0]
    assert rows[1] == RESIDENT_HEADERS
    data = dict(zip(RESIDENT_HEADERS, rows[2], strict=True))
    assert data["姓名"] == "张三"
    assert data["身份证号码"] == seeded.id_number[:3] + "*" * 11 + seeded.id_number[-4:]
    assert data["联系电话"] == "138****5678"
    assert data["标签"] == "独居"  # the health tag stays out of a masked export
    assert data["备注"] == '=HYPERLINK("http://x")'  # text, never a formula
    assert not AccessLog.objects.exists()
    assert AuditLog.objects.get(action="resident.export").new == {"count": 1, "whole": False}


def test_a_whole_export_logs_an_access_per_resident(seeded, coordinator, tmp_path):
    ResidentFactory(household=seeded.household, relation_to_head=Resident.Relation.SPOUSE)
    path = tmp_path / "out.xlsx"

    residents_export(path, actor=coordinator, whole=True)

    data = dict(zip(RESIDENT_HEADERS, rows_of(path)[2], strict=True))
    assert data["身份证号码"] == seeded.id_number
    assert data["出生日期"] == dt.datetime(1950, 3, 12)  # a real Excel date
    assert set(data["标签"].split("、")) == {"独居", "病残"}
    logs = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=coordinator)
    assert logs.count() == 2
    assert {log.subject_id for log in logs} == set(Resident.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ORG_LEADER, Role.DISTRICT_VIEWER])
def test_only_coordinators_may_export_whole(seeded, community, tmp_path, role):
    user = UserFactory(role=role, community=community)

    with pytest.raises(PermissionDenied):
        residents_export(tmp_path / "out.xlsx", actor=user, whole=True)

    assert not AccessLog.objects.exists()


def test_export_then_import_into_another_community_gives_the_same_residents(
    community, other_community, coordinator, tmp_path
):
    # given: a community imported from a full sheet (households, tags, contacts, party …)
    headers = [
        *HEADERS,
        "民族",
        "政治面貌",
        "人员类别",
        "标签",
        "紧急联系人",
        "紧急联系电话",
        "备注",
    ]
    rows = [
        person(
            0,
            政治面貌="党员",
            标签="独居、病残",
            紧急联系人="王小明（儿子）",
            紧急联系电话="13800000000",
            备注="行动不便",
        ),
        person(1, 室="101", 与户主关系="妻", 性别="", 民族="回族", 政治面貌="团员"),
        person(2, 小区="翠苑二区", 楼栋="3幢", 单元="", 人员类别="低保"),
        person(3, 身份证号码="", 出生日期=dt.date(1949, 10, 1), 性别="女", 联系电话=""),
    ]
    rows[1]["身份证号码"] = make_id_number(rows[1]["出生日期"], 1, male=False)
    with use_community(community):
        assert (
            residents_import_file(
                write_sheet(tmp_path, rows, headers=headers, name="in.xlsx"), actor=coordinator
            ).errors
            == []
        )
        before = snapshot()
    path = tmp_path / "out.xlsx"

    # when: exported whole through the command, then imported into the other community
    call_command(
        "export_data",
        "residents",
        str(path),
        "--whole",
        "--community",
        "cuiyuan-1",
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command(
        "import_data", "residents", str(path), "--community", "wenxin", "--json", stdout=out
    )

    # then
    assert '"rejected": 0' in out.getvalue()
    with use_community(other_community):
        assert snapshot() == before
    assert len(before) == 4


def test_the_export_command_needs_the_community_when_there_are_several(
    community, other_community, tmp_path
):
    with pytest.raises(CommandError, match="--community"):
        call_command("export_data", "residents", str(tmp_path / "x.xlsx"), stdout=io.StringIO())


def test_the_export_command_refuses_whole_for_a_non_coordinator(community, tmp_path):
    UserFactory(username="vol", role=Role.VOLUNTEER, community=community)

    with pytest.raises(CommandError):
        call_command(
            "export_data",
            "residents",
            str(tmp_path / "x.xlsx"),
            "--whole",
            "--user",
            "vol",
            stdout=io.StringIO(),
        )
