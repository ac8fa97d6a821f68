"""What the matching API reads and writes.

Days and parts of the day are bit masks: days bit 0 = Monday … bit 6 = Sunday
(127 = every day, 31 = weekdays); slots bit 0 = morning, 1 = afternoon, 2 =
evening (7 = any time).
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from kuihua.core.api_support import RowId
from kuihua.matching.models import ALL_DAYS, ALL_SLOTS


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    is_system: bool


class CategoryIn(Schema):
    name: str = Field(..., min_length=1, max_length=40)


class NeedIn(Schema):
    category_id: int
    description: str = Field("", max_length=2000)
    urgency: int = Field(2, ge=1, le=4, description="1 不急 … 4 紧急")
    days: int = Field(ALL_DAYS, ge=1, le=ALL_DAYS)
    slots: int = Field(ALL_SLOTS, ge=1, le=ALL_SLOTS)
    recurrence: str = Field("once", description="once | weekdays | weekly | monthly")
    consent_to_share: bool = False
    resident_id: int | None = Field(
        None, description="raise for this resident (coordinators, or volunteers on a visit)"
    )
    project_id: int | None = Field(
        None, description="the public-welfare project it counts in (coordinators only)"
    )


class PersonOut(Schema):
    name: str
    address: str
    phone: str
    shared: bool = Field(description="false: masked, the resident did not consent")


class EventOut(Schema):
    status: str
    at: dt.datetime
    by_id: int | None
    note: str


class ProposalOut(Schema):
    id: int
    run_id: int
    need_id: int
    offer_id: int | None
    offer_name: str | None
    status: str
    cost: int
    cost_distance: int
    cost_fit: int
    cost_priority: int
    cost_continuity: int
    cost_load: int
    reason: str
    reason_label: str
    candidates: int

    @staticmethod
    def resolve_offer_name(obj) -> str | None:
        return obj.offer.name if obj.offer_id else None

    @staticmethod
    def resolve_reason_label(obj) -> str:
        return str(obj.get_reason_display()) if obj.reason else ""


class NeedOut(Schema):
    id: int
    category_id: int
    category: str
    description: str
    urgency: int
    days: int
    slots: int
    recurrence: str
    consent_to_share: bool
    channel: str
    status: str
    status_label: str
    provider_id: int | None
    provider_name: str | None
    compound: str
    rating: int | None
    rating_comment: str
    close_reason: str
    created_at: dt.datetime
    project_id: int | None

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_provider_name(obj) -> str | None:
        return obj.provider.name if obj.provider_id else None

    @staticmethod
    def resolve_compound(obj) -> str:
        return obj.compound.name if obj.compound_id else ""


class NeedDetailOut(NeedOut):
    person: PersonOut
    steps: list[EventOut]
    proposal: ProposalOut | None


class DeliveryIn(Schema):
    delivered_at: dt.datetime | None = Field(
        None, description="when it was delivered; now if empty"
    )


class DeliveryOut(Schema):
    id: int
    need_id: int
    offer_id: int | None
    provider_type: str
    category_id: int
    delivered_at: dt.datetime
    deliveries: int = Field(description="how many times the need has been delivered so far")

    @staticmethod
    def resolve_deliveries(obj) -> int:
        return obj.need.deliveries.count()


class AttributionIn(Schema):
    project_id: int | None = Field(description="the community's project; null: none")


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class AssignIn(Schema):
    offer_id: int


class RateIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=200)


class OfferIn(Schema):
    provider_type: str = Field(
        description="organization | volunteer | government | enterprise | institution"
    )
    name: str = Field(..., min_length=1, max_length=100)
    main_category_id: int
    category_ids: list[RowId] = []
    capacity_per_week: int = Field(1, ge=1, le=500)
    organization_id: int | None = None
    volunteer_id: int | None = Field(None, description="the volunteer's resident id")
    partner_id: int | None = None
    serves_all: bool = False
    compound_ids: list[RowId] = []
    days: int = Field(ALL_DAYS, ge=1, le=ALL_DAYS)
    slots: int = Field(ALL_SLOTS, ge=1, le=ALL_SLOTS)
    is_free: bool = True
    price_note: str = Field("", max_length=100)
    project_id: int | None = Field(None, description="the public-welfare project it serves in")


class OfferOut(Schema):
    id: int
    provider_type: str
    name: str
    main_category_id: int
    category_ids: list[int]
    capacity_per_week: int
    serves_all: bool
    compound_ids: list[int]
    days: int
    slots: int
    is_free: bool
    price_note: str
    active: bool
    project_id: int | None

    @staticmethod
    def resolve_category_ids(obj) -> list[int]:
        return sorted(c.pk for c in obj.categories.all())

    @staticmethod
    def resolve_compound_ids(obj) -> list[int]:
        return sorted(c.pk for c in obj.compounds.all())


class WeightsIn(Schema):
    """The cost model; each is the cost of one unit of its term (defaults shown)."""

    same_compound: int = Field(10, ge=0, le=10_000)
    same_community: int = Field(30, ge=0, le=10_000)
    secondary_category: int = Field(5, ge=0, le=10_000)
    urgency: int = Field(8, ge=0, le=10_000)
    waiting: int = Field(1, ge=0, le=10_000)
    continuity: int = Field(15, ge=0, le=10_000)
    load: int = Field(4, ge=0, le=10_000)


class RunOut(Schema):
    id: int
    started_at: dt.datetime
    weights: dict
    needs: int
    providers: int
    matched: int
    total_cost: int
    seconds_solver: float
    seconds_total: float


class AcceptIn(Schema):
    proposal_ids: list[RowId] | None = Field(None, description="omit to accept every proposal")


class AcceptOut(Schema):
    accepted: int
    problems: list[str]


class GapOut(Schema):
    category_id: int
    category: str
    compound_id: int | None
    compound: str
    raised: int
    delivered: int
    waiting: int
    capacity_per_week: int
    gap: int


class StatsOut(Schema):
    person_times: int
    people: int
    by_organizations: int
    share_by_organizations: float | None
    by_provider_type: dict[str, int]
    by_month: list[dict]
    by_category: list[dict]
