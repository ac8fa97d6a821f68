"""A need from a phone to a rating: raised, matched, accepted, served, rated, counted.

王秀英 raises a meal-delivery need on a 360 px phone and consents to share her
details. The coordinator, at a desk, runs the matching: her need is proposed to
翠苑助餐队 (a social organization) with its cost terms, and 李大爷's legal-aid
need, which nobody offers, is left unmatched with the reason in words. The
coordinator accepts; the organization's contact account starts and finishes the
service on a phone; 王秀英 rates it; the count of services by social
organizations on the statistics page moves from 0 to 1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.matching.models import Need
from kuihua.matching.tests import factories as f
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import BuildingFactory, CommunityFactory, CompoundFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "kuihua-test-pass"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
    ),
]


@pytest.fixture
def neighbourhood(transactional_db):
    """A compound with two residents, a coordinator and an organization offering meals."""
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        compound = CompoundFactory(community=community, name="翠苑一区")
        building = BuildingFactory(compound=compound, community=community, name="3幢")
        wang = f.resident_at(building, name="王秀英")
        wang.account.username = "wangxiuying"
        wang.account.save(update_fields=["username"])
        li = f.resident_at(building, name="李大爷")
        f.need(li, code="legal_aid", description="房屋继承咨询")
        UserFactory(
            username="wanggong", role=Role.COORDINATOR, community=community, display_name="王工"
        )
        contact = UserFactory(
            username="zhucan", role=Role.ORG_LEADER, community=community, display_name="助餐队"
        )
        organization = OrganizationFactory(community=community, name="翠苑助餐队")
        offer = f.organization_offer(
            community, organization=organization, contact_user=contact, capacity=5
        )
    return {"community": community, "wang": wang, "li": li, "offer": offer}


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base_url + "/")


def assert_no_horizontal_scroll(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide in a {width}px viewport"


def organizations_count(page, base_url: str) -> str:
    page.goto(base_url + "/matching/stats/")
    return page.locator("#by-organizations").inner_text().strip()


def test_a_need_from_a_phone_to_a_rating_and_the_statistics(
    live_server, open_page, screenshot, neighbourhood
):
    base = live_server.url
    community = neighbourhood["community"]

    # The coordinator's statistics: no service by a social organization yet
    desk = open_page(DESKTOP)
    sign_in(desk, base, "wanggong")
    assert organizations_count(desk, base) == "0"

    # 王秀英 raises a need on her phone, consenting to share her details
    phone = open_page(PHONE)
    sign_in(phone, base, "wangxiuying")
    phone.goto(base + "/matching/")
    phone.get_by_role("heading", name="我的需求").wait_for()
    phone.get_by_role("link", name="提出需求").first.click()
    phone.get_by_role("heading", name="提出需求").wait_for()
    assert_no_horizontal_scroll(phone, PHONE["width"])
    phone.get_by_label("需要什么服务").select_option(label="助餐送餐")
    phone.get_by_label("具体说说").fill("腿脚不便，想每周有人送两次午饭")
    phone.get_by_label("较急").check()
    # Nothing comes ticked: she says which days and parts of the day suit her
    for day in ("周一", "周二", "周三", "周四", "周五"):
        phone.get_by_label(day).check()
    for part in ("上午", "下午"):
        phone.get_by_label(part).check()
    phone.get_by_label("每周").check()
    phone.get_by_label("同意把我的姓名、地址、电话提供给服务方").check()
    screenshot(phone, "matching-1-raise")
    phone.get_by_role("button", name="提交需求").click()
    phone.get_by_text("需求已登记，社区会尽快为您对接服务").wait_for()
    assert phone.locator("#need-status").inner_text() == "待对接"
    assert "工作日 · 上午、下午" in phone.locator("#need").inner_text()
    assert_no_horizontal_scroll(phone, PHONE["width"])
    screenshot(phone, "matching-2-raised")
    with use_community(community):
        need = Need.objects.get(resident=neighbourhood["wang"])
        assert need.consent_to_share
    need_url = f"{base}/matching/needs/{need.pk}/"

    # The coordinator runs the matching and reads the proposal and the unmatched need
    desk.goto(base + "/matching/")
    desk.get_by_role("button", name="运行精准对接").click()
    desk.get_by_role("heading", name=re.compile("对接结果")).wait_for()
    proposals = desk.locator("table.proposals")
    assert "翠苑助餐队" in proposals.inner_text()
    assert "王**" in proposals.inner_text() and "王秀英" not in proposals.inner_text()
    unmatched = desk.locator("table.unmatched")
    assert "李**" in unmatched.inner_text()
    assert "社区暂无提供该类服务的服务方" in unmatched.inner_text()
    screenshot(desk, "matching-3-run")
    run_url = desk.url

    desk.goto(need_url)
    terms = desk.locator("#proposal").inner_text()
    for term in ("推荐服务方", "翠苑助餐队", "距离", "类别匹配", "紧急与等待", "延续上次服务方"):
        assert term in terms
    assert "均衡负荷" in terms
    screenshot(desk, "matching-4-proposal")

    # The coordinator accepts the proposal in its row (an HTMX swap of the row)
    desk.goto(run_url)
    row = desk.locator("table.proposals tbody tr").first
    with desk.expect_response(lambda r: "/accept/" in r.url) as answer:
        row.get_by_role("button", name="采纳").click()
    assert answer.value.request.headers.get("hx-request") == "true"
    row.get_by_text("已采纳", exact=True).wait_for()
    assert "已通知服务方" in row.locator("ul.messages").inner_text()
    with use_community(community):
        need.refresh_from_db()
        assert need.status == Need.Status.MATCHED

    # The organization's contact starts and finishes the service on a phone
    provider = open_page(PHONE)
    sign_in(provider, base, "zhucan")
    provider.goto(base + "/matching/orders/")
    order = provider.locator(f"#order-{need.pk}")
    assert "助餐送餐" in order.inner_text()
    assert_no_horizontal_scroll(provider, PHONE["width"])
    screenshot(provider, "matching-5-orders")
    order.get_by_role("button", name="开始服务").click()
    provider.get_by_text("已开始服务").wait_for()
    provider.locator(f"#order-{need.pk}").get_by_role("button", name="服务完成").click()
    provider.get_by_text("服务已完成，辛苦了！").wait_for()
    provider.goto(need_url)
    assert provider.locator("#person-name").inner_text() == "王秀英"  # she consented
    assert provider.locator("#need-status").inner_text() == "已完成"
    assert_no_horizontal_scroll(provider, PHONE["width"])
    screenshot(provider, "matching-6-done")

    # 王秀英 rates it
    phone.goto(need_url)
    phone.get_by_label("★★★★★ 非常满意").check()
    phone.get_by_label("说几句（可不填）").fill("饭菜热乎，很准时")
    phone.get_by_role("button", name="提交评价").click()
    phone.get_by_text("谢谢您的评价").wait_for()
    assert phone.locator("#need-status").inner_text() == "已评价"
    assert_no_horizontal_scroll(phone, PHONE["width"])
    screenshot(phone, "matching-7-rated")

    # One service by a social organization now
    assert organizations_count(desk, base) == "1"
    assert desk.locator("#share-by-organizations").inner_text() == "100.0%"
    screenshot(desk, "matching-8-stats")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_coordinator_page_fits_the_screen(
    live_server, open_page, screenshot, neighbourhood, viewport
):
    base = live_server.url
    page = open_page(viewport)
    sign_in(page, base, "wanggong")
    page.goto(base + "/matching/")
    page.get_by_role("button", name="运行精准对接").click()
    page.get_by_role("heading", name=re.compile("对接结果")).wait_for()
    li_need = neighbourhood["li"]
    with use_community(neighbourhood["community"]):
        need = Need.objects.get(resident=li_need)

    for number, path in enumerate(
        (
            "/matching/",
            page.url.removeprefix(base),
            f"/matching/needs/{need.pk}/",
            "/matching/needs/new/",
            "/matching/offers/",
            "/matching/offers/new/?provider_type=volunteer",
            "/matching/categories/",
            "/matching/gaps/",
            "/matching/stats/",
        )
    ):
        page.goto(base + path)
        assert page.locator("h1").count() == 1, path
        assert_no_horizontal_scroll(page, viewport["width"])
        screenshot(page, f"matching-page-{viewport['width']}-{number}")


def test_a_coordinator_records_a_need_for_a_resident_found_by_typing(
    live_server, open_page, screenshot, neighbourhood
):
    from playwright.sync_api import expect

    base = live_server.url
    page = open_page(PHONE)
    sign_in(page, base, "wanggong")
    page.goto(base + "/matching/needs/new/")
    page.get_by_role("heading", name="登记需求").wait_for()

    # Typing part of the name fills the resident list (an HTMX swap, the page stays)
    with page.expect_response(lambda r: "q=" in r.url) as answer:
        page.get_by_label("查找居民").fill("王秀")
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#id_resident option")).to_have_count(2)
    assert "王秀英" in page.locator("#id_resident option:checked").inner_text()
    page.get_by_label("来源").select_option(label="志愿者走访收集")
    page.get_by_label("需要什么服务").select_option(label="理发")
    assert_no_horizontal_scroll(page, PHONE["width"])
    screenshot(page, "matching-9-coordinator-raises")

    # Nothing ticked for the days and the time: asked for, not taken as every day
    page.get_by_role("button", name="提交需求").click()
    page.get_by_text("请选择哪几天需要服务").wait_for()
    assert "请选择什么时段需要服务" in page.locator("form").last.inner_text()
    page.get_by_label("周二").check()
    page.get_by_label("上午").check()
    page.get_by_role("button", name="提交需求").click()
    page.get_by_text("需求已登记").wait_for()

    with use_community(neighbourhood["community"]):
        need = Need.objects.get(resident=neighbourhood["wang"])
        assert need.channel == Need.Channel.VOLUNTEER
        assert need.category.name == "理发"
        assert not need.consent_to_share
        assert (need.days, need.slots) == (0b10, 0b1)  # 周二, 上午
