"""The demo's self-managed compounds (义管家): a year of bills, payments and expenses in
each, five collecting about 95% and three less, and books that balance and reconcile."""

import pytest
from django.db import transaction
from django.utils import timezone

from kuihua.accounts.models import Role, User
from kuihua.core.tenancy import use_community
from kuihua.demo.logins import demo_accounts_ensure
from kuihua.demo.stewards import GOOD_COMPOUNDS, MONTHS
from kuihua.demo.write import generate_community
from kuihua.ledger.selectors import books_check, budget_against_actual
from kuihua.registry.models import Compound
from kuihua.stewards import selectors
from kuihua.stewards.models import Bill, CompoundBooks, Payment, StewardAssignment

pytestmark = pytest.mark.django_db

SCALE = 0.05


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo community for the module (writing it is the slow part), rolled back at
    the end: the ledger's posted entries cannot be deleted, so it cannot be flushed."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            community = generate_community(index=1, scale=SCALE)
            logins = demo_accounts_ensure(community=community)
            yield community, logins
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_every_compound_without_a_property_company_keeps_a_year_of_books(demo):
    community, _logins = demo
    today = timezone.localdate()

    with use_community(community):
        compounds = list(Compound.objects.filter(has_property_company=False))
        books = CompoundBooks.objects.filter(compound__in=compounds)
        periods = set(Bill.objects.values_list("period_start", flat=True))

        assert len(compounds) == 8 and books.count() == 8
        assert len(periods) == MONTHS and max(periods) == today.replace(day=1)
        for compound in compounds:
            assert StewardAssignment.objects.filter(compound=compound, until__isnull=True).exists()
            assert compound.bills.exists() and compound.payments.exists()
            assert compound.fee_schedules.count() == 1
        assert not Compound.objects.filter(has_property_company=True, bills__isnull=False).exists()


def test_five_compounds_collect_about_95_percent_and_the_others_less(demo):
    community, _logins = demo
    today = timezone.localdate()

    with use_community(community):
        compounds = Compound.objects.filter(has_property_company=False).order_by("id")
        # the year of bills spans two calendar years: count both
        rates = []
        for compound in compounds:
            due = paid = 0
            for year in (today.year - 1, today.year):
                c = selectors.collection(compound, year, today=today)
                due, paid = due + c.due_fen, paid + c.paid_fen
            rates.append(paid / due)

    good = sorted(rates, reverse=True)[:GOOD_COMPOUNDS]
    others = sorted(rates)[: len(rates) - GOOD_COMPOUNDS]
    assert all(0.93 <= rate <= 0.99 for rate in good), rates
    assert all(0.65 <= rate <= 0.88 for rate in others), rates


def test_every_ledger_balances_and_reconciles_with_bills_credits_and_receipts(demo):
    community, _logins = demo

    with use_community(community):
        for books in CompoundBooks.objects.select_related("ledger"):
            check = selectors.books_reconcile(books)
            assert check.ok, check.problems
            assert (
                books_check(books.ledger).entries
                > Payment.objects.filter(compound=books.compound).count()
            )  # payments, expenses and the opening balance
            assert check.figures["receipts"] == books.last_receipt_no > 0
            expenses = [
                line
                for line in budget_against_actual(books.ledger, timezone.localdate().year)
                if line.account.kind == "expense"
            ]
            assert {line.account.code for line in expenses} >= {"5001", "5004"}
            assert selectors.arrears_aging(books.compound).total_fen > 0


def test_the_steward_login_keeps_exactly_its_own_compound(demo):
    community, _logins = demo
    steward = User.objects.get(username=Role.STEWARD)

    with use_community(community):
        kept = selectors.kept_compound_ids(steward)
        home = steward.resident.household.building.compound

        assert kept == {home.pk}
        assert selectors.access_books(steward, home.pk, selectors.KEEP).compound == home
        assert list(selectors.compounds_for(steward, selectors.KEEP)) == [home]

    # and a second run of the logins leaves it so
    demo_accounts_ensure(community=community)
    with use_community(community):
        assert selectors.kept_compound_ids(steward) == {home.pk}
