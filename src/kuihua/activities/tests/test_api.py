"""The activities API: organizers create and manage; volunteers scan; others get 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.attendance import qr_token
from kuihua.activities.models import Activity, Signup
from kuihua.activities.tests.factories import ActivityFactory, SignupFactory
from kuihua.core.tests.clock import days_from_today, iso_at, next_weekday
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(in_community):
    return OrganizationFactory(community=in_community)


@pytest.fixture
def leader(org):
    membership = MembershipFactory(organization=org, role=Membership.Role.LEADER)
    return UserFactory(role=Role.ORG_LEADER, community=org.community, resident=membership.resident)


def test_create_list_change_and_cancel_an_activity(client, leader, org):
    client.force_login(leader)
    created = client.post(
        "/api/activities",
        {
            "organization_id": org.pk,
            "title": "敬老院探访",
            "starts_at": iso_at(days_from_today(8), 9),
            "ends_at": iso_at(days_from_today(8), 11),
            "address": "翠苑敬老院",
            "places": 8,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["places_left"] == 8 and body["hours_credited"] in ("2.00", 2.0, "2")
    activity_id = body["id"]

    listed = client.get("/api/activities", {"include_past": True}).json()
    assert [a["id"] for a in listed["items"]] == [activity_id]

    changed = client.patch(
        f"/api/activities/{activity_id}", {"places": 10}, content_type="application/json"
    )
    assert changed.json()["places"] == 10

    cancelled = client.post(
        f"/api/activities/{activity_id}/cancel", {"reason": "下雨"}, content_type="application/json"
    )
    assert cancelled.json()["status"] == "cancelled"


def test_a_broken_rule_is_a_400_on_its_field(client, leader, org):
    client.force_login(leader)
    response = client.post(
        "/api/activities",
        {
            "organization_id": org.pk,
            "title": "敬老院探访",
            "starts_at": iso_at(days_from_today(8), 11),
            "ends_at": iso_at(days_from_today(8), 9),
            "address": "翠苑敬老院",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "ends_at"


def test_creating_for_an_organization_one_does_not_lead_is_403(client, leader, in_community):
    other = OrganizationFactory(community=in_community)
    client.force_login(leader)
    response = client.post(
        "/api/activities",
        {
            "organization_id": other.pk,
            "title": "x",
            "starts_at": iso_at(days_from_today(8), 9),
            "ends_at": iso_at(days_from_today(8), 11),
            "address": "y",
        },
        content_type="application/json",
    )
    assert response.status_code == 403


def test_series_and_drives(client, leader, org):
    saturday = next_weekday(5)
    client.force_login(leader)
    series = client.post(
        "/api/activities/series",
        {
            "organization_id": org.pk,
            "title": "周六读书会",
            "first_starts_at": iso_at(saturday, 9, 30),
            "first_ends_at": iso_at(saturday, 11),
            "rule": "FREQ=WEEKLY;BYDAY=SA",
            "until": (saturday + dt.timedelta(weeks=3)).isoformat(),
            "address": "图书室",
            "places": 12,
        },
        content_type="application/json",
    )
    assert series.status_code == 201, series.json()
    assert len(series.json()["occurrences"]) == 4
    assert client.get(f"/api/activities/series/{series.json()['id']}").status_code == 200

    drive = client.post(
        "/api/activities/drives",
        {"organization_id": org.pk, "title": "环境整治月"},
        content_type="application/json",
    ).json()
    shift = client.post(
        f"/api/activities/drives/{drive['id']}/shifts",
        {
            "starts_at": iso_at(days_from_today(3), 8),
            "ends_at": iso_at(days_from_today(3), 11),
            "places": 15,
            "address": "各小区",
        },
        content_type="application/json",
    )
    assert shift.status_code == 201
    assert shift.json()["drive_id"] == drive["id"]
    assert len(client.get(f"/api/activities/drives/{drive['id']}").json()["shifts"]) == 1


def test_scan_and_mark_attendance(client, leader, org):
    activity = ActivityFactory(
        community=org.community,
        organization=org,
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        ends_at=timezone.now() + dt.timedelta(hours=2),
    )
    signup = SignupFactory(activity=activity)
    volunteer = UserFactory(role=Role.VOLUNTEER, community=org.community, resident=signup.resident)

    client.force_login(leader)
    token = client.get(f"/api/activities/{activity.pk}/qr").json()["token"]

    client.force_login(volunteer)
    assert client.get(f"/api/activities/{activity.pk}/qr").status_code == 404
    stale = qr_token(activity, at=timezone.now() - dt.timedelta(minutes=5))
    refused = client.post(
        f"/api/activities/{activity.pk}/attendance/scan",
        {"token": stale},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["message"] == "二维码已过期，请重新扫描"
    scanned = client.post(
        f"/api/activities/{activity.pk}/attendance/scan",
        {"token": token},
        content_type="application/json",
    )
    assert scanned.status_code == 200
    assert scanned.json()["action"] == "in"

    other = SignupFactory(activity=activity)
    client.force_login(leader)
    marked = client.post(
        f"/api/activities/signups/{other.pk}/attendance",
        {"present": False},
        content_type="application/json",
    )
    assert marked.json()["no_show"] is True


def test_a_leader_of_another_organization_gets_404(client, org, in_community):
    activity = ActivityFactory(community=in_community, organization=org)
    signup = SignupFactory(activity=activity, status=Signup.Status.CONFIRMED)
    stranger_org = OrganizationFactory(community=in_community)
    membership = MembershipFactory(organization=stranger_org, role=Membership.Role.LEADER)
    stranger = UserFactory(
        role=Role.ORG_LEADER, community=in_community, resident=membership.resident
    )
    client.force_login(stranger)
    assert (
        client.patch(
            f"/api/activities/{activity.pk}", {"places": 3}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get(f"/api/activities/{activity.pk}/qr").status_code == 404
    assert (
        client.post(
            f"/api/activities/signups/{signup.pk}/attendance",
            {"present": True},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert Activity.objects.get().places == 10


def test_null_for_a_field_that_cannot_be_empty_changes_nothing_and_breaks_nothing(
    client, leader, org
):
    activity = ActivityFactory(community=org.community, organization=org, description="扫楼道")
    client.force_login(leader)

    response = client.patch(
        f"/api/activities/{activity.pk}",
        {"description": None, "required_training": None, "places": None},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    activity.refresh_from_db()
    assert activity.description == "扫楼道"
    assert activity.places is None  # null clears what may be empty: unlimited places


def test_a_weekday_out_of_range_is_a_clear_422_and_makes_no_series(client, leader, org):
    saturday = next_weekday(5)
    client.force_login(leader)

    response = client.post(
        "/api/activities/series",
        {
            "organization_id": org.pk,
            "title": "合唱",
            "first_starts_at": iso_at(saturday, 9, 30),
            "first_ends_at": iso_at(saturday, 11),
            "rule": "weekly",
            "weekdays": [7],
            "until": (saturday + dt.timedelta(weeks=3)).isoformat(),
            "address": "活动室",
        },
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert not Activity.objects.filter(title="合唱").exists()


def test_notices_go_out_in_the_communitys_language_whatever_the_actors(client, leader, org):
    from kuihua.notifications.models import Message

    activity = ActivityFactory(community=org.community, organization=org, title="义诊", places=1)
    holder = SignupFactory(activity=activity)
    waiting = SignupFactory(activity=activity, status=Signup.Status.WAITLISTED)
    Activity.objects.filter(pk=activity.pk).update(places_taken=1)
    for person in (holder.resident, waiting.resident):
        UserFactory(role=Role.VOLUNTEER, community=org.community, resident=person)
    client.force_login(leader)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}

    client.delete(f"/api/activities/signups/{holder.pk}", **english)
    client.post(
        f"/api/activities/{activity.pk}/cancel",
        {"reason": "场地维修"},
        content_type="application/json",
        **english,
    )

    titles = sorted(Message.objects.values_list("kind", "title"))
    assert titles == [
        ("activity_cancelled", "活动已取消：义诊"),
        ("waitlist_promoted", "候补转正：义诊"),
    ]
