"""The organization pages: directory, profile, members, lifecycle and partner units."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import unscoped, use_community
from kuihua.organizations import services
from kuihua.organizations.models import Category, Membership, Organization, PartnerUnit, Stage
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def resident_in(community, **kwargs):
    kwargs.setdefault("household__building__compound__community", community)
    return ResidentFactory(**kwargs)


def member(organization, role=Membership.Role.MEMBER, **resident_kwargs):
    resident = resident_in(organization.community, **resident_kwargs)
    return MembershipFactory(organization=organization, resident=resident, role=role)


@pytest.fixture
def choir(community):
    """Created by the service, so that its history starts with 孵化中."""
    with use_community(community):
        return services.organization_create(
            actor=None, name="葵花合唱团", category=Category.CULTURE_SPORTS
        )


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def choir_leader(choir):
    """The choir's own leader: manages the roster, not the lifecycle."""
    membership = member(choir, role=Membership.Role.LEADER, name="周老师", phone="13600001111")
    with unscoped():
        Organization.objects.filter(pk=choir.pk).update(leader=membership.resident)
    return UserFactory(
        role=Role.ORG_LEADER, community=choir.community, resident=membership.resident
    )


@pytest.fixture
def leader_client(client, choir_leader):
    client.force_login(choir_leader)
    return client


@pytest.fixture
def volunteer_client(client, community):
    user = UserFactory(role=Role.VOLUNTEER, community=community, resident=resident_in(community))
    client.force_login(user)
    return client


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- directory --------------------------------------------------------------


def test_the_directory_shows_category_branch_stage_leader_and_member_count(volunteer_client, choir):
    member(choir, role=Membership.Role.MEMBER)
    member(choir, role=Membership.Role.MEMBER)

    html = volunteer_client.get(reverse("organizations:list")).content.decode()

    assert "葵花合唱团" in html
    assert "文体型" in html
    assert "文体型社会组织党支部" in html
    assert "孵化中" in html
    assert "2 人" in html


def test_the_directory_filters_by_category_and_searches_by_name(volunteer_client, community, choir):
    OrganizationFactory(community=community, name="夕阳红巡逻队", category=Category.GOVERNANCE)
    url = reverse("organizations:list")

    by_category = volunteer_client.get(url, {"category": "governance"}).content.decode()
    by_name = volunteer_client.get(url, {"q": "合唱"}).content.decode()

    assert "夕阳红巡逻队" in by_category and "葵花合唱团" not in by_category
    assert "葵花合唱团" in by_name and "夕阳红巡逻队" not in by_name


def test_the_directory_search_answers_htmx_with_the_rows_only(volunteer_client, choir):
    partial = volunteer_client.get(reverse("organizations:list"), {"q": "合唱"}, **HTMX)

    assert "<html" not in partial.content.decode()
    assert "葵花合唱团" in partial.content.decode()


def test_the_directory_takes_the_same_number_of_queries_for_3_and_15_organizations(
    volunteer_client, community
):
    url = reverse("organizations:list")

    def add(n):
        for _ in range(n):
            organization = OrganizationFactory(community=community)
            membership = member(organization, role=Membership.Role.LEADER)
            with unscoped():
                Organization.objects.filter(pk=organization.pk).update(leader=membership.resident)

    add(3)
    with_3 = count_queries(volunteer_client, url)
    add(12)
    with_15 = count_queries(volunteer_client, url)

    assert with_3 == with_15


def test_a_coordinator_creates_an_organization(coordinator_client, community):
    response = coordinator_client.post(
        reverse("organizations:create"),
        {"name": "爱心编织社", "category": "welfare", "description": "织拖鞋义卖"},
    )

    assert response.status_code == 302
    with unscoped():
        organization = Organization.objects.get(name="爱心编织社")
    assert organization.stage == Stage.INCUBATING
    assert organization.branch.category == "welfare"


def test_a_duplicate_organization_name_is_refused_in_chinese(coordinator_client, choir):
    response = coordinator_client.post(
        reverse("organizations:create"), {"name": "葵花合唱团", "category": "culture"}
    )

    assert response.status_code == 200
    assert "已有同名组织" in response.content.decode()
    assert Organization.objects.with_scopes_disabled().filter(name="葵花合唱团").count() == 1


def test_only_coordinators_create_organizations(leader_client):
    assert leader_client.get(reverse("organizations:create")).status_code == 404


# --- profile ----------------------------------------------------------------


def test_the_profile_masks_member_phones_for_ordinary_users(volunteer_client, choir):
    member(choir, name="钱七", phone="13911112222")

    html = volunteer_client.get(reverse("organizations:detail", args=[choir.pk])).content.decode()

    assert "钱七" in html
    assert "139****2222" in html
    assert "13911112222" not in html
    assert "移除" not in html
    assert "进入下一阶段" not in html


def test_the_profile_shows_roster_tools_but_masked_phones_to_the_own_leader(leader_client, choir):
    member(choir, name="钱七", phone="13911112222")

    html = leader_client.get(reverse("organizations:detail", args=[choir.pk])).content.decode()

    assert "139****2222" in html
    assert "13911112222" not in html
    assert "周老师" in html
    assert "添加成员" in html
    assert "移除" in html
    assert "进入下一阶段" not in html  # the lifecycle is the coordinators'
    assert "更换负责人" not in html


def test_the_profile_shows_the_stage_history(coordinator_client, coordinator, choir):
    with use_community(choir.community):
        services.organization_advance_stage(actor=coordinator, organization=choir, to_stage="filed")

    html = coordinator_client.get(reverse("organizations:detail", args=[choir.pk])).content.decode()

    assert "孵化中" in html and "已备案" in html
    assert "进入下一阶段：已登记" in html


def test_another_communitys_organization_is_404(coordinator_client, other_community):
    foreign = OrganizationFactory(community=other_community)

    for name in ("detail", "edit", "member_search"):
        response = coordinator_client.get(reverse(f"organizations:{name}", args=[foreign.pk]))
        assert response.status_code == 404


def test_the_profile_takes_the_same_number_of_queries_for_3_and_15_members(
    coordinator_client, choir
):
    url = reverse("organizations:detail", args=[choir.pk])
    for _ in range(3):
        member(choir)
    with_3 = count_queries(coordinator_client, url)
    for _ in range(12):
        member(choir)
    with_15 = count_queries(coordinator_client, url)

    assert with_3 == with_15


def test_the_own_leader_edits_the_description(leader_client, choir):
    response = leader_client.post(
        reverse("organizations:edit", args=[choir.pk]),
        {"description": "每周三下午排练", "founded_on": "2015-03-01", "funds_note": ""},
    )

    assert response.status_code == 302
    with unscoped():
        choir.refresh_from_db()
    assert choir.description == "每周三下午排练"


def test_a_bad_date_on_edit_is_refused_in_chinese(leader_client, choir):
    response = leader_client.post(
        reverse("organizations:edit", args=[choir.pk]),
        {"description": "改了", "founded_on": "2015-13-45"},
    )

    assert response.status_code == 200
    assert "输入一个有效的日期" in response.content.decode()
    with unscoped():
        choir.refresh_from_db()
    assert choir.description == ""


def test_a_volunteer_cannot_edit(volunteer_client, choir):
    url = reverse("organizations:edit", args=[choir.pk])

    assert volunteer_client.get(url).status_code == 404
    assert volunteer_client.post(url, {"description": "x"}).status_code == 404


def test_a_coordinator_advances_the_stage(coordinator_client, choir):
    response = coordinator_client.post(
        reverse("organizations:advance_stage", args=[choir.pk]),
        {"to_stage": "filed", "on": ""},
    )

    assert response.status_code == 302
    with unscoped():
        choir.refresh_from_db()
        assert choir.stage == Stage.FILED
        assert choir.stage_changes.count() == 2


def test_skipping_a_stage_is_refused_in_chinese_and_changes_nothing(coordinator_client, choir):
    response = coordinator_client.post(
        reverse("organizations:advance_stage", args=[choir.pk]),
        {"to_stage": "brand", "on": ""},
    )

    assert response.status_code == 200
    assert "只能从“孵化中”进入下一阶段" in response.content.decode()
    with unscoped():
        choir.refresh_from_db()
        assert choir.stage == Stage.INCUBATING
        assert choir.stage_changes.count() == 1


def test_the_leader_cannot_advance_the_stage_or_set_the_leader(leader_client, choir):
    stage = leader_client.post(
        reverse("organizations:advance_stage", args=[choir.pk]), {"to_stage": "filed"}
    )
    leader = leader_client.post(reverse("organizations:set_leader", args=[choir.pk]), {})

    assert stage.status_code == 404
    assert leader.status_code == 404


def test_a_coordinator_sets_the_leader(coordinator_client, choir):
    membership = member(choir, name="孙八")

    response = coordinator_client.post(
        reverse("organizations:set_leader", args=[choir.pk]), {"membership": membership.pk}
    )

    assert response.status_code == 302
    with unscoped():
        choir.refresh_from_db()
        membership.refresh_from_db()
    assert choir.leader_id == membership.resident_id
    assert membership.role == Membership.Role.LEADER


# --- members ----------------------------------------------------------------


def test_member_search_finds_residents_by_initials_and_leaves_out_members(
    coordinator_client, community, choir
):
    resident_in(community, name="张三")
    member(choir, name="张四")

    response = coordinator_client.get(
        reverse("organizations:member_search", args=[choir.pk]), {"q": "z"}, **HTMX
    )

    html = response.content.decode()
    assert "<html" not in html
    assert "张三" in html
    assert "张四" not in html
    assert reverse("organizations:member_add", args=[choir.pk]) in html


def test_member_search_without_htmx_is_a_whole_page(coordinator_client, community, choir):
    resident_in(community, name="张三")

    response = coordinator_client.get(
        reverse("organizations:member_search", args=[choir.pk]), {"q": "zs"}
    )

    assert "<html" in response.content.decode()
    assert "张三" in response.content.decode()


def test_adding_and_removing_a_member(coordinator_client, community, choir):
    resident = resident_in(community, name="张三")

    added = coordinator_client.post(
        reverse("organizations:member_add", args=[choir.pk]),
        {"resident_id": resident.pk, "role": "backbone"},
    )
    with unscoped():
        membership = Membership.objects.get(organization=choir, resident=resident)
    removed = coordinator_client.post(
        reverse("organizations:member_remove", args=[choir.pk, membership.pk])
    )

    assert added.status_code == 302 and removed.status_code == 302
    assert membership.role == "backbone"
    assert not Membership.objects.with_scopes_disabled().filter(pk=membership.pk).exists()


def test_adding_someone_twice_is_refused_in_chinese(coordinator_client, choir):
    membership = member(choir)

    response = coordinator_client.post(
        reverse("organizations:member_add", args=[choir.pk]),
        {"resident_id": membership.resident_id, "role": "member"},
    )

    assert response.status_code == 200
    assert "该居民已经是本组织成员" in response.content.decode()
    assert Membership.objects.with_scopes_disabled().filter(organization=choir).count() == 1


def test_adding_a_resident_of_another_community_is_404(coordinator_client, other_community, choir):
    stranger = resident_in(other_community)

    response = coordinator_client.post(
        reverse("organizations:member_add", args=[choir.pk]),
        {"resident_id": stranger.pk, "role": "member"},
    )

    assert response.status_code == 404
    assert not Membership.objects.with_scopes_disabled().filter(organization=choir).exists()


def test_removing_the_leader_is_refused(coordinator_client, choir_leader, choir):
    with unscoped():
        leader = Membership.objects.get(organization=choir, role=Membership.Role.LEADER)

    response = coordinator_client.post(
        reverse("organizations:member_remove", args=[choir.pk, leader.pk]), follow=True
    )

    assert "请先更换负责人" in response.content.decode()
    assert Membership.objects.with_scopes_disabled().filter(pk=leader.pk).exists()


def test_a_membership_of_another_organization_is_404(coordinator_client, community, choir):
    other = OrganizationFactory(community=community)
    membership = member(other)

    response = coordinator_client.post(
        reverse("organizations:member_remove", args=[choir.pk, membership.pk])
    )

    assert response.status_code == 404
    assert Membership.objects.with_scopes_disabled().filter(pk=membership.pk).exists()


def test_a_volunteer_cannot_manage_members(volunteer_client, community, choir):
    resident = resident_in(community)

    search = volunteer_client.get(reverse("organizations:member_search", args=[choir.pk]))
    add = volunteer_client.post(
        reverse("organizations:member_add", args=[choir.pk]), {"resident_id": resident.pk}
    )

    assert search.status_code == 404
    assert add.status_code == 404


# --- partner units ----------------------------------------------------------


def test_partner_units_are_listed_and_created_by_coordinators(coordinator_client):
    response = coordinator_client.post(
        reverse("organizations:partner_create"),
        {
            "name": "康乐养老院",
            "kind": "institution",
            "services": "助浴、康复",
            "contact_name": "吴院长",
            "contact_phone": "0571-88886666",
        },
    )
    with unscoped():
        partner = PartnerUnit.objects.get(name="康乐养老院")

    listing = coordinator_client.get(reverse("organizations:partner_list")).content.decode()
    detail = coordinator_client.get(
        reverse("organizations:partner_detail", args=[partner.pk])
    ).content.decode()

    assert response.status_code == 302
    assert "康乐养老院" in listing and "事业单位/机构" in listing
    assert "057188886666" in detail


def test_a_bad_partner_phone_is_refused_in_chinese(coordinator_client):
    response = coordinator_client.post(
        reverse("organizations:partner_create"),
        {"name": "某公司", "kind": "enterprise", "contact_phone": "12"},
    )

    assert response.status_code == 200
    assert "电话号码格式不正确" in response.content.decode()
    assert not PartnerUnit.objects.with_scopes_disabled().exists()


def test_volunteers_see_partner_phones_masked_and_cannot_add(volunteer_client, community):
    with use_community(community):
        partner = services.partner_unit_create(
            actor=None, name="康乐养老院", kind="institution", contact_phone="13577778888"
        )

    detail = volunteer_client.get(reverse("organizations:partner_detail", args=[partner.pk]))
    create = volunteer_client.get(reverse("organizations:partner_create"))

    assert "135****8888" in detail.content.decode()
    assert "13577778888" not in detail.content.decode()
    assert create.status_code == 404


def test_another_communitys_partner_is_404(coordinator_client, other_community):
    with use_community(other_community):
        partner = services.partner_unit_create(actor=None, name="外社区单位", kind="enterprise")

    response = coordinator_client.get(reverse("organizations:partner_detail", args=[partner.pk]))

    assert response.status_code == 404


def test_a_coordinator_names_the_units_contact_account_of_this_community_only(
    coordinator_client, community, other_community
):
    with use_community(community):
        partner = services.partner_unit_create(actor=None, name="康乐养老院", kind="institution")
        UserFactory(username="kangle", role=Role.RESIDENT, community=community)
    with use_community(other_community):
        UserFactory(username="waishequ", role=Role.RESIDENT, community=other_community)
    url = reverse("organizations:partner_contact", args=[partner.pk])
    assert (
        "接单人账号"
        in coordinator_client.get(
            reverse("organizations:partner_detail", args=[partner.pk])
        ).content.decode()
    )

    elsewhere = coordinator_client.post(url, {"username": "waishequ"})
    named = coordinator_client.post(url, {"username": "kangle"})

    assert elsewhere.status_code == 400
    assert "本社区没有这个账号" in elsewhere.content.decode()
    assert named.status_code == 302
    with use_community(community):
        partner.refresh_from_db()
        assert partner.contact_user.username == "kangle"
    page = coordinator_client.get(named["Location"]).content.decode()
    assert "kangle" in page
    coordinator_client.post(url, {"username": ""})
    with use_community(community):
        partner.refresh_from_db()
        assert partner.contact_user is None


def test_only_coordinators_name_a_units_contact(volunteer_client, community):
    with use_community(community):
        partner = services.partner_unit_create(actor=None, name="康乐养老院", kind="institution")
    url = reverse("organizations:partner_contact", args=[partner.pk])

    refused = volunteer_client.post(url, {"username": "anyone"})
    detail = volunteer_client.get(reverse("organizations:partner_detail", args=[partner.pk]))

    assert refused.status_code == 404
    assert "接单人账号" not in detail.content.decode()
