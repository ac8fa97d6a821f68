"""The market's services: market days, stalls, items, sales for money and points,
where the money goes, and who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from kuihua.activities.tests.factories import ActivityFactory
from kuihua.core.errors import ApplicationError
from kuihua.core.models import AuditLog
from kuihua.core.tests.clock import today
from kuihua.ledger.models import Ledger
from kuihua.ledger.selectors import balances, books_check
from kuihua.market import selectors, services
from kuihua.market.models import Sale, StallItem
from kuihua.market.tests.factories import (
    leader_of,
    market_series,
    market_world,
    new_key,
    points_give,
    resident_with_account,
)
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.service_records.models import PointsEntry, VolunteerProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(in_community, community, coordinator):
    return market_world(community, coordinator)


def sell(world, actor=None, *, item=None, quantity=1, method="cash", buyer=None, key=None):
    return services.sale_record(
        actor=actor or world.leader,
        item=item or world.goods,
        quantity=quantity,
        method=method,
        idempotency_key=key or new_key(),
        buyer=buyer,
    )


# --- market days, stalls, items -------------------------------------------------------


def test_a_market_day_is_an_occurrence_of_a_series_published_and_placed(
    in_community, community, coordinator
):
    org = OrganizationFactory(community=community)
    lone = ActivityFactory(community=community, organization=org)
    with pytest.raises(ApplicationError, match="每月集市"):
        services.market_day_open(actor=coordinator, activity=lone)
    series = market_series(org)
    draft = ActivityFactory(community=community, organization=org, series=series, status="draft")
    with pytest.raises(ApplicationError, match="未发布"):
        services.market_day_open(actor=coordinator, activity=draft)
    nowhere = ActivityFactory(community=community, organization=org, series=series, address="")
    with pytest.raises(ApplicationError, match="地点"):
        services.market_day_open(actor=coordinator, activity=nowhere)
    good = ActivityFactory(community=community, organization=org, series=series)
    day = services.market_day_open(actor=coordinator, activity=good)
    assert day.activity == good
    with pytest.raises(ApplicationError, match="已经开设"):
        services.market_day_open(actor=coordinator, activity=good)


def test_only_a_coordinator_opens_market_days_and_gives_stalls(world, community, coordinator):
    other = ActivityFactory(
        community=community, organization=world.organization, series=world.activity.series
    )
    with pytest.raises(ApplicationError):
        services.market_day_open(actor=world.leader, activity=other)
    with pytest.raises(ApplicationError):
        services.stall_add(
            actor=world.leader,
            market_day=world.market_day,
            organization=OrganizationFactory(community=community),
            name="外来摊",
        )
    with pytest.raises(ApplicationError, match="已经有摊位"):
        services.stall_add(
            actor=coordinator,
            market_day=world.market_day,
            organization=world.organization,
            name="x",
        )


def test_a_leader_keeps_items_of_their_own_stall_only(world, community, coordinator):
    item = services.item_add(
        actor=world.leader, stall=world.stall, name="布袋", price_fen=800, stock=3
    )
    services.item_update(actor=world.leader, item=item, price_fen=1000, stock=5)
    item.refresh_from_db()
    assert (item.price_fen, item.stock) == (1000, 5)
    other_org = OrganizationFactory(community=community)
    other_stall = services.stall_add(
        actor=coordinator, market_day=world.market_day, organization=other_org, name="别家"
    )
    with pytest.raises(ApplicationError, match="本组织"):
        services.item_add(actor=world.leader, stall=other_stall, name="布袋", price_fen=800)
    with pytest.raises(ApplicationError, match="至少"):
        services.item_add(actor=world.leader, stall=world.stall, name="空价")
    with pytest.raises(ApplicationError, match="同名"):
        services.item_add(actor=world.leader, stall=world.stall, name="布袋", price_fen=1)


# --- money sales ------------------------------------------------------------------------


def test_a_cash_sale_splits_70_30_and_posts_both_funds(world):
    sale, created = sell(world, quantity=2)  # 2 × ¥15
    assert created
    assert (sale.amount_fen, sale.organization_fen, sale.welfare_fen) == (3000, 2100, 900)
    world.organization.refresh_from_db()
    fund = world.organization.fund_ledger
    welfare = Ledger.objects.get(kind=Ledger.Kind.PUBLIC_WELFARE)
    assert balances(fund) == {"1001": 2100, "4003": -2100}
    assert balances(welfare) == {"1001": 900, "4003": -900}
    assert sale.organization_entry.ledger == fund and sale.welfare_entry.ledger == welfare
    assert books_check(fund).ok and books_check(welfare).ok
    world.goods.refresh_from_db()
    assert world.goods.stock == 18
    assert AuditLog.objects.filter(action="market_sale.record", object_id=sale.pk).exists()


def test_a_transfer_goes_to_the_bank_and_the_rule_decides_the_split(world, coordinator):
    services.market_rule_set(actor=coordinator, organization_percent=50)
    sale, _ = sell(world, item=world.service, quantity=1, method="transfer")  # ¥5
    assert (sale.organization_fen, sale.welfare_fen) == (250, 250)
    world.organization.refresh_from_db()
    assert balances(world.organization.fund_ledger)["1002"] == 250


@pytest.mark.parametrize(
    ("amount", "percent", "shares"),
    [(1, 70, (1, 0)), (3, 50, (2, 1)), (5, 70, (4, 1)), (101, 33, (33, 68)), (999, 100, (999, 0))],
)
def test_the_organizations_share_rounds_half_up_and_the_welfare_fund_gets_the_rest(
    amount, percent, shares
):
    assert services.proceeds_split(amount, percent) == shares
    assert sum(shares) == amount


def test_a_zero_share_posts_no_entry(world, coordinator):
    services.market_rule_set(actor=coordinator, organization_percent=100)
    sale, _ = sell(world)
    assert sale.welfare_fen == 0 and sale.welfare_entry is None
    assert sale.organization_entry is not None


def test_the_rule_is_for_coordinators_and_between_0_and_100(world, coordinator):
    with pytest.raises(ApplicationError):
        services.market_rule_set(actor=world.leader, organization_percent=50)
    with pytest.raises(ApplicationError, match="0到100"):
        services.market_rule_set(actor=coordinator, organization_percent=101)
    assert services.organization_percent() == 70


def test_out_of_stock_is_refused_and_stock_never_goes_below_zero(world):
    with pytest.raises(ApplicationError, match="库存不足"):
        sell(world, quantity=21)
    sell(world, quantity=20)
    with pytest.raises(ApplicationError, match="库存不足"):
        sell(world, quantity=1)
    world.goods.refresh_from_db()
    assert world.goods.stock == 0
    assert Sale.objects.filter(item=world.goods).count() == 1


def test_a_closed_market_day_takes_no_sale(world, coordinator):
    services.market_day_close(actor=coordinator, market_day=world.market_day)
    with pytest.raises(ApplicationError, match="收摊"):
        sell(world)


def test_the_method_must_match_the_items_prices(world):
    with pytest.raises(ApplicationError, match="只能用积分"):
        sell(world, item=world.by_points, method="cash")
    with pytest.raises(ApplicationError, match="不能用积分"):
        sell(world, item=world.service, method="points", buyer=world.buyer)
    with pytest.raises(ApplicationError, match="付款方式"):
        sell(world, method="card")


def test_a_leader_sells_only_at_their_own_stall(world, community, coordinator):
    other_org = OrganizationFactory(community=community)
    stranger = leader_of(other_org)
    with pytest.raises(ApplicationError, match="本组织"):
        sell(world, stranger)
    _buyer, volunteer = resident_with_account(community)
    with pytest.raises(ApplicationError):
        sell(world, volunteer)
    sale, _ = sell(world, coordinator)
    assert sale.sold_by == coordinator


# --- idempotency ------------------------------------------------------------------------


def test_the_same_key_records_once_and_a_different_body_is_refused(world):
    key = new_key()
    first, created = sell(world, key=key, quantity=2)
    again, created_again = sell(world, key=key, quantity=2)
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(services.IdempotencyConflict):
        sell(world, key=key, quantity=3)
    world.goods.refresh_from_db()
    assert world.goods.stock == 18


# --- points -------------------------------------------------------------------------


def test_a_points_sale_spends_the_buyers_points_and_the_entry_names_the_sale(world):
    sale, _ = sell(world, quantity=2, method="points", buyer=world.buyer)  # 2 × 10
    assert sale.points == Decimal("20.00") and sale.amount_fen == 0
    entry = sale.points_entry
    assert entry.points == Decimal("-20.00") and entry.kind == PointsEntry.Kind.SPEND
    assert f"#{sale.pk}" in entry.note and "手工拖鞋" in entry.note
    assert selectors.points_balance(world.buyer) == Decimal("30.00")
    history = list(selectors.points_history(world.buyer))
    assert selectors.sale_of(history[0]) == sale
    assert selectors.sale_of(history[1]) is None  # the earning
    # no money moved
    world.organization.refresh_from_db()
    assert world.organization.fund_ledger is None


def test_points_beyond_the_balance_are_refused_and_nothing_is_recorded(world):
    with pytest.raises(ApplicationError, match="积分余额不足"):
        sell(world, quantity=6, method="points", buyer=world.buyer)  # 60 > 50
    assert Sale.objects.count() == 0
    world.goods.refresh_from_db()
    assert world.goods.stock == 20
    assert selectors.points_balance(world.buyer) == Decimal("50.00")


def test_a_points_sale_needs_a_buyer(world):
    with pytest.raises(ApplicationError, match="选择购买的居民"):
        sell(world, method="points")


def test_a_stall_holder_spends_points_only_through_a_sale(world):
    from kuihua.service_records.services import points_spend

    with pytest.raises(ApplicationError, match="没有权限"):
        points_spend(actor=world.leader, resident=world.buyer, points=1, note="直接扣")


# --- buyers -------------------------------------------------------------------------


def test_a_buyer_is_found_by_their_code_or_name(world, community):
    number = VolunteerProfile.objects.get(resident=world.buyer).number
    assert services.buyer_find(actor=world.leader, code_or_query=number.lower()) == [world.buyer]
    assert world.buyer in services.buyer_find(actor=world.leader, code_or_query=world.buyer.name)
    assert services.buyer_find(actor=world.leader, code_or_query="KH-NOPE-999999") == []
    # a resident without points is not offered: the search is no way into the registry
    _pointless, _user = resident_with_account(community, name="没积分的邻居")
    assert services.buyer_find(actor=world.leader, code_or_query="没积分的邻居") == []
    with pytest.raises(ApplicationError):
        services.buyer_find(actor=world.buyer_user, code_or_query=world.buyer.name)


def test_a_buyer_of_another_community_is_not_found(world, other_community):
    from kuihua.core.tenancy import use_community

    with use_community(other_community):
        stranger, _user = resident_with_account(other_community, name="隔壁王大妈")
        points_give(stranger, 5)
        number = VolunteerProfile.objects.get(resident=stranger).number
    assert services.buyer_find(actor=world.leader, code_or_query=number) == []
    assert services.buyer_find(actor=world.leader, code_or_query="隔壁王大妈") == []


# --- access -------------------------------------------------------------------------


def test_access_doors(world, community, coordinator):
    other_org = OrganizationFactory(community=community)
    other_stall = services.stall_add(
        actor=coordinator, market_day=world.market_day, organization=other_org, name="别家"
    )
    assert selectors.access_stall(world.leader, world.stall.pk, action="sell") == world.stall
    with pytest.raises(Http404):
        selectors.access_stall(world.leader, other_stall.pk, action="sell")
    assert selectors.access_stall(world.buyer_user, other_stall.pk) == other_stall
    with pytest.raises(Http404):
        selectors.access_stall(world.buyer_user, world.stall.pk, action="sell")
    with pytest.raises(Http404):
        selectors.access_market_day(world.leader, world.market_day.pk, action="manage")
    sale, _ = sell(world, method="points", buyer=world.buyer)
    assert selectors.access_sale(world.buyer_user, sale.pk) == sale
    _stranger_resident, stranger = resident_with_account(community)
    with pytest.raises(Http404):
        selectors.access_sale(stranger, sale.pk)


def test_stall_takings_add_up(world):
    sell(world, quantity=2)
    sell(world, item=world.service, method="transfer")
    sell(world, item=world.by_points, quantity=3, method="points", buyer=world.buyer)
    takings = selectors.stall_takings(world.stall)
    assert takings.sales == 3
    assert (takings.amount_fen, takings.cash_fen, takings.transfer_fen) == (3500, 3000, 500)
    assert takings.organization_fen + takings.welfare_fen == 3500
    assert takings.points == Decimal("3.00")


def test_self_financing_sets_market_income_against_all_the_funds_income(world, coordinator):
    from kuihua.ledger import services as ledger_services

    sell(world, quantity=2)  # ¥30: ¥21 to the organization
    fund = services.organization_fund(world.organization)
    ledger_services.entry_post(
        ledger=fund,
        date=today(),
        memo="会员捐赠",
        legs=[
            (ledger_services.account(fund, "1001"), 4900),
            (ledger_services.account(fund, "4001"), -4900),
        ],
        actor=coordinator,
    )
    found = selectors.self_financing(world.organization, months=12)
    assert len(found.months) == 12 and found.months[-1].month == today().replace(day=1)
    assert (found.months[-1].market_fen, found.months[-1].income_fen) == (2100, 7000)
    assert found.months[-1].share_percent == 30
    assert found.months[0].share_percent is None
    assert (found.market_fen, found.income_fen, found.share_percent) == (2100, 7000, 30)
    assert found.community[-1].amount_fen == 3000
    assert found.community[-1].welfare_fen == 900


def test_a_residents_export_lists_what_they_bought(world):
    from kuihua.market.personal_data import market_export

    sell(world, quantity=2, method="points", buyer=world.buyer)
    sell(world, quantity=1)  # anonymous: not theirs
    (purchase,) = market_export(world.buyer)["purchases"]
    assert (purchase["item"], purchase["quantity"], purchase["points"]) == ("手工拖鞋", 2, "20.00")


def test_a_sale_uses_the_price_of_now_not_of_a_stale_item(world):
    stale = StallItem.objects.get(pk=world.goods.pk)
    services.item_update(actor=world.leader, item=world.goods, price_fen=2000)
    sale, _ = sell(world, item=stale)
    assert sale.amount_fen == 2000


def test_erasing_a_buyer_keeps_the_sale_and_the_funds_without_them(world, coordinator):
    from kuihua.registry.services import resident_erase

    points_sale, _ = sell(world, quantity=2, method="points", buyer=world.buyer)
    money_sale, _ = sell(world, buyer=world.buyer)
    resident_erase(actor=coordinator, resident=world.buyer, reason="本人申请删除")
    points_sale.refresh_from_db()
    money_sale.refresh_from_db()
    assert points_sale.buyer is None and points_sale.points_entry is None
    assert points_sale.points == Decimal("20.00")
    assert money_sale.buyer is None and money_sale.organization_entry is not None
    assert not PointsEntry.objects.filter(resident_id=world.buyer.pk).exists()


def test_a_replay_after_the_day_closed_returns_the_first_sale(world, coordinator):
    key = new_key()
    first, _ = sell(world, key=key, quantity=2)
    services.market_day_close(actor=coordinator, market_day=world.market_day)
    again, created = sell(world, key=key, quantity=2)
    assert again.pk == first.pk and not created
    with pytest.raises(ApplicationError, match="收摊"):
        sell(world, quantity=2)
