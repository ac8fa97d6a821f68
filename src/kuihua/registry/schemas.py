"""What the registry API reads and writes. Every field is named; nothing is derived from models.

Outputs mask by default: ID numbers and phones come out as 330***********1234
and 138****5678; tags that describe health are left out of lists. The whole
values leave only through the `sensitive` and `export` endpoints, which write
the access log.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema

from kuihua.core.api_support import RowId
from kuihua.core.identity import age_on
from kuihua.core.masking import mask_id_number, mask_phone
from kuihua.registry.models import Consent, Resident
from kuihua.registry.selectors import household_members, household_owners

SexValue = Literal[("", *Resident.Sex.values)]
RelationValue = Literal[tuple(Resident.Relation.values)]
PoliticalValue = Literal[tuple(Resident.Political.values)]
PurposeValue = Literal[tuple(Consent.Purpose.values)]
MethodValue = Literal[tuple(Consent.Method.values)]


def public_tags(resident: Resident) -> list:
    """The resident's tags minus those about health (uses the prefetched tags)."""
    return [t for t in resident.tags.all() if not t.is_sensitive]


# --- tags, compounds ----------------------------------------------------------------


class TagOut(Schema):
    id: int
    code: str
    name: str
    is_sensitive: bool
    is_system: bool


class TagIn(Schema):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")
    name: str = Field(..., min_length=1, max_length=40)
    is_sensitive: bool = False


class TagBrief(Schema):
    code: str
    name: str


class BuildingOut(Schema):
    id: int
    name: str


class CompoundOut(Schema):
    id: int
    name: str
    address: str
    has_property_company: bool
    property_company: str
    buildings: list[BuildingOut]

    @staticmethod
    def resolve_buildings(obj) -> list:
        return list(obj.buildings.all())


# --- residents: reading -------------------------------------------------------------


class ResidentListItem(Schema):
    """A row of the registry: masked identity, public tags, no birth date (only an age)."""

    id: int
    name: str
    sex: str
    age: int | None
    id_number: str = Field(description="masked")
    phone: str = Field(description="masked")
    household_id: int | None
    address: str
    relation_to_head: str
    political_status: str
    is_party_member: bool
    category: str
    tags: list[TagBrief] = Field(description="tags about health are left out")

    @staticmethod
    def resolve_age(obj) -> int | None:
        return age_on(obj.birth_date, timezone.localdate())

    @staticmethod
    def resolve_id_number(obj) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_address(obj) -> str:
        return obj.household.address if obj.household_id else ""

    @staticmethod
    def resolve_tags(obj) -> list:
        return public_tags(obj)


class EmergencyContactOut(Schema):
    id: int
    name: str
    relation: str
    phone: str = Field(description="masked")
    priority: int

    @staticmethod
    def resolve_phone(obj) -> str:
        return mask_phone(obj.phone)


class ConsentOut(Schema):
    id: int
    purpose: str
    purpose_label: str
    granted: bool
    method: str
    method_label: str
    recorded_at: dt.datetime
    note: str

    @staticmethod
    def resolve_purpose_label(obj) -> str:
        return str(obj.get_purpose_display())

    @staticmethod
    def resolve_method_label(obj) -> str:
        return str(obj.get_method_display())


class ResidentOut(ResidentListItem):
    """One resident, masked. Tags about health are shown only to roles that may see them."""

    ethnicity: str
    birth_date: dt.date | None = Field(
        None, description="only for roles that see whole records: with the masked ID it is the ID"
    )
    notes: str
    emergency_contacts: list[EmergencyContactOut]
    consents: list[ConsentOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_tags(obj, context) -> list:
        user = context["request"].user
        if user.has_perm("registry.view_resident_sensitive", obj):
            return list(obj.tags.all())
        return public_tags(obj)

    @staticmethod
    def resolve_birth_date(obj, context) -> dt.date | None:
        # The masked ID keeps region and last four digits; the birth date is the
        # rest, so it goes only with the whole record (age is in the list item).
        if context["request"].user.has_perm("registry.view_resident_sensitive", obj):
            return obj.birth_date
        return None

    @staticmethod
    def resolve_emergency_contacts(obj) -> list:
        return list(obj.emergency_contacts.all())

    @staticmethod
    def resolve_consents(obj) -> list:
        return list(obj.consents.all())


class EmergencyContactWhole(Schema):
    name: str
    relation: str
    phone: str
    priority: int


class ResidentSensitiveOut(Schema):
    """The whole values; every read is written to the access log."""

    id: int
    name: str
    id_number: str
    phone: str
    health_conditions: str
    sensitive_tags: list[TagBrief]
    emergency_contacts: list[EmergencyContactWhole]


class HouseholdMemberOut(Schema):
    id: int
    name: str
    sex: str
    age: int | None
    relation_to_head: str
    id_number: str = Field(description="masked")
    phone: str = Field(description="masked")
    tags: list[TagBrief] = Field(description="tags about health are left out")

    resolve_age = staticmethod(ResidentListItem.resolve_age)
    resolve_id_number = staticmethod(ResidentListItem.resolve_id_number)
    resolve_phone = staticmethod(ResidentListItem.resolve_phone)
    resolve_tags = staticmethod(ResidentListItem.resolve_tags)


class PlaceRef(Schema):
    id: int
    name: str


class HouseholdOut(Schema):
    id: int
    address: str
    compound: PlaceRef
    building: PlaceRef
    unit: str
    room: str
    members: list[HouseholdMemberOut]

    @staticmethod
    def resolve_compound(obj):
        return obj.building.compound

    @staticmethod
    def resolve_members(obj) -> list:
        return list(household_members(obj))


# --- homes: floor area and owners (业主) -----------------------------------------------


def area_text(value: Decimal | None) -> str | None:
    """An area in m² as a decimal string with two places ("89.50"), never a float."""
    return None if value is None else str(value.quantize(Decimal("0.01")))


AREA_DESCRIPTION = 'exclusive floor area in m², a decimal string with two places ("89.50")'


class OwnerOut(Schema):
    """An owner of a home: a registered resident, or a person who lives elsewhere."""

    id: int
    name: str
    resident_id: int | None = Field(..., description="null for an owner who lives elsewhere")
    phone: str = Field(description="masked")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.resident.name if obj.resident_id else obj.name

    @staticmethod
    def resolve_phone(obj) -> str:
        return mask_phone(obj.resident.phone if obj.resident_id else obj.phone)


class HomeOwnersOut(Schema):
    """A home's floor area and its owners."""

    household_id: int
    address: str
    exclusive_area: str | None = Field(..., description=AREA_DESCRIPTION + "; null: not known")
    owners: list[OwnerOut]

    @staticmethod
    def resolve_household_id(obj) -> int:
        return obj.pk

    @staticmethod
    def resolve_exclusive_area(obj) -> str | None:
        return area_text(obj.exclusive_area)

    @staticmethod
    def resolve_owners(obj) -> list:
        return household_owners(obj)


class AreaIn(Schema):
    exclusive_area: str | None = Field(
        ...,
        max_length=20,
        description='m² as a decimal string, at most two places ("89.5"); null clears it',
        examples=["89.50"],
    )


class OwnerIn(Schema):
    """Give `resident_id` for a registered resident, or `name` (and `phone`) for an owner
    who lives elsewhere; not both."""

    resident_id: RowId | None = None
    name: str = Field("", max_length=40)
    phone: str = Field("", max_length=40)


class HomeBrief(Schema):
    id: int
    address: str


class VoterOut(Schema):
    """One head in an owners' vote: co-owners of a home, and an owner of several homes,
    count once."""

    names: list[str]
    homes: list[HomeBrief]
    area: str | None = Field(..., description=AREA_DESCRIPTION + "; null while a home's is unknown")

    @staticmethod
    def resolve_area(obj) -> str | None:
        return area_text(obj.area)


class ElectorateOut(Schema):
    """Who votes in a compound, by head and by exclusive area, and what keeps the count from
    being complete."""

    compound: PlaceRef
    heads: int
    total_area: str = Field(..., description=AREA_DESCRIPTION)
    voters: list[VoterOut]
    homes_without_owner: list[HomeBrief]
    homes_without_area: list[HomeBrief] = Field(..., description="owned homes of unknown area")

    @staticmethod
    def resolve_total_area(obj) -> str:
        return area_text(obj["total_area"])


# --- residents: writing -------------------------------------------------------------


class AddressIn(Schema):
    """Where the resident lives; compound, building and household are created as needed."""

    compound: str = Field(..., min_length=1, max_length=100)
    building: str = Field(..., min_length=1, max_length=40)
    unit: str = Field("", max_length=20)
    room: str = Field(..., min_length=1, max_length=20)


class ResidentIn(Schema):
    """A new resident. Give `household_id` or `address`, or neither (no household yet)."""

    name: str = Field(..., max_length=40)
    sex: SexValue = ""
    ethnicity: str = Field("汉族", max_length=20)
    birth_date: dt.date | None = None
    id_number: str = Field("", max_length=40)
    phone: str = Field("", max_length=40)
    household_id: int | None = None
    address: AddressIn | None = None
    relation_to_head: RelationValue = Resident.Relation.HEAD.value
    political_status: PoliticalValue = Resident.Political.MASSES.value
    category: str = Field("", max_length=40)
    health_conditions: str = ""
    notes: str = ""
    tags: list[str] = Field(default_factory=list, description="tag codes")


class ResidentPatch(Schema):
    """Only the fields sent are changed; only `birth_date` and `household_id` may be null."""

    name: str = Field(None, max_length=40)
    sex: SexValue = None
    ethnicity: str = Field(None, max_length=20)
    birth_date: dt.date | None = None
    id_number: str = Field(None, max_length=40)
    phone: str = Field(None, max_length=40)
    household_id: int | None = None
    relation_to_head: RelationValue = None
    political_status: PoliticalValue = None
    category: str = Field(None, max_length=40)
    health_conditions: str = None
    notes: str = None


class TagsIn(Schema):
    tags: list[str] = Field(..., description="tag codes; replaces the resident's tags")


class ConsentIn(Schema):
    purpose: PurposeValue
    granted: bool = True
    method: MethodValue
    note: str = Field("", max_length=200)


class EmergencyContactIn(Schema):
    name: str = Field(..., max_length=40)
    phone: str = Field(..., max_length=40)
    relation: str = Field("", max_length=20)


class EraseIn(Schema):
    reason: str = Field(..., max_length=200, description="why the data is erased (logged)")


# --- export (PIPL right of access) ---------------------------------------------------


class ExportResident(Schema):
    id: int
    name: str
    sex: str
    ethnicity: str
    birth_date: str | None
    id_number: str
    phone: str
    address: str
    relation_to_head: str
    political_status: str
    category: str
    health_conditions: str
    notes: str
    tags: list[str]
    created_at: str


class ExportEmergencyContact(Schema):
    name: str
    relation: str
    phone: str
    priority: int


class ExportConsent(Schema):
    purpose: str
    granted: bool
    method: str
    recorded_at: str
    note: str


class ExportHousehold(Schema):
    address: str
    members: int = Field(..., description="how many people the household has (not who)")


class ExportApiToken(Schema):
    name: str
    created_at: str | None
    revoked_at: str | None


class ExportAccount(Schema):
    username: str
    display_name: str
    email: str
    role: str
    date_joined: str | None
    last_login: str | None
    api_tokens: list[ExportApiToken]


class ExportAccess(Schema):
    action: str
    at: str
    fields: list[str]
    purpose: str


class ResidentExportOut(Schema):
    resident: ExportResident
    household: ExportHousehold | None
    emergency_contacts: list[ExportEmergencyContact]
    consents: list[ExportConsent]
    account: ExportAccount | None
    access_log: list[ExportAccess] = Field(
        ..., description="each time the whole record was seen, exported or erased"
    )
    sections: dict[str, Any] = Field(
        ...,
        description=(
            "one section per app that keeps data about the person (organizations, "
            "service_records, activities, matching, care, training, notifications; "
            "see docs/privacy.md)"
        ),
    )


# --- access log ---------------------------------------------------------------------


class AccessLogOut(Schema):
    id: int
    at: dt.datetime
    user: str | None
    action: str
    action_label: str
    subject_type: str
    subject_id: int
    subject_label: str
    fields: list[str]
    purpose: str

    @staticmethod
    def resolve_user(obj) -> str | None:
        return obj.user.username if obj.user_id else None

    @staticmethod
    def resolve_action_label(obj) -> str:
        return str(obj.get_action_display())
