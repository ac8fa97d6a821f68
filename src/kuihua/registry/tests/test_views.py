"""The registry's web pages: what each role sees, HTMX partials, forms and query counts."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.masking import mask_id_number, mask_phone
from kuihua.core.models import AccessLog
from kuihua.core.tenancy import unscoped, use_community
from kuihua.registry.models import Consent, Household, Resident, Tag
from kuihua.registry.tests.factories import (
    HouseholdFactory,
    ResidentFactory,
    make_id_number,
    tag,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def resident_in(community, **kwargs):
    kwargs.setdefault("household__building__compound__community", community)
    return ResidentFactory(**kwargs)


@pytest.fixture
def zhangsan(community):
    return resident_in(community, name="张三", phone="13812345678")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def resident_user(zhangsan, community):
    return UserFactory(role=Role.RESIDENT, community=community, resident=zhangsan)


@pytest.fixture
def resident_client(client, resident_user):
    client.force_login(resident_user)
    return client


def count_queries(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- the list ---------------------------------------------------------------


def test_the_list_needs_a_signed_in_user(client):
    response = client.get(reverse("registry:resident_list"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_list_shows_masked_phones_ages_addresses_and_only_non_sensitive_tag_names(
    coordinator_client, community, zhangsan
):
    with unscoped():
        zhangsan.tags.set([tag(community, "living_alone"), tag(community, "ill_disabled")])

    response = coordinator_client.get(reverse("registry:resident_list"))

    html = response.content.decode()
    assert "张三" in html
    assert mask_phone(zhangsan.phone) in html
    assert zhangsan.phone not in html
    assert zhangsan.id_number not in html
    assert "独居" in html
    assert "健康相关" in html
    assert "病残" not in html.split('id="results"')[1]
    assert zhangsan.household.address in html
    assert "岁" in html


@pytest.mark.parametrize("query", ["zs", "zhangsan", "张三", "5678"])
def test_search_finds_by_initials_pinyin_name_and_last_four_phone_digits(
    coordinator_client, community, zhangsan, query
):
    resident_in(community, name="王五", phone="13900001111")

    response = coordinator_client.get(reverse("registry:resident_list"), {"q": query})

    html = response.content.decode()
    assert "张三" in html
    assert "王五" not in html


def test_htmx_search_returns_only_the_results_partial(coordinator_client, zhangsan):
    url = reverse("registry:resident_list")

    partial = coordinator_client.get(url, {"q": "zs"}, **HTMX)
    full = coordinator_client.get(url, {"q": "zs"})

    assert "<html" not in partial.content.decode()
    assert "张三" in partial.content.decode()
    assert partial.templates[0].name == "registry/_resident_rows.html"
    assert "<html" in full.content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in full.content.decode()
    assert "HX-Request" in partial["Vary"]


def test_htmx_history_restore_gets_the_whole_page(coordinator_client, zhangsan):
    response = coordinator_client.get(
        reverse("registry:resident_list"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )

    assert "<html" in response.content.decode()


def test_filters_by_tag_compound_and_party_membership(coordinator_client, community, zhangsan):
    other = resident_in(community, name="王五", political_status=Resident.Political.PARTY_MEMBER)
    with unscoped():
        zhangsan.tags.set([tag(community, "advanced_age")])
    url = reverse("registry:resident_list")

    by_tag = coordinator_client.get(url, {"tag": "advanced_age"}).content.decode()
    by_party = coordinator_client.get(url, {"party": "1"}).content.decode()
    not_party = coordinator_client.get(url, {"party": "0"}).content.decode()
    compound_id = other.household.building.compound_id
    by_compound = coordinator_client.get(url, {"compound": compound_id}).content.decode()

    assert "张三" in by_tag and "王五" not in by_tag
    assert "王五" in by_party and "张三" not in by_party
    assert "张三" in not_party and "王五" not in not_party
    assert "王五" in by_compound and "张三" not in by_compound


def test_the_list_is_paginated(coordinator_client, community):
    household = HouseholdFactory(building__compound__community=community)
    for _ in range(35):
        ResidentFactory(household=household)

    page_1 = coordinator_client.get(reverse("registry:resident_list"))
    page_2 = coordinator_client.get(reverse("registry:resident_list"), {"page": 2})

    assert len(page_1.context["page"].object_list) == 30
    assert len(page_2.context["page"].object_list) == 5
    assert "共 35 位居民" in page_1.content.decode()
    assert "下一页" in page_1.content.decode()


def test_the_list_takes_the_same_number_of_queries_for_5_and_30_residents(
    coordinator_client, community
):
    url = reverse("registry:resident_list")
    household = HouseholdFactory(building__compound__community=community)
    alone, sensitive = tag(community, "living_alone"), tag(community, "ill_disabled")

    def add(n):
        for _ in range(n):
            r = ResidentFactory(household=HouseholdFactory(building=household.building))
            with unscoped():
                r.tags.set([alone, sensitive])

    add(5)
    with_5 = count_queries(coordinator_client, url)
    add(25)
    with_30 = count_queries(coordinator_client, url)

    assert with_5 == with_30


def test_a_resident_user_lists_only_their_own_household(resident_client, community, zhangsan):
    ResidentFactory(household=zhangsan.household, name="张小三", relation_to_head="child")
    resident_in(community, name="王五")

    html = resident_client.get(reverse("registry:resident_list")).content.decode()

    assert "张三" in html and "张小三" in html
    assert "王五" not in html
    assert 'name="tag"' not in html  # the registry's filters are for coordinators


def import_url_or_skip() -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse("registry:import")
    except NoReverseMatch:
        pytest.skip("the import page is not installed")


def test_coordinators_find_the_import_page_from_the_list(coordinator_client):
    import_url = import_url_or_skip()

    html = coordinator_client.get(reverse("registry:resident_list")).content.decode()

    assert f'href="{import_url}"' in html


def test_residents_get_no_import_link(resident_client):
    import_url = import_url_or_skip()

    html = resident_client.get(reverse("registry:resident_list")).content.decode()

    assert import_url not in html


# --- the resident's page ----------------------------------------------------


def test_the_detail_page_masks_the_id_number_and_phone(coordinator_client, zhangsan):
    url = reverse("registry:resident_detail", args=[zhangsan.pk])

    html = coordinator_client.get(url).content.decode()

    assert mask_id_number(zhangsan.id_number) in html
    assert zhangsan.id_number not in html
    assert zhangsan.phone not in html
    assert "查看完整信息" in html
    assert reverse("registry:resident_sensitive", args=[zhangsan.pk]) in html
    assert not AccessLog.objects.with_scopes_disabled().exists()


def test_health_conditions_stay_hidden_until_the_whole_record_is_asked_for(
    coordinator_client, community
):
    resident = resident_in(community, health_conditions="高血压，糖尿病")
    url = reverse("registry:resident_detail", args=[resident.pk])

    html = coordinator_client.get(url).content.decode()

    assert "高血压" not in html
    assert "已登记（敏感信息，已隐藏）" in html


def test_the_whole_record_is_shown_only_with_an_access_log_entry(
    coordinator_client, coordinator, community
):
    resident = resident_in(community, health_conditions="高血压")
    url = reverse("registry:resident_sensitive", args=[resident.pk])

    response = coordinator_client.post(url, {"purpose": "上门走访"}, **HTMX)

    html = response.content.decode()
    assert "<html" not in html
    assert resident.id_number in html
    assert resident.phone in html
    assert "高血压" in html
    entry = AccessLog.objects.with_scopes_disabled().get()
    assert entry.user == coordinator
    assert entry.subject_id == resident.pk
    assert entry.action == AccessLog.Action.VIEW
    assert entry.purpose == "上门走访"


def test_the_whole_record_without_htmx_is_the_whole_page(coordinator_client, zhangsan):
    url = reverse("registry:resident_sensitive", args=[zhangsan.pk])

    response = coordinator_client.post(url)

    assert "<html" in response.content.decode()
    assert zhangsan.id_number in response.content.decode()
    assert AccessLog.objects.with_scopes_disabled().count() == 1


def test_the_whole_record_cannot_be_fetched_with_get(coordinator_client, zhangsan):
    response = coordinator_client.get(reverse("registry:resident_sensitive", args=[zhangsan.pk]))

    assert response.status_code == 405
    assert not AccessLog.objects.with_scopes_disabled().exists()


def test_a_resident_sees_their_own_page_masked_and_cannot_reveal_it(resident_client, zhangsan):
    detail = resident_client.get(reverse("registry:resident_detail", args=[zhangsan.pk]))
    reveal = resident_client.post(reverse("registry:resident_sensitive", args=[zhangsan.pk]))

    assert detail.status_code == 200
    assert mask_id_number(zhangsan.id_number) in detail.content.decode()
    assert "查看完整信息" not in detail.content.decode()
    assert reveal.status_code == 404
    assert not AccessLog.objects.with_scopes_disabled().exists()


def test_a_resident_cannot_open_another_household_or_community(
    resident_client, community, other_community
):
    neighbour = resident_in(community)
    stranger = resident_in(other_community)

    for resident in (neighbour, stranger):
        url = reverse("registry:resident_detail", args=[resident.pk])
        assert resident_client.get(url).status_code == 404
        url = reverse("registry:household_detail", args=[resident.household_id])
        assert resident_client.get(url).status_code == 404


def test_a_coordinator_cannot_open_another_communitys_resident(coordinator_client, other_community):
    stranger = resident_in(other_community)

    for name in ("resident_detail", "resident_edit", "resident_erase"):
        response = coordinator_client.get(reverse(f"registry:{name}", args=[stranger.pk]))
        assert response.status_code == 404
    response = coordinator_client.post(reverse("registry:resident_sensitive", args=[stranger.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ORG_LEADER, Role.DISTRICT_VIEWER])
def test_other_roles_get_404_for_a_resident_they_have_no_tie_to(client, community, role):
    resident = resident_in(community)
    user = UserFactory(role=role, community=community)
    client.force_login(user)

    response = client.get(reverse("registry:resident_detail", args=[resident.pk]))

    assert response.status_code == 404


def test_emergency_contacts_show_masked_phones_and_can_be_added(coordinator_client, zhangsan):
    url = reverse("registry:resident_contact_add", args=[zhangsan.pk])

    response = coordinator_client.post(
        url, {"name": "张小明", "relation": "儿子", "phone": "139 0000 2222"}
    )
    detail = coordinator_client.get(reverse("registry:resident_detail", args=[zhangsan.pk]))

    assert response.status_code == 302
    html = detail.content.decode()
    assert "张小明" in html
    assert "139****2222" in html
    assert "13900002222" not in html


def test_a_bad_emergency_contact_phone_is_refused_in_chinese(coordinator_client, zhangsan):
    url = reverse("registry:resident_contact_add", args=[zhangsan.pk])

    response = coordinator_client.post(url, {"name": "张小明", "phone": "12345"})

    assert response.status_code == 200
    assert "电话号码格式不正确" in response.content.decode()
    with unscoped():
        assert not zhangsan.emergency_contacts.exists()


def test_a_consent_is_recorded(coordinator_client, coordinator, zhangsan):
    url = reverse("registry:resident_consent", args=[zhangsan.pk])

    response = coordinator_client.post(
        url, {"purpose": "care", "granted": "1", "method": "paper", "note": "签字存档"}
    )

    assert response.status_code == 302
    with unscoped():
        consent = Consent.objects.get(resident=zhangsan)
    assert consent.purpose == "care" and consent.granted and consent.recorded_by == coordinator
    detail = coordinator_client.get(reverse("registry:resident_detail", args=[zhangsan.pk]))
    assert "关爱服务（幸福来敲门）" in detail.content.decode()


def test_a_bad_consent_shows_a_chinese_error_and_records_nothing(coordinator_client, zhangsan):
    url = reverse("registry:resident_consent", args=[zhangsan.pk])

    response = coordinator_client.post(url, {"purpose": "marketing", "granted": "1"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "选择一个有效的选项" in html
    assert "这个字段是必填项" in html
    with unscoped():
        assert not Consent.objects.exists()


def test_a_resident_cannot_record_consents_or_change_tags(resident_client, zhangsan):
    consent = resident_client.post(
        reverse("registry:resident_consent", args=[zhangsan.pk]),
        {"purpose": "care", "granted": "1", "method": "paper"},
    )
    tags = resident_client.post(reverse("registry:resident_tags", args=[zhangsan.pk]), {})

    assert consent.status_code == 404
    assert tags.status_code == 404


def test_a_coordinator_sets_tags(coordinator_client, community, zhangsan):
    alone = tag(community, "living_alone")

    response = coordinator_client.post(
        reverse("registry:resident_tags", args=[zhangsan.pk]), {"tags": [str(alone.pk)]}
    )

    assert response.status_code == 302
    with unscoped():
        assert list(zhangsan.tags.values_list("code", flat=True)) == ["living_alone"]


def test_tags_of_another_community_are_refused(coordinator_client, other_community, zhangsan):
    foreign = tag(other_community, "living_alone")

    response = coordinator_client.post(
        reverse("registry:resident_tags", args=[zhangsan.pk]), {"tags": [str(foreign.pk)]}
    )

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    with unscoped():
        assert not zhangsan.tags.exists()


def test_export_downloads_json_and_logs_it(coordinator_client, zhangsan):
    response = coordinator_client.post(reverse("registry:resident_export", args=[zhangsan.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["resident"]["id_number"] == zhangsan.id_number
    entry = AccessLog.objects.with_scopes_disabled().get()
    assert entry.action == AccessLog.Action.EXPORT


def test_a_resident_can_export_their_own_data(resident_client, zhangsan):
    response = resident_client.post(reverse("registry:resident_export", args=[zhangsan.pk]))

    assert response.status_code == 200
    assert json.loads(response.content)["resident"]["name"] == "张三"


def test_erase_needs_a_reason_and_a_confirmation(coordinator_client, zhangsan):
    url = reverse("registry:resident_erase", args=[zhangsan.pk])

    page = coordinator_client.get(url)
    refused = coordinator_client.post(url, {"reason": "", "confirm": ""})

    assert "永久删除" in page.content.decode()
    assert refused.status_code == 200
    assert "这个字段是必填项" in refused.content.decode()
    assert "请勾选确认" in refused.content.decode()
    assert Resident.objects.with_scopes_disabled().filter(pk=zhangsan.pk).exists()


def test_erase_deletes_the_resident_and_logs_it(coordinator_client, zhangsan):
    url = reverse("registry:resident_erase", args=[zhangsan.pk])

    response = coordinator_client.post(url, {"reason": "本人书面申请", "confirm": "on"})

    assert response.status_code == 302
    assert not Resident.objects.with_scopes_disabled().filter(pk=zhangsan.pk).exists()
    entry = AccessLog.objects.with_scopes_disabled().get()
    assert entry.action == AccessLog.Action.ERASE
    assert entry.purpose == "本人书面申请"


def test_a_resident_cannot_erase(resident_client, zhangsan):
    url = reverse("registry:resident_erase", args=[zhangsan.pk])

    assert resident_client.get(url).status_code == 404
    assert resident_client.post(url, {"reason": "x", "confirm": "on"}).status_code == 404
    assert Resident.objects.with_scopes_disabled().filter(pk=zhangsan.pk).exists()


# --- create and edit --------------------------------------------------------


def resident_form_data(compound, **overrides):
    data = {
        "name": "赵六",
        "sex": "",
        "ethnicity": "汉族",
        "birth_date": "",
        "id_number": make_id_number(dt.date(1942, 5, 1), 7),
        "phone": "13700001234",
        "compound": str(compound.pk),
        "building": "9幢",
        "unit": "2",
        "room": "301",
        "relation_to_head": "head",
        "political_status": "party",
        "category": "",
        "health_conditions": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_a_coordinator_registers_a_resident_at_an_address(coordinator_client, compound):
    response = coordinator_client.post(
        reverse("registry:resident_create"), resident_form_data(compound)
    )

    assert response.status_code == 302
    with unscoped():
        resident = Resident.objects.get(name="赵六")
        assert resident.household.address == "翠苑一区9幢2单元301室"
    assert resident.birth_date.isoformat() == "1942-05-01"
    assert response["Location"] == reverse("registry:resident_detail", args=[resident.pk])


def test_a_bad_id_number_is_refused_in_chinese_and_nothing_is_created(coordinator_client, compound):
    data = resident_form_data(compound, id_number="330106194205010000")

    response = coordinator_client.post(reverse("registry:resident_create"), data)

    assert response.status_code == 200
    assert "身份证号码校验位不正确" in response.content.decode()
    with unscoped():
        assert not Resident.objects.exists()
        assert not Household.objects.exists()  # the address was not left behind either


def test_an_incomplete_address_is_refused(coordinator_client, compound):
    data = resident_form_data(compound, building="", room="")

    response = coordinator_client.post(reverse("registry:resident_create"), data)

    assert "请填写完整住址" in response.content.decode()
    assert not Resident.objects.with_scopes_disabled().exists()


def test_the_create_form_prefills_a_household(coordinator_client, zhangsan):
    url = reverse("registry:resident_create") + f"?household_id={zhangsan.household_id}"

    response = coordinator_client.get(url)

    assert response.context["form"].initial["room"] == zhangsan.household.room


def test_residents_cannot_open_the_create_form(resident_client):
    assert resident_client.get(reverse("registry:resident_create")).status_code == 404


def test_the_edit_form_never_shows_the_whole_id_or_phone(coordinator_client, zhangsan):
    response = coordinator_client.get(reverse("registry:resident_edit", args=[zhangsan.pk]))

    html = response.content.decode()
    assert zhangsan.id_number not in html
    assert zhangsan.phone not in html
    assert mask_id_number(zhangsan.id_number) in html  # as the placeholder
    assert "留空表示不修改" in html


def test_editing_keeps_blank_sensitive_fields_and_saves_the_rest(
    coordinator_client, compound, zhangsan
):
    household = zhangsan.household
    data = resident_form_data(
        household.building.compound,
        name="张三",
        id_number="",
        phone="",
        building=household.building.name,
        unit=household.unit,
        room=household.room,
        notes="腿脚不便，住一楼",
        birth_date=zhangsan.birth_date.isoformat(),
        political_status="masses",
    )

    response = coordinator_client.post(reverse("registry:resident_edit", args=[zhangsan.pk]), data)

    assert response.status_code == 302
    with unscoped():
        zhangsan.refresh_from_db()
    assert zhangsan.notes == "腿脚不便，住一楼"
    assert zhangsan.phone == "13812345678"
    assert zhangsan.household_id == household.pk


def test_a_bad_phone_on_edit_changes_nothing(coordinator_client, zhangsan):
    household = zhangsan.household
    data = resident_form_data(
        household.building.compound,
        name="张三丰",
        id_number="",
        phone="999",
        building=household.building.name,
        unit=household.unit,
        room=household.room,
        birth_date=zhangsan.birth_date.isoformat(),
    )

    response = coordinator_client.post(reverse("registry:resident_edit", args=[zhangsan.pk]), data)

    assert response.status_code == 200
    assert "电话号码格式不正确" in response.content.decode()
    with unscoped():
        zhangsan.refresh_from_db()
    assert zhangsan.name == "张三"
    assert zhangsan.phone == "13812345678"


# --- tags, households, access log -------------------------------------------


def test_the_tag_page_lists_and_creates_tags(coordinator_client, community):
    url = reverse("registry:tag_list")

    page = coordinator_client.get(url)
    created = coordinator_client.post(url, {"name": "退役军人", "code": "", "is_sensitive": ""})

    assert "独居" in page.content.decode()
    assert created.status_code == 302
    with unscoped():
        assert Tag.objects.get(community=community, name="退役军人").code == "tuiyijunren"


def test_a_duplicate_tag_is_refused_in_chinese(coordinator_client, community):
    before = Tag.objects.with_scopes_disabled().filter(community=community).count()

    response = coordinator_client.post(reverse("registry:tag_list"), {"name": "独居"})

    assert response.status_code == 200
    assert "已有同名标签" in response.content.decode()
    assert Tag.objects.with_scopes_disabled().filter(community=community).count() == before


def test_residents_cannot_open_the_tag_page(resident_client):
    assert resident_client.get(reverse("registry:tag_list")).status_code == 404


def test_the_household_page_lists_members_with_masked_id_numbers(coordinator_client, zhangsan):
    child = ResidentFactory(household=zhangsan.household, name="张小三", relation_to_head="child")

    response = coordinator_client.get(
        reverse("registry:household_detail", args=[zhangsan.household_id])
    )

    html = response.content.decode()
    assert zhangsan.household.address in html
    assert "张小三" in html and "子女" in html and "户主" in html
    for member in (zhangsan, child):
        assert mask_id_number(member.id_number) in html
        assert member.id_number not in html


def test_a_resident_sees_their_own_household(resident_client, zhangsan):
    response = resident_client.get(
        reverse("registry:household_detail", args=[zhangsan.household_id])
    )

    assert response.status_code == 200
    assert "添加家庭成员" not in response.content.decode()


def test_the_household_page_takes_the_same_number_of_queries_for_2_and_8_members(
    coordinator_client, community, zhangsan
):
    url = reverse("registry:household_detail", args=[zhangsan.household_id])
    alone = tag(community, "living_alone")
    ResidentFactory(household=zhangsan.household, relation_to_head="spouse")

    with_2 = count_queries(coordinator_client, url)
    for _ in range(6):
        r = ResidentFactory(household=zhangsan.household, relation_to_head="child")
        with unscoped():
            r.tags.set([alone])
    with_8 = count_queries(coordinator_client, url)

    assert with_2 == with_8


def test_the_access_log_lists_who_saw_what(coordinator_client, community, zhangsan):
    other = resident_in(community, name="王五")
    coordinator_client.post(
        reverse("registry:resident_sensitive", args=[zhangsan.pk]), {"purpose": "核对"}
    )
    coordinator_client.post(reverse("registry:resident_sensitive", args=[other.pk]))
    url = reverse("registry:access_log")

    everything = coordinator_client.get(url).content.decode()
    filtered = coordinator_client.get(url, {"subject_id": zhangsan.pk}).content.decode()

    assert "张*" in everything and "王*" in everything
    assert "核对" in everything
    assert "身份证号码" in everything
    assert "张*" in filtered and "王*" not in filtered
    assert zhangsan.id_number not in everything


def test_the_access_log_is_for_coordinators_only(resident_client):
    assert resident_client.get(reverse("registry:access_log")).status_code == 404


def test_an_invalid_filter_is_ignored_but_the_search_still_applies(
    coordinator_client, community, other_community, zhangsan
):
    resident_in(community, name="王五")
    foreign_compound = resident_in(other_community).household.building.compound_id

    response = coordinator_client.get(
        reverse("registry:resident_list"), {"q": "zs", "compound": foreign_compound}
    )

    html = response.content.decode()
    assert "张三" in html
    assert "王五" not in html


def test_a_household_member_is_not_told_that_someone_has_a_health_tag(
    resident_client, zhangsan, community
):
    with use_community(community):
        mother = ResidentFactory(household=zhangsan.household, relation_to_head="parent")
        mother.tags.add(tag(community, "ill_disabled"))

    household = resident_client.get(
        reverse("registry:household_detail", args=[zhangsan.household_id])
    ).content.decode()
    detail = resident_client.get(
        reverse("registry:resident_detail", args=[mother.pk])
    ).content.decode()

    for html in (household, detail):
        assert "健康相关" not in html
        assert "病残" not in html
