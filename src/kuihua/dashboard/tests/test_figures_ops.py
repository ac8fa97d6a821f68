"""Compound fees, the council, activities and the market, against hand counts.

The rows are put in last year (a whole year behind today, whatever today is, New
Year's night included), with one row on each side of it that must not count; the
current year is checked where a figure depends on "now".
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kuihua.activities.models import Activity, Attendance
from kuihua.activities.tests.factories import ActivityFactory, SignupFactory
from kuihua.core.tenancy import unscoped
from kuihua.core.tests.clock import at, today
from kuihua.council.models import Decision, Topic
from kuihua.dashboard.selectors import dashboard_for
from kuihua.market.models import Sale
from kuihua.market.tests.factories import StallFactory, StallItemFactory
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import (
    CommunityFactory,
    CompoundFactory,
    HouseholdFactory,
    ResidentFactory,
)
from kuihua.service_records.models import PointsEntry
from kuihua.stewards.models import Bill, FeeSchedule

pytestmark = pytest.mark.django_db


def last_year() -> int:
    return today().year - 1


def day(year: int, days: int) -> dt.date:
    """The `days`-th day after 1 January of `year` (negative: before it)."""
    return dt.date(year, 1, 1) + dt.timedelta(days=days)


def moment(year: int, days: int, hour: int = 10) -> dt.datetime:
    return at(day(year, days), hour)


@pytest.fixture
def district():
    east, west = CommunityFactory(district="西湖区"), CommunityFactory(district="西湖区")
    return east, west


def shown(board, key, community_id=None):
    rows = board.total if community_id is None else board.per_community[community_id]
    return next(s for s in rows if s.figure.key == key)


def assert_total_is_the_sum(board, keys):
    for key in keys:
        total = shown(board, key)
        for name, number in total.parts.items():
            assert number == sum(
                shown(board, key, c).parts.get(name, 0) for c in board.community_ids
            ), (key, name)


# --- compound fees ---------------------------------------------------------------------


def _bill(compound, *, amount, paid, period_start, due):
    schedule = FeeSchedule.objects.filter(compound=compound).first() or FeeSchedule.objects.create(
        community_id=compound.community_id,
        compound=compound,
        basis=FeeSchedule.Basis.PER_HOME,
        monthly_rate_fen=3000,
        frequency=FeeSchedule.Frequency.YEARLY,
        starts_on=period_start,
    )
    return Bill.objects.create(
        community_id=compound.community_id,
        compound=compound,
        household=HouseholdFactory(building__compound=compound),
        schedule=schedule,
        period_start=period_start,
        period_end=period_start + dt.timedelta(days=27),
        due_date=due,
        gross_fen=amount,
        amount_fen=amount,
        paid_fen=paid,
        issued_at=at(period_start, 9),
    )


def test_fees_per_compound_rate_and_compounds_at_95(district):
    east, west = district
    year = last_year()
    with unscoped():
        a = CompoundFactory(community=east, name="红旗新村", has_property_company=False)
        b = CompoundFactory(community=east, name="春晖小区", has_property_company=False)
        c = CompoundFactory(community=west, name="翠苑三区", has_property_company=False)
        _bill(a, amount=6000, paid=6000, period_start=day(year, 0), due=day(year, 30))
        _bill(a, amount=4000, paid=3500, period_start=day(year, 200), due=day(year, 230))
        _bill(b, amount=20000, paid=10000, period_start=day(year, 31), due=day(year, 60))
        _bill(c, amount=5000, paid=5000, period_start=day(year, 90), due=day(year, 120))
        # Not counted: a period of the year before, and a bill not yet due.
        _bill(a, amount=9000, paid=0, period_start=day(year, -31), due=day(year, -1))
        _bill(c, amount=7000, paid=0, period_start=day(year, 334), due=today() + dt.timedelta(1))

    board = dashboard_for([east.pk, west.pk], year, fresh=True)

    rate = shown(board, "fees_collection_rate")
    assert rate.value == Decimal(24500) / Decimal(35000)
    assert dict(rate.series) == {
        "红旗新村": Decimal("0.95"),
        "春晖小区": Decimal("0.5"),
        "翠苑三区": Decimal(1),
    }
    assert shown(board, "fees_collection_rate", east.pk).value == Decimal(19500) / Decimal(30000)
    assert dict(shown(board, "fees_collection_rate", west.pk).series) == {"翠苑三区": 1}
    money = shown(board, "fees_billed_and_collected")
    assert money.value == 24500
    assert money.series == [("应缴", 35000), ("实收", 24500)]
    assert shown(board, "fees_compounds_at_target").value == 2
    assert shown(board, "fees_compounds_at_target", east.pk).value == 1
    assert shown(board, "fees_compounds_at_target", west.pk).value == 1
    assert_total_is_the_sum(board, ["fees_collection_rate"])


# --- the council -----------------------------------------------------------------------


def _topic(community, status, raised_at):
    topic = Topic.objects.create(community=community, title="加装电梯", status=status)
    Topic.objects.filter(pk=topic.pk).update(raised_at=raised_at)


def _decision(community, *, made, deadline, done_on=None, status=Decision.Status.TODO):
    decision = Decision.objects.create(
        community=community,
        title="修缮车棚",
        owner_name="物业",
        deadline=deadline,
        status=status,
        done_on=done_on,
    )
    Decision.objects.filter(pk=decision.pk).update(created_at=made)


def test_council_topics_answered_decisions_done_on_time(district):
    east, west = district
    year = last_year()
    done = Decision.Status.DONE
    with unscoped():
        _topic(east, Topic.Status.OPEN, moment(year, 0, 0))  # 00:00 on 1 January counts
        _topic(east, Topic.Status.ANSWERED, moment(year, 40))
        _topic(east, Topic.Status.DECIDED, moment(year, 100))
        _topic(east, Topic.Status.MERGED, moment(year, 101))  # a duplicate
        _topic(west, Topic.Status.ANSWERED, moment(year, 364, 23))
        _topic(west, Topic.Status.OPEN, moment(year, -1, 23))  # the year before
        _decision(
            east,
            made=moment(year, 100),
            deadline=day(year, 130),
            done_on=day(year, 120),
            status=done,
        )
        _decision(
            east,
            made=moment(year, 150),
            deadline=day(year, 160),
            done_on=day(year, 170),
            status=done,
        )
        _decision(west, made=moment(year, 10), deadline=day(year, 20))
        # Made the year before, done in the year, on time.
        _decision(
            west, made=moment(year, -10), deadline=day(year, 5), done_on=day(year, 3), status=done
        )
        _decision(
            west, made=moment(year, 20), deadline=day(year, 30), status=Decision.Status.DROPPED
        )

    board = dashboard_for([east.pk, west.pk], year, fresh=True)

    council = shown(board, "council_topics_and_decisions")
    assert council.value == 4
    assert council.series == [
        ("提出议题", 4),
        ("已答复或形成决议", 3),
        ("形成决议", 4),
        ("决议办结", 3),
        ("按期办结", 2),
    ]
    assert dict(shown(board, "council_topics_and_decisions", east.pk).series) == {
        "提出议题": 3,
        "已答复或形成决议": 2,
        "形成决议": 2,
        "决议办结": 2,
        "按期办结": 1,
    }
    assert shown(board, "council_decisions_on_time").value == Decimal(2) / Decimal(3)
    assert shown(board, "council_decisions_on_time", west.pk).value == 1
    assert_total_is_the_sum(board, ["council_topics_and_decisions"])


# --- activities ------------------------------------------------------------------------


def _activity(community, organization, starts_at, **fields):
    return ActivityFactory(
        community=community,
        organization=organization,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        **fields,
    )


def _attendance(activity, checked_in_at):
    signup = SignupFactory(activity=activity)
    Attendance.objects.create(
        community_id=activity.community_id, signup=signup, checked_in_at=checked_in_at
    )


def _filled(activity, *, opened, after, created=False):
    field = "created_at" if created else "signup_opens_at"
    Activity.objects.filter(pk=activity.pk).update(**{field: opened, "filled_at": opened + after})


def test_activities_held_and_attended_by_month(district):
    east, west = district
    year = last_year()
    with unscoped():
        east_org, west_org = (
            OrganizationFactory(community=east),
            OrganizationFactory(community=west),
        )
        jan = _activity(east, east_org, moment(year, 0, 0))
        _activity(east, east_org, moment(year, 2))
        march = _activity(east, east_org, moment(year, 31 + 28 + 5))  # early March
        _activity(west, west_org, moment(year, 364, 23))  # 31 December, 23:00
        _activity(west, west_org, moment(year, 200), status=Activity.Status.CANCELLED)
        _activity(west, west_org, moment(year, -1, 23))  # the year before
        _attendance(jan, moment(year, 0, 1))
        _attendance(jan, moment(year, 0, 2))
        _attendance(march, moment(year, 31 + 28 + 5, 11))
        _attendance(march, moment(year + 1, 0, 0))  # counts next year

    board = dashboard_for([east.pk, west.pk], year, fresh=True)

    held = shown(board, "activities_held")
    assert held.value == 4
    assert dict(held.series)["1月"] == 2
    assert dict(held.series)["3月"] == 1
    assert dict(held.series)["12月"] == 1
    assert len(held.series) == 12
    assert shown(board, "activities_held", west.pk).value == 1
    attended = shown(board, "activities_attendances")
    assert attended.value == 3
    assert dict(attended.series)["1月"] == 2 and dict(attended.series)["3月"] == 1
    assert_total_is_the_sum(board, ["activities_held", "activities_attendances"])


def test_this_year_counts_activities_already_begun(district):
    east, _west = district
    year = today().year
    with unscoped():
        org = OrganizationFactory(community=east)
        # Five minutes into the year: begun, even on New Year's night.
        _activity(east, org, at(day(year, 0), 0, 5))
        _activity(east, org, timezone.now() + dt.timedelta(hours=1))  # not yet begun

    board = dashboard_for([east.pk], year, fresh=True)

    assert shown(board, "activities_held").value == 1


def test_how_fast_activities_fill(district):
    east, west = district
    year = last_year()
    with unscoped():
        east_org, west_org = (
            OrganizationFactory(community=east),
            OrganizationFactory(community=west),
        )

        def full(community, org, days):
            return _activity(community, org, moment(year, days + 20), places=5)

        _filled(full(east, east_org, 10), opened=moment(year, 10), after=dt.timedelta(minutes=30))
        _filled(full(east, east_org, 30), opened=moment(year, 30), after=dt.timedelta(hours=5))
        # No sign-up opening: counted from the activity's creation.
        _filled(
            full(east, east_org, 60),
            opened=moment(year, 60),
            after=dt.timedelta(days=3),
            created=True,
        )
        _filled(full(west, west_org, 90), opened=moment(year, 90), after=dt.timedelta(days=10))
        # Not counted: filled the year before; cancelled; not full.
        _filled(full(west, west_org, -20), opened=moment(year, -20), after=dt.timedelta(hours=1))
        cancelled = full(west, west_org, 120)
        _filled(cancelled, opened=moment(year, 120), after=dt.timedelta(hours=1))
        Activity.objects.filter(pk=cancelled.pk).update(status=Activity.Status.CANCELLED)
        full(west, west_org, 150)

    board = dashboard_for([east.pk, west.pk], year, fresh=True)

    filled = shown(board, "activities_filled")
    assert filled.value == 4
    assert filled.series == [("1小时内", 1), ("1小时至1天", 1), ("1天至1周", 1), ("1周以上", 1)]
    seconds = 30 * 60 + 5 * 3600 + 3 * 86400 + 10 * 86400
    assert filled.parts["fill_seconds"] == seconds
    mean = shown(board, "activities_fill_hours")
    assert mean.value == (Decimal(seconds) / 4 / 3600).quantize(Decimal("0.1"))
    assert shown(board, "activities_fill_hours", west.pk).value == Decimal("240.0")
    assert shown(board, "activities_filled", east.pk).series[3] == ("1周以上", 0)
    assert_total_is_the_sum(board, ["activities_filled"])


# --- the market and points -------------------------------------------------------------


_keys = iter(range(10**6))


def _sale(stall, item, *, sold_at, amount=0, points=0, organization=0, welfare=0):
    method = Sale.Method.POINTS if points else Sale.Method.CASH
    sale = Sale.objects.create(
        community_id=stall.community_id,
        stall=stall,
        item=item,
        quantity=1,
        method=method,
        amount_fen=amount,
        points=Decimal(points),
        organization_fen=organization,
        welfare_fen=welfare,
        idempotency_key=f"figures-{next(_keys)}",
    )
    Sale.objects.filter(pk=sale.pk).update(sold_at=sold_at)


def _points(resident, kind, points, created_at):
    entry = PointsEntry.objects.create(
        community_id=resident.community_id, resident=resident, kind=kind, points=Decimal(points)
    )
    PointsEntry.objects.filter(pk=entry.pk).update(created_at=created_at)


def test_market_proceeds_sales_and_points(district):
    east, west = district
    year = last_year()
    with unscoped():
        east_stall = StallFactory(market_day__community=east)
        west_stall = StallFactory(market_day__community=west)
        east_item = StallItemFactory(stall=east_stall)
        west_item = StallItemFactory(stall=west_stall)
        _sale(
            east_stall,
            east_item,
            sold_at=moment(year, 0, 0),
            amount=1500,
            organization=1050,
            welfare=450,
        )
        _sale(
            east_stall,
            east_item,
            sold_at=moment(year, 40),
            amount=3000,
            organization=2100,
            welfare=900,
        )
        _sale(east_stall, east_item, sold_at=moment(year, 41), points="10")
        _sale(
            west_stall,
            west_item,
            sold_at=moment(year, 364, 23),
            amount=500,
            organization=350,
            welfare=150,
        )
        _sale(west_stall, west_item, sold_at=moment(year, -1, 23), amount=9900, organization=9900)
        someone = ResidentFactory(household__building__compound__community=east)
        _points(someone, PointsEntry.Kind.EARN, "20.00", moment(year, 5))
        _points(someone, PointsEntry.Kind.EARN, "4.50", moment(year, 6))
        _points(someone, PointsEntry.Kind.ADJUST, "-1.50", moment(year, 7))
        _points(someone, PointsEntry.Kind.SPEND, "-10.00", moment(year, 41))
        _points(someone, PointsEntry.Kind.EARN, "99", moment(year, -3))

    board = dashboard_for([east.pk, west.pk], year, fresh=True)

    proceeds = shown(board, "market_proceeds")
    assert proceeds.value == 5000
    assert dict(proceeds.series)["1月"] == 1500
    assert dict(proceeds.series)["2月"] == 3000
    assert dict(proceeds.series)["12月"] == 500
    assert shown(board, "market_proceeds", west.pk).value == 500
    shares = shown(board, "market_proceeds_shares")
    assert shares.series == [("组织自有资金", 3500), ("公益金", 1500)]
    assert shares.value == 5000
    sales = shown(board, "market_sales_by_payment")
    assert sales.series == [("现金/转账", 3), ("积分兑换", 1)]
    assert shown(board, "market_proceeds").parts["points_spent"] == Decimal("10")
    points = shown(board, "points_earned_and_spent")
    assert points.value == Decimal("23.00")
    assert points.series == [
        ("服务获得", Decimal("24.50")),
        ("更正调整", Decimal("-1.50")),
        ("兑换使用", Decimal("10.00")),
    ]
    assert shown(board, "points_earned_and_spent", west.pk).value == 0
    assert_total_is_the_sum(
        board, ["market_proceeds", "market_sales_by_payment", "points_earned_and_spent"]
    )


# --- the cost ---------------------------------------------------------------------------

KEYS = {
    "fees_collection_rate",
    "council_topics_and_decisions",
    "activities_held",
    "activities_attendances",
    "activities_filled",
    "market_proceeds",
    "points_earned_and_spent",
}


def _a_bit_of_everything(community, year, n):
    org = OrganizationFactory(community=community)
    compound = CompoundFactory(community=community, has_property_company=False)
    resident = ResidentFactory(household__building__compound__community=community)
    stall = StallFactory(market_day__community=community)
    item = StallItemFactory(stall=stall)
    for i in range(n):
        _bill(compound, amount=1000, paid=900, period_start=day(year, i), due=day(year, i + 20))
        _topic(community, Topic.Status.OPEN, moment(year, i))
        _decision(
            community,
            made=moment(year, i),
            deadline=day(year, i + 9),
            done_on=day(year, i),
            status=Decision.Status.DONE,
        )
        act = _activity(community, org, moment(year, 30 * i + 3), places=3)
        _filled(act, opened=moment(year, 30 * i), after=dt.timedelta(hours=i + 1))
        _attendance(act, moment(year, 30 * i + 3))
        _sale(stall, item, sold_at=moment(year, 30 * i), amount=100, organization=70, welfare=30)
        _points(resident, PointsEntry.Kind.EARN, "2", moment(year, i))


def test_the_queries_do_not_grow_with_rows_or_communities(district):
    east, west = district
    year = last_year()
    with unscoped():
        _a_bit_of_everything(east, year, 1)
    with CaptureQueriesContext(connection) as one:
        board = dashboard_for([east.pk], year, fresh=True)
    assert {s.figure.key for s in board.total} >= KEYS

    more = [CommunityFactory(district="西湖区") for _ in range(2)]
    with unscoped():
        _a_bit_of_everything(east, year, 3)
        for community in (west, *more):
            _a_bit_of_everything(community, year, 3)
    with CaptureQueriesContext(connection) as many:
        dashboard_for([east.pk, west.pk, *(c.pk for c in more)], year, fresh=True)

    assert len(many) == len(one)
