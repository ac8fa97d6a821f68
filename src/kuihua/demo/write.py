"""Writing a planned community (plan.py) in one transaction with bulk inserts, then each
app's own demo data (activities, venues, matching, care, service records, council: their
demo.py; the self-managed compounds' books: demo/stewards.py)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from kuihua.accounts.models import Role, User
from kuihua.core.models import Community
from kuihua.core.tenancy import use_community
from kuihua.demo.plan import (
    BATCH,
    DEFAULT_SEED,
    CommunityPlan,
    plan_community,
)
from kuihua.organizations.models import (
    Branch,
    Membership,
    Organization,
    PartnerUnit,
    Stage,
    StageChange,
)
from kuihua.registry.models import (
    Building,
    Compound,
    Consent,
    EmergencyContact,
    Household,
    Resident,
    Tag,
)
from kuihua.registry.services import resident_build
from kuihua.tenants import community_create


@transaction.atomic
def write_community(plan: CommunityPlan) -> Community:
    """Write a planned community in one transaction, with bulk inserts."""
    community = community_create(
        name=plan.name,
        code=plan.code,
        street=plan.street,
        district=plan.district,
        area_km2=plan.area_km2,
    )
    with use_community(community):
        _write_registry(community, plan)
        from kuihua.registry.demo import demo_owners

        demo_owners(community=community, seed=DEFAULT_SEED + plan.index)
        from kuihua.activities.demo import demo_activities

        demo_activities(community=community, seed=DEFAULT_SEED + plan.index, today=plan.today)
        from kuihua.venues.demo import seed_venues

        # After the activities: a slot an activity already holds is skipped, not doubled.
        seed_venues(community, rng=random.Random(DEFAULT_SEED + plan.index), today=plan.today)
        from kuihua.matching.demo import demo_matching

        demo_matching(community=community, seed=DEFAULT_SEED + plan.index, today=plan.today)
        from kuihua.care.demo import demo_care

        demo_care(community=community, seed=DEFAULT_SEED + plan.index, today=plan.today)
        from kuihua.service_records.demo import demo_service_records

        demo_service_records(community=community, seed=DEFAULT_SEED + plan.index, today=plan.today)
        from kuihua.council.demo import demo_council

        demo_council(community=community, seed=DEFAULT_SEED + plan.index, today=plan.today)
        from kuihua.demo.stewards import demo_stewards

        demo_stewards(community=community, seed=DEFAULT_SEED + plan.index, today=plan.today)
        from kuihua.demo.projects import demo_projects

        demo_projects(community=community, seed=DEFAULT_SEED + plan.index, today=plan.today)
        from kuihua.demo.market import demo_market

        demo_market(community=community, seed=DEFAULT_SEED + plan.index, today=plan.today)
    return community


def _write_registry(community: Community, plan: CommunityPlan) -> None:
    tags = {t.code: t for t in Tag.objects.all()}
    branches = {b.category: b for b in Branch.objects.all()}

    compounds = Compound.objects.bulk_create(
        Compound(
            community=community,
            name=c.name,
            address=c.address,
            has_property_company=c.has_property_company,
            property_company=c.property_company,
        )
        for c in plan.compounds
    )
    buildings = Building.objects.bulk_create(
        (
            Building(community=community, compound=compounds[b.compound], name=b.name)
            for b in plan.buildings
        ),
        batch_size=BATCH,
    )
    households = Household.objects.bulk_create(
        (
            Household(community=community, building=buildings[h.building], unit=h.unit, room=h.room)
            for h in plan.households
        ),
        batch_size=BATCH,
    )
    residents = Resident.objects.bulk_create(
        (
            resident_build(
                community=community,
                household=households[p.household],
                name=p.name,
                sex=p.sex,
                ethnicity=p.ethnicity,
                birth_date=p.birth_date,
                id_number=p.id_number,
                phone=p.phone,
                relation_to_head=p.relation,
                political_status=p.political,
                category=p.category,
                health_conditions=p.health,
            )
            for p in plan.people
        ),
        batch_size=BATCH,
    )
    through = Resident.tags.through
    through.objects.bulk_create(
        (
            through(resident_id=resident.pk, tag_id=tags[code].pk)
            for resident, person in zip(residents, plan.people, strict=True)
            for code in person.tags
        ),
        batch_size=BATCH * 5,
    )
    EmergencyContact.objects.bulk_create(
        (
            EmergencyContact(
                community=community,
                resident=resident,
                name=name,
                relation=relation,
                phone=phone,
                priority=priority,
            )
            for resident, person in zip(residents, plan.people, strict=True)
            for priority, (name, relation, phone) in enumerate(person.contacts, start=1)
        ),
        batch_size=BATCH,
    )
    Consent.objects.bulk_create(
        (
            Consent(
                community=community,
                resident=resident,
                purpose=purpose,
                granted=True,
                method=Consent.Method.PAPER,
            )
            for resident, person in zip(residents, plan.people, strict=True)
            for purpose in person.consents
        ),
        batch_size=BATCH,
    )

    organizations = Organization.objects.bulk_create(
        Organization(
            community=community,
            name=o.name,
            category=o.category,
            branch=branches[o.category],
            stage=o.stage,
            description=o.description,
            founded_on=o.founded_on,
            leader=residents[o.leader],
            funds_note=o.funds_note,
            **{_STAGE_FIELD[stage]: on for stage, on in o.stage_dates},
        )
        for o in plan.organizations
    )
    StageChange.objects.bulk_create(
        StageChange(
            community=community,
            organization=org,
            from_stage=o.stage_dates[k - 1][0] if k else "",
            to_stage=stage,
            on=on,
        )
        for org, o in zip(organizations, plan.organizations, strict=True)
        for k, (stage, on) in enumerate(o.stage_dates)
    )
    Membership.objects.bulk_create(
        (
            Membership(
                community=community,
                organization=org,
                resident=residents[member],
                role=role,
                joined_on=joined,
            )
            for org, o in zip(organizations, plan.organizations, strict=True)
            for member, role, joined in o.members
        ),
        batch_size=BATCH,
    )
    PartnerUnit.objects.bulk_create(
        PartnerUnit(
            community=community,
            name=p.name,
            kind=p.kind,
            services=p.services,
            contact_name=p.contact_name,
            contact_phone=p.contact_phone,
        )
        for p in plan.partners
    )

    coordinators = []
    for username, display_name in plan.coordinators:
        user = User(
            username=username,
            display_name=display_name,
            role=Role.COORDINATOR,
            community=community,
        )
        user.set_unusable_password()  # they get a password from an administrator
        coordinators.append(user)
    User.objects.bulk_create(coordinators)


_STAGE_FIELD = {
    Stage.INCUBATING: "incubated_on",
    Stage.FILED: "filed_on",
    Stage.REGISTERED: "registered_on",
    Stage.BRAND: "branded_on",
}


def generate_community(
    *,
    index: int,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
) -> Community:
    """Plan and write the index-th demo community (code `demo-<index>`)."""
    return write_community(plan_community(index=index, scale=scale, seed=seed, today=today))


def community_counts(community: Community) -> dict[str, int]:
    """How many of each thing a community holds (for the seed and bench reports)."""
    with use_community(community):
        return {
            "compounds": Compound.objects.count(),
            "buildings": Building.objects.count(),
            "households": Household.objects.count(),
            "residents": Resident.objects.count(),
            "organizations": Organization.objects.count(),
            "members": Membership.objects.count(),
            "partner_units": PartnerUnit.objects.count(),
            "coordinators": User.objects.filter(community=community, role=Role.COORDINATOR).count(),
        }
