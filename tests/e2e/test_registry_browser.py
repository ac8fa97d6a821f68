"""A community worker at a desk and a volunteer on a 360 px phone use the registry.

Sign in through the form, find 张三 by typing his pinyin initials (HTMX swaps the
results), open his household and see his ID number masked, never whole.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.masking import mask_id_number
from kuihua.core.models import AccessLog
from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "kuihua-test-pass"
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 360, "height": 740},
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
    ),
]


@pytest.fixture
def registry(transactional_db):
    """A community with its coordinator, 张三's household (two people) and a neighbour."""
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    coordinator = UserFactory(
        username="wanggong", role=Role.COORDINATOR, community=community, display_name="王工"
    )
    zhangsan = ResidentFactory(
        name="张三",
        phone="13812345678",
        household__building__compound__community=community,
        household__building__compound__name="翠苑一区",
        household__building__name="3幢",
        household__unit="2",
        household__room="501",
    )
    wife = ResidentFactory(
        name="李秀英", household=zhangsan.household, relation_to_head="spouse", phone=""
    )
    ResidentFactory(name="王五", household__building__compound__community=community)
    return {"coordinator": coordinator, "zhangsan": zhangsan, "wife": wife}


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base_url + "/")
    page.get_by_role("heading", name="欢迎使用葵花社区平台").wait_for()


def assert_no_horizontal_scroll(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide in a {width}px viewport"


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_find_a_resident_by_pinyin_initials_and_see_the_household_masked(
    live_server, open_page, screenshot, registry, device
):
    from playwright.sync_api import expect

    viewport = VIEWPORTS[device]
    page = open_page(viewport)
    zhangsan, wife = registry["zhangsan"], registry["wife"]

    # Given a signed-in coordinator
    sign_in(page, live_server.url, "wanggong")
    screenshot(page, f"{device}-1-home")
    assert_no_horizontal_scroll(page, viewport["width"])

    # When they open the registry and type "zs" into the search box
    page.get_by_role("link", name="居民信息").first.click()
    page.get_by_role("heading", name="居民信息").wait_for()
    rows = page.locator("#results table tbody tr")
    assert rows.count() == 3
    with page.expect_response(lambda r: "q=zs" in r.url) as answer:
        page.get_by_label("搜索").fill("zs")
    assert answer.value.request.headers.get("hx-request") == "true"  # an HTMX swap, not a load
    expect(page.locator("#results tbody tr")).to_have_count(1)
    screenshot(page, f"{device}-2-search")

    # Then only 张三 is listed, with a masked phone, and the address bar follows the search
    assert "q=zs" in page.url
    results = page.locator("#results")
    assert "张三" in results.inner_text()
    assert "王五" not in results.inner_text()
    assert "138****5678" in results.inner_text()
    assert_no_horizontal_scroll(page, viewport["width"])

    # When they open his household
    results.get_by_role("link", name=zhangsan.household.address).click()
    page.get_by_role("heading", name=zhangsan.household.address).wait_for()
    screenshot(page, f"{device}-3-household")

    # Then both members are there with masked ID numbers, never the whole ones
    content = page.content()
    members = page.locator("table.members")
    assert "张三" in members.inner_text() and "李秀英" in members.inner_text()
    assert mask_id_number(zhangsan.id_number) in members.inner_text()
    assert mask_id_number(wife.id_number) in members.inner_text()
    assert zhangsan.id_number not in content
    assert wife.id_number not in content
    assert_no_horizontal_scroll(page, viewport["width"])


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_a_coordinator_reveals_the_whole_record_and_the_look_is_logged(
    live_server, open_page, screenshot, registry, device
):
    viewport = VIEWPORTS[device]
    page = open_page(viewport)
    zhangsan = registry["zhangsan"]
    sign_in(page, live_server.url, "wanggong")

    page.goto(f"{live_server.url}/registry/residents/{zhangsan.pk}/")
    facts = page.locator("#facts")
    assert mask_id_number(zhangsan.id_number) in facts.inner_text()
    assert zhangsan.id_number not in page.content()
    assert_no_horizontal_scroll(page, viewport["width"])
    screenshot(page, f"{device}-4-resident")

    page.get_by_label("查看原因").fill("上门走访核对")
    page.get_by_role("button", name="查看完整信息").click()
    page.get_by_text("本次查看已记入个人信息访问记录").wait_for()
    screenshot(page, f"{device}-5-revealed")

    assert zhangsan.id_number in page.locator("#facts").inner_text()
    assert page.url.endswith(f"/registry/residents/{zhangsan.pk}/")  # swapped in place
    entry = AccessLog.objects.with_scopes_disabled().get()
    assert entry.subject_id == zhangsan.pk
    assert entry.purpose == "上门走访核对"
    assert_no_horizontal_scroll(page, viewport["width"])
