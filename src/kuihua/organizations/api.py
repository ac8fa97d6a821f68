"""Social organizations and partner units over JSON.

The directory and profiles are public within the community. Managing an
organization (profile, members, leader) is for coordinators and its own
leaders: anyone else gets a 404 for any write to that organization (its
stage included), as if it were not there to manage. Community-wide actions
(a new organization, a partner unit) answer 403 to those who may not take them.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from kuihua.core.api_support import body_ref, error_responses, paginated
from kuihua.organizations import services
from kuihua.organizations.models import Organization
from kuihua.organizations.schemas import (
    CategoryValue,
    LeaderIn,
    MemberIn,
    MemberOut,
    OrganizationIn,
    OrganizationListItem,
    OrganizationOut,
    OrganizationPatch,
    PartnerContactIn,
    PartnerIn,
    PartnerOut,
    StageIn,
)
from kuihua.organizations.selectors import (
    access_organization,
    access_organization_for_change,
    access_partner_unit,
    organization_directory,
    organization_members,
    partner_units_visible_to,
)
from kuihua.registry.selectors import access_resident

router = Router(tags=["organizations"])


def _require(user, perm: str, obj=None) -> None:
    """403 for a community-wide action (nothing to hide), 404 on a given organization."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied if obj is None else Http404


def _profile(user, organization_id: int) -> Organization:
    """The organization with its members (phones masked)."""
    organization = access_organization(user, organization_id)
    organization.member_list = list(organization_members(organization))
    return organization


# --- partner units (before /{organization_id} for readability; ids are ints) ---------


@router.get(
    "/partners",
    response={200: list[PartnerOut], **error_responses(403, 422)},
    summary="Partner units",
)
@paginated
def list_partners(request):
    return partner_units_visible_to(request.user).order_by("kind", "name", "id")


@router.post(
    "/partners",
    response={201: PartnerOut, **error_responses(400, 403, 422)},
    summary="Add a partner unit",
)
def create_partner(request, payload: PartnerIn):
    user = request.user
    _require(user, "organizations.add_partner")
    unit = services.partner_unit_create(
        actor=user,
        name=payload.name,
        kind=payload.kind,
        services=payload.services,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
    )
    return Status(201, unit)


@router.get(
    "/partners/{int:partner_id}",
    response={200: PartnerOut, **error_responses(404)},
    summary="One partner unit",
)
def get_partner(request, partner_id: int):
    return access_partner_unit(request.user, partner_id)


@router.post(
    "/partners/{int:partner_id}/contact",
    response={200: PartnerOut, **error_responses(400, 404, 422)},
    summary="Name the account that serves the unit's orders (coordinators)",
)
def set_partner_contact(request, partner_id: int, payload: PartnerContactIn):
    user = request.user
    partner = access_partner_unit(user, partner_id)
    if not user.has_perm("organizations.set_partner_contact"):
        raise Http404
    return services.partner_unit_set_contact(actor=user, partner=partner, username=payload.username)


# --- organizations ------------------------------------------------------------------


@router.get(
    "",
    response={200: list[OrganizationListItem], **error_responses(403, 422)},
    summary="The directory of organizations",
)
@paginated
def list_organizations(request, category: CategoryValue | None = None, q: str = ""):
    return organization_directory(request.user, category=category or "", query=q)


@router.post(
    "",
    response={201: OrganizationOut, **error_responses(400, 403, 422)},
    summary="File a new organization (starts incubating)",
)
def create_organization(request, payload: OrganizationIn):
    user = request.user
    _require(user, "organizations.add_organization")
    leader = None
    if payload.leader_resident_id is not None:
        leader = body_ref(
            access_resident,
            user,
            payload.leader_resident_id,
            "leader_resident_id",
            _("找不到该居民"),
        )
    organization = services.organization_create(
        actor=user,
        name=payload.name,
        category=payload.category,
        description=payload.description,
        founded_on=payload.founded_on,
        leader=leader,
    )
    return Status(201, _profile(user, organization.pk))


@router.get(
    "/{int:organization_id}",
    response={200: OrganizationOut, **error_responses(404)},
    summary="An organization's profile and members",
)
def get_organization(request, organization_id: int):
    return _profile(request.user, organization_id)


@router.patch(
    "/{int:organization_id}",
    response={200: OrganizationOut, **error_responses(400, 404, 422)},
    summary="Change an organization's profile",
)
def update_organization(request, organization_id: int, payload: OrganizationPatch):
    user = request.user
    organization = access_organization_for_change(user, organization_id)
    changes = payload.dict(exclude_unset=True)
    if changes:
        services.organization_update(actor=user, organization=organization, **changes)
    return _profile(user, organization.pk)


@router.post(
    "/{int:organization_id}/stage",
    response={200: OrganizationOut, **error_responses(400, 404, 422)},
    summary="Move an organization to its next stage",
)
def advance_stage(request, organization_id: int, payload: StageIn):
    user = request.user
    organization = access_organization(user, organization_id)
    _require(user, "organizations.change_stage", organization)
    services.organization_advance_stage(
        actor=user, organization=organization, to_stage=payload.to_stage, on=payload.on
    )
    return _profile(user, organization.pk)


@router.post(
    "/{int:organization_id}/members",
    response={201: MemberOut, **error_responses(400, 404, 422)},
    summary="Add a member",
)
def add_member(request, organization_id: int, payload: MemberIn):
    user = request.user
    organization = access_organization_for_change(user, organization_id)
    resident = body_ref(
        access_resident, user, payload.resident_id, "resident_id", _("找不到该居民")
    )
    membership = services.membership_add(
        actor=user,
        organization=organization,
        resident=resident,
        role=payload.role,
        joined_on=payload.joined_on,
    )
    return Status(201, membership)


@router.delete(
    "/{int:organization_id}/members/{int:membership_id}",
    response={204: None, **error_responses(400, 404)},
    summary="Remove a member",
)
def remove_member(request, organization_id: int, membership_id: int):
    user = request.user
    organization = access_organization_for_change(user, organization_id)
    membership = get_object_or_404(organization_members(organization), pk=membership_id)
    services.membership_remove(actor=user, membership=membership)
    return Status(204, None)


@router.put(
    "/{int:organization_id}/leader",
    response={200: OrganizationOut, **error_responses(400, 404, 422)},
    summary="Set the organization's leader",
)
def set_leader(request, organization_id: int, payload: LeaderIn):
    user = request.user
    organization = access_organization_for_change(user, organization_id)
    if not user.has_perm("organizations.set_leader", organization):
        raise Http404  # as on the page: the leadership is the coordinators' to give
    resident = body_ref(
        access_resident, user, payload.resident_id, "resident_id", _("找不到该居民")
    )
    services.organization_set_leader(actor=user, organization=organization, resident=resident)
    return _profile(user, organization.pk)
