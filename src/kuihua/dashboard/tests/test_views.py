"""The dashboard pages: one community's figures and nobody else's, a district's communities
side by side with a total that is their sum, the Excel file with the page's numbers."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import unscoped
from kuihua.core.tests.clock import today
from kuihua.organizations.models import Category, Stage
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

STAGES = "organizations_by_stage"
CATEGORIES = "organizations_by_category"


def figure_block(html: str, key: str) -> str:
    return re.search(rf'<article[^>]*data-figure="{key}".*?</article>', html, re.S).group(0)


def headline(html: str, key: str) -> str:
    block = figure_block(html, key)
    return re.search(r'class="figure-value">([^<]*)<', block).group(1)


def table_rows(html: str, key: str) -> dict[str, str]:
    """A figure's table: label -> number as written, the total row included."""
    block = figure_block(html, key)
    table = re.search(r'<table class="figure-table">.*?</table>', block, re.S).group(0)
    return dict(re.findall(r'<th scope="row">([^<]*)</th><td class="num">([^<]*)</td>', table))


def comparison(html: str) -> dict[str, list[str]]:
    """The district's table: figure key -> the cells across, as written."""
    rows = re.findall(r'<tr data-figure="(\w+)">(.*?)</tr>', html, re.S)
    cell = re.compile(r'<td class="num[^"]*"[^>]*>([^<]*)</td>')
    return {key: cell.findall(cells) for key, cells in rows}


@pytest.fixture
def two_communities(community, other_community):
    """翠苑一区: three organizations, all filed; 文新: seven, all brand, of another category."""
    with unscoped():
        for i in range(3):
            OrganizationFactory(community=community, stage=Stage.FILED, name=f"翠苑合唱团{i}")
        for i in range(7):
            OrganizationFactory(
                community=other_community,
                stage=Stage.BRAND,
                category=Category.LEARNING,
                name=f"文新书画社{i}",
            )
    return community, other_community


@pytest.fixture
def viewer(community, other_community):
    user = UserFactory(role=Role.DISTRICT_VIEWER, community=None, username="viewer")
    user.viewable_communities.add(community, other_community)
    return user


def test_the_dashboard_shows_the_community_in_force_and_nothing_of_another(
    client, coordinator, two_communities
):
    client.force_login(coordinator)

    response = client.get(reverse("dashboard:home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "翠苑一区社区数据看板" in html
    assert headline(html, STAGES) == "3"
    stages = table_rows(html, STAGES)
    assert stages["已备案"] == "3" and stages["品牌组织"] == "0" and stages["合计"] == "3"
    assert "<svg" in figure_block(html, STAGES) and "<svg" in figure_block(html, CATEGORIES)
    assert "7" not in stages.values() and "10" not in stages.values()
    assert "文新" not in html
    assert '<h2 id="section-organizations">社会组织</h2>' in html
    assert str(today().year) in html and "数据计算于" in html
    assert 'style="' not in html


def test_a_year_is_chosen_and_a_bad_one_is_refused_in_chinese(client, coordinator):
    client.force_login(coordinator)

    last_year = client.get(reverse("dashboard:home"), {"year": today().year - 1})
    future = client.get(reverse("dashboard:home"), {"year": today().year + 1})
    nonsense = client.get(reverse("dashboard:export_xlsx"), {"year": "二〇二六"})

    assert last_year.status_code == 200
    assert f'<option value="{today().year - 1}" selected>' in last_year.content.decode()
    assert future.status_code == 400 and "年份" in future.content.decode()
    assert nonsense.status_code == 400 and "请选择 2000 年到" in nonsense.content.decode()


def test_only_coordinators_and_district_viewers_read_dashboards(client, community, coordinator):
    resident = UserFactory(role=Role.RESIDENT, community=community)
    leader = UserFactory(role=Role.ORG_LEADER, community=community)

    for user in (resident, leader):
        client.force_login(user)
        assert client.get(reverse("dashboard:home")).status_code == 403
        assert client.get(reverse("dashboard:export_xlsx")).status_code == 403
    client.force_login(coordinator)
    # The district page compares the neighbours: not a coordinator's.
    assert client.get(reverse("dashboard:district")).status_code == 403
    assert client.get(reverse("dashboard:district_export_xlsx")).status_code == 403
    client.logout()
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_the_district_page_puts_each_community_side_by_side_with_their_sum(
    client, viewer, two_communities
):
    community, other = two_communities
    client.force_login(viewer)

    html = client.get(reverse("dashboard:district")).content.decode()

    cells = comparison(html)[STAGES]
    # 翠苑街道: 文新, 翠苑一区 (by name), its subtotal; then the district's total.
    assert sorted(cells[:2]) == ["3", "7"] and cells[2] == "10" and cells[-1] == "10"
    assert "翠苑一区社区" in html and "文新社区" in html and "翠苑街道" in html
    for target in (community, other):
        assert f"{reverse('dashboard:home')}?community={target.pk}&amp;year=" in html
    # The total's charts and tables, below the comparison.
    assert headline(html, STAGES) == "10"
    assert table_rows(html, STAGES)["品牌组织"] == "7"
    assert table_rows(html, CATEGORIES)["合计"] == "10"


def test_streets_get_a_subtotal_each_and_the_total_is_the_sum_of_all(client, viewer, community):
    elsewhere = CommunityFactory(name="北山社区", street="北山街道")
    viewer.viewable_communities.add(elsewhere)
    with unscoped():
        for _ in range(2):
            OrganizationFactory(community=elsewhere)
        OrganizationFactory(community=community)
    client.force_login(viewer)

    html = client.get(reverse("dashboard:district")).content.decode()

    # 北山街道 (北山 2, subtotal 2), 翠苑街道 (文新 0, 翠苑一区 1, subtotal 1), total 3.
    assert comparison(html)[STAGES] == ["2", "2", "0", "1", "1", "3"]
    assert "北山街道" in html


def test_a_viewer_opens_their_communities_and_no_other(client, viewer, two_communities):
    _community, other = two_communities
    stranger = CommunityFactory(name="外区社区")
    client.force_login(viewer)

    theirs = client.get(reverse("dashboard:home"), {"community": other.pk})
    not_theirs = client.get(reverse("dashboard:home"), {"community": stranger.pk})
    not_theirs_xlsx = client.get(reverse("dashboard:export_xlsx"), {"community": stranger.pk})
    junk = client.get(reverse("dashboard:home"), {"community": "x"})

    assert theirs.status_code == 200
    assert headline(theirs.content.decode(), STAGES) == "7"
    assert "文新社区数据看板" in theirs.content.decode()
    assert not_theirs.status_code == 404 and not_theirs_xlsx.status_code == 404
    assert junk.status_code == 404


def test_a_coordinator_cannot_read_another_community_by_its_id(
    client, coordinator, two_communities
):
    _community, other = two_communities
    client.force_login(coordinator)

    assert client.get(reverse("dashboard:home"), {"community": other.pk}).status_code == 404
    assert client.get(reverse("dashboard:export_xlsx"), {"community": other.pk}).status_code == 404


def _sheet_numbers(sheet) -> dict[tuple[str, str], object]:
    """(指标, 项目) -> 数值 from the dashboard sheet (title row, header row, then data)."""
    return {
        (row[1], row[2]): row[3]
        for row in sheet.iter_rows(min_row=3, values_only=True)
        if row[1] is not None
    }


def test_the_excel_file_holds_the_numbers_of_the_page(client, coordinator, two_communities):
    client.force_login(coordinator)
    html = client.get(reverse("dashboard:home")).content.decode()

    response = client.get(reverse("dashboard:export_xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert "%E6%95%B0%E6%8D%AE%E7%9C%8B%E6%9D%BF" in response["Content-Disposition"]  # 数据看板
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    assert "翠苑一区社区" in sheet["A1"].value and str(today().year) in sheet["A1"].value
    numbers = _sheet_numbers(sheet)
    for key, title in ((STAGES, "社会组织发展阶段"), (CATEGORIES, "社会组织类别")):
        for label, written in table_rows(html, key).items():
            assert f"{numbers[(title, label)]:,}" == written, (key, label)
    definitions = [row[5] for row in sheet.iter_rows(min_row=3, values_only=True) if row[5]]
    assert any("发展阶段" in d for d in definitions)


def test_the_district_excel_file_holds_the_total_and_every_community(
    client, viewer, two_communities
):
    client.force_login(viewer)
    html = client.get(reverse("dashboard:district")).content.decode()

    response = client.get(reverse("dashboard:district_export_xlsx"))

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    total, side = workbook.worksheets
    assert _sheet_numbers(total)[("社会组织发展阶段", "合计")] == 10
    rows = {row[0]: row[2:] for row in side.iter_rows(min_row=4, values_only=True)}
    assert [f"{n:,}" for n in rows["社会组织发展阶段"]] == comparison(html)[STAGES]
    assert "文新社区" in [c.value for c in side[3]]


def _queries(client, url: str) -> int:
    cache.clear()  # the figures computed afresh, as after five minutes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


PAGES = ["dashboard:home", "dashboard:export_xlsx", "dashboard:district"]


@pytest.mark.parametrize("name", [*PAGES, "dashboard:district_export_xlsx"])
def test_each_page_runs_the_same_queries_however_many_rows(name, client, viewer, community):
    other = viewer.viewable_communities.exclude(pk=community.pk).get()
    client.force_login(viewer)
    with unscoped():
        OrganizationFactory(community=community)
    client.get(reverse(name))  # sessions, permissions: warm
    few = _queries(client, reverse(name))

    with unscoped():
        for place in (community, other):
            for category in (Category.LEARNING, Category.CULTURE_SPORTS):
                OrganizationFactory.create_batch(4, community=place, category=category)
    many = _queries(client, reverse(name))

    assert many == few


def test_recomputing_takes_new_rows_into_account_and_is_rate_limited(
    client, coordinator, community, settings
):
    settings.KUIHUA_DASHBOARD_REFRESH_RATE = "2/10m"
    client.force_login(coordinator)
    client.get(reverse("dashboard:home"))  # computed and kept for five minutes
    with unscoped():
        OrganizationFactory(community=community)

    cached = client.get(reverse("dashboard:home")).content.decode()
    refreshed = client.post(reverse("dashboard:home"), {"year": today().year}, follow=True)
    client.post(reverse("dashboard:home"), {"year": today().year})
    refused = client.post(reverse("dashboard:home"), {"year": today().year}, follow=True)

    assert headline(cached, STAGES) == "0"
    assert headline(refreshed.content.decode(), STAGES) == "1"
    assert "已按最新数据重新计算" in refreshed.content.decode()
    assert "分钟后再试" in refused.content.decode()


def test_recomputing_needs_the_pages_csrf_token(coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)

    assert client.post(reverse("dashboard:home")).status_code == 403


def test_the_menu_leads_each_role_to_its_dashboard(client, coordinator, viewer, community):
    def menu_link(user) -> str | None:
        client.force_login(user)
        nav = client.get(reverse("home")).content.decode()
        found = re.search(r'<a href="([^"]+)"[^>]*>数据看板</a>', nav)
        return found.group(1) if found else None

    assert menu_link(coordinator) == reverse("dashboard:home")
    assert menu_link(viewer) == reverse("dashboard:district")
    assert menu_link(UserFactory(role=Role.ORG_LEADER, community=community)) is None
