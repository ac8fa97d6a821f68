"""The menu per role: each role sees the areas it can use, and every link in it opens a page."""

import re

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care.tests.factories import care_world
from kuihua.core.tenancy import use_community
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

NOT_BUILT: tuple[str, ...] = ()


def menu(html: str) -> dict[str, str]:
    """The area menu of a page: title -> link."""
    nav = re.search(r'<nav class="areas"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return {title: href for href, title in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


def resident_user(community, role, **extra):
    resident = ResidentFactory(household__building__compound__community=community)
    return UserFactory(role=role, community=community, resident=resident, **extra)


@pytest.fixture
def district_viewer(community, other_community):
    viewer = UserFactory(role=Role.DISTRICT_VIEWER, community=None, display_name="赵敏")
    viewer.viewable_communities.add(community, other_community)
    return viewer


def test_a_coordinator_sees_every_built_area_and_lands_on_the_communitys_pages(client, coordinator):
    client.force_login(coordinator)

    items = menu(client.get(reverse("home")).content.decode())

    assert list(items) == [
        "居民信息", "社会组织", "场地预约", "活动招募", "服务时长", "需求对接", "公益项目",
        "幸福来敲门", "百姓议事会", "义管家", "爱心集市", "数据看板",
    ]  # fmt: skip
    assert items["数据看板"] == reverse("dashboard:home")
    assert items["服务时长"] == reverse("service_records:overview")
    assert items["幸福来敲门"] == reverse("care:board")
    assert items["百姓议事会"] == reverse("council:home")
    assert items["义管家"] == reverse("stewards:home")
    assert items["爱心集市"] == reverse("market:home")
    assert not set(NOT_BUILT) & set(items)


def test_a_resident_sees_only_what_a_resident_uses(client, community):
    user = resident_user(community, Role.RESIDENT)
    client.force_login(user)

    items = menu(client.get(reverse("home")).content.decode())

    assert list(items) == [
        "居民信息", "社会组织", "活动招募", "服务时长", "需求对接", "公益项目", "百姓议事会",
        "爱心集市",
    ]  # fmt: skip
    assert items["居民信息"] == reverse("registry:resident_detail", args=[user.resident_id])
    assert items["服务时长"] == reverse("service_records:mine")
    assert items["爱心集市"] == reverse("market:points")


def test_a_volunteer_who_visits_someone_finds_the_care_programme(client, community, coordinator):
    with use_community(community):
        world = care_world(
            coordinator=coordinator,
            resident=ResidentFactory(household__building__compound__community=community),
        )
    visitor = world["recipient"].primary_visitor
    client.force_login(visitor)

    items = menu(client.get(reverse("home")).content.decode())

    assert items["幸福来敲门"] == reverse("care:my_visits")
    assert client.get(items["幸福来敲门"]).status_code == 200


def test_a_volunteer_who_visits_nobody_finds_their_duty_page_and_a_resident_no_care(
    client, community
):
    client.force_login(resident_user(community, Role.VOLUNTEER))
    volunteer = menu(client.get(reverse("home")).content.decode())
    client.force_login(resident_user(community, Role.RESIDENT))
    resident = menu(client.get(reverse("home")).content.decode())

    assert volunteer["幸福来敲门"] == reverse("care:my_duty")
    assert "场地预约" not in volunteer
    assert "幸福来敲门" not in resident


def test_an_organization_leader_books_rooms(client, community):
    leader = resident_user(community, Role.ORG_LEADER)
    with use_community(community):
        MembershipFactory(
            organization=OrganizationFactory(community=community),
            resident=leader.resident,
            role=Membership.Role.LEADER,
        )
    client.force_login(leader)

    items = menu(client.get(reverse("home")).content.decode())

    assert items["场地预约"] == reverse("activities:calendar")
    assert items["爱心集市"] == reverse("market:home")  # 我的摊位


def test_the_steward_home_says_what_the_role_can_do_today(client, community):
    client.force_login(resident_user(community, Role.STEWARD))

    html = client.get(reverse("home")).content.decode()

    assert "为所管的小区开单、收款、打印收据" in html and "即将上线" not in html
    assert "活动招募" in menu(html)
    assert menu(html)["义管家"] == reverse("stewards:home")


def test_a_resident_of_a_self_managed_compound_finds_their_homes_fees(client, community):
    user = resident_user(community, Role.RESIDENT)
    client.force_login(user)
    before = menu(client.get(reverse("home")).content.decode())

    compound = user.resident.household.building.compound
    compound.has_property_company = False
    compound.save(update_fields=["has_property_company"])
    after = menu(client.get(reverse("home")).content.decode())

    assert "义管家" not in before
    assert after["义管家"] == reverse("stewards:home")


def test_a_district_viewer_reaches_every_statistics_page_and_nothing_about_a_person(
    client, district_viewer
):
    client.force_login(district_viewer)

    items = menu(client.get(reverse("home")).content.decode())

    assert list(items) == [
        "社会组织", "活动招募", "服务时长", "需求对接", "公益项目", "幸福来敲门", "百姓议事会",
        "数据看板",
    ]  # fmt: skip
    assert items["数据看板"] == reverse("dashboard:district")
    assert items["百姓议事会"] == reverse("council:notice_board")
    assert items["活动招募"] == reverse("activities:overview")
    assert items["需求对接"] == reverse("matching:delivery_stats")
    assert items["幸福来敲门"] == reverse("care:figures")
    for name in (
        "service_records:overview",
        "matching:delivery_stats",
        "matching:gap_report",
        "activities:overview",
        "care:figures",
        "council:notice_board",
        "projects:list",
        "dashboard:district",
        "dashboard:home",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "未关联居民" not in response.content.decode()
    for name in ("registry:resident_list", "care:recipient_list", "matching:offer_list"):
        assert client.get(reverse(name)).status_code == 404, name


def test_a_district_viewers_statistics_pages_offer_no_act(client, district_viewer):
    client.force_login(district_viewer)

    matching = client.get(reverse("matching:delivery_stats")).content.decode()
    hours = client.get(reverse("service_records:mine"), follow=True)

    assert "提出需求" not in matching
    assert hours.redirect_chain[-1][0] == reverse("service_records:overview")
    assert "我的服务时长" not in hours.content.decode()


def test_a_coordinators_hours_landing_is_the_communitys_overview(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("service_records:mine"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("service_records:overview")
    assert "未关联居民" not in response.content.decode()


def test_a_page_one_may_not_see_answers_in_chinese_with_a_way_back(client, community):
    client.force_login(resident_user(community, Role.RESIDENT))

    response = client.get(reverse("registry:resident_list") + "999999/")
    html = client.get(reverse("care:recipient_list")).content.decode()

    assert response.status_code == 404
    assert "找不到这个页面" in html and "Not Found" not in html
    assert f'href="{reverse("home")}"' in html


def test_the_tag_page_shows_names_not_codes(client, coordinator):
    client.force_login(coordinator)

    html = client.get(reverse("registry:tag_list")).content.decode()

    assert "独居" in html and "高龄" in html and "病残" in html
    for code in ("living_alone", "advanced_age", "ill_disabled"):
        assert f">{code}<" not in html
    assert 'name="code"' not in html


def test_the_certificate_form_finds_a_volunteer_by_pinyin_among_many(
    client, community, coordinator
):
    with use_community(community):
        organization = OrganizationFactory(community=community, name="夕阳红志愿服务队")
        for k in range(60):
            MembershipFactory(organization=organization, resident=ResidentFactory(
                household__building__compound__community=community, name=f"李{chr(0x4E00 + k)}",
            ))  # fmt: skip
        wanted = ResidentFactory(household__building__compound__community=community, name="张晓燕")
        MembershipFactory(organization=organization, resident=wanted)
    client.force_login(coordinator)
    url = reverse("service_records:certificates")

    first = client.get(url).content.decode()
    found = client.get(url, {"q": "zxy"}).content.decode()

    assert "张晓燕" not in first and "请先在上面输入志愿者的姓名查找" in first
    assert f'<option value="{wanted.pk}"' in found
    picker = re.search(r'<select name="resident".*?</select>', found, re.S).group(0)
    assert picker.count("<option value=") == 2  # the one found, and "请选择"
    assert "出具证明" in found and "我的证明" not in found


def test_a_form_sent_from_an_expired_page_is_refused_in_chinese(coordinator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)

    response = client.post(reverse("registry:tag_list"), {"name": "退役军人"})

    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    assert "CSRF" not in response.content.decode()
