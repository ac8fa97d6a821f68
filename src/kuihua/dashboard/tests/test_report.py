"""The annual report (年度报告): a community's and a district's, as PDFs in Chinese whose
figures are the dashboard's, and who may have them."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import unscoped
from kuihua.core.tests.clock import today
from kuihua.dashboard import report_views
from kuihua.dashboard.base import ChartKind, FigureDef, Format
from kuihua.dashboard.report import annual_report, format_number, ordinal
from kuihua.dashboard.report_pdf import render_annual_report_pdf
from kuihua.dashboard.selectors import Dashboard, dashboard_for, shown
from kuihua.organizations.models import Category, Stage
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(
    PDFTOTEXT is None or PDFTOPPM is None, reason="poppler-utils is not installed"
)
EAST, WEST, ELSEWHERE = "翠苑一区社区", "翠苑二区社区", "文新社区"


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    done = subprocess.run(  # noqa: S603 (a fixed program on a file of our own)
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return done.stdout


def pdf_pages_as_png(body: bytes, tmp_path) -> list:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    subprocess.run(  # noqa: S603 (a fixed program on a file of our own)
        [PDFTOPPM, "-png", "-r", "50", str(path), str(tmp_path / "page")],
        capture_output=True,
        check=True,
    )
    return sorted(tmp_path.glob("page*.png"))


@pytest.fixture
def district(db):
    """Two communities of 翠苑街道 with organizations counted by hand, and one elsewhere.

    东: 2 filed (service), 1 brand (learning) → 3; 西: 1 filed (service) → 1; total 4."""
    east = CommunityFactory(name=EAST, code="east", street="翠苑街道")
    west = CommunityFactory(name=WEST, code="west", street="翠苑街道")
    elsewhere = CommunityFactory(name=ELSEWHERE, code="elsewhere", street="文新街道")
    with unscoped():
        OrganizationFactory.create_batch(
            2, community=east, stage=Stage.FILED, category=Category.SERVICE
        )
        OrganizationFactory(community=east, stage=Stage.BRAND, category=Category.LEARNING)
        OrganizationFactory(community=west, stage=Stage.FILED, category=Category.SERVICE)
        OrganizationFactory.create_batch(5, community=elsewhere, stage=Stage.INCUBATING)
    return east, west, elsewhere


def viewer_of(*communities, username="viewer"):
    viewer = UserFactory(username=username, role=Role.DISTRICT_VIEWER, community=None)
    viewer.viewable_communities.set(communities)
    return viewer


def url(name: str, year: int | str | None = None) -> str:
    return reverse(f"dashboard:{name}") + ("" if year is None else f"?year={year}")


def lines_with(text: str, words: str) -> list[str]:
    return [line for line in text.splitlines() if words in line]


# --- the community's report ------------------------------------------------------------


@needs_poppler
def test_the_community_report_renders_and_reads_in_chinese(client, district, tmp_path):
    east, _west, _elsewhere = district
    client.force_login(UserFactory(role=Role.COORDINATOR, community=east))
    year = today().year

    response = client.get(url("annual_report", year))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    name = f"{EAST}{year}年度报告.pdf"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    pages = pdf_pages_as_png(response.content, tmp_path)
    assert pages and all(p.read_bytes().startswith(b"\x89PNG") for p in pages)
    assert pages[0].stat().st_size > 5000  # a page with text on it, not a blank one
    text = pdf_text(response.content, tmp_path)
    for words in (
        f"{EAST} {year} 年度工作报告（数据部分）",
        f"生成日期：{timezone.localdate().isoformat()}",
        "一、社会组织",
        "（1）社会组织发展阶段：3 个",
        "（2）社会组织类别：3 个",
        "口径：目前登记在平台上的社会组织",
        "主要数据如下：社会组织发展阶段 3 个",  # the summary's headline
        "社区（盖章）",
        f"第 1 页，共 {len(pages)} 页",
    ):
        assert words in text, words
    # the tables, from the hand count: 2 filed and 1 brand; 2 service and 1 learning
    assert re.search(r"已备案\s+2\b", text)
    assert re.search(r"品牌组织\s+1\b", text)
    assert re.search(r"学习型\s+1\b", text)
    assert re.search(r"合计\s+3\b", text)
    # another community's name, or its organizations' numbers, never appear
    assert WEST not in text and ELSEWHERE not in text
    assert not re.search(r"孵化中\s+5\b", text)


def test_a_past_year_reads_as_a_whole_year_and_this_one_as_so_far(client, district):
    east, _west, _elsewhere = district
    client.force_login(UserFactory(role=Role.COORDINATOR, community=east))
    board = dashboard_for([east.pk], today().year)

    this_year = annual_report(board, names={east.pk: EAST}, generated_on=today())
    last_year = annual_report(
        dashboard_for([east.pk], today().year - 1),
        names={east.pk: EAST},
        generated_on=today(),
    )

    assert f"数字截至 {today().isoformat()}" in this_year.summary
    assert "截至" not in last_year.summary
    assert this_year.title == f"{EAST} {today().year} 年度工作报告（数据部分）"
    assert client.get(url("annual_report", today().year - 1)).status_code == 200
    assert client.get(url("annual_report")).status_code == 200  # this year when none


@pytest.mark.parametrize("year", ["abc", "1999", "20266", "-1", "next"])
def test_a_bad_year_is_refused_with_a_message(client, district, year):
    east, _west, _elsewhere = district
    client.force_login(UserFactory(role=Role.COORDINATOR, community=east))

    response = client.get(url("annual_report", year))

    assert response.status_code == 400
    assert "年度报告只能按 2000 年到" in response.content.decode()


def test_next_year_is_refused(client, district):
    east, _west, _elsewhere = district
    client.force_login(UserFactory(role=Role.COORDINATOR, community=east))

    response = client.get(url("annual_report", today().year + 1))

    assert response.status_code == 400
    assert f"{today().year} 年之间的年份" in response.content.decode()


# --- the district's report -------------------------------------------------------------


@needs_poppler
def test_the_district_report_sets_communities_side_by_side_with_their_total(
    client, district, tmp_path, monkeypatch
):
    east, west, _elsewhere = district
    calls = []

    def counted(ids, year, **kwargs):
        calls.append(list(ids))
        return dashboard_for(ids, year, **kwargs)

    monkeypatch.setattr(report_views, "dashboard_for", counted)
    client.force_login(viewer_of(east, west))
    year = today().year

    response = client.get(url("district_annual_report", year))

    assert response.status_code == 200
    assert calls == [[east.pk, west.pk]]  # one computation for the whole district
    name = f"翠苑街道{year}年度报告.pdf"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    assert pdf_pages_as_png(response.content, tmp_path)
    text = pdf_text(response.content, tmp_path)
    for words in (
        f"翠苑街道 {year} 年度工作报告（数据部分）",
        f"包括：{EAST}、{WEST}",
        "所辖 2 个社区",
        "各社区主要数字",
        "一、社会组织",
        "（1）社会组织发展阶段：4 个",
        "合计",
        "街道（盖章）",
    ):
        assert words in text, words
    # (pdftotext drops the space before 个 in a table's cells)
    # the overview: 3 in the east, 1 in the west, 4 in total (their sum)
    overview = lines_with(text, "社会组织发展阶段")
    assert any(re.search(r"社会组织发展阶段\s+3\s*个\s+1\s*个\s+4\s*个", line) for line in overview)
    # a figure's table: each community's row and the total's, by stage
    assert any(re.search(rf"{EAST}\s+3\s*个\s+0\s+2\s+0\s+1", line) for line in text.splitlines())
    assert any(re.search(rf"{WEST}\s+1\s*个\s+0\s+1\s+0\s+0", line) for line in text.splitlines())
    assert any(re.search(r"合计\s+4\s*个\s+0\s+3\s+0\s+1", line) for line in text.splitlines())
    assert ELSEWHERE not in text


def test_the_district_total_is_the_sum_of_its_communities(district):
    east, west, _elsewhere = district
    board = dashboard_for([east.pk, west.pk], today().year)

    made = annual_report(
        board, names={east.pk: EAST, west.pk: WEST}, generated_on=today(), district="翠苑街道"
    )

    grid = made.overview[0]
    assert grid.header == ["指标", EAST, WEST, "合计"]
    by_title = {row[0]: row[1:] for row in grid.rows}
    assert by_title["社会组织发展阶段"] == ["3 个", "1 个", "4 个"]
    assert by_title["社会组织类别"] == ["3 个", "1 个", "4 个"]
    stages = made.sections[0].figures[0]
    assert stages.value == "4 个"
    assert stages.tables[0].total_last
    assert [row[0] for row in stages.tables[0].rows] == [EAST, WEST, "合计"]
    for column in range(1, len(stages.tables[0].header)):
        east_n, west_n, total_n = (int(r[column].split()[0]) for r in stages.tables[0].rows)
        assert total_n == east_n + west_n


@needs_poppler
def test_a_district_over_several_streets_has_each_streets_subtotal(client, district, tmp_path):
    east, west, elsewhere = district
    client.force_login(viewer_of(east, west, elsewhere))

    response = client.get(url("district_annual_report"))

    text = pdf_text(response.content, tmp_path)
    assert f"西湖区 {today().year} 年度工作报告（数据部分）" in text  # their common district
    board = dashboard_for([east.pk, west.pk, elsewhere.pk], today().year)
    made = annual_report(
        board,
        names={east.pk: EAST, west.pk: WEST, elsewhere.pk: ELSEWHERE},
        streets={east.pk: "翠苑街道", west.pk: "翠苑街道", elsewhere.pk: "文新街道"},
        generated_on=today(),
        district="西湖区",
    )
    stages = made.sections[0].figures[0].tables[0]
    assert [row[:2] for row in stages.rows] == [
        [ELSEWHERE, "5 个"],
        ["文新街道小计", "5 个"],
        [EAST, "3 个"],
        [WEST, "1 个"],
        ["翠苑街道小计", "4 个"],
        ["合计", "9 个"],
    ]
    assert stages.marked_rows == (1, 4)
    assert made.overview[0].header == [
        "指标",
        ELSEWHERE,
        "文新街道小计",
        EAST,
        WEST,
        "翠苑街道小计",
        "合计",
    ]
    assert re.search(r"翠苑街道小计\s+4\s*个\s+0\s+3\s+0\s+1", text)


# --- who may have them -----------------------------------------------------------------


def test_a_resident_gets_neither_report(client, district):
    east, _west, _elsewhere = district
    client.force_login(UserFactory(role=Role.RESIDENT, community=east))

    assert client.get(url("annual_report")).status_code == 403
    assert client.get(url("district_annual_report")).status_code == 403


def test_a_coordinator_gets_no_district_report(client, district):
    east, _west, _elsewhere = district
    client.force_login(UserFactory(role=Role.COORDINATOR, community=east))

    assert client.get(url("district_annual_report")).status_code == 403


def test_signing_in_comes_first(client, district):
    response = client.get(url("annual_report"))
    assert response.status_code == 302


@needs_poppler
def test_a_viewer_names_one_of_their_communities_and_no_other(client, district, tmp_path):
    east, west, elsewhere = district
    client.force_login(viewer_of(east, west))

    response = client.get(url("annual_report") + f"?community={west.pk}")

    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert f"{WEST} {today().year} 年度工作报告" in text and EAST not in text
    assert "社会组织发展阶段：1 个" in text
    for other in (str(elsewhere.pk), "x"):
        assert client.get(url("annual_report") + f"?community={other}").status_code == 404


def test_a_coordinator_cannot_name_another_community(client, district):
    east, west, _elsewhere = district
    client.force_login(UserFactory(role=Role.COORDINATOR, community=east))

    assert client.get(url("annual_report") + f"?community={west.pk}").status_code == 404


@needs_poppler
def test_a_viewer_of_other_communities_reads_only_theirs(client, district, tmp_path):
    _east, _west, elsewhere = district
    client.force_login(viewer_of(elsewhere, username="wenxin-viewer"))

    district_text = pdf_text(client.get(url("district_annual_report")).content, tmp_path)
    community_text = pdf_text(client.get(url("annual_report")).content, tmp_path)

    for text in (district_text, community_text):
        assert ELSEWHERE in text
        assert EAST not in text and WEST not in text
        assert "社会组织发展阶段：5 个" in text


# --- whatever figures are registered ---------------------------------------------------


def _figure(**kwargs) -> FigureDef:
    defaults = {
        "key": "test_rate",
        "section": "not_a_known_section",
        "title": "测试比例",
        "definition": "分子除以分母。",
        "parts": lambda year: {},
        "value": lambda parts: None,
        "format": Format.PERCENT,
    }
    return FigureDef(**{**defaults, **kwargs})


@needs_poppler
def test_a_figure_with_no_chart_and_no_value_reads_as_a_dash_under_a_generic_heading(tmp_path):
    rate = shown(_figure(), {})
    fees = shown(
        _figure(
            key="test_fees",
            section="fees",
            title="测试收费",
            value=lambda parts: parts.get("fen", 0),
            format=Format.YUAN,
            chart=ChartKind.BAR,
            series=lambda parts: [("一月", 12345), ("二月", 0)],
        ),
        {"fen": 123456},
    )
    board = Dashboard(today().year, [1], {1: [rate, fees]}, [rate, fees], timezone.now())

    made = annual_report(board, names={1: "测试社区"}, generated_on=today())
    text = pdf_text(render_annual_report_pdf(made), tmp_path)

    assert [s.heading for s in made.sections] == ["一、小区收费", "二、其他统计"]
    assert made.sections[1].figures[0].chart is None
    assert made.sections[1].figures[0].value == "—"
    assert "（1）测试比例：—" in text
    assert "（1）测试收费：¥1,234.56" in text
    assert re.search(r"一月\s+¥123.45", text)
    assert re.search(r"合计\s+¥123.45", text)
    # the chart is drawn in yuan, as the page draws it
    assert made.sections[0].figures[0].series == [("一月", Decimal("123.45")), ("二月", 0)]


def test_numbers_are_written_as_people_read_them():
    assert format_number(None, Format.COUNT) == "—"
    assert format_number(12345, Format.COUNT) == "12,345"
    assert format_number(Decimal("1234.56"), Format.DECIMAL) == "1,234.6"
    assert format_number(Decimal("7"), Format.DECIMAL) == "7"
    assert format_number(Decimal("2.5"), Format.COUNT) == "3"
    assert format_number(Decimal("0.8125"), Format.PERCENT) == "81.3%"
    assert format_number(1, Format.PERCENT) == "100.0%"
    assert format_number(123456, Format.YUAN) == "¥1,234.56"
    numbers = [ordinal(n) for n in (1, 9, 10, 11, 20, 23)]
    assert numbers == ["一", "九", "十", "十一", "二十", "二十三"]


# --- the command line ------------------------------------------------------------------


@needs_poppler
def test_the_command_writes_a_communitys_or_a_districts_report(district, tmp_path):
    year = today().year
    one, both = tmp_path / "one.pdf", tmp_path / "both.pdf"

    call_command("annual_report", "--community", "east", "--year", str(year), "--output", str(one))
    call_command(
        "annual_report", "--community", "east", "--community", "west", "--output", str(both)
    )

    one_text = pdf_text(one.read_bytes(), tmp_path)
    assert f"{EAST} {year} 年度工作报告（数据部分）" in one_text and WEST not in one_text
    both_text = pdf_text(both.read_bytes(), tmp_path)
    assert f"翠苑街道 {year} 年度工作报告（数据部分）" in both_text
    assert "（1）社会组织发展阶段：4 个" in both_text


def test_the_command_refuses_an_unknown_community_or_a_bad_year(district, tmp_path):
    out = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="没有这个社区代码：nowhere"):
        call_command("annual_report", "--community", "nowhere", "--output", out)
    with pytest.raises(CommandError, match="年度报告只能按"):
        call_command("annual_report", "--community", "east", "--year", "1900", "--output", out)


def test_a_wide_district_is_split_into_tables_that_fit_the_page():
    months = _figure(
        key="test_months",
        section="activities",
        title="每月活动",
        value=lambda parts: sum(parts.values()),
        format=Format.COUNT,
        chart=ChartKind.LINE,
        series=lambda parts: [(f"{m}月", parts.get(f"month:{m:02d}", 0)) for m in range(1, 13)],
    )
    ids = list(range(1, 9))
    each = {cid: [shown(months, {f"month:{cid:02d}": cid})] for cid in ids}
    total = [shown(months, {f"month:{cid:02d}": cid for cid in ids})]
    board = Dashboard(today().year, ids, each, total, timezone.now())

    made = annual_report(
        board, names={cid: f"社区{cid}" for cid in ids}, generated_on=today(), district="某街道"
    )

    overview = made.overview
    assert [g.header for g in overview] == [
        ["指标", "社区1", "社区2", "社区3", "社区4", "社区5"],
        ["指标", "社区6", "社区7", "社区8", "合计"],
    ]
    assert overview[-1].rows == [["每月活动", "6", "7", "8", "36"]]
    tables = made.sections[0].figures[0].tables
    assert [len(t.header) - 1 for t in tables] == [7, 6]  # the value and 12 months
    assert all(t.header[0] == "社区" and t.total_last for t in tables)
    assert all([r[0] for r in t.rows] == [*(f"社区{c}" for c in ids), "合计"] for t in tables)
    assert tables[0].rows[-1][:3] == ["合计", "36", "1"]
    assert made.sections[0].heading == "一、社区活动"


def test_an_account_without_a_community_gets_no_community_report(client, db):
    client.force_login(UserFactory(role=Role.COORDINATOR, community=None))

    assert client.get(url("annual_report")).status_code == 403


def test_a_long_series_runs_across_the_page_and_an_empty_chart_is_left_out():
    months = _figure(
        key="test_months",
        section="activities",
        title="每月活动",
        value=lambda parts: sum(parts.values()),
        format=Format.COUNT,
        chart=ChartKind.LINE,
        series=lambda parts: [(f"{m}月", parts.get(f"month:{m:02d}", 0)) for m in range(1, 13)],
    )
    busy, idle = shown(months, {"month:03": 4, "month:11": 2}), shown(months, {})
    for item, chart in ((busy, ChartKind.LINE), (idle, None)):
        board = Dashboard(today().year, [1], {1: [item]}, [item], timezone.now())

        block = annual_report(board, names={1: "测试社区"}, generated_on=today()).sections[0]

        assert block.figures[0].chart == chart
    tables = (
        annual_report(
            Dashboard(today().year, [1], {1: [busy]}, [busy], timezone.now()),
            names={1: "测试社区"},
            generated_on=today(),
        )
        .sections[0]
        .figures[0]
        .tables
    )
    assert [t.header for t in tables] == [
        ["项目", "1月", "2月", "3月", "4月", "5月", "6月", "7月"],
        ["项目", "8月", "9月", "10月", "11月", "12月", "合计"],
    ]  # 13 columns: 7 and 6, never 7, 6 and a lone one
    assert tables[0].rows == [["数值", "0", "0", "4", "0", "0", "0", "0"]]
    assert tables[1].rows == [["数值", "0", "0", "0", "2", "0", "6"]]
    assert tables[1].total_column and not tables[0].total_column
