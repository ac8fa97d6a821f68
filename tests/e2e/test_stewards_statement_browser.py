"""A resident reads the month's published statement (收支公示) of their compound on a
360 px phone: the figures the steward's books give, nothing to scroll sideways, and a
printable PDF one tap away.

On SQLite the live server's flush between browser tests deletes rows one by one, and
the ledger's guards (ledger/migrations/0002_guards.py) refuse to delete a posted entry.
The ledger's `flush` command lifts them for the flush only (tests/e2e/conftest.py,
`ledger_flushable`); PostgreSQL truncates, which row triggers do not see.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.registry.tests.factories import CommunityFactory
from kuihua.stewards.tests.books_world import books_world

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
def books(ledger_flushable):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        coordinator = UserFactory(role=Role.COORDINATOR, community=community)
        made = books_world(community, coordinator, username="hq")
    return made


def test_a_resident_reads_the_months_statement_on_a_phone(
    live_server, open_page, screenshot, books
):
    base = live_server.url
    phone = open_page(PHONE)
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("用户名").fill(books.resident.username)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(base + "/")

    month = books.month
    url = reverse("stewards:books_statement", args=[books.compound.pk])
    phone.goto(f"{base}{url}?month={month:%Y-%m}")
    screenshot(phone, "stewards-statement-360")

    heading = phone.get_by_role("heading", level=1)
    assert f"红旗新村 {month.year}年{month.month}月收支公示" in heading.inner_text()
    summary = phone.locator(".statement-summary").inner_text()
    for figure in ("100.00", "1,240.00", "800.50", "539.50"):
        assert figure in summary
    body = phone.locator("main").inner_text()
    assert "保洁费" in body and "停车费收入" in body
    assert "25.0%" in body and "33.3%" in body
    # Nothing runs off the side of a 360 px screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    # The printable version is one tap away.
    pdf = phone.get_by_role("link", name="打印版（PDF）")
    assert pdf.is_visible()
    response = phone.request.get(base + pdf.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"

    # The month before: one tap back, and the other income that made the opening.
    phone.get_by_role("link", name="‹ 上个月").click()
    phone.wait_for_load_state()
    assert "其他收入" in phone.locator("main").inner_text()


def test_a_steward_posts_an_expense_with_a_photo_of_the_receipt_on_a_phone(
    live_server, open_page, screenshot, books, tmp_path
):
    from kuihua.stewards.tests.books_world import PNG

    photo = tmp_path / "receipt.png"
    photo.write_bytes(PNG)
    base = live_server.url
    phone = open_page(PHONE)
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("用户名").fill(books.steward.username)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(base + "/")

    phone.goto(base + reverse("stewards:books_ledger", args=[books.compound.pk]))
    phone.get_by_role("link", name="记一笔收支").click()
    phone.get_by_label("科目").select_option(label="支出 · 绿化养护")
    phone.get_by_label("金额（元）").fill("66.60")
    phone.get_by_label("现金").check()
    phone.get_by_label("摘要").fill("修剪绿篱")
    phone.get_by_label("凭据（发票或收据的照片、PDF）").set_input_files(str(photo))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="记账").click()

    phone.get_by_text("已记账").wait_for()
    screenshot(phone, "stewards-ledger-360")
    row = phone.locator("tr", has_text="修剪绿篱")
    assert "66.60" in row.inner_text() and "绿化养护" in row.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    evidence = row.get_by_role("link", name="查看凭据").get_attribute("href")
    response = phone.request.get(base + evidence)
    assert response.ok and response.body() == PNG
