"""What the sign-ups API reads and writes.

Organizers see names (they need them to run the activity) and phones masked
(see docs/adr/0002-personal-data.md); people see their own sign-ups.
"""

import datetime as dt

from ninja import Field, Schema

from kuihua.activities.signups.selectors import position_of
from kuihua.core.masking import mask_phone


class SignupIn(Schema):
    resident_id: int | None = Field(
        None, description="sign up this resident instead of oneself (organizers only)"
    )


class SignupOut(Schema):
    """One sign-up, from the person's side."""

    id: int
    activity_id: int
    activity_title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_label: str
    waitlist_position: int | None = Field(None, description="1 = next to move up")
    queued_at: dt.datetime
    offer_expires_at: dt.datetime | None
    cancelled_at: dt.datetime | None

    @staticmethod
    def resolve_activity_title(obj) -> str:
        return obj.activity.title

    @staticmethod
    def resolve_starts_at(obj) -> dt.datetime:
        return obj.activity.starts_at

    @staticmethod
    def resolve_ends_at(obj) -> dt.datetime:
        return obj.activity.ends_at

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_waitlist_position(obj) -> int | None:
        return position_of(obj)


class ActivitySignupOut(Schema):
    """One line of an activity's sign-up list, for its organizers."""

    id: int
    resident_id: int
    name: str
    phone: str = Field(description="masked: 138****5678")
    status: str
    status_label: str
    waitlist_position: int | None
    queued_at: dt.datetime
    offer_expires_at: dt.datetime | None

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.resident.name

    @staticmethod
    def resolve_phone(obj) -> str:
        return mask_phone(obj.resident.phone)

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_waitlist_position(obj) -> int | None:
        return position_of(obj)
