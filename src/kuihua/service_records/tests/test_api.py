"""The service-records API: the same rules as the pages, in the uniform JSON shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kuihua.service_records.models import PointsEntry, ServiceRecord
from kuihua.service_records.tests.factories import manual_record, verified_record

pytestmark = pytest.mark.django_db


def test_my_hours(client, volunteer, leader, organization, volunteer_resident):
    verified_record(actor=leader, organization=organization, resident=volunteer_resident, hours="3")
    manual_record(actor=leader, organization=organization, resident=volunteer_resident, hours="1")
    client.force_login(volunteer)

    body = client.get("/api/service-records/me").json()

    assert body["year"] == timezone.localdate().year
    assert body["year_hours"] == "3.00"
    assert body["lifetime_hours"] == "3.00"
    assert body["stars"] == 0
    assert body["next_star_hours"] == "97.00"
    assert body["points_balance"] == "3.00"
    assert body["volunteer_number"].startswith("KH-")
    assert sorted(r["status"] for r in body["records"]) == ["pending", "verified"]


def test_my_hours_without_a_resident_is_404(client, coordinator):
    client.force_login(coordinator)

    response = client.get("/api/service-records/me")

    assert response.status_code == 404
    assert response.json()["message"] == "您的账户未关联居民信息"


def test_a_leader_enters_and_verifies_a_record(client, leader, organization, volunteer_resident):
    client.force_login(leader)
    payload = {
        "organization_id": organization.pk,
        "resident_id": volunteer_resident.pk,
        "date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "hours": "2.5",
        "content": "为独居老人送餐",
        "evidence": "老人签字的送餐单",
        "reason": "当天系统维护无法签到",
    }

    created = client.post("/api/service-records/records", payload, content_type="application/json")
    record_id = created.json()["id"]
    verified = client.post(
        f"/api/service-records/records/{record_id}/verify",
        {"quality": "excellent"},
        content_type="application/json",
    )

    assert created.status_code == 201
    assert created.json()["status"] == "pending"
    assert created.json()["source"] == "manual"
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
    assert verified.json()["quality"] == "excellent"
    assert PointsEntry.objects.get().points == 2.5


def test_a_manual_record_without_a_reason_is_a_field_error(
    client, leader, organization, volunteer_resident
):
    client.force_login(leader)
    payload = {
        "organization_id": organization.pk,
        "resident_id": volunteer_resident.pk,
        "date": timezone.localdate().isoformat(),
        "hours": "2",
        "content": "送餐",
        "evidence": "签字单",
        "reason": "   ",
    }

    response = client.post("/api/service-records/records", payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "reason", "message": "请填写补录原因"}]


def test_malformed_hours_are_refused_in_chinese(client, leader, organization, volunteer_resident):
    client.force_login(leader)
    payload = {
        "organization_id": organization.pk,
        "resident_id": volunteer_resident.pk,
        "date": timezone.localdate().isoformat(),
        "content": "送餐",
        "evidence": "签字单",
        "reason": "补录",
    }
    url = "/api/service-records/records"

    for hours, message in (("1.255", "小数位数太多"), ("NaN", "格式不正确")):
        response = client.post(url, {**payload, "hours": hours}, content_type="application/json")
        assert response.status_code == 422, hours
        assert response.json()["errors"] == [{"field": "hours", "message": message}], hours


def test_a_volunteer_cannot_verify(client, volunteer, leader, organization, volunteer_resident):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(volunteer)

    response = client.post(
        f"/api/service-records/records/{record.pk}/verify", {}, content_type="application/json"
    )

    assert response.status_code == 404
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.PENDING


def test_another_leader_does_not_see_the_record(
    client, other_leader, leader, organization, volunteer_resident
):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(other_leader)

    assert client.get(f"/api/service-records/records/{record.pk}").status_code == 404


def test_reject_with_a_reason(client, leader, organization, volunteer_resident):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(leader)

    response = client.post(
        f"/api/service-records/records/{record.pk}/reject",
        {"reason": "重复登记"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["reject_reason"] == "重复登记"


def test_correction_round_trip_shows_the_trail(
    client, volunteer, leader, organization, volunteer_resident
):
    record = verified_record(
        actor=leader, organization=organization, resident=volunteer_resident, hours="2"
    )
    client.force_login(volunteer)
    asked = client.post(
        f"/api/service-records/records/{record.pk}/corrections",
        {"hours": "2.5", "reason": "多服务了半小时"},
        content_type="application/json",
    )
    client.force_login(leader)
    decided = client.post(
        f"/api/service-records/corrections/{asked.json()['id']}/decide",
        {"approve": True, "note": "核实无误"},
        content_type="application/json",
    )
    client.force_login(volunteer)
    detail = client.get(f"/api/service-records/records/{record.pk}").json()

    assert asked.status_code == 201
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    assert detail["hours"] == "2.50"
    assert detail["revisions"][0]["old"] == {"hours": "2.00"}
    assert detail["revisions"][0]["new"] == {"hours": "2.50"}
    assert detail["revisions"][0]["reason"] == "多服务了半小时"
    assert detail["corrections"][0]["status"] == "approved"


def test_issue_and_download_a_certificate(
    client, leader, volunteer, organization, volunteer_resident
):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(leader)
    issued = client.post(
        "/api/service-records/certificates",
        {
            "resident_id": volunteer_resident.pk,
            "organization_id": organization.pk,
            "period_start": record.date.isoformat(),
            "period_end": record.date.isoformat(),
        },
        content_type="application/json",
    )
    client.force_login(volunteer)
    pdf = client.get(f"/api/service-records/certificates/{issued.json()['id']}/pdf")

    assert issued.status_code == 201
    assert issued.json()["hours"] == "2.00"
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_member_cannot_issue(client, volunteer, organization, volunteer_resident):
    client.force_login(volunteer)

    response = client.post(
        "/api/service-records/certificates",
        {
            "resident_id": volunteer_resident.pk,
            "organization_id": organization.pk,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        content_type="application/json",
    )

    assert response.status_code == 403


def test_marking_present_again_makes_no_second_record(
    client, leader, organization, volunteer_resident
):
    from kuihua.activities.models import Signup
    from kuihua.service_records import services
    from kuihua.service_records.tests.factories import finished_attendance

    first = finished_attendance(organization=organization, resident=volunteer_resident)
    record = services.record_from_attendance(attendance=first)
    # Data from before today's sign-up rules: the first sign-up cancelled after it was
    # recorded, and the volunteer signed up again.
    Signup.objects.filter(pk=first.signup_id).update(status=Signup.Status.CANCELLED)
    again = Signup.objects.create(
        community=organization.community,
        activity_id=first.signup.activity_id,
        resident=volunteer_resident,
        status=Signup.Status.CONFIRMED,
    )
    client.force_login(leader)

    response = client.post(
        f"/api/activities/signups/{again.pk}/attendance",
        {"present": True},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert list(ServiceRecord.objects.values_list("pk", flat=True)) == [record.pk]
