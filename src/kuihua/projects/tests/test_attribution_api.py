"""Attribution through the API and the pages: each thing names its project where it is
edited, and a project of another community is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kuihua.activities.models import Activity
from kuihua.care import services as care_services
from kuihua.care.models import CareRecipient
from kuihua.core.tenancy import use_community
from kuihua.matching.models import Need
from kuihua.matching.tests.factories import organization_offer
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.projects.tests.outputs_world import make_project
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.service_records.models import ServiceRecord

pytestmark = pytest.mark.django_db


def later(days: int, hour: int = 9) -> str:
    moment = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour))
    return timezone.make_aware(moment).isoformat()


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


@pytest.fixture
def project(in_community):
    return make_project(in_community, "幸福来敲门")


@pytest.fixture
def theirs(other_community):
    with use_community(other_community):
        return make_project(other_community, "别人的项目")


def test_activities_series_and_drives(client, coordinator, project, theirs):
    org = OrganizationFactory(community=project.community)
    client.force_login(coordinator)

    created = post(
        client,
        "/api/activities",
        {
            "organization_id": org.pk,
            "title": "敬老院探访",
            "starts_at": later(3),
            "ends_at": later(3, 11),
            "address": "翠苑敬老院",
            "project_id": project.pk,
        },
    )
    assert created.status_code == 201 and created.json()["project_id"] == project.pk
    cleared = client.patch(
        f"/api/activities/{created.json()['id']}",
        {"project_id": None},
        content_type="application/json",
    )
    assert cleared.json()["project_id"] is None

    series = post(
        client,
        "/api/activities/series",
        {
            "organization_id": org.pk,
            "title": "每周合唱",
            "first_starts_at": later(2),
            "first_ends_at": later(2, 11),
            "rule": "weekly",
            "address": "活动室",
            "project_id": project.pk,
        },
    ).json()
    assert series["project_id"] == project.pk
    assert {o["project_id"] for o in series["occurrences"]} == {project.pk}
    moved = post(client, f"/api/activities/series/{series['id']}/project", {"project_id": None})
    assert moved.status_code == 200
    assert {o["project_id"] for o in moved.json()["occurrences"]} == {None}

    drive = post(
        client,
        "/api/activities/drives",
        {"organization_id": org.pk, "title": "楼道清洁月", "project_id": project.pk},
    ).json()
    shift = post(
        client,
        f"/api/activities/drives/{drive['id']}/shifts",
        {"starts_at": later(4), "ends_at": later(4, 11), "address": "3幢", "places": 5},
    ).json()
    assert shift["project_id"] == project.pk
    refused = post(
        client, f"/api/activities/drives/{drive['id']}/project", {"project_id": theirs.pk}
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "project_id"
    assert Activity.objects.get(pk=shift["id"]).project_id == project.pk


def test_needs_and_offers(client, coordinator, project, theirs, in_community):
    resident = ResidentFactory(household__building__compound__community=in_community)
    offer = organization_offer(in_community)
    client.force_login(coordinator)

    raised = post(
        client,
        "/api/matching/needs",
        {
            "category_id": offer.main_category_id,
            "resident_id": resident.pk,
            "days": 127,
            "slots": 7,
            "project_id": project.pk,
        },
    )
    assert raised.status_code == 201 and raised.json()["project_id"] == project.pk
    need_id = raised.json()["id"]
    refused = post(client, f"/api/matching/needs/{need_id}/project", {"project_id": theirs.pk})
    assert refused.status_code == 400
    assert Need.objects.get(pk=need_id).project_id == project.pk

    attributed = post(
        client, f"/api/matching/offers/{offer.pk}/project", {"project_id": project.pk}
    )
    assert attributed.status_code == 200 and attributed.json()["project_id"] == project.pk


def test_a_resident_raising_their_own_need_names_no_project(client, project, in_community):
    from kuihua.accounts.models import Role
    from kuihua.accounts.tests.factories import UserFactory

    resident = ResidentFactory(household__building__compound__community=in_community)
    user = UserFactory(role=Role.RESIDENT, community=in_community, resident=resident)
    client.force_login(user)
    category = organization_offer(in_community).main_category_id

    response = post(
        client,
        "/api/matching/needs",
        {"category_id": category, "days": 127, "slots": 7, "project_id": project.pk},
    )

    assert response.status_code == 403
    assert not Need.objects.exists()


def test_care_enrolment(client, coordinator, project, theirs, in_community):
    resident = ResidentFactory(household__building__compound__community=in_community)
    client.force_login(coordinator)

    enrolled = post(
        client, "/api/care/recipients", {"resident_id": resident.pk, "project_id": project.pk}
    )
    assert enrolled.status_code == 201 and enrolled.json()["project_id"] == project.pk
    recipient_id = enrolled.json()["id"]
    path = f"/api/care/recipients/{recipient_id}/project"
    refused = post(client, path, {"project_id": theirs.pk})
    assert refused.status_code == 400
    cleared = post(client, path, {"project_id": None})
    assert cleared.json()["project_id"] is None

    # The page: a coordinator puts the person back in the project.
    page = reverse("care:recipient_detail", args=[recipient_id])
    client.post(page, {"action": "project", "project": str(project.pk)})
    assert CareRecipient.objects.get(pk=recipient_id).project_id == project.pk


def test_a_regular_service_for_a_care_recipient_counts_in_their_project(
    coordinator, project, in_community
):
    resident = ResidentFactory(household__building__compound__community=in_community)
    recipient = care_services.recipient_enrol(actor=coordinator, resident=resident, project=project)
    offer = organization_offer(in_community)

    raised = care_services.regular_service_order(
        actor=coordinator, recipient=recipient, category=offer.main_category, recurrence="weekly"
    )

    assert raised.project_id == project.pk


def test_a_record_entered_by_hand_names_its_project(client, coordinator, project, in_community):
    org = OrganizationFactory(community=in_community)
    volunteer = ResidentFactory(household__building__compound__community=in_community)
    client.force_login(coordinator)

    created = post(
        client,
        "/api/service-records/records",
        {
            "organization_id": org.pk,
            "resident_id": volunteer.pk,
            "date": timezone.localdate().isoformat(),
            "hours": "2",
            "content": "送餐上门",
            "evidence": "签字单",
            "reason": "当天未扫码",
            "service_item": "助老送餐",
            "project_id": project.pk,
        },
    )

    assert created.status_code == 201, created.json()
    assert created.json()["service_item"] == "助老送餐"
    assert created.json()["project_name"] == "幸福来敲门"
    assert ServiceRecord.objects.get().project_id == project.pk
