"""长辈模式 in a browser (issue 13): 张大爷 turns it on once and every page follows.

He signs in on a 360 px phone, taps 长辈模式 in the top bar, and is back on the same
page in large type. The setting is his account's: another page, a reload, the sign-in
page after he signs out, and a second device all show it. No page of his scrolls
sideways at 360 px.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role, User
from kuihua.accounts.services import user_set_elder_mode
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.models import Activity
from kuihua.activities.tests.factories import ActivityFactory
from kuihua.core.tenancy import use_community
from kuihua.notifications.tests.factories import MessageFactory
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
def grandpa(transactional_db):
    """张大爷, a resident with an account linked to his registry record, a wife, an
    activity open to residents and a message in his inbox."""
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        zhang = ResidentFactory(
            name="张德明",
            phone="13812345678",
            household__building__compound__community=community,
            household__building__compound__name="翠苑一区",
            household__building__name="3幢",
            household__unit="2",
            household__room="501",
        )
        ResidentFactory(
            name="李秀英", household=zhang.household, relation_to_head="spouse", phone=""
        )
        user = UserFactory(
            username="zhangdaye",
            role=Role.RESIDENT,
            community=community,
            resident=zhang,
            display_name="张大爷",
        )
        ActivityFactory(
            community=community,
            title="重阳节敬老茶话会，欢迎社区里的老年朋友和家属一起参加",
            audience=Activity.Audience.RESIDENTS,
        )
        MessageFactory(
            recipient=user,
            title="您报名的重阳节敬老茶话会明天上午九点在翠苑一区活动中心开始",
            body="请带好老年证。如需轮椅，请提前告诉社区。",
        )
    return {"user": user, "resident": zhang}


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base_url + "/")
    page.get_by_role("heading", name="欢迎使用葵花社区平台").wait_for()


def in_elder_mode(page) -> bool:
    return page.evaluate("document.body.classList.contains('elder-mode')")


def body_font_px(page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def assert_no_horizontal_scroll(page, where: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert wide <= inner, f"{where}: page is {wide}px wide in a {inner}px window"


def assert_big_targets(page, where: str) -> None:
    """The top bar's switch, and every button shown in the page, are at least 48 px tall."""
    heights = page.evaluate(
        """() => [...document.querySelectorAll('main button, main .button, .elder-switch')]
              .filter(el => el.offsetParent !== null)
              .map(el => [el.textContent.trim(), el.getBoundingClientRect().height])"""
    )
    small = [(text, h) for text, h in heights if h < 47.5]
    assert not small, f"{where}: targets under 48px: {small}"


def test_a_resident_turns_elder_mode_on_once_and_every_page_follows(
    live_server, open_page, screenshot, grandpa
):
    base = live_server.url
    resident = grandpa["resident"]
    phone = open_page(PHONE)
    sign_in(phone, base, "zhangdaye")
    assert not in_elder_mode(phone)
    standard_px = body_font_px(phone)

    # On his own record, he taps 长辈模式 and is back on the same page, in large type
    mine = base + reverse("registry:resident_detail", args=[resident.pk])
    phone.goto(mine)
    phone.get_by_role("button", name="长辈模式").click()
    phone.wait_for_url(mine)
    assert in_elder_mode(phone)
    assert phone.get_by_text("已切换到长辈模式").is_visible()
    assert body_font_px(phone) >= 20 > standard_px
    assert User.objects.get(pk=grandpa["user"].pk).elder_mode is True
    screenshot(phone, "elder-1-own-record")

    # Another page, and a reload: still on, with the switch back offered
    phone.goto(base + reverse("home"))
    phone.reload()
    assert in_elder_mode(phone)
    assert body_font_px(phone) >= 20
    phone.get_by_role("button", name="标准模式").wait_for()
    line_height = phone.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert line_height >= 1.5 * 20

    # None of his pages scrolls sideways at 360 px, and their buttons are finger-sized
    own_pages = {
        "home": reverse("home"),
        "my record": reverse("registry:resident_detail", args=[resident.pk]),
        "my household": reverse("registry:household_detail", args=[resident.household_id]),
        "activities": reverse("activities:list"),
        "my activities": reverse("activities:mine"),
        "my hours": reverse("service_records:mine"),
        "inbox": reverse("notifications:inbox"),
    }
    for name, path in own_pages.items():
        response = phone.goto(base + path)
        assert response.status == 200, f"{name}: {response.status}"
        assert in_elder_mode(phone), name
        assert body_font_px(phone) >= 20, name
        assert_no_horizontal_scroll(phone, name)
        assert_big_targets(phone, name)
        screenshot(phone, f"elder-2-{name.replace(' ', '-')}")

    # A second device: his account decides, not the phone's cookie
    desk = open_page(DESKTOP)
    sign_in(desk, base, "zhangdaye")
    assert in_elder_mode(desk)
    assert body_font_px(desk) >= 20

    # Signed out, the phone's sign-in page stays large for him
    phone.goto(base + reverse("home"))
    phone.get_by_role("button", name="退出").click()
    phone.goto(base + reverse("login"))
    assert in_elder_mode(phone)
    assert_no_horizontal_scroll(phone, "sign-in")
    screenshot(phone, "elder-3-sign-in")

    # And 标准模式 puts everything back
    desk.get_by_role("button", name="标准模式").click()
    desk.get_by_role("button", name="长辈模式").wait_for()
    assert not in_elder_mode(desk)
    assert body_font_px(desk) < 20
    assert User.objects.get(pk=grandpa["user"].pk).elder_mode is False


def test_a_community_worker_in_elder_mode_reads_the_busy_pages_on_a_phone(
    live_server, open_page, screenshot, grandpa
):
    """Tables, filters and calendars too: stacked, wrapped, never wider than 360 px."""
    base = live_server.url
    community = grandpa["user"].community
    worker = UserFactory(
        username="wanggong", role=Role.COORDINATOR, community=community, display_name="王工"
    )
    user_set_elder_mode(user=worker, enabled=True)
    phone = open_page(PHONE)
    sign_in(phone, base, "wanggong")

    busy_pages = {
        "residents": reverse("registry:resident_list"),
        "household": reverse("registry:household_detail", args=[grandpa["resident"].household_id]),
        "organizations": reverse("organizations:list"),
        "calendar": reverse("activities:calendar"),
        "activities": reverse("activities:list"),
        "needs": reverse("matching:need_list"),
        "care board": reverse("care:board"),
        "hours queue": reverse("service_records:queue"),
    }
    for name, path in busy_pages.items():
        response = phone.goto(base + path)
        assert response.status == 200, f"{name}: {response.status}"
        assert in_elder_mode(phone), name
        assert_no_horizontal_scroll(phone, name)
        screenshot(phone, f"elder-4-worker-{name.replace(' ', '-')}")
