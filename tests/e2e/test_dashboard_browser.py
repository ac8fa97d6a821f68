"""A coordinator reads the community's dashboard on a 360 px phone and at a desk: each chart
is drawn (bars and slices with a size, not an empty frame), its table sits below it on
the phone and beside it at the desk, nothing scrolls sideways, and the Excel file
downloaded from the page holds the numbers of the table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import unscoped
from kuihua.organizations.models import Category, Stage
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import CommunityFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "kuihua-test-pass"
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}
FIGURES = ("organizations_by_stage", "organizations_by_category")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
    ),
]


@pytest.fixture
def world(transactional_db):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    neighbour = CommunityFactory(name="文新社区", code="wenxin")
    with unscoped():
        for stage, category, n in (
            (Stage.INCUBATING, Category.SERVICE, 2),
            (Stage.FILED, Category.WELFARE, 5),
            (Stage.REGISTERED, Category.LEARNING, 3),
            (Stage.BRAND, Category.CULTURE_SPORTS, 1),
        ):
            OrganizationFactory.create_batch(n, community=community, stage=stage, category=category)
        OrganizationFactory.create_batch(9, community=neighbour, stage=Stage.BRAND)
    UserFactory(username="shequ", role=Role.COORDINATOR, community=community)
    viewer = UserFactory(username="jiedao", role=Role.DISTRICT_VIEWER, community=None)
    viewer.viewable_communities.add(community, neighbour)
    return community


def sign_in(page, base: str, username: str = "shequ") -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def table_numbers(figure) -> dict[str, int]:
    rows = figure.locator("table.figure-table tr").all_inner_texts()
    numbers = {}
    for row in rows[1:]:  # the header row first
        label, number = row.split("\t")
        numbers[label.strip()] = int(number.replace(",", ""))
    return numbers


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_a_coordinator_reads_the_dashboard_and_downloads_it(
    live_server, open_page, screenshot, world, viewport, tmp_path
):
    base = live_server.url
    page = open_page(viewport)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, base)

    page.goto(base + reverse("dashboard:home"))
    page.wait_for_load_state("networkidle")
    screenshot(page, f"dashboard-{viewport['width']}")

    expect(page.get_by_role("heading", level=1)).to_contain_text("翠苑一区社区数据看板")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page_numbers = {}
    for key in FIGURES:
        figure = page.locator(f'article[data-figure="{key}"]')
        chart = figure.locator("svg.chart")
        expect(chart).to_have_count(1)
        drawn = chart.locator("rect, path, polygon, ellipse, circle")
        assert drawn.count() > 0
        sizes = [drawn.nth(i).bounding_box() for i in range(drawn.count())]
        assert any(box and box["width"] > 2 and box["height"] > 2 for box in sizes), key
        chart_box = chart.bounding_box()
        table_box = figure.locator("table.figure-table").bounding_box()
        assert chart_box["width"] > 0.5 * min(viewport["width"], 900)
        if viewport is PHONE:
            assert table_box["y"] >= chart_box["y"] + chart_box["height"] - 1  # below
        else:
            assert table_box["x"] >= chart_box["x"] + chart_box["width"] - 1  # beside
            assert table_box["y"] < chart_box["y"] + chart_box["height"]
        page_numbers[key] = table_numbers(figure)
    assert page_numbers["organizations_by_stage"]["已备案"] == 5
    assert page_numbers["organizations_by_stage"]["合计"] == 11
    assert "文新" not in page.content()
    assert refused == []

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    path = tmp_path / "dashboard.xlsx"
    download.value.save_as(path)
    assert re.search(r"数据看板.*\.xlsx$", download.value.suggested_filename)
    sheet = load_workbook(path).worksheets[0]
    in_file = {
        (row[1], row[2]): row[3]
        for row in sheet.iter_rows(min_row=3, values_only=True)
        if row[1] is not None
    }
    titles = {
        "organizations_by_stage": "社会组织发展阶段",
        "organizations_by_category": "社会组织类别",
    }
    for key, numbers in page_numbers.items():
        for label, number in numbers.items():
            assert in_file[(titles[key], label)] == number, (key, label)


def test_a_district_viewer_compares_the_communities_on_a_phone(
    live_server, open_page, screenshot, world
):
    base = live_server.url
    page = open_page(PHONE)
    sign_in(page, base, "jiedao")

    page.goto(base + reverse("dashboard:district"))
    screenshot(page, "dashboard-district-360")

    row = page.locator('table.comparison tr[data-figure="organizations_by_stage"]')
    expect(row.locator("td")).to_have_count(4)  # 文新, 翠苑一区, 翠苑街道小计, 合计
    assert row.locator("td").all_inner_texts() == ["9", "11", "20", "20"]
    # The wide table scrolls inside its box; the page itself never sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    chart = page.locator('article[data-figure="organizations_by_stage"] svg.chart')
    assert chart.locator("rect").count() > 0

    page.get_by_role("link", name="文新社区").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("文新社区数据看板")
    stages = page.locator('article[data-figure="organizations_by_stage"] .figure-value')
    expect(stages).to_have_text("9")
