"""What the council's meetings and delegates API reads and writes.

Times are ISO 8601 with an offset; a meeting's `rules_id` is the version of the rules of
procedure it was called under. The door's check-in code is never in these answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from kuihua.core.api_support import RowId

# --- delegates ----------------------------------------------------------------------------


class DelegateOut(Schema):
    id: int
    resident_id: int
    name: str
    kind: str
    kind_label: str
    since: dt.date
    until: dt.date | None
    has_account: bool
    trained: bool

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.resident.name

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_has_account(obj) -> bool:
        return bool(getattr(obj, "has_account", False))

    @staticmethod
    def resolve_trained(obj) -> bool:
        return bool(getattr(obj, "trained", False))


class DelegateAppointIn(Schema):
    resident_id: RowId
    kind: Literal["resident", "property_manager", "partner", "department"] = "resident"
    since: dt.date | None = None


# --- meetings -----------------------------------------------------------------------------


class MeetingAgendaItemOut(Schema):
    id: int
    title: str
    position: int
    status: str
    status_label: str
    topic_id: int | None
    proposed_by_id: int | None
    reason: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class MeetingQuorumOut(Schema):
    invited: int = Field(description="delegates invited (they count for the quorum)")
    present: int = Field(description="delegates checked in")
    guests_present: int
    percent: int = Field(description="a quorum is more than this share of the invited")
    needed: int = Field(description="the fewest delegates present that make a quorum")
    missing: int
    met: bool


class MeetingMinutesOut(Schema):
    body: str
    updated_at: dt.datetime
    approved: bool
    approved_at: dt.datetime | None

    @staticmethod
    def resolve_approved(obj) -> bool:
        return obj.approved_at is not None


class MeetingAttendeeOut(Schema):
    id: int
    resident_id: int | None
    name: str
    counts_for_quorum: bool
    attended_at: dt.datetime | None
    method: str


class MeetingOut(Schema):
    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_label: str
    room_id: int | None
    room: str | None
    place: str
    compound_id: int | None
    rules_id: int | None
    booking_id: int | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_room_id(obj) -> int | None:
        return obj.booking.room_id if obj.booking_id else None

    @staticmethod
    def resolve_room(obj) -> str | None:
        return str(obj.booking.room) if obj.booking_id else None


class MeetingDetailOut(MeetingOut):
    agenda: list[MeetingAgendaItemOut]
    quorum: MeetingQuorumOut
    minutes: MeetingMinutesOut | None
    attendees: list[MeetingAttendeeOut] = Field(description="coordinators only; empty for others")

    # The view puts what the user may see on the meeting (api/meetings.py `_detail`).
    @staticmethod
    def resolve_agenda(obj) -> list:
        return obj.agenda_rows

    @staticmethod
    def resolve_quorum(obj) -> dict:
        return obj.quorum_now

    @staticmethod
    def resolve_minutes(obj):
        return obj.minutes_now

    @staticmethod
    def resolve_attendees(obj) -> list:
        return obj.attendee_rows


class MeetingIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    starts_at: dt.datetime
    ends_at: dt.datetime
    room_id: RowId | None = None
    place: str = Field("", max_length=200)
    compound_id: RowId | None = None
    agenda: list[str] = Field(default_factory=list, max_length=50)
    guests: list[str] = Field(
        default_factory=list, max_length=50, description="names of guests, not counted"
    )


class MeetingAgendaItemIn(Schema):
    title: str = Field(min_length=1, max_length=200)


class MeetingAgendaDecisionIn(Schema):
    accept: bool
    reason: str = Field("", max_length=1000)


class MeetingCheckInOut(Schema):
    attendee: MeetingAttendeeOut
    checked_in_now: bool = Field(description="false when they had already been checked in")
    quorum: MeetingQuorumOut


class MeetingMinutesIn(Schema):
    body: str = Field(min_length=1, max_length=20000)
