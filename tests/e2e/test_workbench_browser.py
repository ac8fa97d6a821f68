"""The workbench (工作台) in a browser, on a 360 px phone and at a desk.

李大妈's check-in windows closed without a word from her; the sweep raised the alerts.
The community worker signs in, finds them at the top of the home page, taps the first
one and lands on that alert's own page.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care import services
from kuihua.care.models import Alert
from kuihua.care.sweep import windows_sweep
from kuihua.core.tenancy import use_community
from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "kuihua-test-pass"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
    ),
]


@pytest.fixture
def alerted(transactional_db):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        UserFactory(
            username="shegong", role=Role.COORDINATOR, community=community, display_name="王社工"
        )
        li = ResidentFactory(household__building__compound__community=community, name="李大妈")
        # Enrolled two days ago and nobody has heard from her since.
        services.recipient_enrol(actor=None, resident=li, now=timezone.now() - dt.timedelta(days=2))
    assert windows_sweep() >= 1
    return community


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_workbench_lists_an_overdue_alert_and_opens_it(
    live_server, open_page, screenshot, alerted, viewport
):
    base = live_server.url
    page = open_page(viewport)
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill("shegong")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")

    todo = page.get_by_role("region", name="待处理")
    alerts = todo.locator('[data-item="care_alerts"]')
    expect(alerts).to_contain_text("未处理的关爱报警")
    expect(alerts.get_by_role("link", name=re.compile("李大妈"))).not_to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"workbench-{viewport['width']}")

    alerts.get_by_role("link", name=re.compile("李大妈")).first.click()

    with use_community(alerted):
        first = Alert.objects.order_by("acknowledged_at", "-level", "raised_at", "id").first()
    page.wait_for_url(f"{base}/care/alerts/{first.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("李大妈")
    expect(page.get_by_role("heading", level=1)).to_contain_text("关爱报警")
