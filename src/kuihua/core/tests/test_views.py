"""Sign-in, the home page and the placeholder areas."""

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_needs_a_signed_in_user(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_sign_in_page_is_in_chinese(client):
    html = client.get(reverse("login")).content.decode()

    assert "登录" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'lang="zh-hans"' in html


def test_signing_in_through_the_form_lands_on_home(client, coordinator):
    response = client.post(
        reverse("login"), {"username": "coordinator", "password": "kuihua-test-pass"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "欢迎使用葵花社区平台" in response.content.decode()


def test_a_wrong_password_shows_a_chinese_message(client, coordinator):
    response = client.post(reverse("login"), {"username": "coordinator", "password": "nope"})

    assert "用户名或密码不正确" in response.content.decode()


def test_home_links_every_area_a_coordinator_uses(client, coordinator):
    client.force_login(coordinator)

    html = client.get(reverse("home")).content.decode()

    for title in (
        "居民信息",
        "社会组织",
        "场地预约",
        "活动招募",
        "服务时长",
        "需求对接",
        "幸福来敲门",
    ):
        assert title in html
    assert reverse("registry:resident_list") in html
    assert reverse("organizations:list") in html
    assert "翠苑一区社区" in html


def test_home_gives_a_resident_shortcuts_to_their_own_record(client, community):
    resident = ResidentFactory(household__building__compound__community=community)
    user = UserFactory(role=Role.RESIDENT, community=community, resident=resident)
    client.force_login(user)

    html = client.get(reverse("home")).content.decode()

    assert reverse("registry:household_detail", args=[resident.household_id]) in html
    assert reverse("registry:resident_detail", args=[resident.pk]) in html


def test_the_current_area_is_marked_in_the_navigation(client, coordinator):
    client.force_login(coordinator)

    html = client.get(reverse("organizations:list")).content.decode()

    assert f'href="{reverse("organizations:list")}" aria-current="page"' in html


def test_an_area_not_built_yet_is_neither_shown_nor_reachable(client, coordinator):
    client.force_login(coordinator)

    html = client.get(reverse("home")).content.decode()
    missing = client.get("/areas/stewards/")

    # Every area is built now (数据看板 was the last); none says "under construction".
    assert "建设中" not in html
    assert missing.status_code == 404
    assert "找不到这个页面" in missing.content.decode()


def test_english_can_be_chosen(client, coordinator):
    client.force_login(coordinator)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()

    assert 'lang="en"' in html


def test_a_district_viewer_reads_one_community_at_a_time_and_switches(
    client, community, other_community
):
    from kuihua.organizations.tests.factories import OrganizationFactory

    OrganizationFactory(community=community, name="翠苑合唱团")
    OrganizationFactory(community=other_community, name="文新书画社")
    viewer = UserFactory(role=Role.DISTRICT_VIEWER, community=None)
    viewer.viewable_communities.add(community, other_community)
    client.force_login(viewer)
    first = client.get(reverse("organizations:list")).content.decode()

    client.post(reverse("switch_community"), {"community_id": other_community.pk})
    second = client.get(reverse("organizations:list")).content.decode()

    assert "翠苑合唱团" in first and "文新书画社" not in first
    assert "文新书画社" in second and "翠苑合唱团" not in second


def test_an_account_with_no_community_yet_gets_a_403_that_says_why(client, community):
    viewer = UserFactory(role=Role.DISTRICT_VIEWER, community=None)  # none assigned yet
    client.force_login(viewer)

    for name in ("activities:overview", "organizations:list"):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
        assert "您的账户不属于任何社区" in response.content.decode()


def test_nobody_switches_into_a_community_that_is_not_theirs(client, coordinator, other_community):
    client.force_login(coordinator)

    response = client.post(reverse("switch_community"), {"community_id": other_community.pk})

    assert response.status_code == 404
    assert client.session.get("community_id") is None
