"""A coordinator reads a project's report on a 360 px phone: every section's figures,
nothing to scroll sideways, the late milestone and the overspent line standing out,
the PDF and the Excel file one tap away; printed, the page is the report alone.

Posted ledger entries need the ledger's flush between browser tests (tests/e2e/
conftest.py, `ledger_flushable`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.projects.tests.report_world import report_world
from kuihua.registry.tests.factories import CommunityFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "kuihua-test-pass"
PHONE = {"width": 360, "height": 740}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
    ),
]


@pytest.fixture
def world(ledger_flushable):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        coordinator = UserFactory(username="shequ", role=Role.COORDINATOR, community=community)
        return report_world(community, coordinator)


def test_a_coordinator_reads_the_project_report_on_a_phone(
    live_server, open_page, screenshot, world
):
    base = live_server.url
    phone = open_page(PHONE)
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("用户名").fill("shequ")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(base + "/")

    phone.goto(base + reverse("projects:report", args=[world.project.pk]))
    screenshot(phone, "project-report-360")

    assert "项目报告" in phone.get_by_role("heading", level=1).inner_text()
    for section in ("项目概况", "计划与完成", "预算执行", "资金来源", "服务产出", "成效指标"):
        assert phone.get_by_role("heading", name=section).is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    overspent = phone.locator("tr.behind", has_text="物资采购")
    assert "2,350.00" in overspent.inner_text() and "超支" in overspent.inner_text()
    late = phone.locator("tr.behind", has_text="志愿者培训")
    assert "延期完成" in late.inner_text()
    # Shaded, so it stands out from an on-time milestone.
    shade = late.locator("td").first.evaluate("td => getComputedStyle(td).backgroundColor")
    plain = (
        phone.locator("tr", has_text="入户走访建档")
        .locator("td")
        .first.evaluate("td => getComputedStyle(td).backgroundColor")
    )
    assert shade != plain

    for name, kind in (("打印版（PDF）", "application/pdf"), ("导出 Excel", "spreadsheetml")):
        link = phone.get_by_role("link", name=name)
        assert link.is_visible()
        response = phone.request.get(base + link.get_attribute("href"))
        assert response.ok and kind in response.headers["content-type"]

    # Printed from the browser: the report, without the site's bars and buttons.
    phone.emulate_media(media="print")
    assert not phone.locator("header.topbar").is_visible()
    assert not phone.get_by_role("link", name="导出 Excel").is_visible()
    assert phone.get_by_role("heading", name="预算执行").is_visible()
