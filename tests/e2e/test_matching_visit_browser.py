"""A volunteer's visit and a partner unit's orders, on a 360 px phone.

小周, a volunteer and deputy of the elders' group 王秀英 belongs to, hears on a visit
that she needs her tap repaired: on his phone he opens 需求对接 → 走访登记需求, finds
her by name and records the need for her. The coordinator gives it to the street's
repair team (a government department, a partner unit) and names 老陈 as the unit's
contact account; 老陈 finds the order on his phone and serves it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.matching import services
from kuihua.matching.models import Need, ProviderType
from kuihua.matching.tests import factories as f
from kuihua.organizations import services as org_services
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    CompoundFactory,
    ResidentFactory,
)

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
def street(transactional_db):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        compound = CompoundFactory(community=community, name="翠苑一区")
        building = BuildingFactory(compound=compound, community=community, name="3幢")
        wang = f.resident_at(building, name="王秀英")
        group = OrganizationFactory(community=community, name="翠苑助老队")
        MembershipFactory(organization=group, resident=wang)
        deputy = MembershipFactory(
            organization=group,
            role="deputy",
            resident=ResidentFactory(household__building=building, community=community),
        )
        UserFactory(
            username="xiaozhou", role=Role.VOLUNTEER, community=community, resident=deputy.resident
        )
        UserFactory(username="wanggong", role=Role.COORDINATOR, community=community)
        UserFactory(username="laochen", role=Role.RESIDENT, community=community)
        unit = org_services.partner_unit_create(actor=None, name="街道维修队", kind="government")
        repairs = services.offer_create(
            actor=None,
            provider_type=ProviderType.GOVERNMENT,
            partner=unit,
            name="街道维修队·维修",
            main_category=f.category("home_repair"),
            capacity_per_week=5,
            serves_all=True,
        )
    return {"community": community, "wang": wang, "unit": unit, "repairs": repairs}


def sign_in(page, base_url: str, username: str) -> None:
    # The first page of a cold live server on a busy machine may take longer than 10 s.
    page.goto(base_url + "/accounts/login/", timeout=60_000)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base_url + "/")


def assert_no_horizontal_scroll(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide in a {width}px viewport"


def test_a_volunteer_records_a_need_on_a_visit_and_the_units_contact_serves_it(
    live_server, open_page, screenshot, street
):
    base = live_server.url
    community = street["community"]

    # 小周 records 王秀英's need on his phone
    phone = open_page(PHONE)
    sign_in(phone, base, "xiaozhou")
    phone.goto(base + "/matching/")
    phone.get_by_role("link", name="走访登记需求").first.click()
    expect(phone.get_by_role("heading", name="走访登记需求")).to_be_visible()
    assert_no_horizontal_scroll(phone, PHONE["width"])
    phone.get_by_label("查找居民").fill("王秀")
    expect(phone.locator("#id_resident option", has_text="王秀英")).to_have_count(1)
    phone.locator("#id_resident").select_option(label=re_label(phone, "王秀英"))
    phone.get_by_label("需要什么服务").select_option(label="维修")
    phone.get_by_label("具体说说").fill("厨房水龙头漏水")
    phone.get_by_label("周二").check()
    phone.get_by_label("上午").check()
    phone.get_by_label("居民同意把姓名、地址、电话提供给服务方").check()
    screenshot(phone, "visit-1-form")
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.get_by_text("需求已登记，社区会尽快为您对接服务")).to_be_visible()
    assert_no_horizontal_scroll(phone, PHONE["width"])
    with use_community(community):
        need = Need.objects.get(resident=street["wang"])
        assert need.channel == Need.Channel.VOLUNTEER

    # The coordinator names 老陈 as the unit's contact and gives it the need
    desk = open_page(DESKTOP)
    sign_in(desk, base, "wanggong")
    desk.goto(f"{base}/organizations/partners/{street['unit'].pk}/")
    desk.get_by_label("接单人账号").fill("laochen")
    desk.get_by_role("button", name="保存").click()
    expect(desk.get_by_text("已设 laochen 为接单人账号", exact=False)).to_be_visible()
    with use_community(community):
        services.need_assign(actor=None, need=need, offer=street["repairs"])

    # 老陈 serves it from his phone
    contact = open_page(PHONE)
    sign_in(contact, base, "laochen")
    contact.goto(base + "/matching/orders/")
    order = contact.locator(f"#order-{need.pk}")
    expect(order).to_contain_text("维修")
    assert_no_horizontal_scroll(contact, PHONE["width"])
    screenshot(contact, "visit-2-unit-orders")
    order.get_by_role("button", name="开始服务").click()
    expect(contact.get_by_text("已开始服务")).to_be_visible()
    contact.locator(f"#order-{need.pk}").get_by_role("button", name="服务完成").click()
    expect(contact.get_by_text("服务已完成，辛苦了！")).to_be_visible()
    with use_community(community):
        need.refresh_from_db()
        assert need.status == Need.Status.DONE


def re_label(page, name: str) -> str:
    """The full text of the resident's option (name · age · address)."""
    return page.locator("#id_resident option", has_text=name).inner_text().strip()
