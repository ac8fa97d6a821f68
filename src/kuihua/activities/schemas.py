"""What the activities API reads and writes (sign-ups: signups/schemas.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from kuihua.activities.models import Activity

AudienceValue = Literal[tuple(Activity.Audience.values)]
NewStatusValue = Literal["draft", "published"]


class Ref(Schema):
    id: int
    name: str


class ActivityOut(Schema):
    id: int
    organization: Ref
    title: str
    description: str
    room: Ref | None
    address: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    places: int | None = Field(None, description="null: unlimited")
    places_taken: int
    places_left: int | None = Field(None, description="null: unlimited")
    signup_opens_at: dt.datetime | None
    signup_closes_at: dt.datetime | None
    audience: str
    audience_label: str
    min_age: int | None
    max_age: int | None
    required_skill: str
    required_training: str = Field(description="the course to complete first; empty: none")
    requires_training: bool = Field(description="whether required_training is set")
    hours_credited: Decimal
    confirm_within_hours: int | None
    status: str
    status_label: str
    series_id: int | None
    drive_id: int | None
    project_id: int | None = Field(description="the public-welfare project it counts in")

    @staticmethod
    def resolve_organization(obj) -> dict:
        return {"id": obj.organization_id, "name": obj.organization.name}

    @staticmethod
    def resolve_room(obj) -> dict | None:
        return {"id": obj.room_id, "name": str(obj.room)} if obj.room_id else None

    @staticmethod
    def resolve_places_left(obj) -> int | None:
        return None if obj.places is None else max(obj.places - obj.places_taken, 0)

    @staticmethod
    def resolve_audience_label(obj) -> str:
        return str(obj.get_audience_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class ActivityListItem(ActivityOut):
    waitlisted: int = Field(0, description="how many are waiting")

    @staticmethod
    def resolve_waitlisted(obj) -> int:
        return getattr(obj, "waitlisted_count", 0)


class ActivityFields(Schema):
    description: str = ""
    room_id: int | None = None
    address: str = Field("", max_length=200)
    places: int | None = Field(None, ge=1, description="null: unlimited")
    signup_opens_at: dt.datetime | None = None
    signup_closes_at: dt.datetime | None = None
    audience: AudienceValue = "volunteers"
    min_age: int | None = Field(None, ge=0, le=150)
    max_age: int | None = Field(None, ge=0, le=150)
    required_skill: str = Field("", max_length=100)
    required_training: str = Field(
        "", max_length=100, description="the course a volunteer must have completed; empty: none"
    )
    hours_credited: Decimal | None = Field(
        None, ge=0, max_digits=5, decimal_places=2, description="default: the activity's length"
    )
    confirm_within_hours: int | None = Field(None, ge=1, le=168)


class ActivityIn(ActivityFields):
    organization_id: int
    title: str = Field(..., max_length=200)
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: NewStatusValue = "published"
    project_id: int | None = Field(
        None,
        description="the community's public-welfare project it counts in (planning or running)",
    )


class ActivityPatch(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    room_id: int | None = None
    address: str | None = Field(None, max_length=200)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    places: int | None = Field(None, ge=1)
    signup_opens_at: dt.datetime | None = None
    signup_closes_at: dt.datetime | None = None
    audience: AudienceValue | None = None
    min_age: int | None = Field(None, ge=0, le=150)
    max_age: int | None = Field(None, ge=0, le=150)
    required_skill: str | None = Field(None, max_length=100)
    required_training: str | None = Field(None, max_length=100)
    hours_credited: Decimal | None = Field(None, ge=0, max_digits=5, decimal_places=2)
    confirm_within_hours: int | None = Field(None, ge=1, le=168)
    status: NewStatusValue | None = None
    project_id: int | None = Field(None, description="null: counts in no project")


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class SeriesIn(ActivityFields):
    organization_id: int
    title: str = Field(..., max_length=200)
    first_starts_at: dt.datetime
    first_ends_at: dt.datetime
    rule: str = Field(
        "weekly",
        max_length=120,
        description='"daily", "weekly", "monthly" or an RRULE such as FREQ=WEEKLY;BYDAY=TU,FR',
    )
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=list, description="0 = Monday … 6 = Sunday (with weekly)"
    )
    interval: int = Field(1, ge=1, le=12)
    working_days_only: bool = Field(False, description="skip days off of China's calendar")
    until: dt.date | None = Field(None, description="default: 8 weeks ahead, then extended daily")
    project_id: int | None = Field(
        None,
        description="the community's public-welfare project it counts in (planning or running)",
    )


class SeriesOut(Schema):
    id: int
    organization: Ref
    title: str
    rule: str
    generated_until: dt.date | None
    project_id: int | None
    occurrences: list[ActivityOut]

    @staticmethod
    def resolve_organization(obj) -> dict:
        return {"id": obj.organization_id, "name": obj.organization.name}

    @staticmethod
    def resolve_occurrences(obj) -> list:
        return getattr(obj, "occurrence_list", [])


class DriveIn(Schema):
    organization_id: int
    title: str = Field(..., max_length=200)
    description: str = ""
    project_id: int | None = Field(
        None,
        description="the community's public-welfare project it counts in (planning or running)",
    )


class DriveOut(Schema):
    id: int
    organization: Ref
    title: str
    description: str
    project_id: int | None
    shifts: list[ActivityOut]

    @staticmethod
    def resolve_organization(obj) -> dict:
        return {"id": obj.organization_id, "name": obj.organization.name}

    @staticmethod
    def resolve_shifts(obj) -> list:
        return getattr(obj, "shift_list", [])


class ShiftIn(ActivityFields):
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str = Field("", max_length=200, description="default: the drive's title and time")


class AttributionIn(Schema):
    project_id: int | None = Field(description="the community's project; null: none")


class ScanIn(Schema):
    token: str = Field(..., max_length=64)


class AttendanceOut(Schema):
    signup_id: int
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    check_in_method: str
    check_out_method: str
    no_show: bool


class ScanOut(Schema):
    action: Literal["in", "out", "already_in"]
    message: str
    attendance: AttendanceOut


class MarkIn(Schema):
    present: bool


class QrOut(Schema):
    token: str
    scan_path: str = Field(..., description="what the QR code links to")
    window_seconds: int = Field(..., description="a code is accepted in its window and the next")
