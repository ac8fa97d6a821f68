"""Reads of organizations: the directory, profiles and who leads what."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404

from kuihua.organizations.models import Membership, Organization, PartnerUnit, Stage


def organizations_visible_to(user) -> QuerySet[Organization]:
    """Every signed-in user of a community sees its directory (names, categories, leaders)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.all()


def organizations_led_by(user) -> QuerySet[Organization]:
    if not user.is_authenticated or not user.resident_id:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__resident_id=user.resident_id,
        memberships__role__in=[Membership.Role.LEADER, Membership.Role.DEPUTY],
    )


def members_of_led_organizations(user) -> Q:
    """Residents a user sees as the leader or deputy of their organizations, whatever the
    account's role (a deputy's account is often a volunteer's); registered with the
    registry's `residents_visible_to` in OrganizationsConfig.ready."""
    return Q(memberships__organization__in=organizations_led_by(user))


def organization_directory(user, *, category: str = "", query: str = "") -> QuerySet[Organization]:
    qs = organizations_visible_to(user)
    if category:
        qs = qs.filter(category=category)
    if query:
        qs = qs.filter(name__contains=query.strip())
    return (
        qs.select_related("branch", "leader")
        .annotate(member_count=Count("memberships"))
        .order_by("category", "name")
    )


def access_organization(user, organization_id: int) -> Organization:
    return get_object_or_404(
        organizations_visible_to(user).select_related("branch", "leader"), pk=organization_id
    )


def access_organization_for_change(user, organization_id: int) -> Organization:
    """The organization if `user` may manage it (coordinator, or its own leader), else 404."""
    org = access_organization(user, organization_id)
    if not user.has_perm("organizations.change_organization", org):
        from django.http import Http404

        raise Http404
    return org


def organization_members(organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("resident__household__building__compound")
        .order_by("role", "joined_on", "id")
    )


def partner_units_visible_to(user) -> QuerySet[PartnerUnit]:
    if not user.is_authenticated:
        return PartnerUnit.objects.none()
    return PartnerUnit.objects.select_related("contact_user")


def access_partner_unit(user, partner_id: int) -> PartnerUnit:
    return get_object_or_404(partner_units_visible_to(user), pk=partner_id)


# --- the workbench (dashboard.workbench): what waits for a user today --------------------

# How long an organization is incubated before its filing (备案) is due: communities
# incubate a new group for about six months before filing it with the street.
FILING_DUE_AFTER_MONTHS = 6


def due_for_filing(user, *, today) -> QuerySet[Organization]:
    """Organizations still incubating (孵化中) whose incubation began at least
    FILING_DUE_AFTER_MONTHS ago (the day it was incubated, else the day it was entered),
    for whoever moves organizations through their stages; the longest waiting first."""
    if not user.has_perm("organizations.change_stage"):
        return Organization.objects.none()
    cutoff = today - relativedelta(months=FILING_DUE_AFTER_MONTHS)
    return (
        Organization.objects.filter(stage=Stage.INCUBATING)
        .annotate(incubating_since=Coalesce(F("incubated_on"), TruncDate("created_at")))
        .filter(incubating_since__lte=cutoff)
        .order_by("incubating_since", "id")
    )
