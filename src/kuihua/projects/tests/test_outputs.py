"""A project's outputs against a hand count (docs/person-time.md).

One community, two projects and work that belongs to neither: activities with
checked-in attendances (and a no-show), a series occurrence and a drive shift
that inherit their project, needs delivered (a weekly one three times and once
before the period), care visits, calls and self check-ins, and verified,
pending and unattributed service records. Every output of each project is
counted by hand below, for its whole life and for the last 40 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities import services as activity_services
from kuihua.activities.drives import drive_attribute, drive_create, shift_create
from kuihua.activities.models import Activity, Attendance, Signup
from kuihua.activities.series import series_attribute, series_create
from kuihua.activities.tests.factories import ActivityFactory
from kuihua.care import services as care_services
from kuihua.core.tenancy import use_community
from kuihua.matching import services as matching_services
from kuihua.matching.models import Need, ServiceDelivery
from kuihua.matching.tests.factories import need, organization_offer
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.projects.models import Project
from kuihua.projects.outputs import (
    ProjectOutputs,
    care_accident_rate,
    outputs_for_projects,
    project_outputs,
)
from kuihua.projects.tests.outputs_world import make_project
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.service_records import services as record_services
from kuihua.service_records.models import ServiceRecord
from kuihua.service_records.tests.factories import finished_attendance, verified_record

pytestmark = pytest.mark.django_db

PERIOD_DAYS = 40


def day(days_ago: int, hour: int = 9) -> dt.datetime:
    """`days_ago` days before today at `hour`, local time."""
    return timezone.make_aware(
        dt.datetime.combine(timezone.localdate() - dt.timedelta(days=days_ago), dt.time(hour))
    )


def date(days_ago: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


def attended(activity, resident) -> Attendance:
    return finished_attendance(
        activity=activity, resident=resident, checked_in_at=activity.starts_at
    )


def no_show(activity, resident) -> Attendance:
    signup = Signup.objects.create(activity=activity, resident=resident, status="confirmed")
    return Attendance.objects.create(signup=signup, no_show=True)


def activity(organization, days_ago: int, project=None) -> Activity:
    starts = day(days_ago)
    return ActivityFactory(
        community=organization.community,
        organization=organization,
        project=project,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        hours_credited=Decimal("2"),
    )


def backdate(raised: Need, days_ago: int) -> Need:
    Need.objects.filter(pk=raised.pk).update(created_at=day(days_ago, 8))
    raised.refresh_from_db()
    return raised


@pytest.fixture
def world(in_community, coordinator):
    community = in_community
    org = OrganizationFactory(community=community)
    p1 = make_project(community, "幸福来敲门")
    p2 = make_project(community, "青苗成长", status=Project.Status.PLANNING)

    def person(name):
        return ResidentFactory(household__building__compound__community=community, name=name)

    a1, a2, a3 = person("甲一"), person("甲二"), person("甲三")
    n1, n2 = person("乙一"), person("乙二")
    c1, c2, c3 = person("丙一"), person("丙二"), person("丙三")
    u1, u2, u3 = person("丁一"), person("丁二"), person("丁三")
    v1, v2 = person("志愿者一"), person("志愿者二")

    # --- activities --------------------------------------------------------------------
    recent = activity(org, 10, p1)  # P1: a1, a2 came; a3 did not come
    attended(recent, a1)
    a2_attendance = attended(recent, a2)
    no_show(recent, a3)
    old = activity(org, 60, p1)  # P1, before the period: a3 came
    attended(old, a3)
    series = series_create(
        actor=coordinator,
        organization=org,
        title="每周合唱",
        first_starts_at=day(14),
        first_ends_at=day(14) + dt.timedelta(hours=2),
        rule="weekly",
        until=date(14),
        address="社区活动室",
        project=p1,
    )
    occurrence = series.occurrences.get()  # inherits P1: a1 came
    attended(occurrence, a1)
    drive = drive_create(actor=coordinator, organization=org, title="楼道清洁月", project=p2)
    shift = shift_create(
        actor=coordinator,
        drive=drive,
        starts_at=day(8),
        ends_at=day(8) + dt.timedelta(hours=2),
        places=10,
        address="3幢",
    )  # inherits P2: u2 came
    attended(shift, u2)
    attended(activity(org, 5), u1)  # no project

    # --- needs -------------------------------------------------------------------------
    plain_offer = organization_offer(community, capacity=10)
    p1_offer = organization_offer(community, capacity=10)
    matching_services.offer_attribute(actor=coordinator, offer=p1_offer, project=p1)

    weekly = backdate(need(n1, actor=coordinator, recurrence="weekly", project=p1), 70)
    matching_services.need_assign(actor=coordinator, need=weekly, offer=plain_offer)
    for days_ago in (50, 20, 13, 6):  # the first before the period
        matching_services.need_delivery_record(
            actor=coordinator, need=weekly, delivered_at=day(days_ago)
        )
    once = need(a1, actor=coordinator, project=p1)  # done today
    matching_services.need_assign(actor=coordinator, need=once, offer=plain_offer)
    matching_services.need_done(actor=coordinator, need=once)
    by_p1_offer = need(n2, actor=coordinator)  # no project of its own: the offer's, P1
    matching_services.need_assign(actor=coordinator, need=by_p1_offer, offer=p1_offer)
    matching_services.need_done(actor=coordinator, need=by_p1_offer)
    p2_need = need(u1, actor=coordinator, project=p2)  # its own project wins over the offer's
    matching_services.need_assign(actor=coordinator, need=p2_need, offer=p1_offer)
    matching_services.need_done(actor=coordinator, need=p2_need)
    plain = need(u3, actor=coordinator)  # no project anywhere
    matching_services.need_assign(actor=coordinator, need=plain, offer=plain_offer)
    matching_services.need_done(actor=coordinator, need=plain)

    # --- care --------------------------------------------------------------------------
    def enrol(resident, project):
        return care_services.recipient_enrol(actor=coordinator, resident=resident, project=project)

    cr1, cr2, cr3 = enrol(c1, p1), enrol(c2, p1), enrol(c3, p2)
    care_services.check_in(actor=coordinator, recipient=cr1, channel="visit", at=day(45))
    care_services.check_in(actor=coordinator, recipient=cr1, channel="visit", at=day(5))
    care_services.check_in(actor=coordinator, recipient=cr1, channel="call", at=day(3))
    care_services.check_in(actor=None, recipient=cr1, channel="self", at=day(2))
    care_services.check_in(actor=None, recipient=cr2, channel="self", at=day(2))
    care_services.check_in(actor=coordinator, recipient=cr3, channel="call", at=day(1))
    care_services.incident_record(
        actor=coordinator, recipient=cr2, kind="fall", occurred_on=date(3)
    )
    care_services.incident_record(
        actor=coordinator, recipient=cr1, kind="hospital", occurred_on=date(3)
    )

    # --- hours -------------------------------------------------------------------------
    def hours(volunteer, amount, days_ago, project):
        return verified_record(
            actor=coordinator,
            organization=org,
            resident=volunteer,
            hours=amount,
            date=date(days_ago),
            project=project,
        )

    hours(v1, "3", 5, p1)
    hours(v2, "1.5", 50, p1)  # before the period
    hours(v2, "2", 4, p2)
    hours(v1, "4", 4, None)  # no project
    record_services.record_create_manual(  # pending: not counted
        actor=coordinator,
        organization=org,
        resident=v1,
        date=date(2),
        hours="2",
        content="送餐",
        evidence="签字单",
        reason="补录",
        project=p1,
    )
    from_attendance = record_services.record_from_attendance(attendance=a2_attendance)
    record_services.record_verify(actor=coordinator, record=from_attendance)
    return {
        "p1": p1,
        "p2": p2,
        "org": org,
        "series": series,
        "occurrence": occurrence,
        "drive": drive,
        "shift": shift,
        "weekly": weekly,
        "from_attendance": from_attendance,
        "plain_offer": plain_offer,
    }


P1_ALL = ProjectOutputs(
    attendances=4,  # recent: a1, a2 (a3 no-show); old: a3; series occurrence: a1
    services_delivered=6,  # weekly 4 times, once, the P1 offer's need
    care_contacts=3,  # c1: two visits and a call (self check-ins are not contacts)
    person_times=13,
    volunteer_hours=Decimal("6.50"),  # v1 3 + v2 1.5 + a2's attendance 2 (pending 2 not)
    volunteers=3,  # v1, v2, a2
    people_served=6,  # a1, a2, a3, n1, n2, c1 (c2 was never contacted)
)
P1_PERIOD = ProjectOutputs(
    attendances=3,  # old activity 60 days ago left out
    services_delivered=5,  # the weekly need's delivery 50 days ago left out
    care_contacts=2,  # the visit 45 days ago left out
    person_times=10,
    volunteer_hours=Decimal("5.00"),  # v2's 1.5 hours 50 days ago left out
    volunteers=2,  # v1, a2
    people_served=5,  # a3 came only before the period
)
P2_ALL = ProjectOutputs(
    attendances=1,  # the drive's shift: u2
    services_delivered=1,  # its own need, served by the P1 offer
    care_contacts=1,  # c3's call
    person_times=3,
    volunteer_hours=Decimal("2.00"),
    volunteers=1,
    people_served=3,  # u2, u1, c3
)


def test_every_output_against_a_hand_count(world):
    p1, p2 = world["p1"], world["p2"]

    assert project_outputs(p1) == P1_ALL
    assert project_outputs(p2) == P2_ALL
    assert outputs_for_projects([p1, p2]) == {p1.pk: P1_ALL, p2.pk: P2_ALL}


def test_a_period_counts_what_happened_in_it(world):
    start, end = date(PERIOD_DAYS), timezone.localdate()

    assert project_outputs(world["p1"], start=start, end=end) == P1_PERIOD
    assert project_outputs(world["p2"], start=start, end=end) == P2_ALL
    # Before anything happened: nothing.
    assert project_outputs(world["p1"], end=date(100)) == ProjectOutputs.empty()


def test_attribution_is_inherited(world):
    p1, p2 = world["p1"], world["p2"]

    assert world["occurrence"].project_id == p1.pk
    assert world["shift"].project_id == p2.pk
    assert world["from_attendance"].project_id == p1.pk
    assert world["from_attendance"].service_item == world["from_attendance"].activity.title
    assert world["weekly"].deliveries.count() == 4
    assert ServiceDelivery.objects.filter(need=world["weekly"]).count() == 4


def test_moving_a_series_moves_its_occurrences_and_their_hours(world, coordinator):
    p1, p2 = world["p1"], world["p2"]
    series = world["series"]
    alone = activity_services.activity_create(
        actor=coordinator,
        organization=world["org"],
        title="加演",
        starts_at=day(12),
        ends_at=day(12) + dt.timedelta(hours=1),
        address="社区活动室",
        series=series,
    )
    activity_services.activity_update(actor=coordinator, activity=alone, project=None)

    series_attribute(actor=coordinator, series=series, project=p2)

    world["occurrence"].refresh_from_db()
    alone.refresh_from_db()
    assert world["occurrence"].project_id == p2.pk
    assert alone.project_id is None  # put in no project on its own: left alone
    assert project_outputs(p1).attendances == P1_ALL.attendances - 1
    assert project_outputs(p2).attendances == P2_ALL.attendances + 1

    drive_attribute(actor=coordinator, drive=world["drive"], project=None)
    assert project_outputs(p2).attendances == 1  # only the series' occurrence now


def test_moving_an_activity_moves_the_hours_recorded_from_it(world, coordinator):
    recent = world["from_attendance"].activity

    activity_services.activity_update(actor=coordinator, activity=recent, project=world["p2"])

    assert ServiceRecord.objects.get(pk=world["from_attendance"].pk).project_id == world["p2"].pk
    assert project_outputs(world["p1"]).volunteer_hours == Decimal("4.50")
    assert project_outputs(world["p2"]).volunteer_hours == Decimal("4.00")


def test_the_number_of_queries_does_not_grow_with_the_projects(
    world, in_community, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as one:
        outputs_for_projects([world["p1"]])
    more = [make_project(in_community, f"项目{k}") for k in range(3)]

    with django_assert_num_queries(len(one.captured_queries)):
        found = outputs_for_projects([world["p1"], world["p2"], *more])

    assert len(one.captured_queries) == 5
    assert found[more[0].pk] == ProjectOutputs.empty()


def test_the_care_accident_rate_among_the_enrolled(world, in_community):
    start, end = date(PERIOD_DAYS), timezone.localdate()

    # P1 enrols c1 and c2; c2 fell (c1's hospital stay is not an accident).
    assert care_accident_rate(world["p1"], start=start, end=end) == Decimal("0.5000")
    assert care_accident_rate(world["p2"], start=start, end=end) == Decimal("0.0000")
    # After the fall: nobody hurt; before anyone was enrolled (today): no rate.
    assert care_accident_rate(world["p1"], start=date(2), end=end) == Decimal("0.0000")
    assert care_accident_rate(world["p1"], start=start, end=date(10)) is None
    nobody = make_project(in_community, "无人参加")
    assert care_accident_rate(nobody, start=start, end=end) is None


# --- the rules of attribution --------------------------------------------------------------


def test_a_project_of_another_community_is_refused(
    in_community, other_community, coordinator, client
):
    with use_community(other_community):
        theirs = make_project(other_community, "别人的项目")
    org = OrganizationFactory(community=in_community)
    resident = ResidentFactory(household__building__compound__community=in_community)

    with pytest.raises(matching_services.MatchingError, match="只能选择本社区的项目"):
        need(resident, actor=coordinator, project=theirs.pk)
    with pytest.raises(care_services.CareError, match="只能选择本社区的项目"):
        care_services.recipient_enrol(actor=coordinator, resident=resident, project=theirs)

    client.force_login(coordinator)
    response = client.post(
        "/api/activities",
        {
            "organization_id": org.pk,
            "title": "敬老院探访",
            "starts_at": day(-3).isoformat(),
            "ends_at": (day(-3) + dt.timedelta(hours=2)).isoformat(),
            "address": "翠苑敬老院",
            "project_id": theirs.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "project_id"
    assert "只能选择本社区的项目" in response.json()["message"]
    assert not Activity.objects.filter(title="敬老院探访").exists()


def test_the_chooser_offers_only_open_projects_of_the_community(
    in_community, other_community, coordinator, client
):
    running = make_project(in_community, "实施中的项目")
    planning = make_project(in_community, "筹备中的项目", status=Project.Status.PLANNING)
    make_project(in_community, "已结项的项目", status=Project.Status.FINISHED)
    with use_community(other_community):
        make_project(other_community, "别人的项目")
    OrganizationFactory(community=in_community)
    client.force_login(coordinator)

    html = client.get(reverse("activities:create")).content.decode()

    assert running.name in html and planning.name in html
    assert "已结项的项目" not in html and "别人的项目" not in html


def test_a_finished_project_takes_no_new_work_but_keeps_what_it_has(in_community, coordinator):
    org = OrganizationFactory(community=in_community)
    project = make_project(in_community, "老项目")
    kept = activity_services.activity_create(
        actor=coordinator,
        organization=org,
        title="探访",
        starts_at=day(-2),
        ends_at=day(-2) + dt.timedelta(hours=1),
        address="翠苑",
        project=project,
    )
    Project.objects.filter(pk=project.pk).update(status=Project.Status.FINISHED)

    with pytest.raises(activity_services.ActivityError, match="已结项或已终止"):
        activity_services.activity_create(
            actor=coordinator,
            organization=org,
            title="新的探访",
            starts_at=day(-3),
            ends_at=day(-3) + dt.timedelta(hours=1),
            address="翠苑",
            project=project.pk,
        )
    changed = activity_services.activity_update(
        actor=coordinator, activity=kept, title="探访（改）", project=project.pk
    )
    assert changed.project_id == project.pk


# --- recurring needs ------------------------------------------------------------------------


def test_the_provider_records_each_delivery_from_the_need_page(in_community, coordinator, client):
    offer = organization_offer(in_community, capacity=3)
    resident = ResidentFactory(household__building__compound__community=in_community)
    weekly = need(resident, actor=coordinator, recurrence="weekly")
    matching_services.need_assign(actor=coordinator, need=weekly, offer=offer)
    client.force_login(offer.contact_user)
    page = reverse("matching:need_detail", args=[weekly.pk])
    assert "登记本次服务" in client.get(page).content.decode()

    for _ in range(2):
        response = client.post(reverse("matching:need_deliver", args=[weekly.pk]))
        assert response.status_code == 302
    api = client.post(
        f"/api/matching/needs/{weekly.pk}/deliveries", {}, content_type="application/json"
    )

    assert api.status_code == 201 and api.json()["deliveries"] == 3
    weekly.refresh_from_db()
    assert weekly.status == Need.Status.IN_SERVICE
    assert weekly.deliveries.count() == 3
    html = client.get(page).content.decode()
    assert "3 次" in html
    matching_services.need_done(actor=offer.contact_user, need=weekly)
    assert weekly.deliveries.count() == 4  # the last delivery, with the need done


def test_a_need_served_once_is_recorded_when_done_only(in_community, coordinator):
    offer = organization_offer(in_community)
    resident = ResidentFactory(household__building__compound__community=in_community)
    once = need(resident, actor=coordinator)
    matching_services.need_assign(actor=coordinator, need=once, offer=offer)

    with pytest.raises(matching_services.MatchingError, match="一次性"):
        matching_services.need_delivery_record(actor=coordinator, need=once)
    stranger = UserFactory(role=Role.VOLUNTEER, community=in_community)
    assert stranger.has_perm("matching.serve_need", once) is False
