"""Activities' part of a resident's export and erasure (registry/personal_data.py).

Export: every sign-up of the person with its activity, status, times and attendance.
Erasure: a live sign-up to an activity not yet begun is cancelled first (its place
goes to the waitlist, as any cancellation); every other sign-up that still holds a
place gives it back, so `places_taken` stays the count of places held; then all
their sign-ups, attendance rows and reminders are deleted. The hours they earned
stay in service_records (anonymised), not here.
"""

from __future__ import annotations

import contextlib

from django.utils import timezone

from kuihua.activities import lock_objects
from kuihua.activities.models import Attendance, Signup
from kuihua.activities.signups.services import HOLDS_PLACE, SignupError, signup_cancel
from kuihua.registry.personal_data import Erasure, iso


def _attendance(signup: Signup) -> dict | None:
    try:
        a = signup.attendance
    except Attendance.DoesNotExist:
        return None
    return {
        "checked_in_at": iso(a.checked_in_at),
        "checked_out_at": iso(a.checked_out_at),
        "check_in_method": a.check_in_method,
        "check_out_method": a.check_out_method,
        "no_show": a.no_show,
    }


def activities_export(resident) -> dict:
    signups = (
        Signup.objects.filter(resident=resident)
        .select_related("activity__organization", "attendance")
        .order_by("queued_at", "id")
    )
    return {
        "signups": [
            {
                "activity": s.activity.title,
                "organization": s.activity.organization.name,
                "starts_at": iso(s.activity.starts_at),
                "ends_at": iso(s.activity.ends_at),
                "status": s.status,
                "signed_up_at": iso(s.queued_at),
                "cancelled_at": iso(s.cancelled_at),
                "attendance": _attendance(s),
            }
            for s in signups
        ]
    }


def activities_erase(erasure: Erasure) -> None:
    resident = erasure.resident
    now = timezone.now()
    live = Signup.objects.filter(
        resident=resident, status__in=[*HOLDS_PLACE, Signup.Status.WAITLISTED]
    ).select_related("activity")
    for signup in live:
        if signup.activity.starts_at > now:
            # One already checked in cannot be cancelled: its place is given back below.
            with contextlib.suppress(SignupError):
                signup_cancel(actor=erasure.actor, signup=signup)
    for signup in Signup.objects.filter(resident=resident, status__in=HOLDS_PLACE):
        lock_objects.activity(signup.activity_id)
        lock_objects.give_back_place(signup.activity_id)
    signups = Signup.objects.filter(resident=resident)
    erasure.forget_objects(Signup, signups.values_list("pk", flat=True))
    erasure.forget_objects(
        Attendance, Attendance.objects.filter(signup__in=signups).values_list("pk", flat=True)
    )
    signups.delete()  # attendance and reminders cascade
