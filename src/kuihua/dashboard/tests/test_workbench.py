"""The workbench (工作台) on the home page: each role sees what waits for it, counted, each
item linking to the page where it is acted on, and nothing of another community."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.tests.factories import ActivityFactory, SignupFactory
from kuihua.care import services as care_services
from kuihua.core.tenancy import use_community
from kuihua.core.tests.clock import at, days_from_today, today
from kuihua.council import services as council_services
from kuihua.council.models import Decision, Topic
from kuihua.dashboard.workbench import first_few, workbench_for
from kuihua.matching import services as matching_services
from kuihua.matching.tests.factories import need, organization_offer
from kuihua.organizations.models import Membership, Organization, Stage
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.service_records import services as record_services
from kuihua.service_records.tests.factories import manual_record, verified_record
from kuihua.stewards import services as steward_services
from kuihua.stewards.tests.factories import steward_world
from kuihua.training.services import training_record
from kuihua.venues.tests.factories import BookingFactory, RoomFactory

pytestmark = pytest.mark.django_db


def items(sections) -> dict:
    """Every item of the workbench by its key."""
    return {item.key: item for section in sections for item in section.items}


def late_evening() -> dt.datetime:
    """23:00 today: every default check-in window of the day has closed."""
    return at(today(), 23)


def person(community):
    return ResidentFactory(household__building__compound__community=community)


def tomorrows(community, **fields):
    """An activity tomorrow morning (after tonight's 23:00, whatever the clock says now)."""
    return ActivityFactory(
        community=community,
        starts_at=at(days_from_today(1), 9),
        ends_at=at(days_from_today(1), 11),
        **fields,
    )


def seed(community, coordinator, *, n: int = 1) -> dict:
    """`n` of each thing a coordinator acts on, in `community` (in force)."""
    organization = OrganizationFactory(community=community)
    made = {"organization": organization, "alerts": [], "recipients": []}
    for _ in range(n):
        # An alert raised by a visitor's "no answer"; the person's windows are watched from
        # tomorrow on, so that none of today's counts as overdue.
        recipient = care_services.recipient_enrol(
            actor=coordinator, resident=person(community), now=late_evening()
        )
        alert = care_services.check_in(
            actor=coordinator, recipient=recipient, channel="visit", result="no_answer"
        ).alert
        made["alerts"].append(alert)
        # Enrolled at midnight with one morning window and no check-in since: overdue at 23:00.
        late = care_services.recipient_enrol(
            actor=coordinator,
            resident=person(community),
            windows=[["08:00", "10:00"]],
            now=at(today(), 0),
        )
        made["recipients"].append(late)
        need(person(community), actor=coordinator, urgency=4)
        manual_record(actor=coordinator, organization=organization, resident=person(community))
        record = verified_record(
            actor=coordinator, organization=organization, resident=person(community)
        )
        record_services.correction_request(
            actor=coordinator, record=record, hours=Decimal("1.5"), reason="实际服务一个半小时"
        )
        Topic.objects.create(title="楼道堆物清理", raised_by=coordinator)
        Decision.objects.create(
            title="清理楼道堆物",
            owner_name="物业",
            deadline=days_from_today(-3),
            created_by=coordinator,
        )
        OrganizationFactory(
            community=community, stage=Stage.INCUBATING, incubated_on=days_from_today(-200)
        )
        ActivityFactory(
            community=community,
            organization=organization,
            starts_at=at(today(), 1),
            ends_at=at(today(), 23, 50),
        )
        BookingFactory(
            room=RoomFactory(community=community),
            organization=organization,
            starts_at=at(today(), 14),
            ends_at=at(today(), 16),
        )
    return made


@pytest.fixture
def two_communities(community, other_community, coordinator):
    other_coordinator = UserFactory(role=Role.COORDINATOR, community=other_community)
    # The other community has more of everything: none of it may show.
    with use_community(other_community):
        seed(other_community, other_coordinator, n=2)
    with use_community(community):
        return seed(community, coordinator)


def test_first_few_gives_the_total_and_the_first_rows_in_one_query(in_community):
    for k in range(7):
        OrganizationFactory(community=in_community, name=f"组织{k}")

    with CaptureQueriesContext(connection) as queries:
        count, rows = first_few(Organization.objects.order_by("name"), limit=5)

    assert count == 7 and len(rows) == 5
    assert len(queries) == 1
    assert first_few(Organization.objects.none()) == (0, [])


def test_a_coordinator_sees_what_waits_in_their_community_only(coordinator, two_communities):
    with use_community(coordinator.community):
        sections = workbench_for(coordinator, now=late_evening())
    found = items(sections)

    assert [s.key for s in sections] == ["todo", "today"]
    assert {key: item.count for key, item in found.items()} == {
        "care_alerts": 1,
        "care_overdue": 1,
        "decisions_overdue": 1,
        "needs": 1,
        "records": 1,
        "corrections": 1,
        "topics": 1,
        "filing": 1,
        "activities_today": 1,
        "bookings_today": 1,
    }
    # The most urgent first: alerts, then check-ins overdue, then overdue decisions.
    assert [i.key for i in sections[0].items][:3] == [
        "care_alerts",
        "care_overdue",
        "decisions_overdue",
    ]


def test_each_item_links_to_the_page_where_it_is_acted_on(client, coordinator, two_communities):
    alert = two_communities["alerts"][0]
    late = two_communities["recipients"][0]
    with use_community(coordinator.community):
        found = items(workbench_for(coordinator, now=late_evening()))

    assert found["care_alerts"].rows[0].url == reverse("care:alert_detail", args=[alert.pk])
    assert found["care_overdue"].rows[0].url == reverse("care:recipient_detail", args=[late.pk])
    client.force_login(coordinator)
    for item in found.values():
        for row in item.rows:
            assert client.get(row.url).status_code == 200, (item.key, row.url)
        assert client.get(item.url).status_code == 200, (item.key, item.url)


def test_the_home_page_lists_the_items_above_the_areas(client, coordinator, two_communities):
    alert = two_communities["alerts"][0]
    client.force_login(coordinator)

    html = client.get(reverse("home")).content.decode()

    assert "未处理的关爱报警" in html
    assert f'href="{reverse("care:alert_detail", args=[alert.pk])}"' in html
    assert alert.recipient.resident.name in html
    assert html.index("未处理的关爱报警") < html.index('class="cards"')
    assert reverse("registry:resident_list") in html  # the grid of areas stays
    assert "dashboard/workbench.css" in html


def test_past_five_of_a_kind_the_rest_is_behind_a_link(coordinator, in_community):
    for k in range(7):
        Topic.objects.create(title=f"议题{k}", raised_by=coordinator)

    item = items(workbench_for(coordinator, now=late_evening()))["topics"]

    assert item.count == 7 and len(item.rows) == 5 and item.more
    assert item.url == reverse("council:topic_list") + "?status=open"


def test_the_workbench_runs_the_same_queries_however_many_rows(coordinator, in_community):
    seed(in_community, coordinator, n=1)
    with CaptureQueriesContext(connection) as few:
        small = items(workbench_for(coordinator, now=late_evening()))
    seed(in_community, coordinator, n=6)
    with CaptureQueriesContext(connection) as many:
        large = items(workbench_for(coordinator, now=late_evening()))

    assert large["care_alerts"].count == 7 > small["care_alerts"].count
    assert len(many) == len(few)


def test_an_organization_leader_sees_their_organizations_items(
    coordinator, community, other_community
):
    with use_community(community):
        ours = OrganizationFactory(community=community)
        theirs = OrganizationFactory(community=community)
        membership = MembershipFactory(organization=ours, role=Membership.Role.LEADER)
        leader = UserFactory(
            role=Role.ORG_LEADER, community=community, resident=membership.resident
        )
        for organization in (ours, theirs):
            manual_record(actor=coordinator, organization=organization, resident=person(community))
            activity = ActivityFactory(
                community=community,
                organization=organization,
                starts_at=at(today(), 1),
                ends_at=at(today(), 23, 50),
            )
            SignupFactory(activity=activity)
            SignupFactory(activity=activity)
        offer = organization_offer(community, organization=ours, contact_user=coordinator)
        raised = need(person(community), actor=coordinator)
        matching_services.need_assign(actor=coordinator, need=raised, offer=offer)

        found = items(workbench_for(leader, now=late_evening()))

    assert found["records"].count == 1
    assert found["activities_today"].count == 1
    assert "报名 2 人" in found["activities_today"].rows[0].note
    assert found["activities_today"].rows[0].url.endswith("/manage/")
    assert found["orders"].count == 1
    assert found["orders"].rows[0].url == reverse("matching:need_detail", args=[raised.pk])
    for kind in ("needs", "topics", "filing", "care_alerts", "bookings_today"):
        assert kind not in found


def test_a_volunteer_sees_their_next_activity_their_hours_and_the_visits_due(
    coordinator, community
):
    with use_community(community):
        organization = OrganizationFactory(community=community)
        membership = MembershipFactory(organization=organization)
        volunteer = UserFactory(
            role=Role.VOLUNTEER, community=community, resident=membership.resident
        )
        # This year's hours put inside it from its first day (New Year's night included).
        verified_record(
            actor=coordinator,
            organization=organization,
            resident=membership.resident,
            hours="3",
            date=today().replace(month=1, day=1),
        )
        verified_record(
            actor=coordinator,
            organization=organization,
            resident=membership.resident,
            hours="2",
            date=today().replace(year=today().year - 1, month=6, day=1),
        )
        SignupFactory(activity=tomorrows(community), resident=membership.resident)
        training_record(
            actor=coordinator, user=volunteer, course="探访培训", completed_on=days_from_today(-10)
        )
        care_services.recipient_enrol(
            actor=coordinator,
            resident=person(community),
            windows=[["08:00", "10:00"], ["16:00", "18:00"]],
            now=at(today(), 0),
            primary_visitor=volunteer,
        )
        care_services.recipient_enrol(  # someone else's to visit
            actor=coordinator, resident=person(community), now=at(today(), 0)
        )

        sections = workbench_for(volunteer, now=late_evening())
    found = items(sections)
    mine = next(s for s in sections if s.key == "mine")

    assert [f.value for f in mine.figures] == ["3 小时", "5 小时"]
    assert found["signups"].count == 1
    assert found["care_visits"].count == 1
    assert found["care_visits"].rows[0].url == reverse("care:my_visits")
    assert "records" not in found and "care_alerts" not in found


def test_a_steward_sees_the_arrears_of_their_compounds(coordinator, community):
    with use_community(community):
        kept = steward_world(community, coordinator, homes=3)
        other = steward_world(community, coordinator, homes=2, name="光明新村")
        last_year = dt.date(today().year - 1, 1, 1)
        for world in (kept, other):
            steward_services.billing_run(
                compound=world.compound, period_start=last_year, actor=coordinator
            )

        stewards_items = items(workbench_for(kept.steward, now=late_evening()))
        coordinators = items(workbench_for(coordinator, now=late_evening()))

    assert stewards_items["arrears"].count == 3
    assert [r.label for r in stewards_items["arrears"].rows] == ["红旗新村"]
    assert stewards_items["arrears"].rows[0].url == (
        reverse("stewards:homes", args=[kept.compound.pk]) + "?owing=1"
    )
    assert coordinators["arrears"].count == 5


def test_a_resident_sees_their_sign_ups_needs_and_votes(coordinator, community):
    with use_community(community):
        resident = person(community)
        user = UserFactory(role=Role.RESIDENT, community=community, resident=resident)
        SignupFactory(activity=tomorrows(community, audience="residents"), resident=resident)
        need(resident, actor=user)
        need(person(community), actor=coordinator)  # someone else's
        vote = council_services.vote_open(
            actor=coordinator,
            title="加装电梯",
            voters="resident",
            majority="simple",
            closes_at=at(today(), 23, 30) + dt.timedelta(days=7),
        )

        sections = workbench_for(user, now=late_evening())
    found = items(sections)

    assert found["signups"].count == 1
    assert found["my_needs"].count == 1
    assert found["votes"].rows[0].url == reverse("council:vote_detail", args=[vote.pk])
    assert not next(s for s in sections if s.key == "todo").items


def test_a_district_viewer_gets_the_district_dashboard_and_nothing_that_writes(
    client, community, other_community
):
    viewer = UserFactory(role=Role.DISTRICT_VIEWER, community=None)
    viewer.viewable_communities.add(community, other_community)

    sections = workbench_for(viewer)
    client.force_login(viewer)
    html = client.get(reverse("home")).content.decode()

    assert [s.key for s in sections] == ["district"]
    assert not items(sections)
    assert sections[0].links[0].url.startswith("/dashboard/district")
    assert "查看街道/区数据看板" in html


def test_an_account_without_a_community_has_nothing_on_its_workbench(db):
    user = UserFactory(role=Role.RESIDENT, community=None)

    assert workbench_for(user) == []
