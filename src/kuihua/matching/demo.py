"""Demo needs and services for a generated community (called by kuihua.demo.write).

Service organizations deliver meals, haircuts and housekeeping; a partner
nursing home offers rehabilitation, the justice office legal aid; volunteers
keep elders company, tutor and repair. Elderly residents raise needs (most
with consent to share). Half a year of completed services gives the
statistics something to count; one matching run leaves proposals for the
coordinator to accept, and a few needs unmatched with their reasons.
Everything goes through the services, so the data obeys the product's rules.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from kuihua.matching import runs, services
from kuihua.matching.models import (
    ALL_DAYS,
    WEEKDAYS,
    Need,
    ProviderType,
    ServiceCategory,
    ServiceDelivery,
)
from kuihua.organizations.models import Category, Membership, Organization, PartnerUnit
from kuihua.registry.models import Compound, Resident

ORGANIZATION_OFFERS = [
    ("meal_delivery", 12, "长者助餐送餐"),
    ("haircut", 6, "每月义剪"),
    ("housekeeping", 5, "居家保洁"),
    ("medical_escort", 3, "陪同就医"),
]
VOLUNTEER_OFFERS = [("companionship", 2), ("tutoring", 2), ("home_repair", 1), ("counselling", 1)]
NEEDS = [
    ("meal_delivery", 0.3),
    ("companionship", 0.2),
    ("haircut", 0.12),
    ("housekeeping", 0.1),
    ("medical_escort", 0.1),
    ("rehabilitation", 0.06),
    ("home_repair", 0.06),
    ("legal_aid", 0.03),
    ("child_care", 0.03),
]


def demo_matching(*, community, seed: int = 2026, today: dt.date | None = None) -> dict:
    """Offers, needs, past deliveries and one run in `community` (which must be in force)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    category = {c.code: c for c in ServiceCategory.objects.all()}
    compounds = list(Compound.objects.order_by("id"))
    if not compounds:
        return {"offers": 0, "needs": 0}
    offers = []
    serving = [o for o in Organization.objects.filter(category=Category.SERVICE).order_by("id")]
    serving = serving or list(Organization.objects.order_by("id")[:3])
    for i, (code, capacity, name) in enumerate(ORGANIZATION_OFFERS):
        if not serving:
            break
        organization = serving[i % len(serving)]
        offers.append(
            services.offer_create(
                actor=None,
                provider_type=ProviderType.ORGANIZATION,
                organization=organization,
                name=f"{organization.name}·{name}",
                main_category=category[code],
                capacity_per_week=capacity,
                serves_all=True,
                days=WEEKDAYS if code == "meal_delivery" else ALL_DAYS,
            )
        )
    for partner, code, capacity in [
        (PartnerUnit.objects.filter(kind="institution").first(), "rehabilitation", 4),
        (PartnerUnit.objects.filter(kind="government").first(), "legal_aid", 2),
    ]:
        if partner is not None:
            offers.append(
                services.offer_create(
                    actor=None,
                    provider_type=partner.kind,
                    partner=partner,
                    name=f"{partner.name}·{category[code].name}",
                    main_category=category[code],
                    capacity_per_week=capacity,
                    serves_all=True,
                    days=WEEKDAYS,
                )
            )
    members = list(
        Membership.objects.select_related("resident__household__building")
        .filter(resident__household__isnull=False)
        .order_by("id")[:60]
    )
    for membership, (code, capacity) in zip(
        rng.sample(members, min(len(members), 16)), VOLUNTEER_OFFERS * 4, strict=False
    ):
        home = membership.resident.household.building.compound
        offers.append(
            services.offer_create(
                actor=None,
                provider_type=ProviderType.VOLUNTEER,
                volunteer=membership.resident,
                name=f"{membership.resident.name}·{category[code].name}",
                main_category=category[code],
                capacity_per_week=capacity,
                compounds=[home],
                days=rng.choice([WEEKDAYS, 0b1100000, ALL_DAYS]),
                slots=rng.choice([0b001, 0b010, 0b011]),
            )
        )

    born_before = today.replace(year=today.year - 70)
    elders = list(
        Resident.objects.filter(birth_date__lte=born_before, household__isnull=False)
        .select_related("household__building")
        .order_by("id")[:400]
    )
    rng.shuffle(elders)
    codes, weights = zip(*NEEDS, strict=True)
    raised = []
    for person in elders[:160]:
        code = rng.choices(codes, weights)[0]
        raised.append(
            services.need_raise(
                actor=None,
                resident=person,
                category=category[code],
                description=rng.choice(["腿脚不便", "子女在外地", "独自在家", "刚出院"]),
                urgency=rng.choice([1, 2, 2, 2, 3, 4]),
                days=rng.choice([WEEKDAYS, ALL_DAYS, 0b0010101]),
                slots=rng.choice([0b001, 0b011, 0b111]),
                recurrence="weekdays" if code == "meal_delivery" else "once",
                consent_to_share=rng.random() < 0.8,
                channel=rng.choice([Need.Channel.COORDINATOR, Need.Channel.VOLUNTEER]),
            )
        )
    # Half a year of completed services: a first run's proposals, accepted and done.
    run = runs.match_run(actor=None)
    accepted, _problems = services.proposals_accept(actor=None, run=run)
    done = 0
    for need in Need.objects.filter(status=Need.Status.MATCHED).order_by("id")[: accepted // 2]:
        services.need_done(actor=None, need=need)
        if rng.random() < 0.6:
            services.need_rate(actor=None, need=need, rating=rng.choice([4, 5, 5]))
        done += 1
    for delivery in ServiceDelivery.objects.all():
        delivered = timezone.now() - dt.timedelta(days=rng.randrange(0, 180))
        ServiceDelivery.objects.filter(pk=delivery.pk).update(delivered_at=delivered)
    # Today's run: what is still open, for the coordinator to accept.
    runs.match_run(actor=None)
    return {"offers": len(offers), "needs": len(raised), "delivered": done}
