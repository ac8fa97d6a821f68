"""The demo's public-welfare projects: 27 in 7 domains, a year of attributed work in
each, their subsidies adding up to 760,000 yuan, and books that balance."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from kuihua.core.tenancy import use_community
from kuihua.demo.projects import FLAGSHIP
from kuihua.demo.tests.clock import demo_clock
from kuihua.demo.write import generate_community
from kuihua.ledger.selectors import balances, books_check
from kuihua.projects.models import BudgetLine, Funding, OutcomeIndicator, Project, ProjectDomain
from kuihua.projects.outputs import outputs_for_projects
from kuihua.projects.selectors import indicator_rows

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


def test_27_projects_in_7_domains_with_760000_yuan_of_subsidies(demo):
    with use_community(demo):
        assert ProjectDomain.objects.count() == 7
        assert Project.objects.count() == 27
        assert all(d.projects.exists() for d in ProjectDomain.objects.all())
        subsidies = Funding.objects.filter(kind=Funding.Kind.SUBSIDY)
        assert subsidies.aggregate(total=Sum("amount_fen"))["total"] == 760_000_00
        assert not Project.objects.filter(fundings__isnull=True).exists()
        assert Funding.objects.filter(kind=Funding.Kind.DONATION).exists()


def test_every_project_shows_a_year_of_work(demo):
    today = timezone.localdate()
    with use_community(demo):
        projects = list(Project.objects.all())
        outputs = outputs_for_projects(projects)
        year = outputs_for_projects(projects, start=today - dt.timedelta(days=365), end=today)
        flagship = Project.objects.get(name=FLAGSHIP)

        assert all(o.person_times > 0 and o.people_served > 0 for o in outputs.values())
        assert all(o.person_times > 0 for o in year.values())
        assert outputs[flagship.pk].care_contacts > 0
        assert flagship.care_recipients.exists()
        for project in projects:
            assert project.starts_on <= today - dt.timedelta(days=300)
            assert project.milestones.filter(done_on__isnull=False).exists()
            assert project.partner_organizations.exists() or project.partner_units.exists()


def test_the_plan_is_mostly_done_with_some_late_and_some_open(demo):
    today = timezone.localdate()
    with use_community(demo):
        from kuihua.projects.models import Milestone

        due = Milestone.objects.filter(due_on__lt=today)
        done = due.filter(done_on__isnull=False)
        assert done.count() > 0.8 * due.count()
        assert any(m.done_on > m.due_on for m in done)
        assert Milestone.objects.filter(due_on__gte=today, done_on__isnull=True).exists()


def test_the_books_balance_and_spending_is_60_to_95_percent_of_the_budget(demo):
    with use_community(demo):
        for project in Project.objects.select_related("ledger"):
            check = books_check(project.ledger)
            assert check.ok, (project.name, check.problems)
            budget = BudgetLine.objects.filter(project=project).aggregate(t=Sum("amount_fen"))["t"]
            money = balances(project.ledger)
            spent = sum(v for code, v in money.items() if code.startswith("5"))
            received = project.fundings.aggregate(t=Sum("amount_fen"))["t"]
            assert money["1002"] == received - spent >= 0
            assert 0.45 <= spent / budget <= 0.96, project.name


def test_the_flagship_accident_rate_is_computed_from_the_care_records(demo):
    with use_community(demo):
        flagship = Project.objects.get(name=FLAGSHIP)
        rows = {row.indicator.name: row for row in indicator_rows(flagship)}
        rate = rows["关爱对象意外发生率"]

        assert rate.computed and rate.indicator.lower_is_better
        assert rate.indicator.baseline == 15 and rate.indicator.target == 8
        assert rate.value is not None and rate.value < 15
        manual = OutcomeIndicator.objects.filter(source="manual", measured__isnull=False)
        assert manual.count() == 27
