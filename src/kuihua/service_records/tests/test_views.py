"""The pages: my hours, the organizer's one-tap queue, manual entry, certificates, overview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kuihua.service_records.models import Certificate, CorrectionRequest, ServiceRecord
from kuihua.service_records.tests.factories import manual_record, verified_record

pytestmark = pytest.mark.django_db


def test_my_hours_page(client, volunteer, leader, organization, volunteer_resident):
    verified_record(actor=leader, organization=organization, resident=volunteer_resident, hours="3")
    manual_record(
        actor=leader,
        organization=organization,
        resident=volunteer_resident,
        service_item="助老送餐",
    )
    client.force_login(volunteer)

    html = client.get(reverse("service_records:mine")).content.decode()

    assert "我的服务时长" in html
    assert "3.00" in html
    assert "待审核" in html and "已审核" in html
    assert "助老送餐" in html
    assert "再服务 97.00 小时升星" in html
    assert "KH-CUIYUAN-1-" in html


def test_my_hours_page_lists_records_in_constant_queries(
    client, volunteer, leader, organization, volunteer_resident
):
    verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(volunteer)
    url = reverse("service_records:mine")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for day in range(2, 12):
        verified_record(
            actor=leader,
            organization=organization,
            resident=volunteer_resident,
            date=timezone.localdate() - dt.timedelta(days=day),
        )

    with CaptureQueriesContext(connection) as after:
        client.get(url)

    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_nav_leads_to_my_hours(client, volunteer):
    client.force_login(volunteer)

    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("service_records:mine")}"' in html


def test_one_tap_verify_in_the_queue_with_htmx(client, leader, organization, volunteer_resident):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(leader)
    queue = client.get(reverse("service_records:queue")).content.decode()

    response = client.post(
        reverse("service_records:record_verify", args=[record.pk]), HTTP_HX_REQUEST="true"
    )

    assert f'id="record-{record.pk}"' in queue
    assert response.status_code == 200
    assert f'<tr id="record-{record.pk}">' in response.content.decode()
    assert "已审核" in response.content.decode()
    assert "已通过 王小明 的 2 小时服务记录" in response.content.decode()
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.VERIFIED
    # Said in the row, it is not said again on the next page.
    assert "已通过" not in client.get(reverse("service_records:queue")).content.decode()


def test_verify_from_the_record_page_says_whose_hours(
    client, leader, organization, volunteer_resident
):
    record = manual_record(
        actor=leader, organization=organization, resident=volunteer_resident, hours="2.5"
    )
    client.force_login(leader)

    response = client.post(
        reverse("service_records:record_verify", args=[record.pk]),
        {"next": "record"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("service_records:record", args=[record.pk])
    assert "已通过 王小明 的 2.5 小时服务记录" in response.content.decode()


def test_verifying_twice_with_htmx_says_why_not_in_the_row(
    client, leader, organization, volunteer_resident
):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(leader)

    response = client.post(
        reverse("service_records:record_verify", args=[record.pk]), HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert f'<tr id="record-{record.pk}">' in html
    assert '<li class="error">' in html


def test_reject_from_the_queue_without_htmx(client, leader, organization, volunteer_resident):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(leader)

    response = client.post(
        reverse("service_records:record_reject", args=[record.pk]), {"reason": "重复登记"}
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.REJECTED
    page = client.get(response["Location"]).content.decode()
    assert "已驳回 王小明 的 2 小时服务记录" in page


def test_reject_in_the_queue_with_htmx_says_it_in_the_row(
    client, leader, organization, volunteer_resident
):
    record = manual_record(
        actor=leader, organization=organization, resident=volunteer_resident, hours="1.25"
    )
    client.force_login(leader)

    response = client.post(
        reverse("service_records:record_reject", args=[record.pk]),
        {"reason": "重复登记"},
        HTTP_HX_REQUEST="true",
    )

    assert "已驳回 王小明 的 1.25 小时服务记录" in response.content.decode()


def test_a_volunteer_has_no_queue_and_cannot_verify(
    client, volunteer, leader, organization, volunteer_resident
):
    record = manual_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(volunteer)

    assert client.get(reverse("service_records:queue")).status_code == 404
    assert (
        client.post(reverse("service_records:record_verify", args=[record.pk])).status_code == 404
    )


def test_manual_entry_form(client, leader, organization, volunteer_resident):
    client.force_login(leader)
    url = reverse("service_records:record_new")
    assert "王小明" in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "organization": organization.pk,
            "resident": volunteer_resident.pk,
            "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "hours": "1.5",
            "content": "楼道清扫",
            "evidence": "照片三张",
            "reason": "忘记签到",
        },
    )

    record = ServiceRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("service_records:record", args=[record.pk])
    assert record.source == ServiceRecord.Source.MANUAL
    page = client.get(response["Location"]).content.decode()
    assert "已为 王小明 补录 1.5 小时服务记录，待审核" in page


def test_a_volunteer_cannot_enter_records(client, volunteer):
    client.force_login(volunteer)

    assert client.get(reverse("service_records:record_new")).status_code == 404


def test_correction_from_the_record_page_and_its_trail(
    client, volunteer, leader, organization, volunteer_resident
):
    record = verified_record(
        actor=leader, organization=organization, resident=volunteer_resident, hours="2"
    )
    client.force_login(volunteer)
    client.post(
        reverse("service_records:record_correction", args=[record.pk]),
        {"hours": "3", "reason": "活动延长了一小时"},
    )
    correction = CorrectionRequest.objects.get()
    client.force_login(leader)
    decided = client.post(
        reverse("service_records:correction_decide", args=[correction.pk]),
        {"approve": "1", "note": "属实"},
        follow=True,
    )
    assert "已同意 王小明 的更正申请，时长改为 3 小时" in decided.content.decode()
    client.force_login(volunteer)

    html = client.get(reverse("service_records:record", args=[record.pk])).content.decode()

    assert "修改痕迹" in html
    assert "<del>2.00</del> → <ins>3.00</ins>" in html
    assert "活动延长了一小时" in html
    assert "已同意" in html


def test_issue_a_certificate_on_the_page(client, leader, organization, volunteer_resident):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(leader)

    response = client.post(
        reverse("service_records:certificates"),
        {
            "resident": volunteer_resident.pk,
            "organization": organization.pk,
            "period_start": record.date.isoformat(),
            "period_end": record.date.isoformat(),
            "contact": "0571-1234567",
        },
        follow=True,
    )

    certificate = Certificate.objects.get()
    assert f"已为 {volunteer_resident.name} 出具证明 {certificate.number}" in (
        response.content.decode()
    )


def test_the_volunteer_sees_their_certificates_and_no_issue_form(
    client, volunteer, leader, organization, volunteer_resident
):
    record = verified_record(actor=leader, organization=organization, resident=volunteer_resident)
    client.force_login(leader)
    client.post(
        reverse("service_records:certificates"),
        {
            "resident": volunteer_resident.pk,
            "organization": organization.pk,
            "period_start": record.date.isoformat(),
            "period_end": record.date.isoformat(),
        },
    )
    client.force_login(volunteer)

    html = client.get(reverse("service_records:certificates")).content.decode()

    assert Certificate.objects.get().number in html
    assert "出具证明</button>" not in html
    assert client.post(reverse("service_records:certificates"), {}).status_code == 404


def test_coordinator_overview(client, coordinator, leader, organization, volunteer_resident):
    verified_record(actor=leader, organization=organization, resident=volunteer_resident, hours="4")
    client.force_login(coordinator)

    html = client.get(reverse("service_records:overview")).content.decode()

    assert "翠苑夕阳红志愿服务队" in html
    assert "4.00" in html
    assert "王小明" in html


def test_coordinator_sets_the_points_rate(client, coordinator):
    client.force_login(coordinator)

    client.post(reverse("service_records:points_rule"), {"points_per_hour": "5"})

    html = client.get(reverse("service_records:overview")).content.decode()
    assert "获得 5.00 爱心积分" in html


def test_a_volunteer_has_no_overview(client, volunteer):
    client.force_login(volunteer)

    assert client.get(reverse("service_records:overview")).status_code == 404


def test_refusing_a_correction_says_so(client, volunteer, leader, organization, volunteer_resident):
    record = verified_record(
        actor=leader, organization=organization, resident=volunteer_resident, hours="2"
    )
    client.force_login(volunteer)
    asked = client.post(
        reverse("service_records:record_correction", args=[record.pk]),
        {"hours": "3", "reason": "活动延长了一小时"},
        follow=True,
    )
    assert "已提交更正申请，等待组织方处理" in asked.content.decode()
    correction = CorrectionRequest.objects.get()
    client.force_login(leader)

    response = client.post(
        reverse("service_records:correction_decide", args=[correction.pk]),
        {"approve": "0", "note": "签到记录只有两小时"},
        follow=True,
    )

    assert "已不同意 王小明 的更正申请" in response.content.decode()
    record.refresh_from_db()
    assert record.hours == 2
