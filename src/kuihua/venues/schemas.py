"""What the venues API reads and writes. Times are ISO 8601 with an offset (Asia/Shanghai)."""

import datetime as dt

from ninja import Field, Schema

from kuihua.core.dates import EARLIEST, LATEST


class RoomOut(Schema):
    id: int
    centre: str
    name: str
    capacity: int
    equipment: str
    is_active: bool


class RoomIn(Schema):
    name: str = Field(max_length=100)
    capacity: int = Field(ge=1, le=100000)
    centre: str = Field("", max_length=100)
    equipment: str = Field("", max_length=200)
    is_active: bool = True


class RoomPatch(Schema):
    name: str | None = Field(None, max_length=100)
    capacity: int | None = Field(None, ge=1, le=100000)
    centre: str | None = Field(None, max_length=100)
    equipment: str | None = Field(None, max_length=200)
    is_active: bool | None = None


class OrganizationRef(Schema):
    id: int
    name: str


class BookingOut(Schema):
    id: int
    room_id: int
    room: str
    organization: OrganizationRef | None
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    series_key: str | None
    cancelled_at: dt.datetime | None

    @staticmethod
    def resolve_room(obj) -> str:
        return str(obj.room)

    @staticmethod
    def resolve_series_key(obj) -> str | None:
        return str(obj.series_key) if obj.series_key else None


class RepeatIn(Schema):
    rule: str = Field(
        max_length=200,
        description='"daily", "weekly", "monthly" or an RRULE such as FREQ=WEEKLY;BYDAY=TU,TH',
    )
    until: dt.date = Field(description="the last day an occurrence may fall on (inclusive)")


class BookingIn(Schema):
    room_id: int
    organization_id: int | None = Field(
        None, description="the organization booking; only coordinators may leave it out"
    )
    title: str = Field(max_length=200)
    starts_at: dt.datetime
    ends_at: dt.datetime
    repeat: RepeatIn | None = Field(None, description="book a recurring series, all or nothing")


class CalendarBooking(Schema):
    id: int
    room_id: int
    room: str
    organization: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    series: bool


class CalendarActivity(Schema):
    id: int
    room_id: int | None
    place: str
    organization: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    booking_id: int | None


class CalendarOut(Schema):
    start: dt.date
    end: dt.date = Field(description="the day after the last day covered")
    rooms: list[RoomOut]
    bookings: list[CalendarBooking]
    activities: list[CalendarActivity]


class CalendarQuery(Schema):
    start: dt.date | None = Field(
        None, ge=EARLIEST, le=LATEST, description="first day (default: this Monday)"
    )
    end: dt.date | None = Field(
        None, ge=EARLIEST, le=LATEST, description="the day after the last (default: +7 days)"
    )
