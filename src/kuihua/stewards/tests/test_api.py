"""The stewards' API as each role uses it: a steward keeps their own compounds' books, a
coordinator all of them, a resident reads their compound's figures and their own home's
bills and receipts; another compound is 404; bad money is refused and changes nothing;
a payment is recorded once per idempotency key; the lists cost a fixed number of queries."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.ledger.models import Entry
from kuihua.ledger.services import account
from kuihua.registry.tests.factories import HouseholdFactory, ResidentFactory
from kuihua.stewards import services
from kuihua.stewards.models import Bill, CompoundBooks, Payment
from kuihua.stewards.tests.factories import new_key, steward_world

pytestmark = pytest.mark.django_db

API = "/api/stewards"


def get(client, path, params=None):
    return client.get(f"{API}{path}", params or {})


def post(client, path, data=None, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"{API}{path}", data or {}, "application/json", headers=headers)


def old_month() -> dt.date:
    """The first of the month fourteen months ago: its bills are over a year past due
    whatever day the test clock shows."""
    return timezone.localdate().replace(day=1) - relativedelta(months=14)


@pytest.fixture
def world(in_community, coordinator):
    """Four homes billed fourteen months ago (in arrears for over a year)."""
    world = steward_world(in_community, coordinator, schedule_from=old_month())
    services.billing_run(compound=world.compound, period_start=old_month(), actor=coordinator)
    return world


@pytest.fixture
def other(in_community, coordinator):
    """Another self-managed compound of the same community, with its own steward."""
    return steward_world(in_community, coordinator, name="东风小区", homes=1)


@pytest.fixture
def wang(in_community, world):
    """A resident of the first home, with an account."""
    person = ResidentFactory(household=world.homes[0], name="王芳")
    return UserFactory(username="wang", role=Role.RESIDENT, community=in_community, resident=person)


def pay(world, home=None, amount_fen=3000, key=None):
    payment, _created = services.payment_record(
        compound=world.compound,
        household=home or world.homes[0],
        amount_fen=amount_fen,
        method="cash",
        idempotency_key=key or new_key(),
        actor=world.steward,
    )
    return payment


def payments_path(world, home=None):
    home = home or world.homes[0]
    return f"/compounds/{world.compound.pk}/homes/{home.pk}/payments"


# --- reading -------------------------------------------------------------------------------


def test_each_role_lists_the_compounds_it_may_see_with_arrears(
    client, world, other, wang, coordinator
):
    pay(world)

    seen = {}
    for user in (coordinator, world.steward, other.steward, wang):
        client.force_login(user)
        response = get(client, "/compounds")
        assert response.status_code == 200
        seen[user.username] = {row["name"]: row for row in response.json()["items"]}

    assert set(seen["coordinator"]) == {"红旗新村", "东风小区"}
    assert set(seen[world.steward.username]) == {"红旗新村"}
    assert set(seen[other.steward.username]) == {"东风小区"}
    assert set(seen["wang"]) == {"红旗新村"}
    row = seen["wang"]["红旗新村"]
    assert (row["arrears_fen"], row["arrears_yuan"], row["arrears_homes"]) == (9000, "90.00", 3)


def test_a_compound_shows_its_collection_aging_and_balances(client, world):
    pay(world, amount_fen=3500)  # 30 yuan settles the bill, 5 yuan held as credit
    client.force_login(world.steward)

    body = get(client, f"/compounds/{world.compound.pk}").json()

    assert body["may_keep"] is True
    assert {a["bucket"]: a["amount_fen"] for a in body["aging"]}["12+"] == 9000
    assert (body["cash_fen"], body["cash_yuan"]) == (3500, "35.00")
    assert (body["prepaid_fen"], body["bank_fen"]) == (500, 0)


def test_the_year_s_collection_is_published_to_residents(client, world, wang):
    pay(world)
    client.force_login(wang)

    body = get(client, f"/compounds/{world.compound.pk}/collection", {"year": old_month().year})

    assert body.status_code == 200
    body = body.json()
    assert (body["bills_due"], body["bills_paid"], body["bills_rate"]) == (4, 1, "25.0")
    assert (body["due_fen"], body["paid_fen"], body["paid_yuan"]) == (12000, 3000, "30.00")
    assert body["amount_rate"] == "25.0"


def test_homes_show_arrears_and_age_to_stewards_only(client, world, wang):
    pay(world)
    client.force_login(world.steward)

    homes = get(client, f"/compounds/{world.compound.pk}/homes").json()
    owing = get(client, f"/compounds/{world.compound.pk}/homes", {"owing": "true"}).json()

    assert homes["count"] == 4
    assert owing["count"] == 3
    row = owing["items"][0]
    assert (row["arrears_fen"], row["arrears_yuan"], row["bills_owing"], row["age"]) == (
        3000,
        "30.00",
        1,
        "12+",
    )
    paid = next(r for r in homes["items"] if r["id"] == world.homes[0].pk)
    assert (paid["arrears_fen"], paid["age"], paid["credit_fen"]) == (0, None, 0)
    client.force_login(wang)
    assert get(client, f"/compounds/{world.compound.pk}/homes").status_code == 404


def test_a_resident_reads_their_own_home_s_bills_and_receipts_and_no_neighbour_s(
    client, world, wang
):
    mine, theirs = pay(world), pay(world, home=world.homes[1])
    my_bill = Bill.objects.get(household=world.homes[0])
    their_bill = Bill.objects.get(household=world.homes[1])
    client.force_login(wang)

    bills = get(client, f"/compounds/{world.compound.pk}/homes/{world.homes[0].pk}/bills")
    payments = get(client, payments_path(world))

    assert bills.status_code == payments.status_code == 200
    assert [b["id"] for b in bills.json()["items"]] == [my_bill.pk]
    assert bills.json()["items"][0]["outstanding_fen"] == 0
    assert payments.json()["items"][0]["receipt_no"] == mine.receipt_no
    assert get(client, f"/bills/{my_bill.pk}").json()["settlements"][0]["amount_fen"] == 3000
    receipt = get(client, f"/payments/{mine.pk}").json()
    assert (receipt["amount_yuan"], receipt["lines"][0]["bill_id"]) == ("30.00", my_bill.pk)
    assert (
        get(client, f"/compounds/{world.compound.pk}/homes/{world.homes[1].pk}/bills").status_code
        == 404
    )
    assert get(client, payments_path(world, world.homes[1])).status_code == 404
    assert get(client, f"/bills/{their_bill.pk}").status_code == 404
    assert get(client, f"/payments/{theirs.pk}").status_code == 404


def test_another_compound_s_steward_gets_404_everywhere(client, world, other):
    payment = pay(world)
    bill = Bill.objects.get(household=world.homes[0])
    entry = payment.entry
    compound, home = world.compound.pk, world.homes[0].pk
    client.force_login(other.steward)

    reads = [
        f"/compounds/{compound}",
        f"/compounds/{compound}/homes",
        f"/compounds/{compound}/homes/{home}/bills",
        f"/compounds/{compound}/homes/{home}/payments",
        f"/compounds/{compound}/entries",
        f"/compounds/{compound}/statement",
        f"/compounds/{compound}/collection",
        f"/compounds/{compound}/books-check",
        f"/compounds/{compound}/accounts",
        f"/bills/{bill.pk}",
        f"/payments/{payment.pk}",
        f"/entries/{entry.pk}",
    ]
    writes = [
        (f"/compounds/{compound}/billing-runs", {"period_start": old_month().isoformat()}),
        (f"/bills/{bill.pk}/adjust", {"amount_fen": 1, "reason": "测试"}),
        (
            f"/compounds/{compound}/homes/{home}/payments",
            {"amount_fen": 100, "method": "cash", "idempotency_key": new_key()},
        ),
        (
            f"/compounds/{compound}/homes/{home}/refunds",
            {"amount_fen": 100, "method": "cash", "reason": "测试", "idempotency_key": new_key()},
        ),
        (f"/payments/{payment.pk}/void", {"reason": "测试"}),
        (
            f"/compounds/{compound}/entries",
            {
                "account_code": "5001",
                "amount_fen": 100,
                "method": "cash",
                "date": timezone.localdate().isoformat(),
                "memo": "测试",
            },
        ),
        (f"/entries/{entry.pk}/reverse", {"reason": "测试"}),
        (f"/compounds/{compound}/reminders", {}),
    ]

    assert [p for p in reads if get(client, p).status_code != 404] == []
    assert [p for p, body in writes if post(client, p, body).status_code != 404] == []
    assert Payment.objects.count() == 1


# --- billing and bills ---------------------------------------------------------------------


def test_a_billing_run_is_safe_to_repeat(client, world, coordinator, wang):
    this_month = timezone.localdate().replace(day=1).isoformat()
    path = f"/compounds/{world.compound.pk}/billing-runs"
    client.force_login(coordinator)

    first = post(client, path, {"period_start": this_month})
    again = post(client, path, {"period_start": this_month})

    assert (first.status_code, first.json()["created"], first.json()["skipped"]) == (201, 4, 0)
    assert (again.status_code, again.json()["created"], again.json()["skipped"]) == (201, 0, 4)
    assert Bill.objects.filter(period_start=this_month).count() == 4
    client.force_login(wang)
    assert post(client, path, {"period_start": this_month}).status_code == 404


def test_a_billing_run_off_a_period_s_first_day_says_why_in_chinese(client, world):
    client.force_login(world.steward)

    mid_month = (old_month() + relativedelta(months=1, days=14)).isoformat()

    response = post(
        client, f"/compounds/{world.compound.pk}/billing-runs", {"period_start": mid_month}
    )

    assert response.status_code == 400
    assert "账期要从周期的第一天开始" in response.json()["message"]


def test_a_bill_adjusted_with_a_reason_keeps_its_history(client, world):
    bill = Bill.objects.get(household=world.homes[1])
    client.force_login(world.steward)

    response = post(client, f"/bills/{bill.pk}/adjust", {"amount_fen": 2000, "reason": "空置房"})
    no_reason = post(client, f"/bills/{bill.pk}/adjust", {"amount_fen": 1000, "reason": ""})

    assert response.status_code == 200
    body = response.json()
    assert (body["amount_fen"], body["amount_yuan"], body["version"]) == (2000, "20.00", 2)
    change = body["changes"][0]
    assert (change["old_amount_fen"], change["new_amount_fen"], change["reason"]) == (
        3000,
        2000,
        "空置房",
    )
    assert no_reason.status_code == 422
    bill.refresh_from_db()
    assert bill.amount_fen == 2000


# --- payments ------------------------------------------------------------------------------


def test_a_steward_records_a_payment_and_gets_its_receipt(client, world):
    client.force_login(world.steward)

    response = post(
        client,
        payments_path(world),
        {"amount_fen": 3500, "method": "cash", "payer_name": "王芳", "note": "一月"},
        key=new_key(),
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["receipt_no"], body["amount_fen"], body["amount_yuan"]) == (1, 3500, "35.00")
    assert body["receipt"].endswith("-000001")
    assert (body["credit_fen"], body["credit_yuan"]) == (500, "5.00")
    assert [line["amount_fen"] for line in body["lines"]] == [3000]
    assert (body["method_label"], body["payer_name"], body["recorded_by"]) == (
        "现金",
        "王芳",
        "义管家老周",
    )


def test_the_same_request_twice_is_one_payment_and_the_key_reused_is_409(client, world):
    client.force_login(world.steward)
    key = new_key()
    body = {"amount_fen": 3000, "method": "transfer"}

    first = post(client, payments_path(world), body, key=key)
    again = post(client, payments_path(world), body, key=key)
    in_body = post(client, payments_path(world), {**body, "idempotency_key": key})
    other = post(client, payments_path(world), {**body, "amount_fen": 100}, key=key)

    assert (first.status_code, again.status_code, in_body.status_code) == (201, 200, 200)
    assert first.json()["id"] == again.json()["id"] == in_body.json()["id"]
    assert other.status_code == 409
    assert other.json()["code"] == "conflict"
    assert "防重复码已经用于另一笔收款" in other.json()["message"]
    assert other.json()["errors"][0]["field"] == "idempotency_key"
    assert Payment.objects.count() == 1
    assert CompoundBooks.objects.get(pk=world.books.pk).last_receipt_no == 1


@pytest.mark.parametrize(
    ("change", "status", "field", "words"),
    [
        ({"amount_fen": 12.5}, 422, "amount_fen", "格式不正确"),
        ({"amount_fen": 3000.0}, 422, "amount_fen", "格式不正确"),
        ({"amount_fen": "3000"}, 422, "amount_fen", "格式不正确"),
        ({"amount_fen": -100}, 422, "amount_fen", "数值超出范围"),
        ({"amount_fen": 0}, 422, "amount_fen", "数值超出范围"),
        ({"method": "alipay"}, 422, "method", "不是允许的取值"),
        ({"received_on": "tomorrow"}, 400, "received_on", "收款日期不能晚于今天"),
        ({"received_on": "2999-01-01"}, 422, "received_on", "数值超出范围"),
        (
            {"received_on": (timezone.localdate() - dt.timedelta(days=400)).isoformat()},
            400,
            "received_on",
            "收款日期最早只能填",
        ),
        ({"idempotency_key": None}, 400, "idempotency_key", "缺少有效的防重复码"),
        ({"idempotency_key": "短"}, 400, "idempotency_key", "缺少有效的防重复码"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_changes_nothing(
    client, world, change, status, field, words
):
    client.force_login(world.steward)
    body = {"amount_fen": 3000, "method": "cash", "idempotency_key": new_key(), **change}
    body = {k: v for k, v in body.items() if v is not None}
    if body.get("received_on") == "tomorrow":
        body["received_on"] = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    if body.get("received_on") == "400 days ago":
        body["received_on"] = (timezone.localdate() - dt.timedelta(days=400)).isoformat()

    response = post(client, payments_path(world), body)

    assert response.status_code == status
    assert response.json()["errors"][0]["field"] == field
    assert words in response.json()["errors"][0]["message"]
    assert Payment.objects.count() == 0
    assert Entry.objects.filter(source__startswith="payment").count() == 0
    assert CompoundBooks.objects.get(pk=world.books.pk).last_receipt_no == 0
    assert set(Bill.objects.values_list("paid_fen", flat=True)) == {0}


def test_residents_and_coordinators_as_they_may(client, world, wang, coordinator):
    client.force_login(wang)
    refused = post(client, payments_path(world), {"amount_fen": 100, "method": "cash"})
    refund = post(
        client,
        f"/compounds/{world.compound.pk}/homes/{world.homes[0].pk}/refunds",
        {"amount_fen": 100, "method": "cash", "reason": "退", "idempotency_key": new_key()},
    )
    assert refund.status_code == 404
    assert post(client, f"/compounds/{world.compound.pk}/reminders").status_code == 404
    client.force_login(coordinator)
    taken = post(
        client,
        payments_path(world),
        {"amount_fen": 100, "method": "cash", "idempotency_key": new_key()},
    )

    assert (refused.status_code, taken.status_code) == (404, 201)


def test_a_home_s_credit_is_refunded_once_per_key(client, world):
    pay(world, amount_fen=5000)  # 20 yuan held as credit
    client.force_login(world.steward)
    path = f"/compounds/{world.compound.pk}/homes/{world.homes[0].pk}/refunds"
    body = {
        "amount_fen": 2000,
        "method": "cash",
        "reason": "搬家退预存",
        "idempotency_key": "refund-0001",
    }

    first = post(client, path, body)
    again = post(client, path, body)
    too_much = post(client, path, {**body, "idempotency_key": "refund-0002"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["kind"] == "refund" and first.json()["receipt_no"] == 2
    assert too_much.status_code == 400
    assert "预存余额只有 0.00 元" in too_much.json()["message"]


def test_a_payment_voided_with_a_reason_opens_its_bill_again(client, world):
    payment = pay(world)
    client.force_login(world.steward)

    voided = post(client, f"/payments/{payment.pk}/void", {"reason": "重复登记"})
    twice = post(client, f"/payments/{payment.pk}/void", {"reason": "重复登记"})

    assert voided.status_code == 200
    assert (voided.json()["voided"], voided.json()["void_reason"]) == (True, "重复登记")
    assert Bill.objects.get(household=world.homes[0]).paid_fen == 0
    assert (twice.status_code, twice.json()["message"]) == (400, "这笔已经作废了。")


# --- the books -----------------------------------------------------------------------------


def test_a_steward_posts_an_expense_and_reverses_it(client, world, wang):
    client.force_login(world.steward)
    path = f"/compounds/{world.compound.pk}/entries"
    body = {
        "account_code": "5001",
        "amount_fen": 12000,
        "method": "cash",
        "date": timezone.localdate().isoformat(),
        "memo": "楼道保洁三月",
    }

    posted = post(client, path, body)
    unknown = post(client, path, {**body, "account_code": "9999"})
    fees = post(client, path, {**body, "account_code": "4001"})

    assert posted.status_code == 201
    entry = posted.json()
    assert (entry["amount_fen"], entry["amount_yuan"], entry["memo"]) == (
        12000,
        "120.00",
        "楼道保洁三月",
    )
    assert {(leg["account_code"], leg["amount_fen"]) for leg in entry["legs"]} == {
        ("5001", 12000),
        ("1001", -12000),
    }
    assert unknown.status_code == fees.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "account_code"
    reversed_ = post(client, f"/entries/{entry['id']}/reverse", {"reason": "记错小区"})
    assert reversed_.status_code == 201
    assert (reversed_.json()["reverses_number"], reversed_.json()["reason"]) == (
        entry["number"],
        "记错小区",
    )
    assert (
        get(client, f"/entries/{entry['id']}").json()["reversed_by_number"]
        == (reversed_.json()["number"])
    )
    client.force_login(wang)
    listed = get(client, path).json()
    assert listed["count"] == 2  # residents read the books behind the statement
    assert post(client, f"/entries/{entry['id']}/reverse", {"reason": "x"}).status_code == 404


def test_a_payment_s_entry_is_voided_not_reversed(client, world):
    payment = pay(world)
    client.force_login(world.steward)

    response = post(client, f"/entries/{payment.entry_id}/reverse", {"reason": "错了"})

    assert response.status_code == 400
    assert "请在缴费记录里作废" in response.json()["message"]


def test_a_resident_reads_the_month_s_statement(client, world, wang):
    pay(world)
    services.cash_entry_post(
        compound=world.compound,
        account=account(world.books.ledger, "5001"),
        amount_fen=1000,
        method="cash",
        date=timezone.localdate(),
        memo="保洁",
        actor=world.steward,
    )
    client.force_login(wang)

    body = get(client, f"/compounds/{world.compound.pk}/statement").json()
    bad = get(client, f"/compounds/{world.compound.pk}/statement", {"month": "2026-13"})

    assert body["month"] == timezone.localdate().strftime("%Y-%m")
    assert [(i["account_code"], i["amount_fen"]) for i in body["income"]] == [("4001", 3000)]
    assert [(e["account_name"], e["amount_yuan"]) for e in body["expenses"]] == [
        ("保洁费", "10.00")
    ]
    assert (body["closing_fen"], body["closing_yuan"]) == (2000, "20.00")
    assert bad.status_code == 422


def test_the_books_check_is_for_stewards_and_finds_the_books_whole(client, world, wang):
    pay(world, amount_fen=4000)
    client.force_login(world.steward)

    body = get(client, f"/compounds/{world.compound.pk}/books-check").json()

    assert (body["ok"], body["problems"]) == (True, [])
    assert body["figures"]["bills_paid_fen"] == 3000
    assert body["figures"]["home_credits_fen"] == 1000
    client.force_login(wang)
    assert get(client, f"/compounds/{world.compound.pk}/books-check").status_code == 404


def test_reminders_go_to_homes_in_arrears_once_a_week(client, world):
    client.force_login(world.steward)

    first = post(client, f"/compounds/{world.compound.pk}/reminders")
    again = post(client, f"/compounds/{world.compound.pk}/reminders")

    assert first.status_code == 200
    assert sum(first.json()[k] for k in ("notification", "sms", "none")) == 4
    assert again.json()["skipped_recent"] == 4


# --- query counts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/compounds",
        "/compounds/{compound}/homes",
        "/compounds/{compound}/homes/{home}/bills",
        "/compounds/{compound}/homes/{home}/payments",
        "/compounds/{compound}/entries",
    ],
)
def test_a_list_costs_the_same_queries_for_one_row_or_many(
    client, in_community, coordinator, world, path
):
    url = path.format(compound=world.compound.pk, home=world.homes[0].pk)
    client.force_login(coordinator)
    pay(world)
    get(client, url)
    with CaptureQueriesContext(connection) as few:
        assert get(client, url).status_code == 200

    for i in range(3):
        steward_world(in_community, coordinator, name=f"新村{i}", homes=1)
        HouseholdFactory(building=world.homes[0].building, room=f"9{i}1")
    for period in (2, 3, 4):
        services.billing_run(
            compound=world.compound,
            period_start=old_month() + relativedelta(months=period - 1),
            actor=coordinator,
        )
        pay(world)
    with CaptureQueriesContext(connection) as many:
        listed = get(client, url)

    assert listed.status_code == 200
    assert len(many) == len(few), url


def test_a_key_in_the_header_and_another_in_the_body_is_refused(client, world):
    client.force_login(world.steward)

    response = post(
        client,
        payments_path(world),
        {"amount_fen": 3000, "method": "cash", "idempotency_key": new_key()},
        key=new_key(),
    )

    assert response.status_code == 400
    assert "防重复码不一致" in response.json()["message"]
    assert Payment.objects.count() == 0


def test_dates_outside_the_century_are_refused_before_any_service(client, world):
    client.force_login(world.steward)
    compound = world.compound.pk

    run = post(client, f"/compounds/{compound}/billing-runs", {"period_start": "9999-12-01"})
    month = get(client, f"/compounds/{compound}/entries", {"month": "0000-01"})
    statement = get(client, f"/compounds/{compound}/statement", {"month": "1999-12"})

    assert (run.status_code, month.status_code, statement.status_code) == (422, 422, 422)
    assert run.json()["errors"][0]["field"] == "period_start"


def test_a_resident_reads_no_other_compound_s_figures(client, world, other, wang):
    client.force_login(wang)

    for path in ("", "/statement", "/collection", "/entries"):
        assert get(client, f"/compounds/{other.compound.pk}{path}").status_code == 404
