"""Needs and offers for tests, built through the services (as users would make them)."""

from __future__ import annotations

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.matching import runs, services
from kuihua.matching.models import ALL_DAYS, ALL_SLOTS, ProviderType, ServiceCategory
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory


def category(code: str = "meal_delivery") -> ServiceCategory:
    return ServiceCategory.objects.get(code=code)


def resident_at(building, **fields):
    """A resident living in `building`, with a resident's account (`.account`)."""
    person = ResidentFactory(household__building=building, community=building.community, **fields)
    UserFactory(role=Role.RESIDENT, community=building.community, resident=person)
    return person


def need(resident, *, actor=None, code: str = "meal_delivery", **fields):
    fields.setdefault("consent_to_share", True)
    return services.need_raise(
        actor=actor or getattr(resident, "account", None),
        resident=resident,
        category=category(code),
        **fields,
    )


def organization_offer(
    community,
    *,
    code: str = "meal_delivery",
    capacity: int = 2,
    compounds=(),
    serves_all: bool | None = None,
    days: int = ALL_DAYS,
    slots: int = ALL_SLOTS,
    contact_user=None,
    organization=None,
):
    """An organization's offer; its contact account (`offer.contact_user`) is made if not given."""
    organization = organization or OrganizationFactory(community=community)
    contact_user = contact_user or UserFactory(role=Role.ORG_LEADER, community=community)
    return services.offer_create(
        actor=None,
        provider_type=ProviderType.ORGANIZATION,
        organization=organization,
        name=f"{organization.name}·{category(code).name}",
        main_category=category(code),
        capacity_per_week=capacity,
        serves_all=not compounds if serves_all is None else serves_all,
        compounds=compounds,
        days=days,
        slots=slots,
        contact_user=contact_user,
    )


def volunteer_offer(volunteer, *, code: str = "companionship", capacity: int = 1, compounds=()):
    return services.offer_create(
        actor=None,
        provider_type=ProviderType.VOLUNTEER,
        volunteer=volunteer,
        name=f"{volunteer.name}·{category(code).name}",
        main_category=category(code),
        capacity_per_week=capacity,
        serves_all=not compounds,
        compounds=compounds,
    )


def matching_world(*, coordinator, organization, resident) -> dict:
    """One of each matching object in the current community (for the isolation walk)."""
    offer = organization_offer(
        organization.community, organization=organization, contact_user=coordinator
    )
    raised = need(resident, actor=coordinator)
    run = runs.match_run(actor=coordinator)
    return {"offer": offer, "need": raised, "run": run, "proposal": run.proposals.get()}
