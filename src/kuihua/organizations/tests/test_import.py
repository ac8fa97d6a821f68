"""Importing and exporting social organizations from and to Excel."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from kuihua.core.models import AccessLog
from kuihua.core.tenancy import use_community
from kuihua.organizations.exporting import organizations_export
from kuihua.organizations.importing import ORGANIZATION_HEADERS, organizations_import_file
from kuihua.organizations.models import Membership, Organization, Stage, StageChange
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def write_sheet(tmp_path, rows, *, headers=ORGANIZATION_HEADERS, name="orgs.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["翠苑一区社区社会组织名录"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    sheet.append(["制表人：王芳"])
    path = tmp_path / name
    workbook.save(path)
    return path


@pytest.fixture
def leaders(in_community):
    make = ResidentFactory
    return {
        "zhang": make(household__building__compound__community=in_community, name="张秀英"),
        "li1": make(
            household__building__compound__community=in_community, name="李明", phone="13811110001"
        ),
        "li2": make(
            household__building__compound__community=in_community, name="李明", phone="13811110002"
        ),
    }


def test_imports_categories_stages_dates_and_leaders(in_community, coordinator, leaders, tmp_path):
    rows = [
        {
            "组织名称": "夕阳红志愿服务队",
            "类别": "公益志愿型",
            "发展阶段": "品牌组织",
            "成立日期": dt.datetime(2014, 5, 1),
            "负责人": "张秀英",
            "简介": "关爱独居老人",
        },
        {
            "组织名称": "翠苑合唱团",
            "类别": "文体",
            "发展阶段": "已备案",
            "成立日期": "2016年3月8日",
            "负责人": "李明",
            "负责人电话": "138-1111-0002",
        },
        {
            "组织名称": "亲子读书会",
            "类别": "学习型",
            "负责人": "李明",
            "负责人身份证号码": leaders["li1"].id_number,
        },
        {"组织名称": " 平安巡逻队 ", "类别": "治理型", "发展阶段": "孵化中"},
    ]

    report = organizations_import_file(write_sheet(tmp_path, rows), actor=coordinator)

    assert (report.rows_total, report.imported, report.errors) == (4, 4, [])
    brand = Organization.objects.get(name="夕阳红志愿服务队")
    assert (brand.category, brand.stage, brand.founded_on) == (
        "welfare",
        Stage.BRAND,
        dt.date(2014, 5, 1),
    )
    assert brand.leader == leaders["zhang"]
    assert Membership.objects.get(organization=brand).role == Membership.Role.LEADER
    assert list(
        StageChange.objects.filter(organization=brand).values_list("to_stage", flat=True)
    ) == ["incubating", "filed", "registered", "brand"]
    assert Organization.objects.get(name="翠苑合唱团").leader == leaders["li2"]
    assert Organization.objects.get(name="亲子读书会").leader == leaders["li1"]
    assert Organization.objects.get(name="平安巡逻队").leader is None


def test_reports_each_bad_row_and_imports_the_rest(in_community, coordinator, leaders, tmp_path):
    organizations_import_file(
        write_sheet(tmp_path, [{"组织名称": "已有的组织", "类别": "服务型"}], name="a.xlsx"),
        actor=coordinator,
    )
    rows = [
        {"组织名称": "好组织", "类别": "服务型"},
        {"组织名称": "怪组织", "类别": "娱乐型"},
        {"组织名称": "跳级组织", "类别": "服务型", "发展阶段": "上市"},
        {"组织名称": "无人组织", "类别": "服务型", "负责人": "查无此人"},
        {"组织名称": "重名组织", "类别": "服务型", "负责人": "李明"},
        {"组织名称": "好组织", "类别": "学习型"},
        {"组织名称": "已有的组织", "类别": "服务型"},
        {"组织名称": "未来组织", "类别": "服务型", "成立日期": "2999-01-01"},
        {"组织名称": "", "类别": "服务型", "简介": "没有名字"},
    ]

    report = organizations_import_file(write_sheet(tmp_path, rows), actor=coordinator)

    assert report.imported == 1
    assert {(e.row, e.column): e.message for e in report.errors} == {
        (4, "类别"): "类别应为：治理型、文体型、服务型、公益志愿型、学习型",
        (5, "发展阶段"): "发展阶段应为：孵化中、已备案、已登记、品牌组织",
        (6, "负责人"): "没有找到名为“查无此人”的居民，请先登记负责人",
        (7, "负责人"): "有多位居民名为“李明”，请填写负责人身份证号码",
        (8, "组织名称"): "组织名称与第 3 行重复",
        (9, "组织名称"): "已有同名组织",
        (10, "成立日期"): "成立日期不能晚于今天",
        (11, "组织名称"): "组织名称不能为空",
    }
    assert set(Organization.objects.values_list("name", flat=True)) == {"已有的组织", "好组织"}


def test_strict_mode_imports_nothing_when_a_row_is_bad(in_community, coordinator, tmp_path):
    rows = [{"组织名称": "好组织", "类别": "服务型"}, {"组织名称": "坏组织", "类别": "?"}]

    report = organizations_import_file(write_sheet(tmp_path, rows), actor=coordinator, strict=True)

    assert (report.imported, report.rejected, report.exit_code) == (0, 1, 1)
    assert not Organization.objects.exists()


def test_a_leader_id_that_does_not_match_the_name_is_refused(
    in_community, coordinator, leaders, tmp_path
):
    rows = [
        {
            "组织名称": "甲",
            "类别": "服务型",
            "负责人": "张秀英",
            "负责人身份证号码": leaders["li1"].id_number,
        }
    ]

    report = organizations_import_file(write_sheet(tmp_path, rows), actor=coordinator)

    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "负责人", "负责人姓名与身份证号码不符")
    ]


def test_export_masks_the_leader_and_reimports_into_another_community(
    community, other_community, coordinator, tmp_path
):
    # given: the same leader registered in both communities
    with use_community(community):
        leader = ResidentFactory(household__building__compound__community=community, name="张秀英")
        rows = [
            {
                "组织名称": "夕阳红志愿服务队",
                "类别": "公益志愿型",
                "发展阶段": "已登记",
                "成立日期": dt.date(2014, 5, 1),
                "负责人": "张秀英",
                "简介": "关爱独居老人",
            },
            {"组织名称": "翠苑合唱团", "类别": "文体型"},
        ]
        organizations_import_file(write_sheet(tmp_path, rows, name="in.xlsx"), actor=coordinator)
    ResidentFactory(
        household__building__compound__community=other_community,
        name="张秀英",
        id_number=leader.id_number,
    )

    # when: a masked export, then a whole one through the command, imported next door
    with use_community(community):
        organizations_export(tmp_path / "masked.xlsx", actor=coordinator)
    call_command(
        "export_data",
        "organizations",
        str(tmp_path / "whole.xlsx"),
        "--whole",
        "--community",
        "cuiyuan-1",
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command(
        "import_data",
        "organizations",
        str(tmp_path / "whole.xlsx"),
        "--json",
        "--community",
        "wenxin",
        stdout=out,
    )

    # then
    masked = list(load_workbook(tmp_path / "masked.xlsx").active.iter_rows(values_only=True))
    assert list(masked[1]) == ORGANIZATION_HEADERS
    by_name = {r[0]: r for r in masked[2:]}
    assert by_name["夕阳红志愿服务队"][5].count("*") == 11
    assert json.loads(out.getvalue())["imported"] == 2
    with use_community(other_community):
        copied = Organization.objects.select_related("leader").get(name="夕阳红志愿服务队")
        assert (copied.category, copied.stage, copied.founded_on, copied.description) == (
            "welfare",
            Stage.REGISTERED,
            dt.date(2014, 5, 1),
            "关爱独居老人",
        )
        assert copied.leader.name == "张秀英"
        assert copied.leader.community_id == other_community.pk
    with use_community(community):
        assert AccessLog.objects.filter(subject_id=leader.pk, action="export").count() == 1
