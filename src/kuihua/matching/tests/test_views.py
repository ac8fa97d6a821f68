"""The pages of needs and services: a resident raises a need on a phone, the coordinator
runs the matching and accepts, the provider serves, the resident rates; 404 for others."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.models import AccessLog
from kuihua.matching import runs, services
from kuihua.matching.models import (
    MatchRun,
    Need,
    Proposal,
    ProviderType,
    ServiceCategory,
    ServiceDelivery,
    ServiceOffer,
)
from kuihua.matching.tests import factories as f
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.models import Consent
from kuihua.registry.tests.factories import BuildingFactory, ResidentFactory

pytestmark = pytest.mark.django_db

MONDAY, WEDNESDAY = 1, 4
MORNING = 1


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture(autouse=True)
def _scope(in_community):
    """The test body reads the community's rows, as a request of its users would."""


@pytest.fixture
def building(in_community, compound):
    return BuildingFactory(compound=compound, community=in_community, name="3幢")


@pytest.fixture
def wang(building):
    """王秀英, a resident with an account, who raises needs."""
    return f.resident_at(building, name="王秀英")


@pytest.fixture
def li(building):
    """李大爷, a neighbour with an account of his own."""
    return f.resident_at(building, name="李大爷")


@pytest.fixture
def offer(in_community):
    """An organization's meal delivery for the whole community, with its contact account."""
    organization = OrganizationFactory(community=in_community, name="翠苑助餐队")
    contact = UserFactory(username="zhucan", role=Role.ORG_LEADER, community=in_community)
    return f.organization_offer(
        in_community, organization=organization, contact_user=contact, capacity=3
    )


@pytest.fixture
def volunteer(in_community, building):
    membership = MembershipFactory(
        organization=OrganizationFactory(community=in_community),
        resident=ResidentFactory(household__building=building, community=in_community),
    )
    return UserFactory(
        username="xiaozhang",
        role=Role.VOLUNTEER,
        community=in_community,
        resident=membership.resident,
    )


def raise_form(**changes) -> dict:
    data = {
        "category": str(f.category("meal_delivery").pk),
        "description": "腿脚不便，想有人送午饭",
        "urgency": "3",
        "days": [str(MONDAY), str(WEDNESDAY)],
        "slots": [str(MORNING)],
        "recurrence": "weekly",
        "consent_to_share": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def matched_need(resident, offer, coordinator, *, consent: bool) -> Need:
    need = f.need(resident, consent_to_share=consent)
    return services.need_assign(actor=coordinator, need=need, offer=offer)


# --- the resident raises a need ---------------------------------------------------------


def test_a_resident_raises_a_need_through_the_form(client, wang):
    client.force_login(wang.account)
    page = client.get(reverse("matching:need_create"))
    assert "同意把我的姓名、地址、电话提供给服务方" in text(page)
    assert 'name="resident"' not in text(page)  # only a coordinator picks the resident

    response = client.post(reverse("matching:need_create"), raise_form())

    need = Need.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:need_detail", args=[need.pk])
    assert need.resident == wang
    assert need.channel == Need.Channel.RESIDENT
    assert need.days == MONDAY | WEDNESDAY and need.slots == MORNING
    assert need.urgency == Need.Urgency.HIGH and need.recurrence == "weekly"
    assert need.consent_to_share is True
    assert Consent.objects.filter(resident=wang, granted=True).exists()
    detail = text(client.get(response["Location"]))
    assert "助餐送餐" in detail and "待对接" in detail
    assert "周一、周三 · 上午" in detail
    assert "王秀英" in detail  # the resident sees her own details


def test_no_day_ticked_shows_the_message_on_the_field_and_creates_nothing(client, wang):
    client.force_login(wang.account)

    response = client.post(reverse("matching:need_create"), raise_form(days=None))

    html = text(response)
    assert response.status_code == 200
    assert "请选择哪几天需要服务" in html
    on_the_field = r'class="field has-error">\s*<fieldset class="choices"><legend>哪几天方便'
    assert re.search(on_the_field, html)
    assert Need.objects.count() == 0


def test_the_need_form_comes_with_no_day_or_time_ticked(client, wang):
    client.force_login(wang.account)

    html = text(client.get(reverse("matching:need_create")))

    assert "哪几天方便" in html and "什么时段方便" in html
    assert not re.search(r'name="(days|slots)"[^>]*checked', html)


def test_no_time_of_day_ticked_is_asked_for_too(client, wang):
    client.force_login(wang.account)

    response = client.post(reverse("matching:need_create"), raise_form(slots=None))

    html = text(response)
    assert "请选择什么时段需要服务" in html
    on_the_field = r'class="field has-error">\s*<fieldset class="choices"><legend>什么时段方便'
    assert re.search(on_the_field, html)
    assert Need.objects.count() == 0


def test_a_coordinator_recording_a_need_is_asked_the_days_too(client, coordinator, wang):
    client.force_login(coordinator)

    response = client.post(
        reverse("matching:need_create"),
        raise_form(resident=str(wang.pk), channel="coordinator", days=None, slots=None),
    )

    html = text(response)
    assert "请选择哪几天需要服务" in html and "请选择什么时段需要服务" in html
    assert Need.objects.count() == 0


def test_no_category_is_refused_too(client, wang):
    client.force_login(wang.account)

    response = client.post(reverse("matching:need_create"), raise_form(category=""))

    assert "请选择需要的服务" in text(response)
    assert Need.objects.count() == 0


def test_the_resident_sees_only_her_own_needs_in_the_list(client, wang, li):
    f.need(wang, description="王家的需求")
    f.need(li, description="李家的需求")
    client.force_login(wang.account)

    html = text(client.get(reverse("matching:need_list")))

    assert "我的需求" in html and "提出需求" in html
    assert "共 1 条需求" in html
    assert "运行精准对接" not in html


def test_another_resident_gets_404_for_a_need(client, wang, li):
    need = f.need(wang)
    client.force_login(li.account)

    assert client.get(reverse("matching:need_detail", args=[need.pk])).status_code == 404
    response = client.post(reverse("matching:need_cancel", args=[need.pk]), {"reason": "x"})
    assert response.status_code == 404
    assert client.post(reverse("matching:need_rate", args=[need.pk])).status_code == 404
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_the_resident_cancels_with_a_reason(client, wang):
    need = f.need(wang)
    client.force_login(wang.account)
    url = reverse("matching:need_cancel", args=[need.pk])

    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and "请填写原因" in text(empty)
    assert client.get(url).status_code == 405

    response = client.post(url, {"reason": "儿子回来照顾了"}, follow=True)

    need.refresh_from_db()
    assert need.status == Need.Status.CANCELLED
    assert "已取消该需求" in text(response)
    assert "儿子回来照顾了" in text(response)  # the reason in the timeline


# --- the coordinator ------------------------------------------------------------------------


def test_every_coordinator_page_renders(client, coordinator, wang, offer):
    need = f.need(wang)
    run = runs.match_run(actor=coordinator)
    client.force_login(coordinator)

    pages = [
        reverse("matching:need_list"),
        reverse("matching:need_create"),
        reverse("matching:need_detail", args=[need.pk]),
        reverse("matching:offer_list"),
        reverse("matching:offer_create"),
        reverse("matching:category_list"),
        reverse("matching:run_detail", args=[run.pk]),
        reverse("matching:gap_report"),
        reverse("matching:delivery_stats"),
        reverse("matching:my_orders"),
    ]
    pages += [reverse("matching:offer_create") + f"?provider_type={t}" for t in ProviderType.values]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'name="viewport"' in text(response)


def test_coordinator_pages_are_404_for_a_resident_and_a_volunteer(
    client, coordinator, wang, volunteer, offer
):
    f.need(wang)
    run = runs.match_run(actor=coordinator)
    for user in (wang.account, volunteer):
        client.force_login(user)
        for url in (
            reverse("matching:offer_list"),
            reverse("matching:offer_create"),
            reverse("matching:category_list"),
            reverse("matching:run_detail", args=[run.pk]),
            reverse("matching:gap_report"),
            reverse("matching:delivery_stats"),
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(reverse("matching:run_start")).status_code == 404
        assert client.post(reverse("matching:run_accept", args=[run.pk])).status_code == 404
    assert MatchRun.objects.count() == 1
    assert not Need.objects.filter(status=Need.Status.MATCHED).exists()


def test_the_coordinator_list_filters_by_status_and_category(client, coordinator, wang, li):
    f.need(wang, code="meal_delivery")
    f.need(li, code="haircut")
    client.force_login(coordinator)
    url = reverse("matching:need_list")

    everything = text(client.get(url))
    haircuts = text(client.get(url, {"category": f.category("haircut").pk}))
    partial = client.get(url, {"status": "done"}, HTTP_HX_REQUEST="true")

    assert "运行精准对接" in everything and "共 2 条需求" in everything
    assert "王**" in everything and "王秀英" not in everything  # masked in the list
    assert "共 1 条需求" in haircuts and "理发" in haircuts
    assert "<html" not in partial.content.decode() and "共 0 条需求" in text(partial)


def test_the_coordinator_list_reads_in_constant_queries(client, coordinator, wang, offer):
    f.need(wang)
    client.force_login(coordinator)
    url = reverse("matching:need_list")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(2):
        matched_need(wang, offer, coordinator, consent=True)
    for _ in range(6):
        f.need(wang)

    with CaptureQueriesContext(connection) as after:
        client.get(url)

    assert len(after.captured_queries) == len(before.captured_queries)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_run_the_services_list_and_the_orders_read_in_constant_queries(
    client, coordinator, building, offer
):
    f.need(f.resident_at(building))
    f.need(f.resident_at(building), code="legal_aid")
    run = runs.match_run(actor=coordinator)
    services.proposals_accept(actor=coordinator, run=run)
    contact = offer.contact_user
    client.force_login(coordinator)
    before = {
        "run": queries(client, reverse("matching:run_detail", args=[run.pk])),
        "offers": queries(client, reverse("matching:offer_list")),
    }
    client.force_login(contact)
    before["orders"] = queries(client, reverse("matching:my_orders"))
    matched_need(f.resident_at(building), offer, coordinator, consent=False)
    for _ in range(2):
        f.need(f.resident_at(building))
    f.need(f.resident_at(building), code="legal_aid")
    for _ in range(3):
        f.organization_offer(building.community, compounds=[building.compound])
    run = runs.match_run(actor=coordinator)
    services.proposals_accept(actor=coordinator, run=run)

    client.force_login(coordinator)
    after = {
        "run": queries(client, reverse("matching:run_detail", args=[run.pk])),
        "offers": queries(client, reverse("matching:offer_list")),
    }
    client.force_login(contact)
    after["orders"] = queries(client, reverse("matching:my_orders"))

    assert after == before
    assert run.matched == 2 and run.needs == 4
    assert Need.objects.filter(provider=offer).count() >= 2


def test_the_coordinator_raises_a_need_for_a_resident_found_by_search(client, coordinator, wang):
    client.force_login(coordinator)
    url = reverse("matching:need_create")

    found = client.get(url, {"q": "王秀"}, HTTP_HX_REQUEST="true")
    assert "<html" not in found.content.decode()
    assert f'<option value="{wang.pk}" selected>王秀英' in found.content.decode()
    missing = client.post(url, raise_form(channel="volunteer"))
    assert "请选择居民" in text(missing)

    response = client.post(url, raise_form(resident=str(wang.pk), channel="volunteer"))

    need = Need.objects.get()
    assert response.status_code == 302
    assert need.resident == wang and need.channel == Need.Channel.VOLUNTEER
    assert need.raised_by == coordinator


def test_the_no_script_search_keeps_what_was_typed(client, coordinator, wang):
    client.force_login(coordinator)

    html = text(
        client.get(
            reverse("matching:need_create"),
            {"q": "王秀英", "find": "1", "description": "送午饭", "days": [str(MONDAY)]},
        )
    )

    assert f'<option value="{wang.pk}" selected>王秀英' in html
    assert "送午饭</textarea>" in html
    assert re.search(rf'value="{MONDAY}"[^>]*checked', html)
    assert not re.search(rf'value="{WEDNESDAY}"[^>]*checked', html)


def test_the_run_and_accept_flow_through_the_pages(client, coordinator, wang, li, offer):
    served = f.need(wang, code="meal_delivery", consent_to_share=False)
    nobody = f.need(li, code="legal_aid")
    client.force_login(coordinator)

    started = client.post(reverse("matching:run_start"))

    run = MatchRun.objects.get()
    assert started.status_code == 302
    assert started["Location"] == reverse("matching:run_detail", args=[run.pk])
    page = text(client.get(started["Location"]))
    assert "推荐派单（1 条）" in page and "未能匹配（1 条）" in page
    assert "翠苑助餐队" in page and "王**" in page and "王秀英" not in page
    assert "社区暂无提供该类服务的服务方" in page
    assert "全部采纳" in page
    proposal = Proposal.objects.get(need=served)
    detail = text(client.get(reverse("matching:need_detail", args=[served.pk])))
    assert f"<dt>距离</dt><dd>{proposal.cost_distance}</dd>" in detail
    assert "采纳，派单" in detail
    unmatched = text(client.get(reverse("matching:need_detail", args=[nobody.pk])))
    assert "社区暂无提供该类服务的服务方" in unmatched and "可选服务方 0 个" in unmatched

    accepted = client.post(
        reverse("matching:run_accept", args=[run.pk]),
        {"proposal_id": proposal.pk, "next": "need"},
        follow=True,
    )

    served.refresh_from_db()
    assert served.status == Need.Status.MATCHED and served.provider == offer
    said = f"已采纳：助餐送餐 #{served.pk} 派给 {offer.name}，已通知服务方"
    assert said in text(accepted)
    assert accepted.redirect_chain[-1][0] == reverse("matching:need_detail", args=[served.pk])
    again = text(client.post(reverse("matching:run_accept", args=[run.pk]), follow=True))
    assert "没有待采纳的建议" in again


def test_accepting_one_row_with_htmx_answers_the_row(client, coordinator, wang, offer):
    need = f.need(wang)
    run = runs.match_run(actor=coordinator)
    proposal = Proposal.objects.get(need=need)
    client.force_login(coordinator)

    response = client.post(
        reverse("matching:run_accept", args=[run.pk]),
        {"proposal_id": proposal.pk},
        HTTP_HX_REQUEST="true",
    )

    html = text(response)
    assert html.startswith(f'<tr id="proposal-{proposal.pk}">')
    assert "已采纳" in html
    assert f"已采纳：助餐送餐 #{need.pk} 派给 {offer.name}，已通知服务方" in html
    need.refresh_from_db()
    assert need.status == Need.Status.MATCHED
    # Said in the row, the message is not said again on the next page.
    page = text(client.get(reverse("matching:run_detail", args=[run.pk])))
    assert "已通知服务方" not in page


def test_accepting_a_row_again_with_htmx_says_why_not_in_the_row(client, coordinator, wang, offer):
    need = f.need(wang)
    run = runs.match_run(actor=coordinator)
    proposal = Proposal.objects.get(need=need)
    services.proposals_accept(actor=coordinator, run=run, proposal_ids=[proposal.pk])
    client.force_login(coordinator)

    response = client.post(
        reverse("matching:run_accept", args=[run.pk]),
        {"proposal_id": proposal.pk},
        HTTP_HX_REQUEST="true",
    )

    html = text(response)
    assert html.startswith(f'<tr id="proposal-{proposal.pk}">')
    assert f'<li class="error">#{need.pk}: ' in html


def test_accepting_the_whole_run_says_how_many(client, coordinator, wang, li, offer):
    f.need(wang)
    f.need(li)
    run = runs.match_run(actor=coordinator)
    client.force_login(coordinator)

    response = client.post(reverse("matching:run_accept", args=[run.pk]), follow=True)

    assert "已采纳 2 条对接建议，已派单并通知服务方" in text(response)
    assert Need.objects.filter(status=Need.Status.MATCHED).count() == 2


def test_a_proposal_of_another_run_is_404(client, coordinator, wang, offer):
    f.need(wang)
    first = runs.match_run(actor=coordinator)
    stale = first.proposals.get()
    second = runs.match_run(actor=coordinator)
    client.force_login(coordinator)

    response = client.post(
        reverse("matching:run_accept", args=[second.pk]), {"proposal_id": stale.pk}
    )

    assert response.status_code == 404


def test_the_run_pages_its_proposals(client, coordinator, building, offer):
    offer.capacity_per_week = 100
    offer.save(update_fields=["capacity_per_week"])
    for _ in range(55):
        f.need(f.resident_at(building))
    run = runs.match_run(actor=coordinator)
    client.force_login(coordinator)

    first = text(client.get(reverse("matching:run_detail", args=[run.pk])))
    second = text(client.get(reverse("matching:run_detail", args=[run.pk]), {"page": 2}))

    assert first.count('id="proposal-') == 50 and "第 1 / 2 页" in first
    assert second.count('id="proposal-') == 5


def test_the_coordinator_assigns_another_provider(client, coordinator, wang, offer):
    need = f.need(wang)
    other = f.organization_offer(wang.community, capacity=1)
    client.force_login(coordinator)
    url = reverse("matching:need_assign", args=[need.pk])

    response = client.post(url, {"offer": other.pk})

    need.refresh_from_db()
    assert response.status_code == 302
    assert need.status == Need.Status.MATCHED and need.provider == other
    refused = client.post(url, {"offer": offer.pk})
    assert refused.status_code == 400 and "该需求已派单或已结束" in text(refused)


def test_the_coordinator_closes_a_need(client, coordinator, wang):
    need = f.need(wang)
    client.force_login(coordinator)

    client.post(reverse("matching:need_cancel", args=[need.pk]), {"reason": "重复登记"})

    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED and need.close_reason == "重复登记"


def test_offers_are_registered_through_the_form(client, coordinator, compound):
    client.force_login(coordinator)
    organization = OrganizationFactory(community=compound.community, name="翠苑理发队")
    url = reverse("matching:offer_create")
    data = {
        "provider_type": "organization",
        "organization": organization.pk,
        "name": "义务理发",
        "main_category": f.category("haircut").pk,
        "categories": [f.category("companionship").pk],
        "capacity_per_week": "5",
        "days": ["1", "2"],
        "slots": ["1"],
        "is_free": "on",
    }

    nowhere = client.post(url, data)
    assert "请选择服务的小区，或勾选服务全社区" in text(nowhere)
    assert not ServiceOffer.objects.exists()

    response = client.post(url, {**data, "compounds": [compound.pk]})

    offer = ServiceOffer.objects.get()
    assert response.status_code == 302
    assert offer.organization == organization and offer.days == 3 and offer.slots == 1
    assert set(offer.categories.values_list("code", flat=True)) == {"haircut", "companionship"}
    assert list(offer.compounds.all()) == [compound]
    listed = text(client.get(reverse("matching:offer_list")))
    assert "义务理发" in listed and "翠苑理发队" in listed and "已接 0/5" in listed


def test_a_volunteer_offer_picks_the_volunteer_by_search(client, coordinator, volunteer):
    client.force_login(coordinator)
    url = reverse("matching:offer_create")
    name = volunteer.resident.name

    page = client.get(url, {"provider_type": "volunteer", "q": name}, HTTP_HX_REQUEST="true")
    assert f'value="{volunteer.resident.pk}" selected' in page.content.decode()

    client.post(
        url,
        {
            "provider_type": "volunteer",
            "volunteer": volunteer.resident.pk,
            "name": "陪老人聊天",
            "main_category": f.category("companionship").pk,
            "capacity_per_week": "2",
            "serves_all": "on",
            "days": ["32", "64"],
            "slots": ["2"],
            "is_free": "on",
        },
    )

    offer = ServiceOffer.objects.get()
    assert offer.provider_type == ProviderType.VOLUNTEER
    assert offer.volunteer == volunteer.resident and offer.contact_user == volunteer


def test_categories_are_added_on_their_page(client, coordinator):
    client.force_login(coordinator)
    url = reverse("matching:category_list")

    client.post(url, {"name": "助浴"})
    duplicate = client.post(url, {"name": "理发"})

    assert ServiceCategory.objects.filter(name="助浴", is_system=False).exists()
    assert "已有同名的服务类别" in text(duplicate)
    assert "助浴" in text(client.get(url))


# --- the provider and the rating -----------------------------------------------------------


def test_the_provider_without_consent_sees_the_masked_name(client, coordinator, wang, offer):
    need = matched_need(wang, offer, coordinator, consent=False)
    client.force_login(offer.contact_user)

    html = text(client.get(reverse("matching:need_detail", args=[need.pk])))

    assert "王**" in html
    assert "王秀英" not in html and wang.phone not in html
    assert f"· {wang.account} " not in html and "居民本人" in html  # not her account name
    assert "居民未同意提供联系方式，请联系社区" in html
    assert not AccessLog.objects.filter(user=offer.contact_user).exists()


def test_the_provider_with_consent_sees_the_details_and_the_look_is_logged(
    client, coordinator, wang, offer
):
    need = matched_need(wang, offer, coordinator, consent=True)
    client.force_login(offer.contact_user)

    html = text(client.get(reverse("matching:need_detail", args=[need.pk])))

    assert "王秀英" in html and wang.phone in html
    assert "居民未同意提供联系方式" not in html
    assert AccessLog.objects.filter(user=offer.contact_user).count() == 1


def test_the_provider_serves_from_the_orders_page_and_the_resident_rates(
    client, coordinator, wang, offer
):
    need = matched_need(wang, offer, coordinator, consent=True)
    client.force_login(offer.contact_user)
    orders = text(client.get(reverse("matching:my_orders")))
    assert "助餐送餐" in orders and "开始服务" in orders

    client.post(reverse("matching:need_start", args=[need.pk]), {"next": "orders"})
    done = client.post(reverse("matching:need_done", args=[need.pk]), {"next": "orders"})

    need.refresh_from_db()
    assert done["Location"] == reverse("matching:my_orders")
    assert need.status == Need.Status.DONE
    delivery = ServiceDelivery.objects.get()
    assert delivery.provider_type == ProviderType.ORGANIZATION
    assert client.post(reverse("matching:need_rate", args=[need.pk])).status_code == 404

    client.force_login(wang.account)
    page = text(client.get(reverse("matching:need_detail", args=[need.pk])))
    assert "给这次服务打个分" in page
    no_stars = client.post(reverse("matching:need_rate", args=[need.pk]), {"comment": "好"})
    assert no_stars.status_code == 400 and "请选几颗星" in text(no_stars)
    client.post(reverse("matching:need_rate", args=[need.pk]), {"rating": "5", "comment": "很准时"})

    need.refresh_from_db()
    assert need.status == Need.Status.RATED and need.rating == 5
    assert need.rating_comment == "很准时"
    client.force_login(coordinator)
    stats = text(client.get(reverse("matching:delivery_stats")))
    assert re.search(r'id="by-organizations">1<', stats)
    assert re.search(r'id="share-by-organizations">100.0%<', stats)


def test_a_resident_cannot_start_her_own_need(client, coordinator, wang, offer):
    need = matched_need(wang, offer, coordinator, consent=True)
    client.force_login(wang.account)

    assert client.post(reverse("matching:need_start", args=[need.pk])).status_code == 404
    assert "开始服务" not in text(client.get(reverse("matching:need_detail", args=[need.pk])))


def test_a_volunteer_sees_no_need_that_is_not_theirs(client, volunteer, wang):
    need = f.need(wang)
    client.force_login(volunteer)

    assert client.get(reverse("matching:need_detail", args=[need.pk])).status_code == 404
    assert "暂时没有派给您的服务单" in text(client.get(reverse("matching:my_orders")))


def test_the_gap_report_puts_the_largest_gap_first(client, coordinator, wang, li, offer):
    f.need(wang, code="legal_aid")
    f.need(li, code="legal_aid")
    f.need(wang, code="meal_delivery")
    client.force_login(coordinator)

    html = text(client.get(reverse("matching:gap_report")))

    assert "培育社会组织" in html
    assert html.index("法律援助") < html.index("助餐送餐")


# --- a volunteer records a need met on a visit (走访登记) ---------------------------------


@pytest.fixture
def visiting_deputy(in_community, building, wang):
    """小周, a volunteer and deputy of the elders' group 王秀英 belongs to: he sees her."""
    group = OrganizationFactory(community=in_community, name="翠苑助老队")
    MembershipFactory(organization=group, resident=wang)
    deputy = MembershipFactory(
        organization=group,
        role="deputy",
        resident=ResidentFactory(household__building=building, community=in_community),
    )
    return UserFactory(
        username="xiaozhou",
        role=Role.VOLUNTEER,
        community=in_community,
        resident=deputy.resident,
    )


def test_a_volunteer_records_a_need_met_on_a_visit_on_the_page(
    client, visiting_deputy, wang, in_community
):
    client.force_login(visiting_deputy)
    listing = text(client.get(reverse("matching:need_list")))
    url = reverse("matching:need_visit")
    assert f'href="{url}"' in listing and "走访登记需求" in listing
    found = client.get(url, {"q": "王秀"}, HTTP_HX_REQUEST="true")
    assert f'<option value="{wang.pk}" selected>王秀英' in found.content.decode()
    page = text(client.get(url))
    assert "居民同意把姓名、地址、电话提供给服务方" in page
    assert 'name="channel"' not in page and 'name="project"' not in page

    response = client.post(url, raise_form(resident=str(wang.pk)))

    need = Need.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:need_detail", args=[need.pk])
    assert need.resident == wang and need.raised_by == visiting_deputy
    assert need.channel == Need.Channel.VOLUNTEER
    assert need.community_id == in_community.pk
    assert need.compound_id == wang.household.building.compound_id
    # the resident finds it among her own needs
    client.force_login(wang.account)
    assert f"#{need.pk}" in text(client.get(reverse("matching:need_list")))


def test_a_volunteer_records_no_need_for_someone_out_of_reach(
    client, visiting_deputy, li, other_community
):
    stranger = ResidentFactory(
        household__building__compound__community=other_community, community=other_community
    )
    client.force_login(visiting_deputy)
    url = reverse("matching:need_visit")

    out_of_reach = client.post(url, raise_form(resident=str(li.pk)))
    elsewhere = client.post(url, raise_form(resident=str(stranger.pk)))

    assert (out_of_reach.status_code, elsewhere.status_code) == (404, 404)
    assert not Need.objects.exists()


def test_only_volunteers_and_leaders_have_the_visit_page(client, wang, coordinator):
    for user in (wang.account, coordinator):
        client.force_login(user)
        assert client.get(reverse("matching:need_visit")).status_code == 404
        assert "走访登记需求" not in text(client.get(reverse("matching:need_list")))


def test_a_volunteer_with_no_registry_record_finds_the_visit_page_in_the_menu(client, in_community):
    volunteer = UserFactory(role=Role.VOLUNTEER, community=in_community)
    client.force_login(volunteer)

    home = text(client.get("/"))

    assert f'href="{reverse("matching:need_list")}"' in home
    assert client.get(reverse("matching:need_visit")).status_code == 200
