"""The money-in pages as each person uses them: a steward takes payments (once, however
often the button is pressed) and prints the receipt; a coordinator opens books, sets
fees, assigns stewards; a resident reads their own home's bills and no one else's."""

import re

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.notifications.models import Message
from kuihua.registry.tests.factories import CompoundFactory, HouseholdFactory, ResidentFactory
from kuihua.stewards import services
from kuihua.stewards.models import Bill, BillChange, CompoundBooks, FeeSchedule, Payment
from kuihua.stewards.tests.factories import steward_world

pytestmark = pytest.mark.django_db


def months_ago(n: int):
    return timezone.localdate().replace(day=1) - relativedelta(months=n)


@pytest.fixture
def world(in_community, coordinator):
    """Four homes of 红旗新村, each billed 30 元 for a month three months ago (past due)."""
    made = steward_world(in_community, coordinator)
    services.billing_run(compound=made.compound, period_start=months_ago(3), actor=coordinator)
    return made


@pytest.fixture
def other(in_community, coordinator):
    """Another self-managed compound with its own steward."""
    return steward_world(in_community, coordinator, name="东风小区", homes=1)


@pytest.fixture
def resident(world, community):
    person = ResidentFactory(household=world.homes[0], name="王秀英")
    return UserFactory(role=Role.RESIDENT, community=community, resident=person)


def url(name, *args):
    return reverse(f"stewards:{name}", args=args)


def page(client, name, *args) -> str:
    response = client.get(url(name, *args))
    assert response.status_code == 200, name
    return response.content.decode()


def form_key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def pay(client, world, home, amount: str, *, key=None, **extra):
    target = url("payment_record", world.compound.pk, home.pk)
    key = key or form_key(client.get(target).content.decode())
    data = {
        "amount_fen": amount,
        "method": "cash",
        "received_on": timezone.localdate().isoformat(),
        "idempotency_key": key,
        **extra,
    }
    return client.post(target, data, follow=True)


# --- the landing page and the menu ----------------------------------------------------


def test_a_steward_lands_on_their_compound_with_its_arrears(client, world, other):
    client.force_login(world.steward)

    html = page(client, "home")

    assert "红旗新村" in html and "东风小区" not in html
    assert "120.00 元（4 户）" in html
    assert url("homes", world.compound.pk) in html
    home_page = client.get(reverse("home")).content.decode()
    assert f'href="{url("home")}"' in home_page and "即将上线" not in home_page


def test_a_coordinator_sees_every_self_managed_compound_and_opens_books(
    client, coordinator, world, in_community
):
    fresh = CompoundFactory(community=in_community, name="光明里", has_property_company=False)
    CompoundFactory(community=in_community, name="物业花园", has_property_company=True)
    client.force_login(coordinator)

    html = page(client, "home")
    opened = client.post(
        url("books_open", fresh.pk), {"opening_cash_fen": "1,234.50"}, follow=True
    ).content.decode()

    assert "红旗新村" in html and "光明里" in html and "物业花园" not in html
    assert "义管家老周" in html and "未建账" in html
    assert "光明里 已建账" in opened
    assert CompoundBooks.objects.filter(compound=fresh).exists()
    again = client.post(url("books_open", fresh.pk), {}).content.decode()
    assert "这个小区已经建账了" in again


def test_the_landing_page_costs_the_same_queries_for_one_compound_or_five(
    client, coordinator, world, in_community
):
    client.force_login(coordinator)
    client.get(url("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("home"))
    for n in range(4):
        more = steward_world(in_community, coordinator, name=f"新村{n}", homes=2)
        services.billing_run(compound=more.compound, period_start=months_ago(2), actor=coordinator)
    CompoundFactory(community=in_community, name="未建账小区", has_property_company=False)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url("home")).content.decode()

    assert "新村3" in html
    assert len(many) == len(few)


# --- who sees what --------------------------------------------------------------------


def test_a_steward_of_another_compound_finds_nothing_here(client, world, other):
    payment, _created = services.payment_record(
        compound=world.compound,
        household=world.homes[0],
        amount_fen=1000,
        method="cash",
        idempotency_key="isolation-key-1",
        actor=world.steward,
    )
    bill = Bill.objects.filter(household=world.homes[0]).first()
    client.force_login(other.steward)
    c, h = world.compound.pk, world.homes[0].pk

    for name, args in [
        ("compound", [c]),
        ("homes", [c]),
        ("billing", [c]),
        ("fees", [c]),
        ("reminders", [c]),
        ("compound_stewards", [c]),
        ("home_detail", [c, h]),
        ("payment_record", [c, h]),
        ("refund", [c, h]),
        ("bill_detail", [bill.pk]),
        ("receipt", [payment.pk]),
        ("payment_void", [payment.pk]),
    ]:
        assert client.get(url(name, *args)).status_code == 404, name
    assert (
        client.post(url("billing", c), {"period_start": months_ago(1).isoformat()}).status_code
        == 404
    )


def test_a_resident_reads_their_own_homes_bills_and_receipts_and_no_one_elses(
    client, world, resident
):
    mine, theirs = world.homes[0], world.homes[1]
    my_payment, _c = services.payment_record(
        compound=world.compound, household=mine, amount_fen=3000, method="cash",
        idempotency_key="resident-key-1", actor=world.steward,
    )  # fmt: skip
    their_payment, _c = services.payment_record(
        compound=world.compound, household=theirs, amount_fen=3000, method="cash",
        idempotency_key="resident-key-2", actor=world.steward,
    )  # fmt: skip
    client.force_login(resident)
    c = world.compound.pk

    landing = page(client, "home")
    mine_html = page(client, "home_detail", c, mine.pk)
    receipt = page(client, "receipt", my_payment.pk)
    bill = Bill.objects.get(household=mine)

    assert url("home_detail", c, mine.pk) in landing and url("compound", c) in landing
    assert "30.00" in mine_html and url("payment_record", c, mine.pk) not in mine_html
    assert f"{my_payment.receipt_no:06d}" in receipt and "作废" not in receipt
    assert "修改这张账单" not in page(client, "bill_detail", bill.pk)
    assert client.get(url("home_detail", c, theirs.pk)).status_code == 404
    assert client.get(url("receipt", their_payment.pk)).status_code == 404
    other_bill = Bill.objects.get(household=theirs)
    assert client.get(url("bill_detail", other_bill.pk)).status_code == 404
    for name in ("homes", "billing", "fees", "reminders"):
        assert client.get(url(name, c)).status_code == 404, name
    assert client.get(url("payment_record", c, mine.pk)).status_code == 404
    menu = client.get(reverse("home")).content.decode()
    assert f'href="{url("home")}"' in menu


# --- payments, receipts, refunds, voids -----------------------------------------------


def test_a_payment_submitted_twice_is_recorded_once_and_shows_the_same_receipt(client, world):
    client.force_login(world.steward)
    home = world.homes[0]
    key = form_key(page(client, "payment_record", world.compound.pk, home.pk))

    first = pay(client, world, home, "30", key=key, payer_name="王秀英")
    second = pay(client, world, home, "30", key=key, payer_name="王秀英")

    assert Payment.objects.filter(household=home).count() == 1
    receipt = Payment.objects.get(household=home)
    assert first.redirect_chain[-1][0] == url("receipt", receipt.pk)
    assert second.redirect_chain[-1][0] == url("receipt", receipt.pk)
    number = f"{world.books.receipt_prefix}-000001"
    assert f"收据号 {number}" in first.content.decode()
    assert f"这笔收款已经登记过了（收据号 {number}），没有重复记账" in second.content.decode()
    assert Bill.objects.get(household=home).paid_fen == 3000
    homes = page(client, "homes", world.compound.pk)
    assert "90.00 元，3 户" in homes


def test_the_payment_form_shows_what_the_home_owes_oldest_first(client, world, coordinator):
    services.billing_run(compound=world.compound, period_start=months_ago(1), actor=coordinator)
    client.force_login(world.steward)

    html = page(client, "payment_record", world.compound.pk, world.homes[0].pk)

    assert '<strong class="owed">60.00</strong>' in html
    unpaid = re.search(r'<ul class="unpaid">(.*?)</ul>', html, re.S).group(1)
    assert unpaid.index(months_ago(3).isoformat()) < unpaid.index(months_ago(1).isoformat())


def test_a_resident_reads_the_compounds_collection_but_not_its_arrears(client, world, resident):
    client.force_login(resident)

    html = page(client, "compound", world.compound.pk)

    assert "收缴率" in html and "欠费账龄" not in html
    assert url("home_detail", world.compound.pk, world.homes[0].pk) in html
    assert f'href="{url("homes", world.compound.pk)}"' not in html


def test_each_rendering_of_the_form_is_a_new_payment(client, world):
    client.force_login(world.steward)
    home = world.homes[1]

    pay(client, world, home, "10")
    pay(client, world, home, "10")

    assert Payment.objects.filter(household=home).count() == 2
    assert Bill.objects.get(household=home).paid_fen == 2000


def test_the_receipt_prints_with_its_number(client, world):
    client.force_login(world.steward)
    response = pay(client, world, world.homes[0], "30")

    html = response.content.decode()

    assert f"{world.books.receipt_prefix}-000001" in html
    assert "data-print" in html and "stewards/receipt.js" in html and "<script>" not in html
    assert "stewards/money.css" in html


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "金额请填数字"),
        ("0", "金额要大于 0"),
        ("12.345", "金额最多到分"),
        ("-5", "金额不能是负数"),
    ],
)
def test_a_bad_amount_gets_a_chinese_message_and_records_nothing(client, world, amount, message):
    client.force_login(world.steward)

    html = pay(client, world, world.homes[0], amount).content.decode()

    assert message in html
    assert not Payment.objects.exists()


def test_a_payment_dated_tomorrow_is_refused_on_its_field(client, world):
    client.force_login(world.steward)
    tomorrow = (timezone.localdate() + relativedelta(days=1)).isoformat()

    html = pay(client, world, world.homes[0], "30", received_on=tomorrow).content.decode()

    assert "收款日期不能晚于今天" in html
    assert not Payment.objects.exists()


def test_a_payment_dated_over_a_quarter_back_is_refused_as_the_api_refuses_it(client, world):
    client.force_login(world.steward)
    long_ago = (timezone.localdate() - relativedelta(days=400)).isoformat()

    html = pay(client, world, world.homes[0], "30", received_on=long_ago).content.decode()

    assert "收款日期最早只能填" in html
    assert not Payment.objects.exists()


def test_a_key_reused_for_another_amount_is_refused_and_a_fresh_key_offered(client, world):
    client.force_login(world.steward)
    home = world.homes[0]
    key = form_key(page(client, "payment_record", world.compound.pk, home.pk))
    pay(client, world, home, "30", key=key)

    html = pay(client, world, home, "50", key=key).content.decode()

    assert "这个防重复码已经用于另一笔收款" in html
    assert form_key(html) != key
    assert Payment.objects.count() == 1


def test_an_overpayment_is_held_as_credit_refunded_and_a_payment_voided(client, world):
    client.force_login(world.steward)
    home = world.homes[2]

    pay(client, world, home, "50")
    detail = page(client, "home_detail", world.compound.pk, home.pk)
    refund_page = url("refund", world.compound.pk, home.pk)
    key = form_key(client.get(refund_page).content.decode())
    too_much = client.post(
        refund_page,
        {"amount_fen": "30", "method": "cash", "reason": "搬家", "idempotency_key": key},
    ).content.decode()
    refunded = client.post(
        refund_page,
        {"amount_fen": "20", "method": "cash", "reason": "多交了", "idempotency_key": key},
        follow=True,
    ).content.decode()

    assert '<dd class="credit">20.00 元</dd>' in detail
    assert "预存余额只有 20.00 元" in too_much
    assert "退款凭证" in refunded and "多交了" in refunded
    assert services.home_credit(home) == 0

    payment = Payment.objects.get(household=home, kind="payment")
    no_reason = client.post(url("payment_void", payment.pk), {"reason": ""}).content.decode()
    assert "这个字段是必填项" in no_reason or "必填" in no_reason
    refused = client.post(url("payment_void", payment.pk), {"reason": "记错了户"}).content.decode()
    assert "已经抵扣了后来的账单或已退款" in refused
    refund = Payment.objects.get(household=home, kind="refund")
    client.post(url("payment_void", refund.pk), {"reason": "退款没有发生"})
    voided = client.post(
        url("payment_void", payment.pk), {"reason": "记错了户"}, follow=True
    ).content.decode()
    assert "已作废：记错了户" in voided
    assert Bill.objects.get(household=home).paid_fen == 0


# --- bills, billing, fees -------------------------------------------------------------


def test_a_bill_adjusted_with_its_reason_keeps_its_history(client, world):
    bill = Bill.objects.filter(household=world.homes[3]).first()
    client.force_login(world.steward)

    html = client.post(
        url("bill_detail", bill.pk), {"amount_fen": "20", "reason": "空置半月"}, follow=True
    ).content.decode()

    assert "空置半月" in html and "30.00" in html and "20.00" in html
    assert BillChange.objects.get(bill=bill).reason == "空置半月"
    bill.refresh_from_db()
    assert bill.amount_fen == 2000


def test_a_bill_without_a_reason_is_not_changed(client, world):
    bill = Bill.objects.filter(household=world.homes[3]).first()
    client.force_login(world.steward)

    html = client.post(url("bill_detail", bill.pk), {"amount_fen": "20"}).content.decode()

    assert "请检查下面标出的内容" in html
    bill.refresh_from_db()
    assert bill.amount_fen == 3000 and not BillChange.objects.exists()


def test_a_billing_run_submitted_twice_bills_each_home_once(client, world):
    client.force_login(world.steward)
    period = months_ago(1).isoformat()

    first = client.post(url("billing", world.compound.pk), {"period_start": period}, follow=True)
    second = client.post(url("billing", world.compound.pk), {"period_start": period}, follow=True)

    assert "新开 4 张账单，0 户本期已有账单" in first.content.decode()
    assert "新开 0 张账单，4 户本期已有账单，没有重复开" in second.content.decode()
    assert Bill.objects.filter(period_start=months_ago(1)).count() == 4


def test_a_per_m2_compound_lists_the_homes_it_cannot_bill(client, world, in_community, coordinator):
    services.schedule_set(
        compound=world.compound, actor=coordinator, basis=FeeSchedule.Basis.PER_M2,
        monthly_rate_fen=80, frequency=FeeSchedule.Frequency.MONTHLY,
        starts_on=months_ago(0),
    )  # fmt: skip
    HouseholdFactory(building=world.homes[0].building, room="999", exclusive_area=None)
    client.force_login(world.steward)

    html = page(client, "billing", world.compound.pk)

    assert "没有面积、开不了单的户" in html and "999室" in html


def test_a_coordinator_sets_a_fee_schedule_and_a_bad_start_day_is_explained(
    client, world, coordinator
):
    client.force_login(coordinator)
    target = url("fees", world.compound.pk)
    data = {
        "name": "物业服务费",
        "basis": "per_home",
        "monthly_rate_fen": "35",
        "frequency": "quarterly",
        "hardship_reduction_percent": "50",
        "due_days": "30",
    }
    next_quarter = services.period_bounds("quarterly", timezone.localdate())[1] + relativedelta(
        days=1
    )

    bad = client.post(
        target, {**data, "starts_on": (next_quarter + relativedelta(days=1)).isoformat()}
    )
    good = client.post(target, {**data, "starts_on": next_quarter.isoformat()}, follow=True)

    assert "起始日期要是一个收费周期的第一天" in bad.content.decode()
    assert "新的收费标准已设定" in good.content.decode()
    assert FeeSchedule.objects.filter(compound=world.compound).count() == 2
    client.force_login(world.steward)
    steward_view = page(client, "fees", world.compound.pk)
    assert "设定新的收费标准" not in steward_view
    assert client.post(target, {**data, "starts_on": next_quarter.isoformat()}).status_code == 404


def test_a_coordinator_overrides_a_hardship_tag_with_a_reason(client, world, coordinator):
    from kuihua.registry.tests.factories import tag

    home = world.homes[1]
    ResidentFactory(household=home, tags=[tag(world.compound.community, "low_income")])
    client.force_login(coordinator)

    listed = page(client, "fees", world.compound.pk)
    empty = client.post(url("hardship", world.compound.pk, home.pk), {"is_hardship": "0"})
    client.post(
        url("hardship", world.compound.pk, home.pk), {"is_hardship": "0", "reason": "已就业"}
    )

    assert home.address in listed and "家庭成员登记为困难家庭" in listed
    assert "请检查下面标出的内容" in empty.content.decode()
    assert home.pk not in services.hardship_homes(world.compound)
    assert "已就业" in page(client, "fees", world.compound.pk)


# --- stewards and reminders -----------------------------------------------------------


def test_a_coordinator_assigns_and_releases_a_steward(client, world, coordinator, community):
    helper = UserFactory(role=Role.STEWARD, community=community, display_name="义管家小李")
    UserFactory(role=Role.RESIDENT, community=community, display_name="不是义管家")
    client.force_login(coordinator)
    target = url("compound_stewards", world.compound.pk)

    form = page(client, "compound_stewards", world.compound.pk)
    assigned = client.post(target, {"steward": helper.pk}, follow=True).content.decode()

    assert "义管家小李" in form and "不是义管家" not in form
    assert "已请 义管家小李 管 红旗新村 的账" in assigned
    client.force_login(helper)
    assert client.get(url("homes", world.compound.pk)).status_code == 200

    client.force_login(coordinator)
    assignment = helper.steward_assignments.get()
    client.post(url("assignment_release", assignment.pk))
    client.force_login(helper)
    assert client.get(url("homes", world.compound.pk)).status_code == 404


def test_a_steward_cannot_assign_stewards(client, world, community):
    helper = UserFactory(role=Role.STEWARD, community=community)
    client.force_login(world.steward)

    assert "请一位义管家" not in page(client, "compound_stewards", world.compound.pk)
    assert (
        client.post(url("compound_stewards", world.compound.pk), {"steward": helper.pk}).status_code
        == 404
    )
    assert client.post(url("assignment_release", world.assignment.pk)).status_code == 404


def test_reminders_go_by_notification_or_sms_and_say_how_many(client, world, resident):
    ResidentFactory(household=world.homes[1], name="刘建国")  # no account, a phone
    client.force_login(world.steward)

    html = client.post(url("reminders", world.compound.pk), follow=True).content.decode()
    again = client.post(url("reminders", world.compound.pk), follow=True).content.decode()

    assert "已提醒 4 户：站内通知 1 户，短信 1 户，无法联系 2 户" in html
    assert Message.objects.filter(recipient=resident, kind="fee_reminder").count() == 1
    assert "没有需要提醒的欠费户" in again
    assert "站内通知" in page(client, "reminders", world.compound.pk)


# --- query counts ---------------------------------------------------------------------


def test_the_homes_list_costs_the_same_queries_for_4_or_24_homes(client, world, coordinator):
    client.force_login(world.steward)
    client.get(url("homes", world.compound.pk))
    with CaptureQueriesContext(connection) as few:
        client.get(url("homes", world.compound.pk))
    for n in range(20):
        HouseholdFactory(building=world.homes[0].building, room=f"{301 + n}")
    services.billing_run(compound=world.compound, period_start=months_ago(2), actor=coordinator)
    services.payment_record(
        compound=world.compound, household=world.homes[0], amount_fen=9000, method="cash",
        idempotency_key="count-key-01", actor=world.steward,
    )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        html = client.get(url("homes", world.compound.pk)).content.decode()

    assert "24 户" in html
    assert len(many) == len(few)
