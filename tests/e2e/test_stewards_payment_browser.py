"""A steward takes a cash payment on a phone and prints the receipt (义管家 收款).

At 360 px the steward opens the compound's homes, records 30 元 in cash for a home in
arrears, lands on the numbered receipt, prints it (only the receipt is printed), and
finds the compound's arrears down by what was paid.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.registry.tests.factories import CommunityFactory
from kuihua.stewards import services
from kuihua.stewards.models import Payment
from kuihua.stewards.tests.factories import steward_world

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
def compound(ledger_flushable):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        coordinator = UserFactory(role="coordinator", community=community)
        world = steward_world(community, coordinator, steward_username="laozhou")
        # Each home owes 30 元 for a month three months ago: past due.
        services.billing_run(
            compound=world.compound,
            period_start=timezone.localdate().replace(day=1) - relativedelta(months=3),
            actor=coordinator,
        )
    return {"community": community, "world": world}


def test_a_steward_records_a_cash_payment_and_prints_the_receipt(
    live_server, open_page, screenshot, compound
):
    base = live_server.url
    world = compound["world"]
    home = world.homes[0]
    phone = open_page(PHONE)
    refused: list[str] = []
    phone.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("用户名").fill("laozhou")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(base + "/")

    phone.get_by_role("link", name="义管家", exact=True).click()
    assert "120.00 元（4 户）" in phone.inner_text("main")
    phone.get_by_role("link", name="各户缴费").first.click()
    assert "过了缴费期限未缴：120.00 元，4 户。" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "stewards-homes")
    phone.get_by_role("link", name="收款").first.click()

    assert home.address in phone.inner_text("main")
    phone.get_by_label("收款金额（元）").fill("30")
    phone.get_by_label("交款人").fill("王秀英")
    assert phone.get_by_label("现金").is_checked()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="确认收款").click()

    phone.get_by_text(f"收据号 {world.books.receipt_prefix}-000001").wait_for()
    receipt = phone.get_by_role("article").inner_text()
    assert f"{world.books.receipt_prefix}-000001" in receipt
    assert "30.00" in receipt and "王秀英" in receipt and "现金" in receipt
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "stewards-receipt")

    # The print button opens the browser's print dialog; printed, only the receipt shows.
    phone.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    phone.get_by_role("button", name="打印收据").click()
    assert phone.evaluate("window.__printed") == 1
    phone.emulate_media(media="print")
    assert phone.locator("header.topbar").is_hidden()
    assert phone.get_by_role("button", name="打印收据").is_hidden()
    assert phone.get_by_role("article").is_visible()
    phone.emulate_media(media="screen")

    phone.get_by_role("link", name="回到各户缴费").click()
    assert "过了缴费期限未缴：90.00 元，3 户。" in phone.inner_text("main")
    with use_community(compound["community"]):
        assert Payment.objects.filter(household=home).count() == 1

    # Every page of the compound, and the home's own, fits the phone.
    tabs = phone.eval_on_selector_all(".subnav a", "els => els.map(e => e.getAttribute('href'))")
    phone.get_by_role("link", name=home.address).click()
    tabs.append(phone.url.removeprefix(base))
    phone.get_by_role("link", name=re.compile(r"^\d{4}-\d{2}-\d{2} – ")).first.click()
    tabs.append(phone.url.removeprefix(base))
    for path in tabs:
        response = phone.goto(base + path)
        assert response.status == 200, path
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    assert refused == []  # the print button and the print CSS run under the policy
