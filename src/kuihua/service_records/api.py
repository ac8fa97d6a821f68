"""Service records, corrections and certificates over JSON; the public certificate check.

Mounted at the API root: `/service-records/...` for signed-in users, and
`/public/certificates/verify?code=` for anyone (no sign-in, public facts only).
A record or certificate the user may not see is a 404; an action on a visible
record the user may not take (verifying one's own hours) is a 404 too, so the
answer never tells more than the user may know.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kuihua.core.api_support import ServiceError, body_ref, error_responses, require
from kuihua.organizations.selectors import access_organization
from kuihua.registry.selectors import access_resident
from kuihua.service_records import selectors, services
from kuihua.service_records.certificates import render_certificate_pdf
from kuihua.service_records.schemas import (
    CertificateIn,
    CertificateOut,
    CorrectionDecisionIn,
    CorrectionIn,
    CorrectionOut,
    MyHoursOut,
    PublicCertificateOut,
    RecordDetailOut,
    RecordIn,
    RejectIn,
    VerifyIn,
)

router = Router()
records = Router(tags=["service records"])
public = Router(tags=["public"])

PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The certificate as PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _detail(user, record_id: int):
    return selectors.record_detail(selectors.access_record(user, record_id))


class YearQuery(Schema):
    year: int | None = Field(None, ge=1900, le=9999, description="default: this year")


@records.get(
    "/me",
    response={200: MyHoursOut, **error_responses(404, 422)},
    summary="My hours: yearly and lifetime totals, stars, points and the year's records",
)
def me(request, filters: Query[YearQuery]):
    resident = request.user.resident
    if resident is None:
        raise ServiceError(_("您的账户未关联居民信息"), status=404)
    year = filters.year or timezone.localdate().year
    totals = selectors.volunteer_totals(resident, year=year)
    profile = selectors.volunteer_profile(resident)
    return {
        "resident_id": resident.pk,
        "volunteer_number": profile.number if profile else None,
        "year": year,
        "year_hours": totals["year_hours"],
        "lifetime_hours": totals["lifetime_hours"],
        "stars": totals["stars"],
        "next_star_hours": totals["next_star_hours"],
        "points_balance": selectors.points_balance(resident),
        "records": list(selectors.volunteer_records(resident, year=year)),
    }


@records.post(
    "/records",
    response={201: RecordDetailOut, **error_responses(400, 403, 422)},
    summary="Enter a record by hand (with evidence and a reason)",
)
def create_record(request, payload: RecordIn):
    user = request.user
    organization = body_ref(access_organization, user, payload.organization_id, "organization_id")
    if not user.has_perm("service_records.add_record", organization):
        raise ServiceError(
            _("只有该组织的负责人或社区工作者可以补录服务记录"),
            field="organization_id",
            status=403,
        )
    resident = body_ref(access_resident, user, payload.resident_id, "resident_id")
    record = services.record_create_manual(
        actor=user,
        organization=organization,
        resident=resident,
        project=payload.project_id,
        **payload.dict(exclude={"organization_id", "resident_id", "project_id"}),
    )
    return Status(201, _detail(user, record.pk))


@records.get(
    "/records/{int:record_id}",
    response={200: RecordDetailOut, **error_responses(404)},
    summary="One record with its corrections and revision trail",
)
def get_record(request, record_id: int):
    return _detail(request.user, record_id)


@records.post(
    "/records/{int:record_id}/verify",
    response={200: RecordDetailOut, **error_responses(400, 404, 422)},
    summary="Verify a pending record (credits points)",
)
def verify_record(request, record_id: int, payload: VerifyIn):
    user = request.user
    record = selectors.access_record(user, record_id)
    require(user, "service_records.verify_record", record)
    services.record_verify(actor=user, record=record, quality=payload.quality)
    return _detail(user, record_id)


@records.post(
    "/records/{int:record_id}/reject",
    response={200: RecordDetailOut, **error_responses(400, 404, 422)},
    summary="Reject a pending record, with the reason",
)
def reject_record(request, record_id: int, payload: RejectIn):
    user = request.user
    record = selectors.access_record(user, record_id)
    require(user, "service_records.verify_record", record)
    services.record_reject(actor=user, record=record, reason=payload.reason)
    return _detail(user, record_id)


@records.post(
    "/records/{int:record_id}/corrections",
    response={201: CorrectionOut, **error_responses(400, 404, 422)},
    summary="Ask for a correction of a record's hours or content",
)
def request_correction(request, record_id: int, payload: CorrectionIn):
    user = request.user
    record = selectors.access_record(user, record_id)
    require(user, "service_records.request_correction", record)
    correction = services.correction_request(
        actor=user,
        record=record,
        hours=payload.hours,
        content=payload.content,
        reason=payload.reason,
    )
    return Status(201, correction)


@records.post(
    "/corrections/{int:correction_id}/decide",
    response={200: CorrectionOut, **error_responses(400, 404, 422)},
    summary="Approve or refuse a correction (approval leaves a revision and adjusts points)",
)
def decide_correction(request, correction_id: int, payload: CorrectionDecisionIn):
    user = request.user
    correction = selectors.access_correction(user, correction_id)
    require(user, "service_records.decide_correction", correction.record)
    return services.correction_decide(
        actor=user, correction=correction, approve=payload.approve, note=payload.note
    )


@records.post(
    "/certificates",
    response={201: CertificateOut, **error_responses(400, 403, 422)},
    summary="Issue a certificate of service for a period",
)
def issue_certificate(request, payload: CertificateIn):
    user = request.user
    organization = body_ref(access_organization, user, payload.organization_id, "organization_id")
    if not user.has_perm("service_records.issue_certificate", organization):
        raise ServiceError(
            _("只有该组织的负责人或社区工作者可以出具证明"),
            field="organization_id",
            status=403,
        )
    resident = body_ref(access_resident, user, payload.resident_id, "resident_id")
    certificate = services.certificate_issue(
        actor=user,
        resident=resident,
        organization=organization,
        period_start=payload.period_start,
        period_end=payload.period_end,
        contact=payload.contact,
    )
    return Status(201, certificate)


@records.get(
    "/certificates/{int:certificate_id}/pdf",
    response={200: None, **error_responses(404)},
    summary="A certificate as PDF",
    openapi_extra=PDF_RESPONSE,
)
def certificate_pdf(request, certificate_id: int):
    certificate = selectors.access_certificate(request.user, certificate_id)
    return pdf_response(request, certificate)


def pdf_response(request, certificate) -> HttpResponse:
    verify_url = request.build_absolute_uri(
        reverse("service_records:verify", args=[certificate.code])
    )
    response = HttpResponse(
        render_certificate_pdf(certificate, verify_url=verify_url),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


class CodeQuery(Schema):
    code: str


@public.get(
    "/certificates/verify",
    auth=None,
    response={200: PublicCertificateOut, **error_responses(404, 422)},
    summary="Check a certificate by its verification code (no sign-in)",
)
def verify_certificate(request, filters: Query[CodeQuery]):
    return public_facts(selectors.certificate_for_verification(filters.code))


def public_facts(certificate) -> dict:
    return {
        "genuine": True,
        "number": certificate.number,
        "issued_on": timezone.localdate(certificate.issued_at),
        "organization": certificate.organization.name,
        "hours": certificate.hours,
        "holder": certificate.holder_masked_name,
    }


router.add_router("/service-records", records)
router.add_router("/public", public)
