"""What the accounts API reads and writes: the signed-in user and their API tokens."""

import datetime as dt

from ninja import Field, Schema


class CommunityRef(Schema):
    id: int
    name: str


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    community: CommunityRef | None
    resident_id: int | None

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=60, description="what the token is for")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="the first characters, to recognise the token")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIssuedOut(TokenOut):
    token: str = Field(description="the token itself: shown this once, never stored")
