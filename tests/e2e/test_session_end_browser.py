"""A worker's session ends while a page is open; the next HTMX button brings the whole
page to the sign-in form (not the form inside the panel), and signing in returns them
to the page they were on, where the button works again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "kuihua-test-pass"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
    ),
]


def sign_in_here(page, username: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_after_the_session_ends_a_button_signs_in_again_and_returns_to_the_page(
    live_server, open_page, transactional_db, settings
):
    from playwright.sync_api import expect

    # Given a coordinator looking at a resident's page
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    UserFactory(username="wanggong", role=Role.COORDINATOR, community=community)
    zhangsan = ResidentFactory(name="张三", household__building__compound__community=community)
    page = open_page({"width": 1280, "height": 800})
    resident_page = f"{live_server.url}/registry/residents/{zhangsan.pk}/"
    page.goto(resident_page)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    sign_in_here(page, "wanggong")
    expect(page).to_have_url(resident_page)

    # When the session ends (the cookie is gone) and they press the HTMX button
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.get_by_role("button", name="查看完整信息").click()

    # Then the whole page is the sign-in form, not the panel
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_label("密码")).to_be_visible()
    expect(page.locator("#facts")).to_have_count(0)

    # And signing in brings them back to the resident's page, where the button works
    sign_in_here(page, "wanggong")
    expect(page).to_have_url(resident_page)
    page.get_by_role("button", name="查看完整信息").click()
    expect(page.get_by_text("已显示完整信息")).to_be_visible()
