"""What the care API (幸福来敲门) reads and writes.

Check-in windows are local times, each within one day: [["08:00", "10:00"],
["16:00", "18:00"]]. The health conditions appear only in a coordinator's read
of one person (`RecipientDetailOut.conditions`), and that read is access-logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from kuihua.care.models import Alert, CheckIn
from kuihua.core.api_support import LocalTime, RowId

# --- people ------------------------------------------------------------------------------


class RecipientOut(Schema):
    id: int
    resident_id: int
    name: str
    risk: str
    risk_label: str
    windows: list[list[str]]
    paused_until: dt.date | None
    pause_reason: str
    active: bool
    primary_visitor_id: int | None
    primary_visitor: str | None
    backup_visitor_ids: list[int]
    last_check_in_at: dt.datetime | None
    enrolled_at: dt.datetime
    project_id: int | None

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.resident.name

    @staticmethod
    def resolve_risk_label(obj) -> str:
        return str(obj.get_risk_display())

    @staticmethod
    def resolve_primary_visitor(obj) -> str | None:
        return str(obj.primary_visitor) if obj.primary_visitor_id else None

    @staticmethod
    def resolve_backup_visitor_ids(obj) -> list[int]:
        return sorted(u.pk for u in obj.backup_visitors.all())


class CheckInOut(Schema):
    id: int
    recipient_id: int
    at: dt.datetime
    channel: str
    channel_label: str
    result: str
    result_label: str
    note: str
    by_id: int | None
    alert_id: int | None = Field(description="the alert a no-answer or a concern raised")

    @staticmethod
    def resolve_channel_label(obj) -> str:
        return str(obj.get_channel_display())

    @staticmethod
    def resolve_result_label(obj) -> str:
        return str(obj.get_result_display())

    @staticmethod
    def resolve_alert_id(obj) -> int | None:
        try:
            return obj.alert.pk
        except Alert.DoesNotExist:
            return None


class RecipientDetailOut(RecipientOut):
    conditions: str | None = Field(
        description="coordinators only (each read is access-logged); null for visitors"
    )
    check_ins: list[CheckInOut] = Field(description="the latest 20")

    @staticmethod
    def resolve_conditions(obj) -> str | None:
        # Set by the API after its access check and log; absent means not shown.
        return getattr(obj, "conditions_shown", None)

    @staticmethod
    def resolve_check_ins(obj) -> list:
        return obj.latest_check_ins


class EnrolIn(Schema):
    resident_id: int
    risk: str = Field("medium", description="low | medium | high")
    conditions: str = Field("", max_length=2000)
    windows: list[list[str]] | None = Field(
        None, description='[["08:00", "10:00"], …]; omit for 08:00–10:00 and 16:00–18:00'
    )
    primary_visitor_id: int | None = Field(None, description="a trained volunteer's user id")
    backup_visitor_ids: list[RowId] = []
    project_id: int | None = Field(
        None, description="the public-welfare project the person is enrolled in"
    )


class AttributionIn(Schema):
    project_id: int | None = Field(description="the community's project; null: none")


class PauseIn(Schema):
    until: dt.date | None = Field(description="the last day paused; null resumes")
    reason: str = Field("", max_length=100)


class CheckInIn(Schema):
    channel: Literal["visit", "call"] = Field(
        description="visit (coordinators or the person's visitors) | call (coordinators)"
    )
    result: str = Field(CheckIn.Result.WELL, description="well | no_answer | concern")
    note: str = Field("", max_length=200)


class SelfLinkOut(Schema):
    path: str = Field(description="/care/me/<token>/: shown once; a new link retires the old")


class VisitOut(Schema):
    id: int
    name: str
    address: str
    risk: str
    windows: list[list[str]]
    paused_until: dt.date | None
    last_check_in_at: dt.datetime | None

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.resident.name

    @staticmethod
    def resolve_address(obj) -> str:
        household = obj.resident.household
        return str(household) if household is not None else ""


# --- alerts ------------------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    recipient_id: int
    name: str
    kind: str
    kind_label: str
    window_opens_at: dt.datetime | None
    window_closes_at: dt.datetime | None
    check_in_id: int | None
    while_down: bool
    raised_at: dt.datetime
    level: int
    acknowledged_at: dt.datetime | None
    acknowledged_by_id: int | None
    resolved_at: dt.datetime | None
    resolved_by_id: int | None
    outcome: str
    note: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.recipient.resident.name

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class ContactOut(Schema):
    name: str
    relation: str
    phone: str


class AlertDetailOut(AlertOut):
    contacts: list[ContactOut] = Field(description="the emergency contacts, in order")


class ResolveIn(Schema):
    outcome: str = Field(description="found_well | visited | hospital | incident")
    note: str = Field("", max_length=200)


# --- board, figures ----------------------------------------------------------------------


class WindowStateOut(Schema):
    opens: str
    closes: str
    state: str = Field(description="done | pending | open | late | alerted | paused")
    label: str

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj["label"])


class BoardRowOut(Schema):
    recipient_id: int
    name: str
    risk: str
    visitor: str
    windows: list[WindowStateOut]

    @staticmethod
    def resolve_recipient_id(obj) -> int:
        return obj.recipient.pk

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.recipient.resident.name

    @staticmethod
    def resolve_risk(obj) -> str:
        return obj.recipient.risk


class StateCountOut(Schema):
    state: str
    label: str
    n: int

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj["label"])


class BoardOut(Schema):
    counts: dict[str, int]
    summary: list[StateCountOut]
    rows: list[BoardRowOut] = Field(description="the worst window state first")
    open_alert_ids: list[int] = Field(description="unacknowledged first, then by level")


class FiguresOut(Schema):
    year: int
    people: int
    person_times: int
    incidents: int
    people_with_accidents: int
    accident_rate: float | None


# --- incidents ---------------------------------------------------------------------------


class IncidentIn(Schema):
    kind: str = Field(description="fall | accident | hospital")
    occurred_on: dt.date
    note: str = Field("", max_length=300)


class IncidentOut(Schema):
    id: int
    recipient_id: int
    kind: str
    kind_label: str
    occurred_on: dt.date
    alert_id: int | None
    note: str
    recorded_by_id: int | None
    recorded_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


# --- the duty line -----------------------------------------------------------------------


class RotaIn(Schema):
    year: int
    month: int


class UncoveredOut(Schema):
    day: dt.date
    shift: int = Field(description="the shift's index in the day (0: 08:00–14:00)")
    reason: str


class RotaOut(Schema):
    shifts: int
    uncovered: list[UncoveredOut]


class ShiftOut(Schema):
    id: int
    day: dt.date
    index: int
    starts: LocalTime
    ends: LocalTime
    user_id: int | None
    user: str | None

    @staticmethod
    def resolve_user(obj) -> str | None:
        return str(obj.user) if obj.user_id else None


class SwapIn(Schema):
    to_user_id: int


class SwapOut(Schema):
    id: int
    shift_id: int
    from_user_id: int
    to_user_id: int
    status: str
    status_label: str
    decided_by_id: int | None
    decided_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class SwapDecisionIn(Schema):
    approve: bool
