"""The demo's charity market: twelve monthly market days of the past year, six to ten
stalls each, sales in cash, by transfer and in points, proceeds split and posted."""

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from kuihua.core.tenancy import use_community
from kuihua.demo.market import MARKET_DAYS, ORGANIZATION_PERCENT
from kuihua.demo.tests.clock import demo_clock
from kuihua.demo.write import generate_community
from kuihua.ledger.models import Ledger
from kuihua.ledger.selectors import balances, books_check
from kuihua.market.models import MarketDay, Sale, StallItem
from kuihua.organizations.models import Organization
from kuihua.projects.models import Funding
from kuihua.service_records.models import PointsEntry

pytestmark = pytest.mark.django_db

SCALE = 0.05


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo community for the module, rolled back at the end (posted entries
    cannot be deleted, so it cannot be flushed)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with demo_clock():
                community = generate_community(index=1, scale=SCALE)
            yield community
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_twelve_market_days_in_the_past_year_of_the_monthly_series(demo):
    today = timezone.localdate()
    with use_community(demo):
        days = list(MarketDay.objects.select_related("activity__booking").order_by("date"))
        organizations = Organization.objects.count()

        assert len(days) == MARKET_DAYS
        assert len({(d.date.year, d.date.month) for d in days}) == MARKET_DAYS
        assert days[-1].date < today and (today - days[0].date).days <= 366
        assert len({d.activity.series_id for d in days}) == 1
        assert all(d.activity.booking is not None and d.closed_at for d in days)
        for day in days:
            assert min(6, organizations) <= day.stalls.count() <= 10
        assert StallItem.objects.filter(kind="service", name="磨剪刀").exists() or (
            not Organization.objects.filter(name__contains="磨刀").exists()
        )


def test_sales_are_paid_in_cash_transfer_and_points(demo):
    with use_community(demo):
        methods = dict(Sale.objects.values_list("method").annotate(n=Count("id")))

        assert methods.get("cash", 0) > 0 and methods.get("transfer", 0) > 0
        assert methods.get("points", 0) > 0
        assert not StallItem.objects.filter(stock__lt=0).exists()


def test_points_are_spent_only_by_those_who_have_them(demo):
    with use_community(demo):
        negative = (
            PointsEntry.objects.values("resident_id")
            .annotate(total=Sum("points"))
            .filter(total__lt=0)
        )
        assert not negative.exists()
        for sale in Sale.objects.filter(method="points").select_related("points_entry"):
            assert sale.points_entry is not None
            assert sale.points_entry.resident_id == sale.buyer_id
            assert sale.points_entry.points == -sale.points
            assert sale.amount_fen == sale.organization_fen == sale.welfare_fen == 0
            # earned enough before the sale: the balance then was not negative
            before = PointsEntry.objects.filter(
                resident_id=sale.buyer_id, created_at__lte=sale.sold_at
            ).aggregate(total=Sum("points"))["total"]
            assert before >= 0


def test_proceeds_are_split_and_posted_and_every_ledger_reconciles(demo):
    with use_community(demo):
        money = Sale.objects.exclude(method="points")
        for sale in money.select_related("organization_entry", "welfare_entry"):
            assert sale.organization_fen + sale.welfare_fen == sale.amount_fen
            assert sale.organization_fen == round(sale.amount_fen * ORGANIZATION_PERCENT / 100)
            assert sale.organization_entry.date == sale.stall.market_day.date
            assert sale.welfare_entry is not None
        welfare = Ledger.objects.get(kind=Ledger.Kind.PUBLIC_WELFARE)
        market_income = -balances(welfare).get("4003", 0)
        assert market_income == money.aggregate(t=Sum("welfare_fen"))["t"] > 0
        assert Funding.objects.filter(kind=Funding.Kind.MARKET).exists()
        for ledger in Ledger.objects.all():
            check = books_check(ledger)
            assert check.ok, (ledger.name, check.problems)
            assert all(
                fen >= 0 for code, fen in balances(ledger).items() if code in ("1001", "1002")
            ), ledger.name
