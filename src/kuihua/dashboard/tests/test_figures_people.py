"""Members, volunteers and hours: each community's figures against a hand count, the
district's as their sum, and a query count that does not grow with rows or communities."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kuihua.core.tenancy import across_communities, unscoped
from kuihua.core.tests.clock import today
from kuihua.dashboard.base import FIGURES
from kuihua.dashboard.selectors import dashboard_for, figures
from kuihua.organizations.models import Category, Membership
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.models import Resident
from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory
from kuihua.service_records.models import ServiceRecord

pytestmark = pytest.mark.django_db

KEYS = [
    "organization_members",
    "active_volunteers",
    "leaders_party_share",
    "volunteer_hours",
    "hours_per_volunteer",
    "lifetime_hours_reached",
    "star_volunteers",
]


def _resident(community, **fields):
    return ResidentFactory(household__building__compound__community=community, **fields)


def _record(organization, volunteer, hours, on, status=ServiceRecord.Status.VERIFIED):
    return ServiceRecord.objects.create(
        community=organization.community,
        organization=organization,
        volunteer=volunteer,
        service_item="助老送餐",
        content="送餐上门",
        evidence="服务单",
        reason="补录",
        source=ServiceRecord.Source.MANUAL,
        date=on,
        hours=Decimal(str(hours)),
        status=status,
    )


def _shown(shown_list, key):
    return next(s for s in shown_list if s.figure.key == key)


@pytest.fixture
def world():
    """Two communities of one district, with hours this year, last year and next year."""
    year = today().year
    jan1 = dt.date(year, 1, 1)
    last_year = dt.date(year - 1, 6, 1)
    east, west = CommunityFactory(district="西湖区"), CommunityFactory(district="西湖区")
    with unscoped():
        a = _resident(east, political_status=Resident.Political.PARTY_MEMBER)
        b = _resident(east)
        c = _resident(east)
        e1 = OrganizationFactory(community=east, leader=a, category=Category.WELFARE)
        OrganizationFactory(community=east, leader=b, category=Category.LEARNING)
        e3 = OrganizationFactory(community=east, leader=a, category=Category.LEARNING)
        MembershipFactory(organization=e1, resident=a, role=Membership.Role.LEADER)
        MembershipFactory(organization=e1, resident=c)
        MembershipFactory(organization=e3, resident=c)
        # a: 1,200 h last year + 3 h on 1 January + 2 h today: 1,205 h in all, 4 stars.
        _record(e1, a, 1200, last_year)
        _record(e1, a, 3, jan1)
        _record(e1, a, 2, today())
        # c: 5 h; a pending and a rejected record count nowhere; next year's neither.
        _record(e1, c, 5, jan1)
        _record(e1, c, 4, today(), status=ServiceRecord.Status.PENDING)
        _record(e1, c, 7, jan1, status=ServiceRecord.Status.REJECTED)
        _record(e1, c, 100, dt.date(year + 1, 1, 1))
        # An erased volunteer's hour stays in the hours, by nobody.
        _record(e1, None, 1, jan1)

        d = _resident(west, political_status=Resident.Political.PROBATIONARY)
        e = _resident(west)
        w1 = OrganizationFactory(community=west, leader=d, category=Category.SERVICE)
        MembershipFactory(organization=w1, resident=d, role=Membership.Role.LEADER)
        # d: 6,004 h in all (5 stars, over 1,000 and 5,000); e: 150 h last year, 1 star.
        _record(w1, d, 6000, last_year)
        _record(w1, d, 4, jan1)
        _record(w1, e, 150, last_year)
    return {"year": year, "east": east, "west": west}


def test_each_figure_matches_a_hand_count_and_the_district_is_the_sum(world):
    east, west, year = world["east"], world["west"], world["year"]

    board = dashboard_for([east.pk, west.pk], year, fresh=True)

    def value(cid, key):
        return _shown(board.per_community[cid], key).value

    def total(key):
        return _shown(board.total, key)

    assert (value(east.pk, "organization_members"), value(west.pk, "organization_members")) == (
        2,
        1,
    )
    members = dict(total("organization_members").series)
    assert (members["公益志愿型"], members["学习型"], members["服务型"]) == (2, 1, 1)
    assert (value(east.pk, "active_volunteers"), value(west.pk, "active_volunteers")) == (2, 1)
    assert total("active_volunteers").value == 3

    assert value(east.pk, "leaders_party_share") == Decimal("0.5")
    assert value(west.pk, "leaders_party_share") == 1
    assert total("leaders_party_share").value == Decimal(2) / Decimal(3)
    assert dict(total("leaders_party_share").series) == {"党员": 2, "非党员": 1}

    assert value(east.pk, "volunteer_hours") == 11
    assert value(west.pk, "volunteer_hours") == 4
    hours = total("volunteer_hours")
    assert hours.value == 15
    months = dict(hours.series)
    assert len(months) == 12
    assert sum(months.values()) == 15
    # 1 January: 3 + 5 + 1 + 4; today: 2 more (in January too on the first days).
    assert months["1月"] == (15 if today().month == 1 else 13)
    if today().month != 1:
        assert months[f"{today().month}月"] == 2

    assert value(east.pk, "hours_per_volunteer") == 5  # (3 + 2 + 5) / 2; the erased hour not
    assert value(west.pk, "hours_per_volunteer") == 4
    assert total("hours_per_volunteer").value == Decimal(14) / Decimal(3)

    reached = total("lifetime_hours_reached")
    assert (value(east.pk, "lifetime_hours_reached"), reached.value) == (1, 2)
    assert list(reached.series) == [
        ("1,000小时以上", 2),
        ("5,000小时以上", 1),
        ("20,000小时以上", 0),
    ]

    stars = total("star_volunteers")
    assert (value(east.pk, "star_volunteers"), value(west.pk, "star_volunteers")) == (1, 2)
    assert [n for _, n in stars.series] == [1, 0, 0, 1, 1]
    assert stars.series[0][0].startswith("1星")

    for shown in board.total:
        if shown.figure.key in KEYS:
            for name, number in shown.parts.items():
                assert number == sum(
                    _shown(board.per_community[c], shown.figure.key).parts.get(name, 0)
                    for c in (east.pk, west.pk)
                )


def test_one_community_counts_only_its_own_volunteers(world):
    board = dashboard_for([world["east"].pk], world["year"], fresh=True)

    assert [n for _, n in _shown(board.total, "star_volunteers").series] == [0, 0, 0, 1, 0]
    reached = _shown(board.total, "lifetime_hours_reached").parts
    assert reached == {"at_least:1000": 1, "at_least:5000": 0, "at_least:20000": 0}


def test_a_year_with_no_rows_shows_zeros_and_no_ratio(world):
    board = dashboard_for([world["east"].pk], world["year"] - 5, fresh=True)

    assert _shown(board.total, "volunteer_hours").value == 0
    assert _shown(board.total, "hours_per_volunteer").value is None
    assert _shown(board.total, "star_volunteers").value == 0


def test_every_figure_says_where_its_rows_are(world):
    figures()
    for key in KEYS:
        figure = FIGURES[key]
        assert figure.section == "people"
        assert 20 <= figure.order < 30
        assert figure.rows_url(world["year"]).startswith("/")


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
    with unscoped():
        for community in more:
            organization = OrganizationFactory(community=community)
            for _ in range(3):
                volunteer = _resident(community)
                MembershipFactory(organization=organization, resident=volunteer)
                _record(organization, volunteer, 2, dt.date(year, 1, 1))

    assert _queries([world["east"].pk, world["west"].pk, *(c.pk for c in more)], year) == one
