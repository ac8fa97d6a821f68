"""幸福来敲门 in a browser: the elder's one tap, a missed window on the board, handled.

张桂芳 opens her saved link on a 360 px phone and taps 我很好 once. 李大妈's
windows closed without a check-in; the worker's sweep turns them into alerts;
the duty officer sees them on the board, opens one, acknowledges it and
resolves it as visited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care import services
from kuihua.care.models import Alert, CheckIn
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
def programme(transactional_db):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        duty = UserFactory(
            username="zhiban", role=Role.COORDINATOR, community=community, display_name="值班员"
        )
        zhang = ResidentFactory(household__building__compound__community=community, name="张桂芳")
        li = ResidentFactory(household__building__compound__community=community, name="李大妈")
        elder = services.recipient_enrol(actor=duty, resident=zhang)
        token = services.self_link_issue(actor=duty, recipient=elder)
        # 李大妈 was enrolled two days ago and nobody has heard from her since.
        silent = services.recipient_enrol(
            actor=duty, resident=li, now=timezone.now() - dt.timedelta(days=2)
        )
    return {"community": community, "elder": elder, "token": token, "silent": silent}


def test_one_tap_on_a_phone_and_a_missed_window_handled_from_the_board(
    live_server, open_page, screenshot, programme
):
    base = live_server.url
    community = programme["community"]

    # 张桂芳: her saved link, no password, one big button
    phone = open_page(PHONE)
    phone.goto(f"{base}/care/me/{programme['token']}/")
    button = phone.get_by_role("button", name="我很好")
    box = button.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 100
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "care-1-self")
    button.click()
    phone.get_by_role("status").wait_for()
    assert "已签到" in phone.get_by_role("status").inner_text()
    with use_community(community):
        assert CheckIn.objects.filter(recipient=programme["elder"], channel="self").count() == 1

    # The worker sweeps: 李大妈's closed windows become alerts
    assert windows_sweep() >= 1

    # The duty officer's board shows them; open one, acknowledge, resolve
    desk = open_page(DESKTOP)
    desk.goto(base + "/accounts/login/")
    desk.get_by_label("用户名").fill("zhiban")
    desk.get_by_label("密码").fill(PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url(base + "/")
    desk.goto(base + "/care/")
    alerts = desk.get_by_role("region", name="未处理的报警")
    alerts.get_by_text("李大妈").first.wait_for()
    assert "未按时签到" in alerts.inner_text()
    screenshot(desk, "care-2-board")
    alerts.get_by_role("link").first.click()
    desk.get_by_role("heading", name="关爱报警：李大妈").wait_for()
    desk.get_by_role("button", name="响应").click()
    desk.get_by_text("尚未响应").wait_for(state="detached")
    desk.get_by_label("处理结果").select_option(label="已上门处理")
    desk.get_by_label("处理说明").fill("上门看望，老人手机没电")
    desk.get_by_role("button", name="处理完毕").click()
    desk.get_by_text("上门看望，老人手机没电").wait_for()
    screenshot(desk, "care-3-resolved")
    with use_community(community):
        handled = Alert.objects.filter(recipient=programme["silent"], resolved_at__isnull=False)
        assert handled.get().outcome == "visited"


def test_the_board_fits_a_phone_for_the_coordinator(live_server, open_page, screenshot, programme):
    """At 360 px the board's people, windows and states stack: nothing scrolls sideways."""
    base = live_server.url
    # 李大妈's closed windows become alerts, so the board carries several states at once.
    assert windows_sweep() >= 1

    phone = open_page(PHONE)
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("用户名").fill("zhiban")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(base + "/")
    phone.goto(base + "/care/")
    board = phone.get_by_role("region", name="今日签到")
    board.get_by_role("link", name="李大妈").wait_for()
    screenshot(phone, "care-4-board-phone")

    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    subnav = phone.get_by_role("navigation", name="幸福来敲门")
    assert subnav.get_by_role("link", name="今日签到").get_attribute("aria-current") == "page"
