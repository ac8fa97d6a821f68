"""Services by provider type and the care programme's figures: each community's against a
hand count, the district's as their sum, the year's edges in Beijing time, and a query
count that does not grow with rows or communities."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kuihua.care.models import CareRecipient, CheckIn, Incident
from kuihua.core.tenancy import across_communities, unscoped
from kuihua.core.tests.clock import at, today
from kuihua.dashboard.base import FIGURES
from kuihua.dashboard.selectors import dashboard_for, figures
from kuihua.matching.models import Need, ProviderType, ServiceCategory, ServiceDelivery
from kuihua.projects.models import OutcomeIndicator
from kuihua.projects.tests.factories import ProjectFactory
from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory

pytestmark = pytest.mark.django_db

KEYS = ["services_by_provider", "services_delivered", "care_person_times", "care_accident_rate"]


def _shown(shown_list, key):
    return next(s for s in shown_list if s.figure.key == key)


def _resident(community):
    return ResidentFactory(household__building__compound__community=community)


def _deliver(resident, provider_type, when):
    category = ServiceCategory.objects.filter(community=resident.community).first()
    need = Need.objects.create(
        community=resident.community,
        resident=resident,
        category=category,
        channel="coordinator",
        status=Need.Status.DONE,
    )
    return ServiceDelivery.objects.create(
        community=resident.community,
        need=need,
        provider_type=provider_type,
        category=category,
        resident=resident,
        delivered_at=when,
    )


def _enrol(resident, enrolled_at):
    recipient = CareRecipient.objects.create(community=resident.community, resident=resident)
    # enrolled_at is set on insert; the test says when.
    CareRecipient.objects.filter(pk=recipient.pk).update(enrolled_at=enrolled_at)
    return recipient


def _check_in(recipient, channel, when):
    return CheckIn.objects.create(
        community=recipient.community,
        recipient=recipient,
        at=when,
        channel=channel,
        result=CheckIn.Result.WELL,
    )


def _incident(recipient, kind, on):
    return Incident.objects.create(
        community=recipient.community, recipient=recipient, kind=kind, occurred_on=on
    )


@pytest.fixture
def world():
    year = today().year
    jan1 = dt.date(year, 1, 1)
    first_minute = at(jan1, 0, 1)  # still 31 December in UTC
    last_minute_before = at(jan1, 0, 0) - dt.timedelta(minutes=1)  # last year, in Beijing
    now = timezone.now()
    east, west = CommunityFactory(district="西湖区"), CommunityFactory(district="西湖区")
    with unscoped():
        # east: 3 by organizations, 1 by a volunteer this year; 1 last year (not counted).
        e_people = [_resident(east) for _ in range(3)]
        _deliver(e_people[0], ProviderType.ORGANIZATION, first_minute)
        _deliver(e_people[0], ProviderType.ORGANIZATION, now)
        _deliver(e_people[1], ProviderType.ORGANIZATION, first_minute)
        _deliver(e_people[2], ProviderType.VOLUNTEER, first_minute)
        _deliver(e_people[2], ProviderType.ORGANIZATION, last_minute_before)
        # west: 1 by government, 1 by an organization.
        w_people = [_resident(west) for _ in range(2)]
        _deliver(w_people[0], ProviderType.GOVERNMENT, first_minute)
        _deliver(w_people[1], ProviderType.ORGANIZATION, first_minute)

        # Care, east: people 0 and 1 enrolled (last year); 0 visited twice and called once
        # this year, a self check-in and last year's visit do not count; person 0 had a
        # meal (the first delivery above) and another this year (2 deliveries), person 1 one.
        old = at(dt.date(year - 1, 3, 1), 9)
        p0, p1 = _enrol(e_people[0], old), _enrol(e_people[1], old)
        _check_in(p0, CheckIn.Channel.VISIT, first_minute)
        _check_in(p0, CheckIn.Channel.VISIT, now)
        _check_in(p0, CheckIn.Channel.CALL, first_minute)
        _check_in(p0, CheckIn.Channel.SELF, first_minute)
        _check_in(p1, CheckIn.Channel.VISIT, last_minute_before)
        # Person 0 fell twice (one person), person 1 went to hospital (not an accident).
        _incident(p0, Incident.Kind.FALL, jan1)
        _incident(p0, Incident.Kind.ACCIDENT, jan1)
        _incident(p1, Incident.Kind.HOSPITAL, jan1)
        # west: four enrolled; one fell last year only; one had an accident this year.
        w_care = [_enrol(_resident(west), old) for _ in range(3)] + [_enrol(w_people[0], old)]
        _incident(w_care[0], Incident.Kind.FALL, dt.date(year - 1, 12, 31))
        _incident(w_care[1], Incident.Kind.ACCIDENT, jan1)
        _check_in(w_care[2], CheckIn.Channel.CALL, first_minute)
        # The projects' baseline and target for the rate, in per cent: 15 → 8 and 20 → 10.
        for community, baseline, target in ((east, 15, 8), (west, 20, 10)):
            project = ProjectFactory(community=community, starts_on=jan1)
            OutcomeIndicator.objects.create(
                community=community,
                project=project,
                name="意外发生率",
                unit="%",
                source=OutcomeIndicator.Source.CARE_ACCIDENT_RATE,
                baseline=Decimal(baseline),
                target=Decimal(target),
                lower_is_better=True,
            )
    return {"year": year, "east": east, "west": west}


def test_the_share_of_services_by_organizations(world):
    east, west = world["east"], world["west"]

    board = dashboard_for([east.pk, west.pk], world["year"], fresh=True)

    def value(cid, key):
        return _shown(board.per_community[cid], key).value

    assert value(east.pk, "services_by_provider") == Decimal(3) / Decimal(4)
    assert value(west.pk, "services_by_provider") == Decimal("0.5")
    share = _shown(board.total, "services_by_provider")
    assert share.value == Decimal(4) / Decimal(6)
    assert dict(share.series) == {
        "社会组织": 4,
        "志愿者个人": 1,
        "政府部门": 1,
        "企业": 0,
        "事业单位/机构": 0,
    }
    delivered = _shown(board.total, "services_delivered")
    assert (value(east.pk, "services_delivered"), delivered.value) == (4, 6)
    months = dict(delivered.series)
    assert sum(months.values()) == 6
    assert months["1月"] == (6 if today().month == 1 else 5)


def test_care_person_times_and_the_accident_rate(world):
    east, west = world["east"], world["west"]

    board = dashboard_for([east.pk, west.pk], world["year"], fresh=True)

    def value(cid, key):
        return _shown(board.per_community[cid], key).value

    # east: 2 visits + 1 call + 3 deliveries to enrolled people; west: 1 call + 1 delivery
    # (w_people[0], enrolled, had the government's service).
    assert (value(east.pk, "care_person_times"), value(west.pk, "care_person_times")) == (6, 2)
    person_times = _shown(board.total, "care_person_times")
    assert person_times.value == 8
    months = dict(person_times.series)
    assert sum(months.values()) == 8
    assert months["1月"] == (8 if today().month == 1 else 6)

    assert value(east.pk, "care_accident_rate") == Decimal("0.5")  # 1 of 2
    assert value(west.pk, "care_accident_rate") == Decimal("0.25")  # 1 of 4
    rate = _shown(board.total, "care_accident_rate")
    assert rate.value == Decimal(2) / Decimal(6)
    assert dict(rate.series) == {
        "项目基线": Decimal("0.175"),
        "项目目标": Decimal("0.09"),
        "当年实际": Decimal(2) / Decimal(6),
    }
    assert dict(_shown(board.per_community[east.pk], "care_accident_rate").series)[
        "项目基线"
    ] == Decimal("0.15")

    for shown in board.total:
        if shown.figure.key in KEYS:
            for name, number in shown.parts.items():
                assert number == sum(
                    _shown(board.per_community[c], shown.figure.key).parts.get(name, 0)
                    for c in (east.pk, west.pk)
                )


def test_each_figure_is_in_its_section_and_says_where_its_rows_are():
    figures()
    for key in KEYS:
        figure = FIGURES[key]
        section = "services" if key.startswith("services") else "care"
        assert figure.section == section
        assert figure.order // 10 == (3 if section == "services" else 4)
        assert figure.rows_url(today().year).startswith("/")


def test_the_rate_without_anyone_enrolled_is_undefined():
    empty = CommunityFactory()

    board = dashboard_for([empty.pk], today().year, fresh=True)

    rate = _shown(board.total, "care_accident_rate")
    assert (rate.value, rate.series) == (None, [])
    assert _shown(board.total, "services_by_provider").value is None


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
            for _ in range(3):
                person = _resident(community)
                recipient = _enrol(person, timezone.now())
                _deliver(person, ProviderType.ENTERPRISE, timezone.now())
                _check_in(recipient, CheckIn.Channel.VISIT, timezone.now())
                _incident(recipient, Incident.Kind.FALL, today())

    assert _queries([world["east"].pk, world["west"].pk, *(c.pk for c in more)], year) == one
