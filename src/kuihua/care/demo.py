"""Demo of the care programme for a generated community (called by kuihua.demo.write).

The elders who consented to the care programme (the generator records a
Consent "care" for them) are enrolled, up to 120, with the default windows;
eight volunteers of the organizations (accounts without a password yet) are trained
and assigned as visitors and take this month's duty-line shifts;
this morning's visits are recorded for most. Through the services, as always.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from kuihua.accounts.models import Role, User
from kuihua.care import services
from kuihua.care.models import CareRecipient
from kuihua.organizations.models import Membership
from kuihua.registry.models import Consent, Resident
from kuihua.training.services import training_record

ENROLLED = 120


def demo_care(*, community, seed: int = 2026, today: dt.date | None = None) -> dict:
    """Enrol consenting elders in `community` (which must be in force). Returns counts."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    visitors = []
    for membership in Membership.objects.select_related("resident").order_by("id")[:8]:
        user = User.objects.create(
            username=f"{community.code}-visitor-{membership.pk}",
            role=Role.VOLUNTEER,
            community=community,
            display_name=membership.resident.name,
            is_active=True,
        )
        training_record(
            actor=None,
            user=user,
            course="幸福来敲门探访培训（礼仪、观察要点、应急处置）",
            completed_on=today - dt.timedelta(days=rng.randrange(30, 400)),
        )
        visitors.append(user)
    consenting = (
        Resident.objects.filter(consents__purpose=Consent.Purpose.CARE, consents__granted=True)
        .exclude(care__isnull=False)
        .distinct()
        .order_by("id")[:ENROLLED]
    )
    enrolled = 0
    for resident in consenting:
        recipient = services.recipient_enrol(
            actor=None,
            resident=resident,
            risk=rng.choice(list(CareRecipient.Risk.values)),
            primary_visitor=rng.choice(visitors) if visitors else None,
        )
        enrolled += 1
        if rng.random() < 0.85:
            services.check_in(
                actor=recipient.primary_visitor,
                recipient=recipient,
                channel=rng.choice(["visit", "self", "call"]),
            )
    # The duty line: the trained volunteers take this month's shifts.
    from kuihua.care.duty import rota_generate
    from kuihua.care.models import DutyPreference

    for user in visitors:
        DutyPreference.objects.create(
            user=user,
            days=rng.choice(list(DutyPreference.Days.values)),
            max_shifts_per_month=rng.choice([8, 10, 12]),
            max_consecutive_days=3,
        )
    _shifts, uncovered = rota_generate(actor=None, year=today.year, month=today.month)
    return {"enrolled": enrolled, "visitors": len(visitors), "uncovered": len(uncovered)}
