"""Care objects for tests, built through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care import duty, services
from kuihua.care.models import DutyPreference, DutyShift
from kuihua.training.services import training_record


def care_world(*, coordinator, resident) -> dict:
    """One of each care object in the current community (for the isolation walk)."""
    visitor = UserFactory(
        username=f"{coordinator.username}-visitor",
        role=Role.VOLUNTEER,
        community=coordinator.community,
    )
    training = training_record(
        actor=coordinator,
        user=visitor,
        course="探访培训",
        completed_on=timezone.localdate() - dt.timedelta(days=10),
    )
    recipient = services.recipient_enrol(
        actor=coordinator, resident=resident, primary_visitor=visitor
    )
    check_in = services.check_in(
        actor=coordinator, recipient=recipient, channel="visit", result="no_answer"
    )
    volunteers = []
    for k in range(3):
        user = UserFactory(
            username=f"{coordinator.username}-duty{k}",
            role=Role.VOLUNTEER,
            community=coordinator.community,
        )
        DutyPreference.objects.create(user=user, max_shifts_per_month=31, max_consecutive_days=31)
        volunteers.append(user)
    # Next month's rota: every shift of it is still ahead, whatever today is, so
    # "my duty" (from today on) always offers the one taken below.
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    duty.rota_generate(actor=coordinator, year=next_month.year, month=next_month.month)
    shift = DutyShift.objects.filter(user=volunteers[0]).order_by("day").first()
    busy = set(DutyShift.objects.filter(day=shift.day).values_list("user_id", flat=True))
    free = next(v for v in volunteers if v.pk not in busy)  # 3 people, 2 shifts a day
    swap = duty.swap_request(actor=volunteers[0], shift=shift, to_user=free)
    incident = services.incident_record(
        actor=coordinator,
        recipient=recipient,
        kind="fall",
        occurred_on=timezone.localdate() - dt.timedelta(days=30),
    )
    return {
        "training": training,
        "recipient": recipient,
        "alert": check_in.alert,
        "shift": shift,
        "swap": swap,
        "incident": incident,
    }
