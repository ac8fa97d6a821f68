"""What the service-records API reads and writes.

A record shows the volunteer's name (the volunteer, the organizer and
coordinators see it); ID numbers and phones never leave through this API. The
public verification answer carries the certificate's public facts only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from kuihua.service_records.models import ServiceRecord

QualityValue = Literal[tuple(["", *ServiceRecord.Quality.values])]


class OrganizationRef(Schema):
    id: int
    name: str


class RevisionOut(Schema):
    id: int
    changed_by: str | None
    reason: str
    old: dict
    new: dict
    created_at: dt.datetime

    @staticmethod
    def resolve_changed_by(obj) -> str | None:
        return str(obj.changed_by) if obj.changed_by_id else None


class CorrectionOut(Schema):
    id: int
    record_id: int
    hours: Decimal | None
    content: str
    reason: str
    status: str
    status_label: str
    decision_note: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class RecordOut(Schema):
    id: int
    volunteer_id: int
    volunteer_name: str
    organization: OrganizationRef
    activity_id: int | None
    service_item: str
    project_id: int | None
    project_name: str | None
    date: dt.date
    place: str
    recipients: str
    content: str
    hours: Decimal
    quality: str
    person_in_charge: str
    recorder: str | None
    source: str
    evidence: str
    reason: str
    status: str
    status_label: str
    verified_at: dt.datetime | None
    reject_reason: str

    @staticmethod
    def resolve_project_name(obj) -> str | None:
        return obj.project.name if obj.project_id else None

    @staticmethod
    def resolve_volunteer_name(obj) -> str:
        return obj.volunteer.name if obj.volunteer_id else ""

    @staticmethod
    def resolve_recorder(obj) -> str | None:
        return str(obj.recorder) if obj.recorder_id else None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class RecordDetailOut(RecordOut):
    revisions: list[RevisionOut] = Field(..., alias="revision_list")
    corrections: list[CorrectionOut] = Field(..., alias="correction_list")


class RecordListItem(Schema):
    id: int
    organization: OrganizationRef
    service_item: str
    project_id: int | None
    date: dt.date
    hours: Decimal
    source: str
    status: str
    status_label: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class MyHoursOut(Schema):
    resident_id: int
    volunteer_number: str | None
    year: int
    year_hours: Decimal
    lifetime_hours: Decimal
    stars: int
    next_star_hours: Decimal | None
    points_balance: Decimal
    records: list[RecordListItem]


class RecordIn(Schema):
    organization_id: int
    resident_id: int
    date: dt.date
    hours: Decimal = Field(..., gt=0, le=24, decimal_places=2)
    content: str = Field(..., min_length=1, max_length=2000)
    evidence: str = Field(..., min_length=1, max_length=2000)
    reason: str = Field(..., min_length=1, max_length=2000)
    service_item: str = Field("", max_length=200, description="服务事项; empty: the content")
    project_id: int | None = Field(None, description="the community's public-welfare project")
    place: str = Field("", max_length=200)
    recipients: str = Field("", max_length=200)
    quality: QualityValue = ""
    person_in_charge: str = Field("", max_length=40)


class VerifyIn(Schema):
    quality: QualityValue = ""


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class CorrectionIn(Schema):
    hours: Decimal | None = Field(None, gt=0, le=24, decimal_places=2)
    content: str = Field("", max_length=2000)
    reason: str = Field(..., min_length=1, max_length=2000)


class CorrectionDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)


class CertificateIn(Schema):
    resident_id: int
    organization_id: int
    period_start: dt.date
    period_end: dt.date
    contact: str = Field("", max_length=60)


class CertificateOut(Schema):
    id: int
    number: str
    code: str
    resident_id: int
    organization: OrganizationRef
    period_start: dt.date
    period_end: dt.date
    hours: Decimal
    record_count: int
    content_summary: str
    issued_at: dt.datetime


class PublicCertificateOut(Schema):
    """Everything the public check discloses: nothing more about the person than a masked name."""

    genuine: bool
    number: str
    issued_on: dt.date
    organization: str
    hours: Decimal
    holder: str
