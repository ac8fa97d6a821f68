"""What the projects API reads and writes (mounted at /api/projects).

Money is whole fen: every amount is an integer `*_fen` beside a `*_yuan` string for
display ("1,234.50"), never a float. An amount sent must be a JSON integer of fen (12.5
or "1250" is refused, 422). Indicator values are decimal strings ("92.5"), as typed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict

from kuihua.core.api_support import RowId
from kuihua.core.money import MAX_FEN

YUAN = 'the amount in yuan for display, "1,234.50"'

Fen = Annotated[int, Strict(), Field(ge=1, le=MAX_FEN, description="whole fen (分), > 0")]
FenOrZero = Annotated[
    int, Strict(), Field(ge=0, le=MAX_FEN, description="whole fen (分), 0 or more")
]
Day = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2099, 12, 31))]
Status = Literal["planning", "running", "finished", "cancelled"]
FundingKind = Literal["subsidy", "donation", "market", "other"]
IndicatorSource = Literal["manual", "care_accident_rate"]
Number = Annotated[Decimal, Field(ge=-99999999, le=99999999, decimal_places=4)]


def fen_pair(name: str, fen: int) -> dict:
    from kuihua.core.money import yuan

    return {f"{name}_fen": fen, f"{name}_yuan": yuan(fen)}


# --- domains ----------------------------------------------------------------------------


class DomainOut(Schema):
    id: int
    name: str
    position: int


class DomainIn(Schema):
    name: str = Field(..., min_length=1, max_length=40)


# --- projects ---------------------------------------------------------------------------


class NamedOut(Schema):
    id: int
    name: str


class ProjectOut(Schema):
    """A project in the list: its status, progress and money."""

    id: int
    name: str
    domain: NamedOut
    status: Status
    status_label: str
    lead_organization: NamedOut
    starts_on: dt.date
    ends_on: dt.date
    milestones_done: int
    milestones_total: int
    raised_fen: int = Field(description="funding received")
    raised_yuan: str = Field(description=YUAN)
    spent_fen: int = Field(description="expenses posted on its budget lines")
    spent_yuan: str = Field(description=YUAN)


class OutputsOut(Schema):
    """What the work attributed to the project delivered (docs/person-time.md)."""

    person_times: int
    attendances: int
    services_delivered: int
    care_contacts: int
    volunteer_hours: Decimal
    volunteers: int
    people_served: int


class ProjectDetailOut(ProjectOut):
    summary: str
    partner_organizations: list[NamedOut]
    partner_units: list[NamedOut]
    beneficiary_tags: list[NamedOut]
    beneficiary_ids: list[int] = Field(
        description="the residents served by name (to those who run the project; else empty)"
    )
    beneficiary_count: int
    target_person_times: int | None
    target_people: int | None
    target_hours: Decimal | None
    budget_fen: int = Field(description="the budget lines' total")
    budget_yuan: str = Field(description=YUAN)
    on_hand_fen: int = Field(description="raised less spent: what is on its books")
    on_hand_yuan: str = Field(description=YUAN)
    outputs: OutputsOut
    may_run: bool = Field(description="the caller may change the plan, money and indicators")
    may_manage: bool = Field(description="the caller may edit the project and its status")


class ProjectIn(Schema):
    domain_id: RowId
    name: str = Field(..., min_length=1, max_length=100)
    summary: str = Field("", max_length=5000)
    lead_organization_id: RowId
    starts_on: Day
    ends_on: Day
    partner_organization_ids: list[RowId] = Field(default_factory=list, max_length=200)
    partner_unit_ids: list[RowId] = Field(default_factory=list, max_length=200)
    beneficiary_tag_ids: list[RowId] = Field(default_factory=list, max_length=200)
    beneficiary_ids: list[RowId] = Field(default_factory=list, max_length=5000)
    target_person_times: int | None = Field(None, ge=0, le=2_000_000_000)
    target_people: int | None = Field(None, ge=0, le=2_000_000_000)
    target_hours: Decimal | None = Field(None, ge=0, le=99999999, decimal_places=2)


class ProjectPatch(Schema):
    """Only the fields sent change; a list sent replaces the list."""

    domain_id: RowId | None = None
    name: str | None = Field(None, min_length=1, max_length=100)
    summary: str | None = Field(None, max_length=5000)
    lead_organization_id: RowId | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    partner_organization_ids: list[RowId] | None = Field(None, max_length=200)
    partner_unit_ids: list[RowId] | None = Field(None, max_length=200)
    beneficiary_tag_ids: list[RowId] | None = Field(None, max_length=200)
    beneficiary_ids: list[RowId] | None = Field(None, max_length=5000)
    target_person_times: int | None = Field(None, ge=0, le=2_000_000_000)
    target_people: int | None = Field(None, ge=0, le=2_000_000_000)
    target_hours: Decimal | None = Field(None, ge=0, le=99999999, decimal_places=2)


class StatusIn(Schema):
    status: Status = Field(description="planning → running → finished; cancelled before the end")


# --- the plan ---------------------------------------------------------------------------


class MilestoneOut(Schema):
    id: int
    project_id: int
    title: str
    due_on: dt.date
    done_on: dt.date | None
    note: str


class MilestoneIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    due_on: Day
    note: str = Field("", max_length=300)


class MilestoneDoneIn(Schema):
    done_on: Day | None = Field(description="the day it was done (not after today); null: not done")


# --- money ------------------------------------------------------------------------------


class BudgetLineOut(Schema):
    id: int
    name: str
    account_code: str
    budget_fen: int
    budget_yuan: str = Field(description=YUAN)
    spent_fen: int
    spent_yuan: str = Field(description=YUAN)
    left_fen: int = Field(description="budget less spent; negative when overspent")
    left_yuan: str = Field(description=YUAN)
    overspent: bool


class BudgetLineIn(Schema):
    name: str = Field(
        ..., min_length=1, max_length=40, description="the line's name; an existing one changes"
    )
    amount_fen: FenOrZero


class FundingOut(Schema):
    id: int
    project_id: int
    kind: FundingKind
    kind_label: str
    source: str
    conditions: str
    amount_fen: int
    amount_yuan: str = Field(description=YUAN)
    received_on: dt.date
    entry_number: int = Field(description="the voucher number in the project's ledger")
    has_evidence: bool


class FundingIn(Schema):
    """Money received (evidence: upload it on the page)."""

    kind: FundingKind
    source: str = Field(..., min_length=1, max_length=200)
    amount_fen: Fen
    received_on: Day = Field(description="not in the future")
    conditions: str = Field("", max_length=2000)


class ExpenseOut(Schema):
    id: int = Field(description="the ledger entry's id")
    number: int
    date: dt.date
    budget_line: str
    memo: str
    amount_fen: int = Field(description="negative for a reversal")
    amount_yuan: str = Field(description=YUAN)
    reversed_by_number: int | None
    has_evidence: bool


class ExpenseIn(Schema):
    """An expense on one of the project's budget lines (evidence: upload it on the page).
    Refused beyond the money on the project's books."""

    budget_line_id: RowId
    amount_fen: Fen
    spent_on: Day = Field(description="not in the future")
    memo: str = Field(..., min_length=1, max_length=200)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


# --- indicators -------------------------------------------------------------------------


class IndicatorOut(Schema):
    id: int
    project_id: int
    name: str
    unit: str
    source: IndicatorSource
    computed: bool = Field(description="measured by Kuihua from the records, never typed")
    baseline: Decimal
    target: Decimal
    lower_is_better: bool
    value: Decimal | None = Field(description="measured, or computed up to today")
    measured_on: dt.date | None
    method: str
    reached: bool | None


class IndicatorIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    unit: str = Field("", max_length=20)
    source: IndicatorSource = "manual"
    baseline: Number
    target: Number
    lower_is_better: bool = False


class MeasureIn(Schema):
    measured: Number
    measured_on: Day = Field(description="not in the future")
    method: str = Field("", max_length=200)
