"""Care's part of a resident's export and erasure (registry/personal_data.py).

Export: the person's enrolment (risk, health conditions, check-in windows, pauses)
with every check-in, alert and incident; and, for a volunteer, their duty
preference and shifts. Emergency contacts are the registry's (its own section).

Erasure: the enrolment goes with its check-ins, alerts and incidents (all about
their health and their door: nothing of it is kept). As a volunteer: their duty
preference and pending swaps go; shifts still ahead are left without anyone (the
coordinator fills them as any gap); the people they visited are left without that
visitor (a closed account hears no alarm); past shifts stay in the rota, held by the
nameless erased account. A note about someone else that names them keeps its
text with their values replaced by ***.
"""

from __future__ import annotations

from django.utils import timezone

from kuihua.care.models import (
    Alert,
    CareRecipient,
    CheckIn,
    DutyPreference,
    DutyShift,
    Incident,
    SwapRequest,
)
from kuihua.registry.personal_data import Erasure, iso


def _enrolment(resident) -> dict | None:
    recipient = CareRecipient.objects.filter(resident=resident).first()
    if recipient is None:
        return None
    return {
        "risk": recipient.risk,
        "conditions": recipient.conditions,
        "windows": recipient.windows,
        "active": recipient.active,
        "paused_until": iso(recipient.paused_until),
        "pause_reason": recipient.pause_reason,
        "enrolled_at": iso(recipient.enrolled_at),
        "last_check_in_at": iso(recipient.last_check_in_at),
        "has_primary_visitor": recipient.primary_visitor_id is not None,
        "check_ins": [
            {"at": iso(c.at), "channel": c.channel, "result": c.result, "note": c.note}
            for c in recipient.check_ins.all()
        ],
        "alerts": [
            {
                "kind": a.kind,
                "raised_at": iso(a.raised_at),
                "level": a.level,
                "acknowledged_at": iso(a.acknowledged_at),
                "resolved_at": iso(a.resolved_at),
                "outcome": a.outcome,
                "note": a.note,
            }
            for a in recipient.alerts.all()
        ],
        "incidents": [
            {"kind": i.kind, "occurred_on": iso(i.occurred_on), "note": i.note}
            for i in recipient.incidents.all()
        ],
    }


def care_export(resident) -> dict:
    account = getattr(resident, "account", None)
    duty = None
    if account is not None:
        preference = DutyPreference.objects.filter(user=account).first()
        duty = {
            "preference": (
                {"days": preference.days, "unavailable": preference.unavailable}
                if preference
                else None
            ),
            "shifts": [
                {"day": iso(s.day), "starts": iso(s.starts), "ends": iso(s.ends)}
                for s in DutyShift.objects.filter(user=account).order_by("day", "index")
            ],
        }
    return {"enrolment": _enrolment(resident), "duty": duty}


def care_erase(erasure: Erasure) -> None:
    resident = erasure.resident
    recipient = CareRecipient.objects.filter(resident=resident).first()
    if recipient is not None:
        erasure.forget_objects(CareRecipient, [recipient.pk])
        erasure.forget_objects(CheckIn, recipient.check_ins.values_list("pk", flat=True))
        erasure.forget_objects(Alert, recipient.alerts.values_list("pk", flat=True))
        erasure.forget_objects(Incident, recipient.incidents.values_list("pk", flat=True))
        recipient.delete()  # check-ins, alerts and incidents cascade
    account = erasure.account
    if account is not None:
        DutyPreference.objects.filter(user=account).delete()
        SwapRequest.objects.filter(status=SwapRequest.Status.PENDING).filter(
            from_user=account
        ).delete()
        SwapRequest.objects.filter(status=SwapRequest.Status.PENDING, to_user=account).delete()
        DutyShift.objects.filter(user=account, day__gte=timezone.localdate()).update(user=None)
        # A closed account is told nothing: the people they visited must show that they
        # have no visitor, not wait for one who will never hear of an alarm.
        CareRecipient.objects.filter(primary_visitor=account).update(primary_visitor=None)
        CareRecipient.backup_visitors.through.objects.filter(user_id=account.pk).delete()
    community_id = resident.community_id
    erasure.scrub_rows(CheckIn.objects.filter(community_id=community_id), "note")
    erasure.scrub_rows(Alert.objects.filter(community_id=community_id), "note")
    erasure.scrub_rows(Incident.objects.filter(community_id=community_id), "note")
