"""Needs from raised to rated, a run's proposals and reasons, and who sees what."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.models import AccessLog
from kuihua.core.tenancy import use_community
from kuihua.matching import runs, selectors, services
from kuihua.matching.models import (
    WEEKDAYS,
    Need,
    NeedEvent,
    Proposal,
    ProviderType,
    ServiceCategory,
    ServiceDelivery,
)
from kuihua.matching.services import MatchingError
from kuihua.matching.tests.factories import category, need, organization_offer, resident_at
from kuihua.notifications.models import Message
from kuihua.registry.models import Consent
from kuihua.registry.tests.factories import BuildingFactory, CompoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def building(in_community):
    return BuildingFactory(compound=CompoundFactory(community=in_community))


def test_every_community_starts_with_the_preset_categories_and_can_add_its_own(
    in_community, coordinator
):
    names = set(ServiceCategory.objects.values_list("name", flat=True))
    assert {"助餐送餐", "理发", "陪同就医", "心理疏导", "法律援助"} <= names

    services.category_create(actor=coordinator, name="代购买菜")

    assert ServiceCategory.objects.filter(name="代购买菜", is_system=False).exists()
    with pytest.raises(MatchingError, match="同名"):
        services.category_create(actor=coordinator, name="理发")


def test_a_raised_need_knows_where_the_resident_lives_and_records_the_consent(building):
    person = resident_at(building)

    raised = need(person, description="每天中午送一份饭", days=WEEKDAYS, recurrence="weekdays")

    assert raised.status == Need.Status.OPEN
    assert (raised.building_id, raised.compound_id) == (building.pk, building.compound_id)
    assert raised.channel == Need.Channel.RESIDENT
    assert Consent.objects.filter(
        resident=person, purpose=Consent.Purpose.SHARE_WITH_PROVIDER, granted=True
    ).exists()
    assert list(NeedEvent.objects.filter(need=raised).values_list("status", flat=True)) == ["open"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"days": 0}, "days"), ({"slots": 8}, "slots"), ({"urgency": 9}, "urgency")],
)
def test_a_need_with_bad_times_or_urgency_is_refused_and_nothing_is_saved(building, fields, field):
    person = resident_at(building)

    with pytest.raises(MatchingError) as refused:
        need(person, **fields)

    assert refused.value.field == field
    assert not Need.objects.exists()


def test_a_run_proposes_providers_explains_the_rest_and_acceptance_makes_an_order(
    building, coordinator
):
    community = building.community
    offer = organization_offer(community, capacity=1)
    served, second = need(resident_at(building)), need(resident_at(building))
    nobody = need(resident_at(building), code="legal_aid")

    run = runs.match_run(actor=coordinator)

    assert (run.needs, run.matched) == (3, 1)
    by_need = {p.need_id: p for p in run.proposals.all()}
    matched = [p for p in by_need.values() if p.offer_id]
    assert [p.offer_id for p in matched] == [offer.pk]
    left_over = served if by_need[second.pk].offer_id else second
    assert by_need[left_over.pk].reason == Proposal.Reason.CAPACITY
    assert by_need[nobody.pk].reason == Proposal.Reason.NO_CATEGORY
    assert by_need[nobody.pk].get_reason_display() == "社区暂无提供该类服务的服务方"
    proposal = matched[0]
    assert proposal.cost == sum(
        getattr(proposal, f"cost_{t}")
        for t in ("distance", "fit", "priority", "continuity", "load")
    )

    accepted, problems = services.proposals_accept(actor=coordinator, run=run)

    assert (accepted, problems) == (1, [])
    order = Need.objects.get(pk=proposal.need_id)
    assert (order.status, order.provider_id) == (Need.Status.MATCHED, offer.pk)
    assert Message.objects.filter(recipient=offer.contact_user, kind="service_order").exists()


def test_a_new_run_replaces_pending_proposals_and_old_ones_cannot_be_accepted(
    building, coordinator
):
    organization_offer(building.community)
    need(resident_at(building))
    first = runs.match_run(actor=coordinator)
    stale = first.proposals.get()

    runs.match_run(actor=coordinator)

    stale.refresh_from_db()
    assert stale.status == Proposal.Status.SUPERSEDED
    with pytest.raises(MatchingError, match="取代"):
        services.proposal_accept(actor=coordinator, proposal=stale)
    named = services.proposals_accept(actor=coordinator, run=first, proposal_ids=[stale.pk])
    assert named == (0, [f"#{stale.need_id}: 该建议已处理或已被新一轮对接取代"])


def test_a_provider_holds_no_more_orders_than_its_weekly_capacity(building, coordinator):
    offer = organization_offer(building.community, capacity=1)
    first, second = need(resident_at(building)), need(resident_at(building))
    services.need_assign(actor=coordinator, need=first, offer=offer)

    with pytest.raises(MatchingError, match="名额已满"):
        services.need_assign(actor=coordinator, need=second, offer=offer)

    run = runs.match_run(actor=coordinator)
    assert run.matched == 0
    assert run.proposals.get().reason == Proposal.Reason.CAPACITY


def test_an_override_must_meet_the_hard_constraints(building, coordinator):
    elsewhere = CompoundFactory(community=building.community)
    offer = organization_offer(building.community, compounds=[elsewhere])
    raised = need(resident_at(building))

    with pytest.raises(MatchingError, match="不覆盖"):
        services.need_assign(actor=coordinator, need=raised, offer=offer)

    raised.refresh_from_db()
    assert raised.status == Need.Status.OPEN


def test_from_order_to_rating_every_step_is_timed_and_attributed_and_delivery_counted(
    building, coordinator
):
    offer = organization_offer(building.community)
    person = resident_at(building)
    raised = need(person)
    provider = offer.contact_user
    services.need_assign(actor=coordinator, need=raised, offer=offer)

    services.need_start(actor=provider, need=raised)
    services.need_done(actor=provider, need=raised)
    with pytest.raises(MatchingError, match="1 到 5"):
        services.need_rate(actor=person.account, need=raised, rating=6)
    services.need_rate(actor=person.account, need=raised, rating=5, comment="饭菜很热乎")

    raised.refresh_from_db()
    assert (raised.status, raised.rating) == (Need.Status.RATED, 5)
    steps = list(NeedEvent.objects.filter(need=raised).values_list("status", "by_id"))
    assert steps == [
        ("open", person.account.pk),
        ("matched", coordinator.pk),
        ("in_service", provider.pk),
        ("done", provider.pk),
        ("rated", person.account.pk),
    ]
    delivery = ServiceDelivery.objects.get(need=raised)
    assert delivery.provider_type == ProviderType.ORGANIZATION
    stats = selectors.delivery_stats()
    assert (stats["person_times"], stats["by_organizations"]) == (1, 1)
    assert stats["share_by_organizations"] == 1.0


def test_a_provider_sees_personal_details_only_with_consent_and_each_look_is_logged(
    building, coordinator
):
    offer = organization_offer(building.community, capacity=2)
    consenting = need(resident_at(building, name="王秀英"), consent_to_share=True)
    withholding = need(resident_at(building, name="李桂兰"), consent_to_share=False)
    consenting, withholding = (
        services.need_assign(actor=coordinator, need=raised, offer=offer)
        for raised in (consenting, withholding)
    )
    provider = offer.contact_user

    shown = selectors.need_personal_details(provider, consenting)
    hidden = selectors.need_personal_details(provider, withholding)

    assert shown["name"] == "王秀英"
    assert hidden is None
    assert "李桂兰" not in str(selectors.need_masked_details(withholding))
    logged = AccessLog.objects.filter(user=provider)
    assert list(logged.values_list("subject_id", flat=True)) == [consenting.resident_id]


def test_a_need_without_consent_is_never_given_to_an_individual_volunteer(building, coordinator):
    from kuihua.matching.tests.factories import volunteer_offer

    volunteer_offer(resident_at(building), code="companionship")
    withholding = need(resident_at(building), code="companionship", consent_to_share=False)

    run = runs.match_run(actor=coordinator)

    assert run.proposals.get(need=withholding).reason == Proposal.Reason.NO_CONSENT


def test_others_see_only_their_own_needs_and_orders(building, coordinator):
    offer = organization_offer(building.community)
    mine, theirs = resident_at(building), resident_at(building)
    my_need, their_need = need(mine), need(theirs)
    services.need_assign(actor=coordinator, need=their_need, offer=offer)

    assert list(selectors.needs_visible_to(mine.account)) == [my_need]
    assert list(selectors.orders_of(offer.contact_user)) == [their_need]
    assert set(selectors.needs_visible_to(coordinator)) == {my_need, their_need}
    stranger = UserFactory(role=Role.VOLUNTEER, community=building.community)
    assert not selectors.needs_visible_to(stranger).exists()


def test_the_gap_report_puts_the_largest_shortfall_first(building, coordinator):
    organization_offer(building.community, code="haircut", capacity=5)
    for _ in range(3):
        need(resident_at(building), code="meal_delivery")
    need(resident_at(building), code="haircut")

    rows = selectors.gap_report()

    assert [(r["category"], r["waiting"], r["capacity_per_week"]) for r in rows] == [
        ("助餐送餐", 3, 0),
        ("理发", 1, 5),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite" and connection.settings_dict["NAME"] in ("", ":memory:"),
    reason="threads need a database file or server",
)
def test_two_coordinators_accepting_at_once_never_exceed_a_providers_capacity(community):
    with use_community(community):
        building = BuildingFactory(compound=CompoundFactory(community=community))
        coordinator = UserFactory(role=Role.COORDINATOR, community=community)
        offer = organization_offer(community, capacity=1)
        needs = [need(resident_at(building)) for _ in range(6)]
    start = threading.Barrier(len(needs))
    outcomes = []

    def assign(raised):
        try:
            with use_community(community):
                start.wait()
                services.need_assign(actor=coordinator, need=raised, offer=offer)
                outcomes.append("matched")
        except MatchingError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(n,)) for n in needs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["full"] * 5 + ["matched"]
    with use_community(community):
        assert Need.objects.filter(provider=offer, status=Need.Status.MATCHED).count() == 1


def test_a_coordinator_may_raise_for_someone_not_online(building, coordinator):
    person = resident_at(building)

    raised = services.need_raise(
        actor=coordinator,
        resident=person,
        category=category("haircut"),
        channel=Need.Channel.COORDINATOR,
    )

    assert raised.raised_by == coordinator
    assert raised.consent_to_share is False
    assert not Consent.objects.filter(resident=person).exists()


def test_a_run_reads_only_this_communitys_offers_and_what_they_serve(
    community, other_community, coordinator
):
    with use_community(other_community):
        elsewhere = BuildingFactory(compound=CompoundFactory(community=other_community))
        organization_offer(other_community, code="haircut", compounds=[elsewhere.compound])
    with use_community(community):
        here = CompoundFactory(community=community, name="甲小区")
        there = CompoundFactory(community=community, name="乙小区")  # the last compound
        organization_offer(community, code="meal_delivery", compounds=[here])
        far = need(resident_at(BuildingFactory(compound=there)), code="meal_delivery")
        tutoring = need(resident_at(BuildingFactory(compound=here)), code="tutoring")

        run = runs.match_run(actor=coordinator)

        assert run.proposals.get(need=far).offer_id is None
        assert run.proposals.get(need=far).reason == Proposal.Reason.NO_AREA
        assert run.proposals.get(need=tutoring).offer_id is None
        assert run.proposals.get(need=tutoring).reason == Proposal.Reason.NO_CATEGORY


def test_a_withdrawn_consent_stops_the_sharing_and_individual_providers(building, coordinator):
    from kuihua.matching.tests.factories import volunteer_offer
    from kuihua.registry import services as registry_services

    person = resident_at(building, name="王秀英")
    volunteer = volunteer_offer(resident_at(building), code="companionship", capacity=2)
    held = services.need_assign(
        actor=coordinator, need=need(person, code="companionship"), offer=volunteer
    )
    waiting = need(person, code="companionship")
    assert selectors.need_personal_details(volunteer.contact_user, held)["name"] == "王秀英"

    registry_services.consent_record(
        actor=coordinator,
        resident=person,
        purpose=Consent.Purpose.SHARE_WITH_PROVIDER,
        granted=False,
        method=Consent.Method.PAPER,
    )
    run = runs.match_run(actor=coordinator)

    assert selectors.need_personal_details(volunteer.contact_user, held) is None
    assert run.proposals.get(need=waiting).reason == Proposal.Reason.NO_CONSENT
    with pytest.raises(MatchingError, match="居民未同意提供联系方式"):
        services.need_assign(actor=coordinator, need=waiting, offer=volunteer)


def test_an_order_whose_volunteer_was_erased_is_refused_and_given_to_someone_else(
    building, coordinator, client
):
    from kuihua.matching.tests.factories import volunteer_offer
    from kuihua.registry import services as registry_services

    leaving = resident_at(building)
    order = services.need_assign(
        actor=coordinator,
        need=need(resident_at(building), code="companionship"),
        offer=volunteer_offer(leaving, code="companionship"),
    )
    registry_services.resident_erase(actor=coordinator, resident=leaving, reason="本人要求删除")
    client.force_login(coordinator)

    done = client.post(f"/api/matching/needs/{order.pk}/done", {}, "application/json")
    other = volunteer_offer(resident_at(building), code="companionship")
    page = client.get(reverse("matching:need_detail", args=[order.pk])).content.decode()
    again = services.need_assign(actor=coordinator, need=order, offer=other)

    assert done.status_code == 400
    assert done.json()["message"] == "该需求的服务方已不存在，请社区重新派单"
    assert reverse("matching:need_assign", args=[order.pk]) in page
    assert (again.status, again.provider.provider_type) == (Need.Status.MATCHED, "volunteer")


def test_the_provider_is_told_when_an_order_is_cancelled_or_closed(building, coordinator):
    offer = organization_offer(building.community)
    person = resident_at(building)
    cancelled = services.need_assign(actor=coordinator, need=need(person), offer=offer)
    closed = services.need_assign(actor=coordinator, need=need(person), offer=offer)

    services.need_cancel(actor=person.account, need=cancelled, reason="家人来照顾了")
    services.need_cancel(actor=coordinator, need=closed, reason="已搬走", close=True)

    told = Message.objects.filter(recipient=offer.contact_user, kind="service_order_cancelled")
    assert sorted(told.values_list("body", flat=True)) == ["原因：家人来照顾了", "原因：已搬走"]
    assert Message.objects.filter(recipient=person.account, kind="need_closed").count() == 1
