"""A volunteer on a 360 px phone reads the inbox: the badge counts, a message opens in place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.notifications.services import notify
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
def volunteer_with_messages(transactional_db):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    person = UserFactory(
        username="xiaoli", role=Role.VOLUNTEER, community=community, display_name="小李"
    )
    with use_community(community):
        notify(recipient=person, kind="test", title="您已报名：社区环境清洁", body="周六上午九点。")
        notify(
            recipient=person,
            kind="waitlist_promoted",
            title="候补转正：周末读书会",
            body="有人取消报名，您已转为正式报名。",
            link="/inbox/",
        )
    return person


def test_the_badge_counts_and_a_message_opens_in_place(
    live_server, open_page, screenshot, volunteer_with_messages
):
    page = open_page(PHONE)
    page.goto(live_server.url + "/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("用户名").fill("xiaoli")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")

    badge = page.locator("#inbox-badge")
    assert badge.locator(".inbox-count").inner_text() == "2"
    badge.click()
    page.wait_for_url(live_server.url + "/inbox/")
    screenshot(page, "inbox-phone")

    page.get_by_text("候补转正：周末读书会").click()
    page.get_by_text("有人取消报名，您已转为正式报名。").wait_for()
    page.locator("#inbox-badge .inbox-count").filter(has_text="1").wait_for()
    screenshot(page, "inbox-message-open-phone")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="全部标为已读").click()
    page.locator("#inbox-badge .inbox-count").wait_for(state="detached")
