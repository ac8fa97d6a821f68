"""The figure machinery: parts per community, totals as sums, constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kuihua.core.tenancy import unscoped
from kuihua.core.tests.clock import today
from kuihua.dashboard.selectors import dashboard_for
from kuihua.organizations.models import Category, Stage
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def _figure(shown_list, key):
    return next(s for s in shown_list if s.figure.key == key)


def test_a_district_total_is_the_sum_of_its_communities():
    east, west = CommunityFactory(), CommunityFactory()
    with unscoped():
        OrganizationFactory.create_batch(2, community=east, stage=Stage.FILED)
        OrganizationFactory(community=east, stage=Stage.BRAND, category=Category.LEARNING)
        OrganizationFactory(community=west, stage=Stage.FILED)

    board = dashboard_for([east.pk, west.pk], today().year, fresh=True)

    stages = _figure(board.total, "organizations_by_stage")
    assert stages.value == 4
    assert dict(stages.series)["已备案"] == 3
    assert dict(stages.series)["品牌组织"] == 1
    assert _figure(board.per_community[east.pk], "organizations_by_stage").value == 3
    assert _figure(board.per_community[west.pk], "organizations_by_stage").value == 1
    for total in board.total:
        for name, number in total.parts.items():
            assert number == sum(
                _figure(board.per_community[c], total.figure.key).parts.get(name, 0)
                for c in (east.pk, west.pk)
            )


def test_the_queries_do_not_grow_with_communities_or_rows():
    first = CommunityFactory()
    with unscoped():
        OrganizationFactory(community=first)
    with CaptureQueriesContext(connection) as one:
        dashboard_for([first.pk], today().year, fresh=True)

    more = [CommunityFactory() for _ in range(3)]
    with unscoped():
        for community in more:
            OrganizationFactory.create_batch(3, community=community)
    with CaptureQueriesContext(connection) as four:
        dashboard_for([first.pk, *(c.pk for c in more)], today().year, fresh=True)

    assert len(four) == len(one)


def test_the_second_reading_comes_from_the_cache():
    community = CommunityFactory()
    with unscoped():
        OrganizationFactory(community=community)
    dashboard_for([community.pk], today().year, fresh=True)
    with CaptureQueriesContext(connection) as warm:
        board = dashboard_for([community.pk], today().year)
    assert len(warm) == 0
    assert _figure(board.total, "organizations_by_stage").value == 1


def test_a_chart_drawn_once_is_served_again_without_drawing(monkeypatch):
    from kuihua.dashboard import charts

    series = [("治理型", 3), ("文体型", 5)]
    first = charts.svg("bar", series, title="类别")
    monkeypatch.setattr(charts, "_svg", lambda *a, **k: pytest.fail("drawn again"))
    assert charts.svg("bar", series, title="类别") == first
    assert "<rect" in first
    monkeypatch.undo()
    assert charts.svg("bar", [("治理型", 4), ("文体型", 5)], title="类别") != first
