"""Projects by domain and their money in the year: each community's against a hand count,
the district's grouped by the domain's name, and a constant query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import across_communities, unscoped, use_community
from kuihua.core.tests.clock import today
from kuihua.dashboard.base import FIGURES
from kuihua.dashboard.selectors import dashboard_for, figures
from kuihua.projects import services
from kuihua.projects.models import Project
from kuihua.projects.tests.factories import ProjectDomainFactory, ProjectFactory
from kuihua.registry.tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

KEYS = ["projects_by_domain", "project_funds_raised", "project_funds_spent"]
ELDERLY, YOUTH = "关爱独居老人", "青少年成长"


def _shown(shown_list, key):
    return next(s for s in shown_list if s.figure.key == key)


def _project(community, domain, **fields):
    with unscoped():
        return ProjectFactory(
            community=community,
            domain=domain,
            starts_on=fields.pop("starts_on", dt.date(today().year - 1, 6, 1)),
            ends_on=fields.pop("ends_on", dt.date(today().year + 1, 6, 1)),
            **fields,
        )


def _money(project, coordinator, *, raised=(), spent=(), reversed_fen=None):
    """Fundings [(fen, day)], expenses [(fen, day)] and one expense reversed today."""
    with use_community(project.community_id):
        project = Project.objects.get(pk=project.pk)
        for fen, day in raised:
            services.funding_record(
                actor=coordinator,
                project=project,
                kind="subsidy",
                source="街道",
                amount_fen=fen,
                received_on=day,
            )
        line = services.budget_line_set(
            actor=coordinator, project=project, name="活动物料", amount_fen=10_000_000
        )
        for fen, day in spent:
            services.expense_record(
                actor=coordinator,
                project=project,
                budget_line=line,
                amount_fen=fen,
                spent_on=day,
                memo="物料",
            )
        if reversed_fen:
            entry = services.expense_record(
                actor=coordinator,
                project=project,
                budget_line=line,
                amount_fen=reversed_fen,
                spent_on=dt.date(today().year, 1, 1),
                memo="记错了",
            )
            services.expense_reverse(actor=coordinator, project=project, entry=entry, reason="重复")


@pytest.fixture
def world():
    year = today().year
    jan1, last_year = dt.date(year, 1, 1), dt.date(year - 1, 12, 31)
    east, west = CommunityFactory(district="西湖区"), CommunityFactory(district="西湖区")
    east_staff = UserFactory(username="east", role=Role.COORDINATOR, community=east)
    west_staff = UserFactory(username="west", role=Role.COORDINATOR, community=west)
    with unscoped():
        e_elderly = ProjectDomainFactory(community=east, name=ELDERLY, position=1)
        e_youth = ProjectDomainFactory(community=east, name=YOUTH, position=2)
        # The same domain name in the other community, listed in another place.
        w_elderly = ProjectDomainFactory(community=west, name=ELDERLY, position=5)
    p1 = _project(east, e_elderly)
    p2 = _project(east, e_youth)
    _project(east, e_elderly, status=Project.Status.CANCELLED)
    _project(east, e_elderly, ends_on=last_year)  # over before the year began
    p5 = _project(west, w_elderly, starts_on=jan1)
    # east: ¥1,000 this year and ¥500 last year for the elderly, of which ¥300 spent this
    # year and ¥100 last year, and ¥50 spent by mistake and reversed; ¥200 for youth.
    _money(
        p1,
        east_staff,
        raised=[(100_000, jan1), (50_000, last_year)],
        spent=[(30_000, jan1), (10_000, last_year)],
        reversed_fen=5_000,
    )
    _money(p2, east_staff, raised=[(20_000, jan1)])
    # west: ¥700 raised, ¥100 spent, this year.
    _money(p5, west_staff, raised=[(70_000, jan1)], spent=[(10_000, jan1)])
    return {"year": year, "east": east, "west": west}


def test_projects_and_their_money_by_domain(world):
    east, west = world["east"], world["west"]

    board = dashboard_for([east.pk, west.pk], world["year"], fresh=True)

    def shown(cid, key):
        return _shown(board.per_community[cid], key)

    assert shown(east.pk, "projects_by_domain").series == [(ELDERLY, 1), (YOUTH, 1)]
    assert shown(west.pk, "projects_by_domain").series == [(ELDERLY, 1)]
    projects = _shown(board.total, "projects_by_domain")
    assert (projects.value, projects.series) == (3, [(ELDERLY, 2), (YOUTH, 1)])

    assert shown(east.pk, "project_funds_raised").value == 120_000
    assert shown(west.pk, "project_funds_raised").value == 70_000
    raised = _shown(board.total, "project_funds_raised")
    assert (raised.value, raised.series) == (190_000, [(ELDERLY, 170_000), (YOUTH, 20_000)])

    assert shown(east.pk, "project_funds_spent").series == [(ELDERLY, 30_000)]
    spent = _shown(board.total, "project_funds_spent")
    assert (spent.value, spent.series) == (40_000, [(ELDERLY, 40_000)])

    for total in board.total:
        if total.figure.key in KEYS:
            for name, number in total.parts.items():
                assert number == sum(
                    shown(c, total.figure.key).parts.get(name, 0) for c in (east.pk, west.pk)
                )
            assert total.figure.rows_url(world["year"]) == "/projects/"


def _queries(community_ids, year):
    figures()
    with CaptureQueriesContext(connection) as captured, across_communities(community_ids):
        for key in KEYS:
            FIGURES[key].parts(year)
    return len(captured)


def test_the_queries_do_not_grow_with_rows_or_communities(world):
    year = world["year"]
    one = _queries([world["east"].pk], year)

    more = [CommunityFactory() for _ in range(2)]
    for community in more:
        staff = UserFactory(role=Role.COORDINATOR, community=community)
        with unscoped():
            domain = ProjectDomainFactory(community=community)
        for _ in range(2):
            project = _project(community, domain)
            _money(project, staff, raised=[(1_000, today())], spent=[(500, today())])

    assert _queries([world["east"].pk, world["west"].pk, *(c.pk for c in more)], year) == one
