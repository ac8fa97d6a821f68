"""What the decisions API (决议公示) reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from kuihua.core.api_support import RowId


class ProgressOut(Schema):
    status: str
    note: str
    at: dt.datetime = Field(..., alias="created_at")


class DecisionOut(Schema):
    id: int
    title: str
    body: str
    owner_name: str
    owner_id: int | None
    deadline: dt.date
    review_on: dt.date | None
    status: str
    status_label: str
    done_on: dt.date | None
    overdue_days: int = Field(..., description="days past the deadline; 0 when not overdue")
    topic_id: int | None
    meeting_id: int | None
    vote_id: int | None
    compound_id: int | None


class DecisionDetailOut(DecisionOut):
    progress: list[ProgressOut]


class DecisionIn(Schema):
    title: str = Field(..., max_length=200)
    owner_name: str = Field(..., max_length=100)
    deadline: dt.date
    body: str = ""
    owner_id: RowId | None = Field(None, description="an account of the community, notified")
    topic_id: RowId | None = None
    review_on: dt.date | None = None


class ProgressIn(Schema):
    status: Literal["todo", "in_progress", "done", "dropped"]
    note: str = Field(..., max_length=2000)
