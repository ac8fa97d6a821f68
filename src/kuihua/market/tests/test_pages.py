"""The 爱心集市 pages as each person uses them: a stall holder sells on a phone (once,
however often the button is pressed; refused with a reason and nothing recorded when the
balance is short, the item sold out or the market closed; never at another
organization's stall); a coordinator runs the market days; a resident reads 我的积分."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.models import Series
from kuihua.activities.tests.factories import ActivityFactory
from kuihua.core.tenancy import use_community
from kuihua.market import services
from kuihua.market.models import MarketDay, MarketRule, Sale, Stall, StallItem
from kuihua.market.tests.factories import (
    leader_of,
    market_series,
    market_world,
    points_give,
    resident_with_account,
)
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.service_records.models import PointsEntry, VolunteerProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(in_community, coordinator):
    """手工坊's stall on the next market day (手工拖鞋 ¥15 or 10 积分, 20 in stock; 磨剪刀
    ¥5; 爱心兑换券 1 积分), its leader, and a buyer holding 50 积分."""
    return market_world(in_community, coordinator)


@pytest.fixture
def other_stall(world, coordinator):
    """Another organization's stall on the same day, with its own leader."""
    organization = OrganizationFactory(community=world.organization.community, name="编织队")
    stall = services.stall_add(
        actor=coordinator, market_day=world.market_day, organization=organization, name="编织摊"
    )
    item = services.item_add(actor=coordinator, stall=stall, name="毛线帽", price_fen=2000)
    return {"stall": stall, "item": item, "leader": leader_of(organization, username="bianzhi")}


def url(name, *args):
    return reverse(f"market:{name}", args=args)


def page(client, name, *args) -> str:
    response = client.get(url(name, *args))
    assert response.status_code == 200, name
    return response.content.decode()


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def form_key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def code_of(resident) -> str:
    return VolunteerProfile.objects.get(resident=resident).number


def sell(client, item, *, key=None, **data):
    target = url("sell", item.pk)
    key = key or form_key(client.get(target).content.decode())
    return client.post(target, {"quantity": 1, "idempotency_key": key, **data}, follow=True)


# --- the stall holder -------------------------------------------------------------------


def test_a_leader_finds_their_stall_and_its_items_with_prices(client, world, other_stall):
    client.force_login(world.leader)
    home = client.get("/")
    assert url("home") in home.content.decode()  # 爱心集市 in the menu

    mine = page(client, "home")
    assert "手工坊" in mine and world.market_day.date.isoformat() in mine
    assert "编织摊" not in mine  # another organization's stall is not theirs

    stall = page(client, "stall", world.stall.pk)
    assert "手工拖鞋" in stall and "¥15.00 / 10 积分" in stall and "剩 20" in stall
    assert "磨剪刀" in stall and "¥5.00" in stall
    assert url("sell", world.goods.pk) in stall


def test_the_sale_form_offers_only_the_ways_the_item_can_be_paid(client, world):
    client.force_login(world.leader)
    both = page(client, "sell", world.goods.pk)
    assert all(f'value="{m}"' in both for m in ("cash", "transfer", "points"))
    money_only = page(client, "sell", world.service.pk)
    assert 'value="cash"' in money_only and 'value="points"' not in money_only
    points_only = page(client, "sell", world.by_points.pk)
    assert 'value="points"' in points_only and 'value="cash"' not in points_only


def test_a_leader_sells_for_points_by_the_residents_code_and_sees_the_new_balance(client, world):
    client.force_login(world.leader)
    response = sell(client, world.goods, method="points", buyer=code_of(world.buyer))

    assert response.redirect_chain[-1][0] == url("stall", world.stall.pk)
    shown = text(response)
    assert "已记下：手工拖鞋 × 1，10 积分。" in shown
    assert f"{world.buyer.name} 还剩 40 积分。" in shown
    sale = Sale.objects.get()
    assert (sale.method, sale.buyer, sale.points) == ("points", world.buyer, Decimal("10.00"))
    assert "剩 19" in shown  # the stock moved
    assert "10 积分" in shown and "笔数" in shown  # the stall's takings


def test_a_leader_picks_the_buyer_from_a_name_search_of_the_community_only(
    client, world, other_community
):
    client.force_login(world.leader)
    with_same_name = resident_with_account(world.organization.community, name=world.buyer.name)[0]
    points_give(with_same_name, 5)
    resident_with_account(world.organization.community, name=world.buyer.name, username="nopts")
    with use_community(other_community):
        elsewhere = resident_with_account(
            other_community, name=world.buyer.name, username="elsewhere"
        )[0]
        points_give(elsewhere, 5)
    target = url("sell", world.goods.pk)
    key = form_key(client.get(target).content.decode())

    found = client.post(
        target,
        {
            "quantity": 2,
            "method": "points",
            "buyer": world.buyer.name,
            "find": "1",
            "idempotency_key": key,
        },
    )
    html = found.content.decode()
    choices = re.findall(r'name="buyer_id" value="(\d+)"', html)
    # Two of the community's residents hold points under that name; one without points
    # and one of another community are not offered.
    assert sorted(int(c) for c in choices) == sorted([world.buyer.pk, with_same_name.pk])
    assert f'value="{key}"' in html and 'value="2"' in html  # the form comes back as typed
    assert not Sale.objects.exists()

    # Without a choice among two, nothing is recorded.
    unsure = sell(client, world.goods, key=key, quantity=2, method="points", buyer=world.buyer.name)
    assert "找到 2 位，请点选是哪一位。" in text(unsure)
    assert not Sale.objects.exists()

    done = sell(
        client,
        world.goods,
        key=key,
        quantity=2,
        method="points",
        buyer=world.buyer.name,
        buyer_id=world.buyer.pk,
    )
    assert f"{world.buyer.name} 还剩 30 积分。" in text(done)
    assert Sale.objects.get().buyer == world.buyer


def test_a_double_post_with_the_same_key_records_once(client, world):
    client.force_login(world.leader)
    key = form_key(page(client, "sell", world.goods.pk))
    first = sell(client, world.goods, key=key, method="points", buyer=code_of(world.buyer))
    again = sell(client, world.goods, key=key, method="points", buyer=code_of(world.buyer))

    assert "已记下" in text(first)
    assert "这笔已经记过了，没有重复记" in text(again) and "还剩 40 积分" in text(again)
    assert Sale.objects.count() == 1
    assert PointsEntry.objects.filter(resident=world.buyer, kind="spend").count() == 1


def test_a_key_sent_again_with_other_answers_is_refused_and_a_new_one_offered(client, world):
    client.force_login(world.leader)
    key = form_key(page(client, "sell", world.service.pk))
    sell(client, world.service, key=key, method="cash")
    changed = sell(client, world.service, key=key, quantity=3, method="cash")

    assert "防重复码已经用于另一笔销售" in text(changed)
    assert Sale.objects.count() == 1
    fresh = form_key(changed.content.decode())
    assert fresh != key
    done = sell(client, world.service, key=fresh, quantity=3, method="cash")
    assert "已记下：磨剪刀 × 3" in text(done)
    assert Sale.objects.count() == 2


def test_a_short_balance_is_refused_in_the_form_and_nothing_is_recorded(client, world):
    client.force_login(world.leader)
    response = sell(
        client, world.goods, quantity=6, method="points", buyer=code_of(world.buyer)
    )  # 60 积分 wanted, 50 held

    assert response.redirect_chain == []
    assert "积分余额不足" in text(response)
    assert not Sale.objects.exists()
    assert StallItem.objects.get(pk=world.goods.pk).stock == 20


def test_a_sold_out_item_and_a_closed_market_are_refused(client, world, coordinator):
    client.force_login(world.leader)
    StallItem.objects.filter(pk=world.goods.pk).update(stock=1)
    short = sell(client, world.goods, quantity=2, method="cash")
    assert "库存不足" in text(short)
    assert not Sale.objects.exists()

    services.market_day_close(actor=coordinator, market_day=world.market_day)
    closed = sell(client, world.service, method="cash")
    assert "已经收摊" in text(closed)
    assert not Sale.objects.exists()
    assert "已收摊" in page(client, "stall", world.stall.pk)


def test_points_need_a_buyer_who_is_found(client, world):
    client.force_login(world.leader)
    nobody = sell(client, world.goods, method="points", buyer="")
    assert "用积分付，请先扫居民的码" in text(nobody)
    unknown = sell(client, world.goods, method="points", buyer="没有这个人")
    assert "没有找到这位居民" in text(unknown)
    assert not Sale.objects.exists()


def test_a_cash_sale_shows_the_split_in_the_stalls_takings(client, world, coordinator):
    services.market_rule_set(actor=coordinator, organization_percent=60)
    client.force_login(world.leader)
    response = sell(client, world.service, quantity=2, method="cash")

    shown = text(response)
    assert "已记下：磨剪刀 × 2，10.00 元（现金）。" in shown
    assert "归组织 6.00 元" in shown and "进公益金 4.00 元" in shown


def test_a_leader_cannot_sell_at_another_organizations_stall(client, world, other_stall):
    client.force_login(other_stall["leader"])
    assert client.get(url("stall", world.stall.pk)).status_code == 404
    assert client.get(url("sell", world.goods.pk)).status_code == 404
    refused = client.post(
        url("sell", world.goods.pk), {"quantity": 1, "method": "cash", "idempotency_key": "k" * 20}
    )
    assert refused.status_code == 404
    assert client.get(url("stall_items", world.stall.pk)).status_code == 404
    assert not Sale.objects.exists()
    # Their own stall is theirs.
    assert client.get(url("stall", other_stall["stall"].pk)).status_code == 200


# --- the coordinator --------------------------------------------------------------------


def test_a_coordinator_opens_a_market_day_from_an_occurrence_of_the_series(
    client, in_community, coordinator
):
    organization = OrganizationFactory(community=in_community, name="社区居委会")
    series = market_series(organization)
    starts = timezone.now() + dt.timedelta(days=3)
    occurrence = ActivityFactory(
        community=in_community,
        organization=organization,
        series=series,
        title="爱心集市",
        address="社区广场",
        starts_at=starts,
    )
    ActivityFactory(community=in_community, organization=organization, title="单次活动")
    weekly = Series.objects.create(
        organization=organization, title="合唱队", rule="FREQ=WEEKLY;BYDAY=TU", template={}
    )
    ActivityFactory(
        community=in_community,
        organization=organization,
        series=weekly,
        title="合唱排练",
        starts_at=starts,
    )
    client.force_login(coordinator)

    days = page(client, "days")
    assert "爱心集市" in days and "单次活动" not in days and "合唱排练" not in days
    response = client.post(url("days"), {"activity": occurrence.pk}, follow=True)

    day = MarketDay.objects.get()
    assert response.redirect_chain[-1][0] == url("day", day.pk)
    assert "的集市已开设" in text(response) and "社区广场" in text(response)
    # Opened once: the occurrence is no longer offered.
    assert f'<option value="{occurrence.pk}"' not in page(client, "days")


def test_a_coordinator_gives_a_stall_adds_items_and_closes_the_day(client, world, coordinator):
    organization = OrganizationFactory(community=world.organization.community, name="夕阳红")
    client.force_login(coordinator)

    added = client.post(
        url("day", world.market_day.pk),
        {"organization": organization.pk, "name": "夕阳红摊", "number": 2},
        follow=True,
    )
    stall = Stall.objects.get(organization=organization)
    assert added.redirect_chain[-1][0] == url("stall_items", stall.pk)
    item = client.post(
        url("stall_items", stall.pk),
        {"name": "手工香包", "kind": "goods", "price_fen": "8", "price_points": "5", "stock": "12"},
        follow=True,
    )
    assert "¥8.00 / 5 积分" in text(item)
    no_price = client.post(url("stall_items", stall.pk), {"name": "空的", "kind": "goods"})
    assert "请至少填一个价格" in text(no_price)

    edited = client.post(
        url("item_edit", StallItem.objects.get(name="手工香包").pk),
        {"name": "手工香包", "kind": "goods", "price_fen": "9", "stock": "10"},
        follow=True,
    )
    assert "¥9.00" in text(edited) and "5 积分" not in text(edited)

    day = page(client, "day", world.market_day.pk)
    assert "夕阳红摊" in day and "手工坊" in day
    closed = client.post(url("day_close", world.market_day.pk), follow=True)
    assert "已收摊" in text(closed)
    assert MarketDay.objects.get(pk=world.market_day.pk).closed_at is not None


def test_the_day_shows_each_stalls_takings_and_the_split(client, world, coordinator):
    services.sale_record(
        actor=world.leader,
        item=world.goods,
        quantity=2,
        method="transfer",
        idempotency_key="transfer-key-1",
    )  # 30 元 → 21 元 to the organization, 9 元 to 公益金 (70%)
    client.force_login(coordinator)
    shown = text(client.get(url("day", world.market_day.pk)))
    assert "30.00" in shown and "21.00" in shown and "9.00" in shown


def test_a_coordinator_sets_the_split_rule(client, in_community, coordinator):
    client.force_login(coordinator)
    assert "70% 归摆摊组织" in text(client.get(url("rule")))
    response = client.post(url("rule"), {"organization_percent": 80}, follow=True)
    assert "80% 归摆摊组织" in text(response) and "20% 进社区公益金" in text(response)
    assert MarketRule.objects.get().organization_percent == 80
    refused = client.post(url("rule"), {"organization_percent": 120})
    assert refused.status_code == 200 and MarketRule.objects.get().organization_percent == 80


def test_the_self_financing_table_shows_each_organizations_market_share(client, world, coordinator):
    services.sale_record(
        actor=world.leader,
        item=world.service,
        quantity=1,
        method="cash",
        idempotency_key="cash-key-0001",
    )
    client.force_login(coordinator)
    shown = page(client, "self_financing")
    assert world.organization.name in shown
    assert "3.50" in shown  # 70% of 5 元 into the organization's own fund
    assert "100%" in shown  # its only income this year came from the market
    assert timezone.localdate().strftime("%Y-%m") in shown


def test_only_a_coordinator_runs_the_market_days(client, world):
    client.force_login(world.leader)
    for name, args in [
        ("days", ()),
        ("day", (world.market_day.pk,)),
        ("rule", ()),
        ("self_financing", ()),
    ]:
        assert client.get(url(name, *args)).status_code == 404, name
    assert client.post(url("day_close", world.market_day.pk)).status_code == 404
    assert MarketDay.objects.get().closed_at is None


# --- the resident -----------------------------------------------------------------------


def test_a_resident_reads_my_points_with_what_they_were_spent_on(client, world):
    services.sale_record(
        actor=world.leader,
        item=world.goods,
        quantity=1,
        method="points",
        idempotency_key="points-key-01",
        buyer=world.buyer,
    )
    client.force_login(world.buyer_user)
    assert url("points") in client.get("/").content.decode()  # 爱心集市 in the menu
    assert client.get(url("home")).url == url("points")
    my_hours = client.get(reverse("service_records:mine")).content.decode()
    assert url("points") in my_hours  # from the volunteer's own page too

    shown = text(client.get(url("points")))
    assert re.search(r"爱心积分余额 40 ", shown)
    assert "手工坊 · 手工拖鞋 × 1" in shown and "-10" in shown
    assert "+50" in shown
    assert code_of(world.buyer) in shown  # the code to give the stall holder
    # Selling is not theirs.
    assert client.get(url("stall", world.stall.pk)).status_code == 404
    assert client.get(url("sell", world.goods.pk)).status_code == 404


def test_an_account_without_a_resident_has_no_points_page_in_the_menu(client, in_community):
    viewer = UserFactory(role=Role.RESIDENT, community=in_community, resident=None)
    client.force_login(viewer)
    assert url("points") not in client.get("/").content.decode()
    assert "还没有关联居民信息" in text(client.get(url("points")))


def test_points_given_elsewhere_show_in_the_balance(client, world):
    points_give(world.buyer, Decimal("2.5"))
    client.force_login(world.buyer_user)
    assert re.search(r"爱心积分余额 52.5 ", text(client.get(url("points"))))


def test_the_day_page_reads_every_stalls_takings_in_the_same_number_of_queries(
    client, world, coordinator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url("day", world.market_day.pk)).status_code == 200
        return len(seen)

    client.force_login(coordinator)
    one_stall = queries()
    for n in range(4):
        organization = OrganizationFactory(community=world.organization.community)
        stall = services.stall_add(
            actor=coordinator, market_day=world.market_day, organization=organization, name=f"摊{n}"
        )
        item = services.item_add(actor=coordinator, stall=stall, name="拖鞋", price_fen=1000)
        services.sale_record(
            actor=coordinator,
            item=item,
            quantity=1,
            method="cash",
            idempotency_key=f"day-page-sale-{n:04d}",
        )

    assert queries() == one_stall
    assert "摊3" in text(client.get(url("day", world.market_day.pk)))
