"""Demo needs and services for a generated community (called by kuihua.demo.write).

Each organization and partner unit offers what it is (PROVIDER_KINDS): the haircut
team haircuts, the appliance-repair team repairs, the nursing home rehabilitation
and, besides, meals; the primary school after-school care; a choir or a bank
nothing. Volunteers offer what their own organization does. Elderly residents raise needs (most
with consent to share). Half a year of completed services gives the
statistics something to count; one matching run leaves proposals for the
coordinator to accept, and a few needs unmatched with their reasons.
Everything goes through the services, so the data obeys the product's rules.

Besides, the year before today is history (`_year_of_services`), in bulk as the services
would have left it: every month about two dozen needs raised, matched to an offer of
their category, served (once, every weekday for meals, weekly for company and
housework, for some weeks) and done, most of them rated, each delivery one row.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from kuihua.core.bulk import insert_rows
from kuihua.matching import runs, services
from kuihua.matching.models import (
    ALL_DAYS,
    WEEKDAYS,
    Need,
    NeedEvent,
    ProviderType,
    ServiceCategory,
    ServiceDelivery,
)
from kuihua.organizations.models import Membership, Organization, PartnerUnit
from kuihua.registry.models import Compound, Resident

# What a provider plausibly offers, by what it is: (a word in its name, its main
# category, categories it also takes on). The first word found in the name decides;
# a provider whose name has none of them (a choir, a bank, the police station)
# offers nothing. A need in a secondary category costs the matching a little more
# with that provider (the "fit" term), so such needs go to the specialists first.
PROVIDER_KINDS: list[tuple[str, str, tuple[str, ...]]] = [
    # social organizations
    ("理发", "haircut", ()),
    ("磨刀修伞", "home_repair", ()),
    ("家电维修", "home_repair", ()),
    ("缝补", "home_repair", ()),
    ("义管家", "home_repair", ()),
    ("助餐送餐", "meal_delivery", ("companionship",)),
    ("健康护理", "rehabilitation", ("medical_escort",)),
    ("助浴", "housekeeping", ("rehabilitation",)),
    ("心理疏导", "counselling", ("companionship",)),
    ("母婴互助", "child_care", ()),
    ("幸福来敲门", "companionship", ("medical_escort",)),
    ("夕阳红志愿", "companionship", ("housekeeping", "medical_escort")),
    ("红十字", "medical_escort", ("rehabilitation",)),
    ("助残", "medical_escort", ("housekeeping", "companionship")),
    ("爱心妈妈", "child_care", ("companionship",)),
    ("护苗", "tutoring", ("child_care",)),
    ("法律援助", "legal_aid", ()),
    ("党员先锋", "home_repair", ("companionship", "medical_escort")),
    ("老年学堂", "companionship", ()),
    ("亲子阅读", "tutoring", ("child_care",)),
    # partner units
    ("养老院", "rehabilitation", ("meal_delivery", "companionship")),
    ("社区卫生服务中心", "rehabilitation", ("medical_escort",)),
    ("司法所", "legal_aid", ()),
    ("小学", "child_care", ("tutoring",)),
]
# Places a week a provider gives, by its main category.
CAPACITY = {
    "meal_delivery": 12,
    "haircut": 6,
    "housekeeping": 4,
    "medical_escort": 3,
    "rehabilitation": 3,
    "home_repair": 4,
    "companionship": 5,
    "counselling": 2,
    "child_care": 3,
    "legal_aid": 2,
    "tutoring": 3,
}
# When a provider of each main category works: (days, parts of the day). Days are bits
# from Monday; parts: morning 1, afternoon 2, evening 4.
HOURS = {
    "meal_delivery": (WEEKDAYS, 0b001),
    "haircut": (0b0000100, 0b001),  # one Wednesday morning a week
    "legal_aid": (0b0000010, 0b011),  # Tuesdays
    "counselling": (0b0010100, 0b110),
    "tutoring": (0b1110000, 0b110),
    "child_care": (ALL_DAYS, 0b010),
}
# An individual volunteer offers what their own organization does, else keeps company.
VOLUNTEER_FALLBACK = "companionship"


def provider_kind(name: str) -> tuple[str, tuple[str, ...]] | None:
    """(main, secondary categories) a provider called `name` plausibly offers, or None."""
    for word, main, secondary in PROVIDER_KINDS:
        if word in name:
            return main, secondary
    return None


def plausible_categories(name: str) -> set[str]:
    """Every category a provider called `name` may offer (empty: none)."""
    kind = provider_kind(name)
    return {kind[0], *kind[1]} if kind else set()


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
    providers = [
        (ProviderType.ORGANIZATION, organization)
        for organization in Organization.objects.order_by("id")
    ] + [(partner.kind, partner) for partner in PartnerUnit.objects.order_by("id")]
    for provider_type, provider in providers:
        kind = provider_kind(provider.name)
        if kind is None:
            continue
        main, secondary = kind
        days, slots = HOURS.get(main, (ALL_DAYS, 0b011))
        is_organization = provider_type == ProviderType.ORGANIZATION
        offers.append(
            services.offer_create(
                actor=None,
                provider_type=provider_type,
                organization=provider if is_organization else None,
                partner=None if is_organization else provider,
                name=f"{provider.name}·{category[main].name}",
                main_category=category[main],
                categories=[category[code] for code in secondary],
                capacity_per_week=CAPACITY[main],
                serves_all=True,
                days=days,
                slots=slots,
            )
        )
    members = list(
        Membership.objects.select_related("resident__household__building", "organization")
        .filter(resident__household__isnull=False)
        .order_by("id")[:60]
    )
    for membership in rng.sample(members, min(len(members), 16)):
        kind = provider_kind(membership.organization.name)
        code = kind[0] if kind else VOLUNTEER_FALLBACK
        home = membership.resident.household.building.compound
        offers.append(
            services.offer_create(
                actor=None,
                provider_type=ProviderType.VOLUNTEER,
                volunteer=membership.resident,
                name=f"{membership.resident.name}·{category[code].name}",
                main_category=category[code],
                capacity_per_week=rng.choice([1, 2, 2]),
                compounds=[home],
                days=rng.choice([WEEKDAYS, 0b1100000, ALL_DAYS]),
                slots=rng.choice([0b001, 0b010, 0b011]),
            )
        )

    born_before = today - relativedelta(years=70)  # 29 February: the 28th
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
    history = _year_of_services(
        community=community,
        offers=offers,
        elders=elders,
        rng=random.Random(f"matching-history:{seed}"),
        today=today,
    )
    return {"offers": len(offers), "needs": len(raised), "delivered": done, **history}


NEEDS_A_MONTH = 24  # in the past year, at full scale (400 elders to draw from)
# How a need of the past year recurred, by category, and for how many weeks.
HISTORY_RECURRENCE = {
    "meal_delivery": Need.Recurrence.WEEKDAYS,
    "companionship": Need.Recurrence.WEEKLY,
    "housekeeping": Need.Recurrence.WEEKLY,
}
HISTORY_WEEKS = (2, 12)


def _year_of_services(*, community, offers, elders, rng, today: dt.date) -> dict[str, int]:
    """The year before today: needs raised, matched, served and done, with their steps
    and every delivery, in bulk (the services' own writes, dated when they happened)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    # Who serves a need: a specialist before a provider that also takes it on, and a
    # social organization before others (the model's organizations deliver most).
    by_category: dict[int, list] = {}
    for offer in offers:
        weight = 3 if offer.provider_type == ProviderType.ORGANIZATION else 1
        by_category.setdefault(offer.main_category_id, []).extend([offer] * 3 * weight)
        for category_id in offer.categories.values_list("id", flat=True):
            by_category.setdefault(category_id, []).extend([offer] * weight)
    category = {c.code: c for c in ServiceCategory.objects.all()}
    served_needs = [(c, w) for c, w in NEEDS if category[c].pk in by_category]
    people = [p for p in elders if p.household_id]
    if not served_needs or not people:
        return {"needs_before_today": 0, "deliveries_before_today": 0}
    codes, weights = zip(*served_needs, strict=True)
    count = max(3, round(NEEDS_A_MONTH * min(1.0, len(people) / 400))) * 12

    def moment(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=zone)

    needs, steps, served = [], [], []
    for _ in range(count):
        code = rng.choices(codes, weights)[0]
        offer = rng.choice(by_category[category[code].pk])
        person = rng.choice(people)
        recurrence = HISTORY_RECURRENCE.get(code, Need.Recurrence.ONCE)
        raised_on = today - dt.timedelta(days=rng.randrange(10, 366))
        matched_on = raised_on + dt.timedelta(days=rng.randrange(0, 3))
        first = matched_on + dt.timedelta(days=rng.randrange(1, 4))
        if recurrence == Need.Recurrence.ONCE:
            days = [first]
        else:
            last = min(first + dt.timedelta(weeks=rng.randint(*HISTORY_WEEKS)), today)
            step = 1 if recurrence == Need.Recurrence.WEEKDAYS else 7
            days = [
                first + dt.timedelta(days=k)
                for k in range(0, (last - first).days, step)
                if step == 7 or (first + dt.timedelta(days=k)).weekday() < 5
            ] or [first]
        delivered = [moment(day, rng.choice((9, 10, 11, 15, 16))) for day in days]
        done_at = delivered[-1]
        rating = rng.choice((4, 5, 5)) if rng.random() < 0.6 else None
        created = moment(raised_on, rng.choice((9, 10, 14, 15)))
        matched = max(created, moment(matched_on, 16))
        building = person.household.building
        needs.append(
            (
                community.pk,
                person.pk,
                category[code].pk,
                rng.choice(["腿脚不便", "子女在外地", "独自在家", "刚出院"]),
                rng.choice([1, 2, 2, 2, 3]),
                ALL_DAYS,
                0b011,
                recurrence,
                building.pk,
                building.compound_id,
                rng.random() < 0.8,
                rng.choice([Need.Channel.COORDINATOR, Need.Channel.VOLUNTEER]),
                Need.Status.RATED if rating else Need.Status.DONE,
                offer.pk,
                rating,
                "",
                "",
                created,
                done_at,
            )
        )
        life = [(Need.Status.OPEN, created, ""), (Need.Status.MATCHED, matched, "")]
        if recurrence != Need.Recurrence.ONCE:
            life.append((Need.Status.IN_SERVICE, delivered[0], ""))
        life.append((Need.Status.DONE, done_at, ""))
        if rating:
            rated = done_at + dt.timedelta(hours=rng.randrange(1, 48))
            life.append((Need.Status.RATED, rated, f"{rating}★"))
        steps.append(life)
        served.append((offer, person, category[code], delivered))
    before = Need.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    insert_rows(
        Need,
        [
            "community_id",
            "resident_id",
            "category_id",
            "description",
            "urgency",
            "days",
            "slots",
            "recurrence",
            "building_id",
            "compound_id",
            "consent_to_share",
            "channel",
            "status",
            "provider_id",
            "rating",
            "rating_comment",
            "close_reason",
            "created_at",
            "updated_at",
        ],
        needs,
    )
    # Read back in the order written: nothing else writes needs while the demo does.
    ids = list(Need.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    assert len(ids) == len(needs)
    insert_rows(
        NeedEvent,
        ["community_id", "need_id", "status", "at", "by_id", "note"],
        (
            (community.pk, need_id, status, at, None, note)
            for need_id, life in zip(ids, steps, strict=True)
            for status, at, note in life
        ),
    )
    rows = [
        (community.pk, need_id, offer.pk, offer.provider_type, kind.pk, person.pk, at)
        for need_id, (offer, person, kind, delivered) in zip(ids, served, strict=True)
        for at in delivered
    ]
    insert_rows(
        ServiceDelivery,
        [
            "community_id",
            "need_id",
            "offer_id",
            "provider_type",
            "category_id",
            "resident_id",
            "delivered_at",
        ],
        rows,
    )
    return {"needs_before_today": len(needs), "deliveries_before_today": len(rows)}
