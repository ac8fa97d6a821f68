"""The certificate of service: issued from verified records, a Chinese PDF, a public check."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kuihua.core.masking import mask_id_number
from kuihua.service_records import services
from kuihua.service_records.certificates import render_certificate_pdf
from kuihua.service_records.models import Certificate
from kuihua.service_records.services import ServiceRecordError
from kuihua.service_records.tests.factories import manual_record, verified_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(leader, organization, volunteer_resident) -> Certificate:
    today = timezone.localdate()
    for days, hours, project in [
        (3, "2", "社区环境清洁"),
        (2, "3.5", "社区环境清洁"),
        (1, "1", "助老送餐"),
    ]:
        verified_record(
            actor=leader,
            organization=organization,
            resident=volunteer_resident,
            hours=hours,
            service_item=project,
            date=today - dt.timedelta(days=days),
        )
    manual_record(actor=leader, organization=organization, resident=volunteer_resident, hours="9")
    return services.certificate_issue(
        actor=leader,
        resident=volunteer_resident,
        organization=organization,
        period_start=today - dt.timedelta(days=30),
        period_end=today,
        contact="0571-88886666",
    )


def test_a_certificate_sums_the_verified_records_of_the_period(certificate, volunteer_resident):
    assert certificate.hours == Decimal("6.50")  # the pending 9 h are left out
    assert certificate.record_count == 3
    assert "社区环境清洁 2次 5.50小时" in certificate.content_summary
    assert certificate.holder_masked_name == "王**"
    assert certificate.holder_masked_id == mask_id_number(volunteer_resident.id_number)
    assert certificate.number.startswith(f"CUIYUAN-1-ZM-{timezone.localdate():%Y}-")
    assert len(certificate.code) == 32
    assert certificate.volunteer_number.startswith("KH-CUIYUAN-1-")


def test_no_certificate_without_verified_service(leader, organization, volunteer_resident):
    with pytest.raises(ServiceRecordError) as caught:
        services.certificate_issue(
            actor=leader,
            resident=volunteer_resident,
            organization=organization,
            period_start=dt.date(2020, 1, 1),
            period_end=dt.date(2020, 12, 31),
        )

    assert caught.value.field == "period_start"


def test_only_the_organization_or_a_coordinator_issues(
    certificate, volunteer, other_leader, organization, volunteer_resident
):
    for actor in (volunteer, other_leader):
        with pytest.raises(ServiceRecordError):
            services.certificate_issue(
                actor=actor,
                resident=volunteer_resident,
                organization=organization,
                period_start=certificate.period_start,
                period_end=certificate.period_end,
            )


# --- the PDF ------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils)")
    return path


def test_the_pdf_carries_the_chinese_text_and_renders(certificate, volunteer_resident, tmp_path):
    pdf = render_certificate_pdf(
        certificate, verify_url=f"https://kuihua.example/verify/{certificate.code}/"
    )
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)

    assert pdf.startswith(b"%PDF")
    text = subprocess.run(  # noqa: S603 - poppler's tools on our own file, no shell
        [_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    for expected in [
        "志愿服务证明",
        volunteer_resident.name,
        "居民身份证",
        mask_id_number(volunteer_resident.id_number),
        certificate.volunteer_number,
        "6.50",
        "翠苑夕阳红志愿服务队",
        certificate.number,
        "经办人",
        "0571-88886666",
        certificate.code[:4],
    ]:
        assert expected in text, expected
    assert volunteer_resident.id_number not in text  # the whole ID number never

    subprocess.run(  # noqa: S603 - poppler's tools on our own file, no shell
        [
            _tool("pdftoppm"),
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(path),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 10_000


def test_the_volunteer_downloads_their_own_certificate(client, volunteer, certificate):
    client.force_login(volunteer)

    response = client.get(reverse("service_records:certificate_pdf", args=[certificate.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert certificate.number in response["Content-Disposition"]


def test_another_volunteer_cannot_download_it(client, certificate, other_leader):
    client.force_login(other_leader)

    response = client.get(reverse("service_records:certificate_pdf", args=[certificate.pk]))

    assert response.status_code == 404


# --- the public check -------------------------------------------------------------------------


def test_the_verification_page_confirms_a_real_certificate_without_signing_in(client, certificate):
    response = client.get(reverse("service_records:verify", args=[certificate.code]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "该证明真实有效" in html
    assert certificate.number in html
    assert "翠苑夕阳红志愿服务队" in html
    assert "6.50" in html
    assert "王**" in html
    assert "王小明" not in html
    assert certificate.holder_masked_id not in html  # not even the masked ID


def test_an_altered_code_is_refused(client, certificate):
    altered = ("0" if certificate.code[0] != "0" else "1") + certificate.code[1:]

    response = client.get(reverse("service_records:verify", args=[altered]))

    assert response.status_code == 404
    assert "未找到该证明" in response.content.decode()
    assert certificate.number not in response.content.decode()


def test_garbage_is_refused(client, certificate):
    response = client.get("/verify/not-a-code/")

    assert response.status_code == 404


def test_the_public_api_answers_with_public_facts_only(client, certificate):
    response = client.get(f"/api/public/certificates/verify?code={certificate.code}")

    assert response.status_code == 200
    assert response.json() == {
        "genuine": True,
        "number": certificate.number,
        "issued_on": timezone.localdate(certificate.issued_at).isoformat(),
        "organization": "翠苑夕阳红志愿服务队",
        "hours": "6.50",
        "holder": "王**",
    }
    forged = client.get("/api/public/certificates/verify?code=" + "f" * 32)
    assert forged.status_code == 404
    assert forged.json()["code"] == "not_found"
