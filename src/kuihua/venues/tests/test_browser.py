"""The calendar in Chromium: a day-by-day list on a 360 px phone, a room × day grid on a desk.

Set KUIHUA_E2E_SCREENSHOTS to a directory to keep the screenshots.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import CommunityFactory
from kuihua.venues.tests.factories import BookingFactory, RoomFactory, local_datetime, tomorrow

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}"),
]


@pytest.fixture
def world(transactional_db):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        room = RoomFactory(community=community, name="多功能厅")
        choir = OrganizationFactory(community=community, name="夕阳红合唱团")
        BookingFactory(room=room, community=community, organization=choir, title="合唱排练")
        BookingFactory(
            room=room,
            community=community,
            title="下周的读书会",
            starts_at=local_datetime(tomorrow() + dt.timedelta(weeks=1), 9),
        )
    return UserFactory(username="wanggong", role=Role.COORDINATOR, community=community)


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_the_week_and_the_next_on_a_phone_and_a_desk(live_server, world, device):
    from playwright.sync_api import expect, sync_playwright

    viewport = VIEWPORTS[device]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("用户名").fill("wanggong")
        page.get_by_label("密码").fill("kuihua-test-pass")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(live_server.url + "/")

        page.goto(f"{live_server.url}/venues/?date={tomorrow().isoformat()}")
        shown = ".venues-days" if device == "phone" else ".venues-grid"
        hidden = ".venues-grid" if device == "phone" else ".venues-days"
        assert page.locator(shown).is_visible() and not page.locator(hidden).is_visible()
        assert "合唱排练" in page.locator(shown).inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        _keep(page, f"venues-{device}-week")

        with page.expect_response(lambda r: "date=" in r.url) as answer:
            page.get_by_role("link", name="下周 ›").click()
        assert answer.value.request.headers.get("hx-request") == "true"
        expect(page.locator("#calendar")).to_contain_text("下周的读书会")
        assert "合唱排练" not in page.locator(shown).inner_text()
        assert "date=" in page.url
        _keep(page, f"venues-{device}-next-week")
        browser.close()


def _keep(page, name: str) -> None:
    folder = os.environ.get("KUIHUA_E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
