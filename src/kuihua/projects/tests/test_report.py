"""The project report that writes itself: every figure of the page, the Excel file and
the report object comes out of the plan, the ledger and the care records of
report_world (counted by hand in its docstring)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tests.clock import days_from_today, today
from kuihua.projects.report import LATE, ON_TIME, OVERDUE, PENDING, project_report
from kuihua.projects.report_exporting import SHEETS
from kuihua.projects.tests.report_world import grow, report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def rw(in_community, coordinator):
    return report_world(in_community, coordinator)


# --- the report itself ------------------------------------------------------------------


def test_the_header_names_the_project_its_lead_partners_and_people(rw):
    head = project_report(rw.project, today=today()).header

    assert head.name == "幸福来敲门·独居老人关爱"
    assert head.domain == "关爱独居老人" and head.status == "实施中"
    assert head.lead == "夕阳红志愿服务队"
    assert head.partners == ("翠苑红十字服务站", "社区卫生服务中心")
    assert set(head.beneficiary_groups) == {"独居", "高龄"}
    assert head.beneficiaries == 4
    assert (head.starts_on, head.ends_on) == (days_from_today(-60), days_from_today(120))


def test_plan_against_done_tells_on_time_late_overdue_and_pending(rw):
    plan = project_report(rw.project, today=today()).plan

    states = {row.title: (row.state, row.days_late) for row in plan.rows}
    assert states == {
        "入户走访建档": (ON_TIME, 0),
        "志愿者培训": (LATE, 5),
        "中期评估": (OVERDUE, 5),
        "结项总结": (PENDING, 0),
    }
    assert (plan.total, plan.done, plan.on_time, plan.late, plan.overdue, plan.pending) == (
        4,
        2,
        1,
        1,
        1,
        1,
    )


def test_budget_against_actual_comes_from_the_posted_ledger(rw):
    budget = project_report(rw.project, today=today()).budget

    lines = {row.name: (row.budget_fen, row.actual_fen, row.spent_share) for row in budget.rows}
    assert lines == {
        "劳务补贴": (300000, 180000, Decimal("0.6")),
        "物资采购": (200000, 235000, Decimal("1.175")),
        "宣传印刷": (50000, 0, Decimal("0")),
        "其他支出": (None, 4000, None),  # spent with no budget line: shown
    }
    assert [row.name for row in budget.overspent] == ["物资采购", "其他支出"]
    assert (budget.budget_fen, budget.actual_fen, budget.remaining_fen) == (
        550000,
        419000,
        131000,
    )
    assert budget.spent_share == Decimal("0.7618")


def test_funding_by_kind_and_the_money_in_hand(rw):
    funding = project_report(rw.project, today=today()).funding

    assert [(k.label, k.amount_fen, k.count) for k in funding.kinds] == [
        ("政府补贴/资助", 500000, 1),
        ("社会捐赠", 120050, 1),
    ]
    subsidy = funding.rows[0]
    assert subsidy.source == "街道社区发展专项资金"
    assert subsidy.conditions == "专款专用，结项后一个月内报送决算"
    assert funding.total_fen == 620050 == funding.income_fen
    assert funding.expense_fen == 419000
    assert funding.balance_fen == 620050 - 419000 == 201050


def test_outputs_are_counted_from_the_attributed_work_against_the_plan(rw):
    outputs = project_report(rw.project, today=today()).outputs

    assert (outputs.start, outputs.end) == (days_from_today(-60), today())
    rows = {row.key: (row.planned, row.actual, row.reached_share) for row in outputs.rows}
    assert rows["person_times"] == (10, 6, Decimal("0.6"))  # the self check-in is not one
    assert rows["people_served"] == (4, 3, Decimal("0.75"))
    assert rows["volunteer_hours"] == (Decimal("20"), Decimal("5"), Decimal("0.25"))
    assert outputs.counted.volunteers == 2


def test_outcomes_against_target_respect_the_direction_and_compute_the_accident_rate(rw):
    outcomes = {row.name: row for row in project_report(rw.project, today=today()).outcomes}

    rate = outcomes["关爱对象意外发生率"]
    assert rate.computed and rate.measured == Decimal("25.00")  # 1 fall among 4, not the typed 1
    assert rate.measured_on == today()
    assert rate.reached is False and rate.state_label == "尚未达到"
    assert outcomes["居民满意度"].reached is True
    assert outcomes["居民满意度"].state_label == "已达到目标"
    assert outcomes["邻里互助参与率"].reached is None
    assert outcomes["邻里互助参与率"].state_label == "尚未测量"


def test_a_lower_is_better_target_is_reached_when_the_rate_falls_to_it(rw):
    from kuihua.projects.models import OutcomeIndicator

    OutcomeIndicator.objects.filter(name="关爱对象意外发生率").update(target=Decimal("25"))

    rate = next(r for r in project_report(rw.project, today=today()).outcomes if r.computed)

    assert rate.reached is True


def test_the_report_reads_a_fixed_number_of_queries_however_big_the_project(
    rw, django_assert_num_queries
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            project_report(rw.project, today=today())
        return len(queries)

    grow(rw, 1)
    small = count()
    grow(rw, 6)
    with django_assert_num_queries(small):
        report = project_report(rw.project, today=today())
    assert len(report.plan.rows) == 4 + 7 and len(report.outcomes) == 3 + 7
    assert small == QUERIES


# project, partners, partner units, tags, milestones, budget lines, fundings,
# indicators, beneficiaries; balances (accounts + legs) and the accounts' kinds;
# the outputs (attendances, deliveries, contacts, hours, people); the accident rate
# (enrolled, hurt).
QUERIES = 19


# --- the page ---------------------------------------------------------------------------


def row_with(html: str, words: str) -> str:
    """The <tr …>…</tr> of the page's table row that contains `words`."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S):
        if words in row:
            return row
    raise AssertionError(f"no row with {words!r}")


def test_the_page_shows_every_section_with_its_figures(client, rw):
    client.force_login(rw.coordinator)

    response = client.get(reverse("projects:report", args=[rw.project.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for words in (
        "幸福来敲门·独居老人关爱 项目报告",
        "夕阳红志愿服务队",
        "翠苑红十字服务站、社区卫生服务中心",
        "计划与完成",
        "预算执行",
        "资金来源",
        "服务产出",
        "成效指标",
        "专款专用，结项后一个月内报送决算",
    ):
        assert words in html
    overspent = row_with(html, "物资采购")
    assert "behind" in overspent and "超支" in overspent
    assert "2,000.00" in overspent and "2,350.00" in overspent and "117.5%" in overspent
    late = row_with(html, "志愿者培训")
    assert "behind" in late and "延期完成" in late and "5 天" in late
    assert "已逾期未完成" in row_with(html, "中期评估")
    assert "behind" not in row_with(html, "入户走访建档")
    total = row_with(html, "合计")
    assert "5,500.00" in total and "4,190.00" in total and "1,310.00" in total
    assert "76.2%" in total
    assert "6,200.50" in html and "2,010.50" in html
    person_times = row_with(html, "服务人次")
    assert "10" in person_times and "6" in person_times and "60.0%" in person_times
    rate = row_with(html, "关爱对象意外发生率")
    assert "25" in rate and "尚未达到" in rate and "behind" in rate
    assert "已达到目标" in row_with(html, "居民满意度")
    assert reverse("projects:report_pdf", args=[rw.project.pk]) in html
    assert reverse("projects:detail", args=[rw.project.pk]) in html
    assert reverse("projects:report_xlsx", args=[rw.project.pk]) in html
    assert "<script>" not in html and "style=" not in html


def test_a_resident_of_the_community_reads_the_report(client, rw, community):
    """The rules: every member of the community reads a project (projects.rules)."""
    resident = UserFactory(role=Role.RESIDENT, community=community)
    client.force_login(resident)

    for name in ("projects:report", "projects:report_xlsx", "projects:report_pdf"):
        assert client.get(reverse(name, args=[rw.project.pk])).status_code == 200


def test_a_user_of_another_community_gets_404(client, rw, other_community):
    outsider = UserFactory(role=Role.COORDINATOR, community=other_community)
    client.force_login(outsider)

    for name in ("projects:report", "projects:report_xlsx", "projects:report_pdf"):
        assert client.get(reverse(name, args=[rw.project.pk])).status_code == 404


def test_someone_signed_out_is_sent_to_sign_in(client, rw):
    response = client.get(reverse("projects:report", args=[rw.project.pk]))

    assert response.status_code == 302 and "login" in response["Location"]


# --- the Excel file ---------------------------------------------------------------------


def sheet_rows(sheet) -> list[dict]:
    headers = [cell.value for cell in sheet[2]]
    return [
        dict(zip(headers, values, strict=True))
        for values in sheet.iter_rows(min_row=3, values_only=True)
    ]


def test_the_excel_file_has_a_sheet_per_section_with_the_figures(client, rw):
    client.force_login(rw.coordinator)

    response = client.get(reverse("projects:report_xlsx", args=[rw.project.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert (
        book.sheetnames
        == SHEETS
        == ["概况", "计划进度", "预算执行", "资金来源", "服务产出", "成效指标"]
    )

    summary = {row["项目"]: row["内容"] for row in sheet_rows(book["概况"])}
    assert summary["项目名称"] == "幸福来敲门·独居老人关爱"
    assert summary["牵头组织"] == "夕阳红志愿服务队"
    assert summary["账面结余（元）"] == Decimal("2010.50")

    plan = {row["计划事项"]: row for row in sheet_rows(book["计划进度"])}
    assert plan["志愿者培训"]["进度"] == "延期完成" and plan["志愿者培训"]["延期天数"] == 5
    assert plan["志愿者培训"]["实际完成日期"].date() == days_from_today(-15)
    assert plan["中期评估"]["进度"] == "已逾期未完成"

    budget = {row["支出科目"]: row for row in sheet_rows(book["预算执行"])}
    assert budget["物资采购"]["预算（元）"] == Decimal("2000.00")
    assert budget["物资采购"]["实际支出（元）"] == Decimal("2350.00")
    assert budget["物资采购"]["结余（元）"] == Decimal("-350.00")
    assert budget["物资采购"]["超支"] == "超支"
    assert budget["劳务补贴"]["超支"] in ("", None)
    assert budget["合计"]["实际支出（元）"] == Decimal("4190.00")
    assert budget["合计"]["执行率"] == pytest.approx(0.7618)

    funding = sheet_rows(book["资金来源"])
    subsidy = next(row for row in funding if row["资金来源"] == "街道社区发展专项资金")
    assert subsidy["资金类型"] == "政府补贴/资助" and subsidy["金额（元）"] == Decimal("5000.00")
    assert subsidy["使用条件"] == "专款专用，结项后一个月内报送决算"
    assert next(row for row in funding if row["资金类型"] == "合计")["金额（元）"] == Decimal(
        "6200.50"
    )

    outputs = {row["产出"]: row for row in sheet_rows(book["服务产出"])}
    assert outputs["服务人次"]["计划"] == 10 and outputs["服务人次"]["实际"] == 6
    assert outputs["服务人数"]["完成率"] == pytest.approx(0.75)

    outcomes = {row["指标"]: row for row in sheet_rows(book["成效指标"])}
    assert outcomes["关爱对象意外发生率"]["实测值"] == 25
    assert outcomes["关爱对象意外发生率"]["是否达标"] == "尚未达到"
    assert outcomes["居民满意度"]["是否达标"] == "已达到目标"


# --- what the projects' own services post, and a project with nothing yet --------------


def test_the_report_reads_what_the_projects_services_post_and_a_reversal_takes_back(
    in_community, coordinator
):
    from kuihua.projects import services
    from kuihua.projects.tests.factories import ProjectFactory

    project = ProjectFactory(community=in_community, starts_on=days_from_today(-30))
    line = services.budget_line_set(
        actor=coordinator, project=project, name="场地布置", amount_fen=80000
    )
    services.funding_record(
        actor=coordinator,
        project=project,
        kind="subsidy",
        source="区民政局公益创投",
        amount_fen=100000,
        received_on=days_from_today(-20),
        conditions="须在项目期内用完",
    )
    kept = services.expense_record(
        actor=coordinator,
        project=project,
        budget_line=line,
        amount_fen=60000,
        spent_on=days_from_today(-10),
        memo="展板",
    )
    wrong = services.expense_record(
        actor=coordinator,
        project=project,
        budget_line=line,
        amount_fen=30000,
        spent_on=days_from_today(-5),
        memo="记重了的展板",
    )
    assert kept.number < wrong.number
    before = project_report(project, today=today())
    assert before.budget.rows[0].actual_fen == 90000 and before.budget.rows[0].overspent

    services.expense_reverse(actor=coordinator, project=project, entry=wrong, reason="重复记账")

    after = project_report(project, today=today())
    row = after.budget.rows[0]
    assert (row.name, row.budget_fen, row.actual_fen, row.overspent) == (
        "场地布置",
        80000,
        60000,
        False,
    )
    assert after.funding.kinds[0].amount_fen == 100000
    assert after.funding.rows[0].conditions == "须在项目期内用完"
    assert after.funding.balance_fen == 40000


def test_a_project_not_started_yet_still_has_a_report_of_empty_sections(
    client, in_community, coordinator
):
    from kuihua.projects.tests.factories import ProjectFactory

    project = ProjectFactory(community=in_community, starts_on=days_from_today(10))
    client.force_login(coordinator)

    made = project_report(project, today=today())
    response = client.get(reverse("projects:report", args=[project.pk]))

    assert made.plan.total == 0 and made.budget.rows == () and made.outcomes == ()
    assert all(row.actual in (0, Decimal("0")) for row in made.outputs.rows)
    assert response.status_code == 200
    html = response.content.decode()
    assert "还没有计划节点" in html and "还没有到账的资金" in html and "还没有成效指标" in html
    assert "项目还没有开始，还没有产出。" in html
    for name in ("projects:report_xlsx", "projects:report_pdf"):
        assert client.get(reverse(name, args=[project.pk])).status_code == 200
