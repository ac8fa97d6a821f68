"""A stall holder sells an item for points on a phone; the resident sees it in 我的积分.

At 360 px the leader of 手工坊 opens 爱心集市 (我的摊位), taps the stall, taps 手工拖鞋
(¥15 or 10 积分), chooses 爱心积分, finds the resident by name among the community's
residents, picks her and confirms: the confirmation names her new balance. Then the
resident signs in on her own phone, opens 我的积分 and finds her balance 10 lower, with
the stall and the item it was spent on. Every page fits the phone.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kuihua.core.tenancy import use_community
from kuihua.market.models import Sale
from kuihua.market.tests.factories import market_world
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
def market(ledger_flushable):
    from kuihua.accounts.tests.factories import UserFactory

    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        coordinator = UserFactory(
            username="jishi-coordinator", role="coordinator", community=community
        )
        world = market_world(community, coordinator, points=Decimal("50"), prefix="jishi")
        world.buyer.name = "王秀英"
        world.buyer.save()
    return {"community": community, "world": world}


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_stall_holder_sells_for_points_and_the_resident_sees_her_balance_drop(
    live_server, open_page, screenshot, market
):
    base = live_server.url
    world = market["world"]
    refused: list[str] = []

    # The stall holder, on a phone.
    phone = open_page(PHONE)
    phone.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(phone, base, "jishi-leader")
    phone.get_by_role("link", name="爱心集市", exact=True).click()
    assert "我的摊位" in phone.inner_text("h1")
    assert fits(phone)
    phone.get_by_role("link", name="手工坊").first.click()
    assert "¥15.00 / 10 积分" in phone.inner_text("main")
    assert fits(phone)
    screenshot(phone, "market-stall")

    phone.get_by_role("link", name="手工拖鞋").click()
    phone.get_by_role("heading", level=1, name="手工拖鞋").wait_for()
    # Only 爱心积分 asks who pays; the + button counts, − never below one.
    phone.get_by_label("居民码或姓名").wait_for(state="hidden")
    phone.get_by_role("button", name="多一个").click()
    assert phone.get_by_label("数量").input_value() == "2"
    phone.get_by_role("button", name="少一个").click()
    phone.get_by_role("button", name="少一个").click()
    assert phone.get_by_label("数量").input_value() == "1"
    phone.get_by_label("爱心积分").check()
    phone.get_by_label("居民码或姓名").wait_for(state="visible")
    phone.get_by_label("居民码或姓名").fill("王秀英")
    phone.get_by_role("button", name="查找").click()
    phone.get_by_label("王秀英", exact=False).check()
    assert phone.get_by_label("爱心积分").is_checked()  # the form came back as chosen
    assert fits(phone)
    screenshot(phone, "market-sell")
    phone.get_by_role("button", name="确认收款").click()

    phone.get_by_text("王秀英 还剩 40 积分。").wait_for()
    assert "已记下：手工拖鞋 × 1，10 积分。" in phone.inner_text("main")
    assert "剩 19" in phone.inner_text("main")
    assert fits(phone)
    screenshot(phone, "market-sold")
    with use_community(market["community"]):
        assert Sale.objects.filter(buyer=world.buyer, method="points").count() == 1

    # The resident, on her own phone.
    own = open_page(PHONE)
    sign_in(own, base, "jishi-buyer")
    own.get_by_role("link", name="爱心集市", exact=True).click()
    assert "我的积分" in own.inner_text("h1")
    assert own.locator("[data-balance]").inner_text() == "40"
    entries = own.get_by_role("table").inner_text()
    assert "手工坊 · 手工拖鞋 × 1" in entries and "-10" in entries
    assert fits(own)
    screenshot(own, "market-my-points")
    own.get_by_role("button", name="长辈模式").click()  # larger type still fits
    own.wait_for_selector("body.elder-mode")
    assert own.locator("[data-balance]").inner_text() == "40"
    assert fits(own)
    assert refused == []


def test_the_coordinators_pages_fit_a_phone_too(live_server, open_page, screenshot, market):
    """The coordinator works at a desk, but a market day is run standing in the square."""
    from kuihua.market import services

    base = live_server.url
    world = market["world"]
    with use_community(market["community"]):
        services.sale_record(
            actor=world.leader,
            item=world.service,
            quantity=2,
            method="cash",
            idempotency_key="e2e-cash-0001",
        )
    phone = open_page(PHONE)
    sign_in(phone, base, "jishi-coordinator")
    phone.get_by_role("link", name="爱心集市", exact=True).click()
    assert "爱心集市" in phone.inner_text("h1")
    assert fits(phone)
    screenshot(phone, "market-days")
    phone.get_by_role("link", name=world.market_day.date.isoformat()).click()
    main = phone.inner_text("main")
    assert "手工坊" in main and "10.00" in main and "7.00" in main and "3.00" in main
    assert fits(phone)
    screenshot(phone, "market-day")
    for name, heading in (("分配规则", "集市收入分配规则"), ("自筹占比", "自筹占比")):
        phone.get_by_role("link", name=name).click()
        phone.get_by_role("heading", level=1, name=heading).wait_for()
        assert fits(phone), name
        screenshot(phone, f"market-{name}")
    assert "100%" in phone.inner_text("main")
