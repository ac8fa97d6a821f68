"""Service records' part of a resident's export and erasure (registry/personal_data.py).

Export: the volunteer profile, every service record with its corrections and
revisions, the points ledger and balance, and the certificates issued.

Erasure (what each table keeps is in docs/privacy.md):
- a *verified* record stays in the organization's and the community's hours, by
  nobody: the volunteer link goes, its free text (content, place, recipients,
  evidence, reason) is replaced; its revisions keep their date with every value
  redacted. Pending and rejected records count nowhere and are deleted.
- correction requests about their records, the points ledger, the certificates
  and the volunteer profile are deleted.
"""

from __future__ import annotations

from decimal import Decimal

from kuihua.registry.personal_data import ERASED, Erasure, iso
from kuihua.service_records.models import (
    Certificate,
    CorrectionRequest,
    PointsEntry,
    RecordRevision,
    ServiceRecord,
    VolunteerProfile,
)


def _money(value) -> str | None:
    return None if value is None else str(value)


def service_records_export(resident) -> dict:
    records = list(
        ServiceRecord.objects.filter(volunteer=resident)
        .select_related("organization", "activity", "project")
        .prefetch_related("corrections", "revisions")
        .order_by("date", "id")
    )
    profile = VolunteerProfile.objects.filter(resident=resident).first()
    entries = list(PointsEntry.objects.filter(resident=resident).order_by("created_at", "id"))
    verified = [r for r in records if r.status == ServiceRecord.Status.VERIFIED]
    return {
        "profile": (
            {"number": profile.number, "skills": profile.skills, "since": iso(profile.created_at)}
            if profile
            else None
        ),
        "hours_verified": str(sum((r.hours for r in verified), start=Decimal("0.00"))),
        "records": [
            {
                "id": r.pk,
                "organization": r.organization.name,
                "activity": r.activity.title if r.activity_id else None,
                "service_item": r.service_item,
                "project": r.project.name if r.project_id else None,
                "date": iso(r.date),
                "started_at": iso(r.started_at),
                "ended_at": iso(r.ended_at),
                "hours": _money(r.hours),
                "place": r.place,
                "recipients": r.recipients,
                "content": r.content,
                "quality": r.quality,
                "person_in_charge": r.person_in_charge,
                "source": r.source,
                "evidence": r.evidence,
                "reason": r.reason,
                "status": r.status,
                "verified_at": iso(r.verified_at),
                "reject_reason": r.reject_reason,
                "corrections": [
                    {
                        "hours": _money(c.hours),
                        "content": c.content,
                        "reason": c.reason,
                        "status": c.status,
                        "decision_note": c.decision_note,
                        "created_at": iso(c.created_at),
                        "decided_at": iso(c.decided_at),
                    }
                    for c in r.corrections.all()
                ],
                "revisions": [
                    {"at": iso(v.created_at), "reason": v.reason, "old": v.old, "new": v.new}
                    for v in r.revisions.all()
                ],
            }
            for r in records
        ],
        "points": [
            {
                "kind": e.kind,
                "points": _money(e.points),
                "hours": _money(e.hours),
                "rate": _money(e.rate),
                "note": e.note,
                "at": iso(e.created_at),
            }
            for e in entries
        ],
        "points_balance": str(sum((e.points for e in entries), start=Decimal("0.00"))),
        "certificates": [
            {
                "number": c.number,
                "organization": c.organization.name,
                "period_start": iso(c.period_start),
                "period_end": iso(c.period_end),
                "hours": _money(c.hours),
                "record_count": c.record_count,
                "content_summary": c.content_summary,
                "issued_at": iso(c.issued_at),
            }
            for c in Certificate.objects.filter(resident=resident).select_related("organization")
        ],
    }


def service_records_erase(erasure: Erasure) -> None:
    resident = erasure.resident
    records = ServiceRecord.objects.filter(volunteer=resident)
    record_ids = list(records.values_list("pk", flat=True))
    corrections = CorrectionRequest.objects.filter(record_id__in=record_ids)
    erasure.forget_objects(ServiceRecord, record_ids)
    erasure.forget_objects(CorrectionRequest, corrections.values_list("pk", flat=True))
    erasure.forget_objects(
        Certificate,
        Certificate.objects.filter(resident=resident).values_list("pk", flat=True),
    )
    erasure.forget_objects(
        VolunteerProfile,
        VolunteerProfile.objects.filter(resident=resident).values_list("pk", flat=True),
    )
    # The ledger is append-only for its users; its owner's erasure is the one delete.
    PointsEntry.objects.filter(resident=resident).delete()
    Certificate.objects.filter(resident=resident).delete()
    corrections.delete()
    records.exclude(status=ServiceRecord.Status.VERIFIED).delete()
    kept = ServiceRecord.objects.filter(pk__in=record_ids)
    for revision in RecordRevision.objects.filter(record__in=kept):
        revision.old = dict.fromkeys(revision.old, "***")
        revision.new = dict.fromkeys(revision.new, "***")
        revision.reason = ERASED
        revision.save(update_fields=["old", "new", "reason"])
    kept.filter(source=ServiceRecord.Source.MANUAL).update(evidence=ERASED, reason=ERASED)
    kept.update(
        volunteer=None,
        content=ERASED,
        place="",
        recipients="",
        reject_reason="",
    )
    # Records of others may name the person (服务对象, 负责人): scrub the values.
    others = ServiceRecord.objects.filter(community_id=resident.community_id)
    erasure.scrub_rows(others, "content", "recipients", "place", "person_in_charge")
    certificates = Certificate.objects.filter(community_id=resident.community_id)
    erasure.scrub_rows(certificates, "person_in_charge", "handler", "contact")
