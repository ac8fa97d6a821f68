"""What the topics API (议题) reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from kuihua.core.api_support import RowId


class TopicOut(Schema):
    id: int
    title: str
    body: str
    status: str
    status_label: str
    compound_id: int | None
    raised_by_label: str = Field(..., description="who raised it, as the pages show it")
    organization_id: int | None
    on_behalf_of: str
    on_behalf_name: str
    partner_id: int | None
    raised_at: dt.datetime
    supporters: int
    answer: str
    answered_at: dt.datetime | None
    merged_into_id: int | None


class TopicCommentOut(Schema):
    id: int
    author_name: str
    body: str
    created_at: dt.datetime


class TopicDetailOut(TopicOut):
    supported: bool = Field(..., description="whether the requesting user supports it")
    comments: list[TopicCommentOut]


class TopicIn(Schema):
    title: str = Field(..., max_length=200)
    body: str = Field("", max_length=5000)
    compound_id: RowId | None = Field(None, description="empty for the whole community")
    organization_id: RowId | None = Field(None, description="an organization the user leads")
    on_behalf_of: Literal["", "property_manager", "partner", "department"] = Field(
        "", description="coordinators recording a unit's topic"
    )
    on_behalf_name: str = Field("", max_length=100)
    partner_id: RowId | None = None


class TopicCommentIn(Schema):
    body: str = Field(..., max_length=5000)


class TopicAnswerIn(Schema):
    answer: str = Field(..., max_length=5000)


class TopicMergeIn(Schema):
    into_topic_id: RowId


class TopicScheduleIn(Schema):
    meeting_id: RowId


class TopicScheduledOut(Schema):
    topic: TopicDetailOut
    agenda_item_id: int
    meeting_id: int
