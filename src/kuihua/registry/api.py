"""The registry over JSON: residents, households and their owners, compounds, tags, the access log.

Handlers parse, check the permission and call the same selectors and services
as the pages. Objects are fetched through `access_*` selectors, which answer
404 for anything outside the user's view (another community included). A
permission missing on a resident the user can see is a 404 as well: personal
records never disclose that they exist.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from kuihua.core import disclosure
from kuihua.core.api_support import ServiceError, body_ref, error_responses, paginated
from kuihua.core.models import AccessLog
from kuihua.registry import services
from kuihua.registry.models import Building, Compound, Resident, Tag
from kuihua.registry.schemas import (
    AccessLogOut,
    AreaIn,
    CompoundOut,
    ConsentIn,
    ConsentOut,
    ElectorateOut,
    EmergencyContactIn,
    EmergencyContactOut,
    EraseIn,
    HomeOwnersOut,
    HouseholdOut,
    OwnerIn,
    OwnerOut,
    ResidentExportOut,
    ResidentIn,
    ResidentListItem,
    ResidentOut,
    ResidentPatch,
    ResidentSensitiveOut,
    TagIn,
    TagOut,
    TagsIn,
)
from kuihua.registry.selectors import (
    access_compound,
    access_household,
    access_ownership,
    access_resident,
    compound_electorate,
    resident_list,
)

router = Router(tags=["registry"])


def _require(user, perm: str, obj=None, *, hide: bool = True) -> None:
    """404 when the object is private (`hide`), 403 when there is nothing to hide."""
    if not user.has_perm(perm, obj):
        raise Http404 if hide else PermissionDenied


def _resident_for(user, resident_id: int, perm: str | None = None) -> Resident:
    resident = access_resident(user, resident_id)
    if perm:
        _require(user, perm, resident)
    return resident


def _tags_by_code(codes: list[str]) -> list[Tag]:
    codes = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    tags = list(Tag.objects.filter(code__in=codes)) if codes else []
    unknown = sorted(set(codes) - {t.code for t in tags})
    if unknown:
        raise ServiceError(_("未知的标签：%(codes)s") % {"codes": ", ".join(unknown)}, field="tags")
    return tags


# --- residents ----------------------------------------------------------------------


@router.get(
    "/residents",
    response={200: list[ResidentListItem], **error_responses(400, 422, 429)},
    summary="List residents (masked)",
)
@paginated
def list_residents(
    request,
    q: str = "",
    tag: str = "",
    compound_id: int | None = None,
    building_id: int | None = None,
    party_member: bool | None = None,
):
    """Search by name, pinyin, initials or the last four phone digits; by a whole ID
    number or phone only with the right to whole records (each hit access-logged, at
    most KUIHUA_WHOLE_VALUE_SEARCH_RATE such searches; 429 past it). For other roles
    such a query is refused (400 on `q`): it would confirm the whole value."""
    refusal = disclosure.search_refusal(request.user, q)
    if refusal:
        raise ServiceError(refusal, field="q")
    try:
        return resident_list(
            request.user,
            query=q,
            tag=tag,
            compound_id=compound_id,
            building_id=building_id,
            party_member=party_member,
        )
    except disclosure.WholeValueSearchThrottled as exc:
        raise ServiceError(exc.message, field="q", status=429) from exc


@router.post(
    "/residents",
    response={201: ResidentOut, **error_responses(400, 403, 422)},
    summary="Register a resident",
)
def create_resident(request, payload: ResidentIn):
    user = request.user
    _require(user, "registry.add_resident", hide=False)
    tags = _tags_by_code(payload.tags)
    household = None
    if payload.household_id is not None:
        household = body_ref(
            access_household, user, payload.household_id, "household_id", _("找不到该户")
        )
    address = None
    if payload.address is not None:
        address = {
            "compound_name": payload.address.compound,
            "building_name": payload.address.building,
            "unit": payload.address.unit,
            "room": payload.address.room,
        }
    # The service creates the address, if new, only together with the resident.
    resident = services.resident_create(
        actor=user,
        name=payload.name,
        household=household,
        address=address,
        relation_to_head=payload.relation_to_head,
        sex=payload.sex,
        ethnicity=payload.ethnicity,
        birth_date=payload.birth_date,
        id_number=payload.id_number,
        phone=payload.phone,
        political_status=payload.political_status,
        category=payload.category,
        health_conditions=payload.health_conditions,
        notes=payload.notes,
        tags=tags,
    )
    return Status(201, access_resident(user, resident.pk))


@router.get(
    "/residents/{int:resident_id}",
    response={200: ResidentOut, **error_responses(404)},
    summary="One resident (masked)",
)
def get_resident(request, resident_id: int):
    return _resident_for(request.user, resident_id)


@router.get(
    "/residents/{int:resident_id}/sensitive",
    response={200: ResidentSensitiveOut, **error_responses(404)},
    summary="Whole ID number, phone and health data (logged)",
)
def get_resident_sensitive(request, resident_id: int, purpose: str = ""):
    """Every call is written to the access log, with the purpose given."""
    user = request.user
    resident = _resident_for(user, resident_id, "registry.view_resident_sensitive")
    whole = services.resident_sensitive_view(user=user, resident=resident, purpose=purpose[:200])
    return {
        "id": resident.pk,
        "name": resident.name,
        **whole,
        "sensitive_tags": [t for t in resident.tags.all() if t.is_sensitive],
        "emergency_contacts": list(resident.emergency_contacts.all()),
    }


@router.patch(
    "/residents/{int:resident_id}",
    response={200: ResidentOut, **error_responses(400, 404, 422)},
    summary="Change a resident",
)
def update_resident(request, resident_id: int, payload: ResidentPatch):
    user = request.user
    resident = _resident_for(user, resident_id, "registry.change_resident")
    changes = payload.dict(exclude_unset=True)
    if "household_id" in changes:
        household_id = changes.pop("household_id")
        changes["household"] = (
            body_ref(access_household, user, household_id, "household_id", _("找不到该户"))
            if household_id
            else None
        )
    if changes:
        services.resident_update(actor=user, resident=resident, **changes)
    return access_resident(user, resident.pk)


@router.put(
    "/residents/{int:resident_id}/tags",
    response={200: ResidentOut, **error_responses(400, 404, 422)},
    summary="Replace a resident's tags",
)
def set_resident_tags(request, resident_id: int, payload: TagsIn):
    user = request.user
    resident = _resident_for(user, resident_id, "registry.change_resident")
    services.resident_set_tags(actor=user, resident=resident, tags=_tags_by_code(payload.tags))
    return access_resident(user, resident.pk)


@router.post(
    "/residents/{int:resident_id}/consents",
    response={201: ConsentOut, **error_responses(400, 404, 422)},
    summary="Record a consent or its withdrawal",
)
def record_consent(request, resident_id: int, payload: ConsentIn):
    user = request.user
    resident = _resident_for(user, resident_id, "registry.record_consent")
    consent = services.consent_record(
        actor=user,
        resident=resident,
        purpose=payload.purpose,
        granted=payload.granted,
        method=payload.method,
        note=payload.note,
    )
    return Status(201, consent)


@router.post(
    "/residents/{int:resident_id}/emergency-contacts",
    response={201: EmergencyContactOut, **error_responses(400, 404, 422)},
    summary="Add an emergency contact",
)
def add_emergency_contact(request, resident_id: int, payload: EmergencyContactIn):
    user = request.user
    resident = _resident_for(user, resident_id, "registry.change_resident")
    contact = services.emergency_contact_add(
        actor=user,
        resident=resident,
        name=payload.name,
        phone=payload.phone,
        relation=payload.relation,
    )
    return Status(201, contact)


@router.get(
    "/residents/{int:resident_id}/export",
    response={200: ResidentExportOut, **error_responses(404)},
    summary="Everything held about a resident (logged)",
)
def export_resident(request, resident_id: int):
    user = request.user
    resident = _resident_for(user, resident_id, "registry.export_resident")
    return services.resident_export(actor=user, resident=resident)


@router.delete(
    "/residents/{int:resident_id}",
    response={204: None, **error_responses(400, 404, 422)},
    summary="Erase a resident (logged, irreversible)",
)
def erase_resident(request, resident_id: int, payload: EraseIn):
    user = request.user
    resident = _resident_for(user, resident_id, "registry.erase_resident")
    services.resident_erase(actor=user, resident=resident, reason=payload.reason)
    return Status(204, None)


# --- households ----------------------------------------------------


@router.get(
    "/households/{int:household_id}",
    response={200: HouseholdOut, **error_responses(404)},
    summary="A household and its members (masked)",
)
def get_household(request, household_id: int):
    return access_household(request.user, household_id)


# --- homes: floor area and owners (业主) ---------------------------------------------


def _home_for(user, household_id: int, perm: str):
    household = access_household(user, household_id)
    _require(user, perm, household)
    return household


@router.get(
    "/households/{int:household_id}/owners",
    response={200: HomeOwnersOut, **error_responses(404)},
    summary="A home's floor area and its owners (phones masked)",
)
def get_home_owners(request, household_id: int):
    return _home_for(request.user, household_id, "registry.view_ownership")


@router.put(
    "/households/{int:household_id}/area",
    response={200: HomeOwnersOut, **error_responses(400, 404, 422)},
    summary="Set or clear a home's exclusive floor area",
)
def set_home_area(request, household_id: int, payload: AreaIn):
    user = request.user
    household = _home_for(user, household_id, "registry.change_ownership")
    services.home_area_set(actor=user, household=household, area=payload.exclusive_area)
    return access_household(user, household.pk)


@router.post(
    "/households/{int:household_id}/owners",
    response={201: OwnerOut, **error_responses(400, 404, 422)},
    summary="Record an owner of a home",
)
def add_home_owner(request, household_id: int, payload: OwnerIn):
    user = request.user
    household = _home_for(user, household_id, "registry.change_ownership")
    resident = None
    if payload.resident_id is not None:
        if payload.name or payload.phone:
            raise ServiceError(
                _("业主是登记的居民时，姓名和电话按居民档案，不用另填"), field="name"
            )
        resident = body_ref(
            access_resident, user, payload.resident_id, "resident_id", _("找不到该居民")
        )
    ownership = services.owner_add(
        actor=user, household=household, resident=resident, name=payload.name, phone=payload.phone
    )
    return Status(201, access_ownership(user, household, ownership.pk))


@router.delete(
    "/households/{int:household_id}/owners/{int:ownership_id}",
    response={204: None, **error_responses(404)},
    summary="Remove an owner from a home",
)
def remove_home_owner(request, household_id: int, ownership_id: int):
    user = request.user
    household = _home_for(user, household_id, "registry.change_ownership")
    services.owner_remove(actor=user, ownership=access_ownership(user, household, ownership_id))
    return Status(204, None)


@router.get(
    "/compounds/{int:compound_id}/electorate",
    response={200: ElectorateOut, **error_responses(404)},
    summary="A compound's owners as they count in a vote, by head and by area",
)
def get_compound_electorate(request, compound_id: int):
    """Co-owners of a home count as one head, and so does an owner of several homes,
    with the areas added. `homes_without_owner` and `homes_without_area` say what keeps
    the count from being complete."""
    user = request.user
    compound = access_compound(user, compound_id)
    _require(user, "registry.view_ownership", compound)
    electorate = compound_electorate(compound)
    return {
        "compound": compound,
        "heads": electorate.heads,
        "total_area": electorate.total_area,
        "voters": electorate.voters,
        "homes_without_owner": electorate.homes_without_owner,
        "homes_without_area": electorate.homes_without_area,
    }


# --- compounds, tags ----------------------------------------------------------------


@router.get(
    "/compounds",
    response={200: list[CompoundOut], **error_responses(403, 422)},
    summary="Compounds with their buildings",
)
@paginated
def list_compounds(request):
    return Compound.objects.prefetch_related(
        Prefetch("buildings", queryset=Building.objects.order_by("name", "id"))
    ).order_by("name", "id")


@router.get(
    "/tags",
    response={200: list[TagOut], **error_responses(403, 422)},
    summary="Resident tags",
)
@paginated
def list_tags(request):
    return Tag.objects.order_by("id")


@router.post(
    "/tags",
    response={201: TagOut, **error_responses(400, 403, 422)},
    summary="Add a tag",
)
def create_tag(request, payload: TagIn):
    user = request.user
    _require(user, "registry.add_tag", hide=False)
    tag = services.tag_create(
        actor=user, name=payload.name, code=payload.code, is_sensitive=payload.is_sensitive
    )
    return Status(201, tag)


# --- access log ---------------------------------------------------------------------


@router.get(
    "/access-log",
    response={200: list[AccessLogOut], **error_responses(403, 422)},
    summary="Who saw, exported or erased whose personal data",
)
@paginated
def list_access_log(request, subject_id: int | None = None, subject_type: str = ""):
    _require(request.user, "core.view_accesslog", hide=False)
    qs = AccessLog.objects.select_related("user").order_by("-at", "-id")
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    return qs
