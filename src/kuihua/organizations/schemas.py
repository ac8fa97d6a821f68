"""What the organizations API reads and writes.

The directory and profiles are public within the community; members' phones
are masked for everyone (a roster is a list; see docs/adr/0002-personal-data.md)
and masked for everyone else.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from kuihua.core.masking import mask_phone
from kuihua.organizations.models import Category, Membership, PartnerUnit, Stage

CategoryValue = Literal[tuple(Category.values)]
StageValue = Literal[tuple(Stage.values)]
MemberRoleValue = Literal[tuple(Membership.Role.values)]
PartnerKindValue = Literal[tuple(PartnerUnit.Kind.values)]


class BranchOut(Schema):
    id: int
    name: str


class LeaderOut(Schema):
    resident_id: int
    name: str

    @staticmethod
    def resolve_resident_id(obj) -> int:
        return obj.pk


class OrganizationListItem(Schema):
    id: int
    name: str
    category: str
    category_label: str
    branch: BranchOut
    stage: str
    stage_label: str
    leader_name: str | None
    member_count: int

    @staticmethod
    def resolve_category_label(obj) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_stage_label(obj) -> str:
        return str(obj.get_stage_display())

    @staticmethod
    def resolve_leader_name(obj) -> str | None:
        return obj.leader.name if obj.leader_id else None


class MemberOut(Schema):
    id: int = Field(description="the membership id")
    resident_id: int
    name: str
    role: str
    role_label: str
    joined_on: dt.date | None
    phone: str = Field(description="always masked: a roster is a list (PIPL)")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.resident.name

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_phone(obj) -> str:
        # Lists never show a whole phone; the whole record is a resident's, opened
        # by a coordinator and access-logged.
        return mask_phone(obj.resident.phone)


class OrganizationOut(Schema):
    id: int
    name: str
    category: str
    category_label: str
    branch: BranchOut
    stage: str
    stage_label: str
    description: str
    founded_on: dt.date | None
    incubated_on: dt.date | None
    filed_on: dt.date | None
    registered_on: dt.date | None
    branded_on: dt.date | None
    funds_note: str
    leader: LeaderOut | None
    member_count: int
    members: list[MemberOut]

    resolve_category_label = staticmethod(OrganizationListItem.resolve_category_label)
    resolve_stage_label = staticmethod(OrganizationListItem.resolve_stage_label)

    @staticmethod
    def resolve_members(obj) -> list:
        return obj.member_list

    @staticmethod
    def resolve_member_count(obj) -> int:
        return len(obj.member_list)


class OrganizationIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    category: CategoryValue
    description: str = ""
    founded_on: dt.date | None = None
    leader_resident_id: int | None = None


class OrganizationPatch(Schema):
    """Only the fields sent are changed."""

    description: str = None
    founded_on: dt.date | None = None
    funds_note: str = Field(None, max_length=200)


class StageIn(Schema):
    to_stage: StageValue
    on: dt.date | None = Field(None, description="defaults to today")


class MemberIn(Schema):
    resident_id: int
    role: MemberRoleValue = Membership.Role.MEMBER.value
    joined_on: dt.date | None = None


class LeaderIn(Schema):
    resident_id: int


class PartnerOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    services: str
    contact_name: str
    contact_phone: str = Field(description="whole for coordinators, else masked")
    contact_username: str = Field(
        description="the account that serves the unit's orders: for coordinators, else empty"
    )

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_contact_username(obj, context) -> str:
        user = context["request"].user
        if obj.contact_user_id is None or not user.has_perm("organizations.set_partner_contact"):
            return ""
        return obj.contact_user.username

    @staticmethod
    def resolve_contact_phone(obj, context) -> str:
        user = context["request"].user
        if user.has_perm("organizations.view_private"):
            return obj.contact_phone
        return mask_phone(obj.contact_phone)


class PartnerContactIn(Schema):
    username: str = Field(
        "", max_length=150, description="the account's sign-in name; empty takes it off"
    )


class PartnerIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: PartnerKindValue
    services: str = ""
    contact_name: str = Field("", max_length=40)
    contact_phone: str = Field("", max_length=40)
