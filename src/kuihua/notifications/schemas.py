"""What the inbox API returns."""

import datetime as dt

from ninja import Schema

from kuihua.notifications.selectors import safe_link


class MessageOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_link(obj) -> str:
        return safe_link(obj.link)


class UnreadOut(Schema):
    unread: int
