"""The market's API as each role uses it: a stall holder sells at their own stall (a
sale recorded once per idempotency key, points refused beyond the balance), a resident
reads the market and their own points, a coordinator runs the market days and the rule;
another organization's stall is 404 to a leader; bad input changes nothing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from kuihua.market import services
from kuihua.market.models import Sale, StallItem
from kuihua.market.tests.factories import leader_of, market_world, new_key
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.service_records.models import VolunteerProfile

pytestmark = pytest.mark.django_db

API = "/api/market"


def post(client, path, data=None, key=None, method="post"):
    headers = {"Idempotency-Key": key} if key else {}
    return getattr(client, method)(f"{API}{path}", data or {}, "application/json", headers=headers)


@pytest.fixture
def world(in_community, coordinator):
    return market_world(in_community, coordinator)


def test_a_sale_is_201_then_200_for_the_same_request_and_409_for_another(client, world):
    client.force_login(world.leader)
    key = new_key()
    first = post(client, f"/items/{world.goods.pk}/sales", {"quantity": 2, "method": "cash"}, key)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["amount_fen"], body["amount_yuan"]) == (3000, "30.00")
    assert (body["organization_fen"], body["welfare_fen"]) == (2100, 900)
    again = post(client, f"/items/{world.goods.pk}/sales", {"quantity": 2, "method": "cash"}, key)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    other = post(client, f"/items/{world.goods.pk}/sales", {"quantity": 3, "method": "cash"}, key)
    assert other.status_code == 409
    assert other.json()["errors"][0]["field"] == "idempotency_key"
    # the key in the body works too; a body and header that disagree are refused
    in_body = post(
        client,
        f"/items/{world.goods.pk}/sales",
        {"quantity": 1, "method": "transfer", "idempotency_key": new_key()},
    )
    assert in_body.status_code == 201
    mismatch = post(
        client,
        f"/items/{world.goods.pk}/sales",
        {"quantity": 1, "method": "cash", "idempotency_key": new_key()},
        new_key(),
    )
    assert mismatch.status_code == 400
    assert Sale.objects.count() == 2
    world.goods.refresh_from_db()
    assert world.goods.stock == 17


def test_a_points_sale_spends_the_buyers_points_and_refuses_beyond_the_balance(client, world):
    client.force_login(world.leader)
    found = client.get(f"{API}/buyers", {"q": world.buyer.name}).json()
    buyer = next(b for b in found if b["id"] == world.buyer.pk)
    assert buyer["name"] != world.buyer.name and buyer["name"][0] == world.buyer.name[0]
    by_code = client.get(f"{API}/buyers", {"q": buyer["code"]}).json()
    assert [b["id"] for b in by_code] == [world.buyer.pk]
    sold = post(
        client,
        f"/items/{world.goods.pk}/sales",
        {"quantity": 4, "method": "points", "buyer_id": world.buyer.pk},
        new_key(),
    )
    assert sold.status_code == 201
    assert sold.json()["points"] == "40.00" and sold.json()["points_entry_id"]
    short = post(
        client,
        f"/items/{world.goods.pk}/sales",
        {"quantity": 2, "method": "points", "buyer_id": world.buyer.pk},
        new_key(),
    )
    assert short.status_code == 400
    assert short.json()["message"] == "积分余额不足"
    no_buyer = post(client, f"/items/{world.goods.pk}/sales", {"method": "points"}, new_key())
    assert no_buyer.status_code == 400
    assert Sale.objects.count() == 1


def test_my_points_show_the_balance_my_code_and_what_each_spending_bought(client, world):
    services.sale_record(
        actor=world.leader,
        item=world.by_points,
        quantity=3,
        method="points",
        idempotency_key=new_key(),
        buyer=world.buyer,
    )
    client.force_login(world.buyer_user)
    mine = client.get(f"{API}/me/points").json()
    assert mine["balance"] == "47.00"
    assert mine["code"] == VolunteerProfile.objects.get(resident=world.buyer).number
    spent, earned = mine["history"]
    assert spent["points"] == "-3.00"
    assert spent["sale"]["item_name"] == "爱心兑换券" and spent["sale"]["quantity"] == 3
    assert earned["sale"] is None
    # the buyer reads their own sale, not the stall's list
    assert client.get(f"{API}/sales/{spent['sale']['id']}").status_code == 200
    assert client.get(f"{API}/stalls/{world.stall.pk}/sales").status_code == 404


def test_a_leader_cannot_sell_or_keep_items_at_another_organizations_stall(
    client, world, in_community, coordinator
):
    other_org = OrganizationFactory(community=in_community)
    other_stall = services.stall_add(
        actor=coordinator, market_day=world.market_day, organization=other_org, name="别家"
    )
    item = services.item_add(actor=coordinator, stall=other_stall, name="布袋", price_fen=800)
    client.force_login(world.leader)
    assert client.get(f"{API}/stalls/{other_stall.pk}").json()["may_sell"] is False
    assert client.get(f"{API}/stalls/{other_stall.pk}").json()["takings"] is None
    sale = post(client, f"/items/{item.pk}/sales", {"method": "cash"}, new_key())
    assert sale.status_code == 404
    assert (
        post(client, f"/stalls/{other_stall.pk}/items", {"name": "x", "price_fen": 1}).status_code
        == 404
    )
    assert post(client, f"/items/{item.pk}", {"price_fen": 1}, method="patch").status_code == 404
    assert client.get(f"{API}/organizations/{other_org.pk}/self-financing").status_code == 404
    # their own stall shows what it took
    mine = client.get(f"{API}/stalls/{world.stall.pk}").json()
    assert mine["may_sell"] is True and mine["takings"]["sales"] == 0
    assert {i["name"] for i in mine["items"]} == {"手工拖鞋", "磨剪刀", "爱心兑换券"}


def test_a_resident_reads_the_market_but_cannot_sell(client, world):
    client.force_login(world.buyer_user)
    days = client.get(f"{API}/days").json()
    assert [d["id"] for d in days["items"]] == [world.market_day.pk]
    assert days["items"][0]["place"] == "社区广场"
    item = client.get(f"{API}/items/{world.goods.pk}").json()
    assert (item["price_yuan"], item["price_points"]) == ("15.00", "10.00")
    assert (
        post(client, f"/items/{world.goods.pk}/sales", {"method": "cash"}, new_key()).status_code
        == 404
    )
    assert client.get(f"{API}/buyers", {"q": "王"}).status_code == 404
    assert post(client, "/rule", {"organization_percent": 10}, method="put").status_code == 404


def test_items_are_kept_by_the_stall_holder_and_bad_prices_change_nothing(client, world):
    client.force_login(world.leader)
    made = post(
        client,
        f"/stalls/{world.stall.pk}/items",
        {"name": "布袋", "price_fen": 800, "price_points": "5", "stock": 3},
    )
    assert made.status_code == 201, made.content
    item_id = made.json()["id"]
    for bad in ({"price_fen": 12.5}, {"price_fen": "800"}, {"price_fen": -1}, {"stock": -1}):
        response = post(client, f"/items/{item_id}", bad, method="patch")
        assert response.status_code == 422, bad
    cleared = post(client, f"/items/{item_id}", {"price_fen": None, "stock": 10}, method="patch")
    assert cleared.status_code == 200
    assert (cleared.json()["price_fen"], cleared.json()["stock"]) == (None, 10)
    both_gone = post(client, f"/items/{item_id}", {"price_points": None}, method="patch")
    assert both_gone.status_code == 400
    item = StallItem.objects.get(pk=item_id)
    assert (item.price_fen, item.price_points, item.stock) == (None, Decimal("5.00"), 10)


def test_the_coordinator_runs_the_market_day_and_the_rule(client, world, coordinator):
    client.force_login(coordinator)
    assert client.get(f"{API}/rule").json() == {"organization_percent": 70, "welfare_percent": 30}
    assert post(client, "/rule", {"organization_percent": 60}, method="put").json() == {
        "organization_percent": 60,
        "welfare_percent": 40,
    }
    sale = post(client, f"/items/{world.service.pk}/sales", {"method": "cash"}, new_key()).json()
    assert (sale["organization_fen"], sale["welfare_fen"]) == (300, 200)
    org = OrganizationFactory(community=world.organization.community)
    stall = post(client, f"/days/{world.market_day.pk}/stalls", {"organization_id": org.pk})
    assert stall.status_code == 201 and stall.json()["name"] == org.name
    closed = post(client, f"/days/{world.market_day.pk}/close")
    assert closed.status_code == 200 and closed.json()["closed"] is True
    late = post(client, f"/items/{world.service.pk}/sales", {"method": "cash"}, new_key())
    assert late.status_code == 400 and "收摊" in late.json()["message"]


def test_self_financing_and_proceeds_by_month(client, world, coordinator):
    services.sale_record(
        actor=world.leader, item=world.goods, quantity=2, method="cash", idempotency_key=new_key()
    )
    services.sale_record(
        actor=world.leader,
        item=world.by_points,
        quantity=5,
        method="points",
        idempotency_key=new_key(),
        buyer=world.buyer,
    )
    this_month = f"{timezone.localdate():%Y-%m}"
    client.force_login(world.leader)
    found = client.get(
        f"{API}/organizations/{world.organization.pk}/self-financing", {"months": 3}
    ).json()
    assert [m["month"] for m in found["months"]][-1] == this_month
    assert len(found["months"]) == 3
    assert found["months"][-1] == {
        "month": this_month,
        "market_fen": 2100,
        "income_fen": 2100,
        "share_percent": 100,
    }
    assert found["months"][0]["share_percent"] is None
    proceeds = client.get(f"{API}/proceeds", {"months": 2}).json()["months"]
    assert proceeds[-1] == {
        "month": this_month,
        "sales": 2,
        "amount_fen": 3000,
        "organization_fen": 2100,
        "welfare_fen": 900,
        "points": "5.00",
    }
    assert client.get(f"{API}/proceeds", {"months": 0}).status_code == 422


def test_another_leader_of_the_organization_sells_too(client, world):
    deputy = leader_of(world.organization)
    client.force_login(deputy)
    sale = post(client, f"/items/{world.service.pk}/sales", {"method": "transfer"}, new_key())
    assert sale.status_code == 201


def test_the_lists_cost_the_same_queries_for_two_sales_or_twelve(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(user, path) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as seen:
            assert client.get(f"{API}{path}").status_code == 200
        return len(seen)

    def sell_points(n):
        for _ in range(n):
            services.sale_record(
                actor=world.leader,
                item=world.by_points,
                quantity=1,
                method="points",
                idempotency_key=new_key(),
                buyer=world.buyer,
            )

    sell_points(2)
    few = (
        queries(world.leader, f"/stalls/{world.stall.pk}/sales"),
        queries(world.buyer_user, "/me/points"),
    )
    sell_points(10)
    many = (
        queries(world.leader, f"/stalls/{world.stall.pk}/sales"),
        queries(world.buyer_user, "/me/points"),
    )
    assert many == few
