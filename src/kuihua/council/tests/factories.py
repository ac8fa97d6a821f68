"""Council objects for tests: one of each, in the current community."""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from kuihua.council import services
from kuihua.council.models import (
    AgendaItem,
    Attendee,
    Decision,
    Delegate,
    EligibleVoter,
    Meeting,
    Topic,
    TopicComment,
)
from kuihua.council.procedure import rules_adopt_first


def meeting_for(*, coordinator, title: str = "议事会例会", days_ahead: int = 10) -> Meeting:
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=days_ahead)
    return Meeting.objects.create(
        title=title,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        place="社区议事厅",
        checkin_code=secrets.token_urlsafe(16),
        created_by=coordinator,
    )


def council_world(*, coordinator, resident) -> dict:
    """One of each council object (for the isolation walk and page tests)."""
    rules = rules_adopt_first(actor=coordinator)
    delegate = Delegate.objects.create(resident=resident, since=timezone.localdate())
    topic = Topic.objects.create(
        title="楼道堆物清理", body="三楼楼道堆放杂物", resident=resident, raised_by=coordinator
    )
    comment = TopicComment.objects.create(
        topic=topic, author=coordinator, author_name="社区", body="同意尽快处理"
    )
    meeting = meeting_for(coordinator=coordinator)
    agenda_item = AgendaItem.objects.create(meeting=meeting, topic=topic, title=topic.title)
    attendee = Attendee.objects.create(meeting=meeting, resident=resident, name=resident.name)
    vote = services.vote_open(
        actor=coordinator,
        title="楼道堆物统一清理",
        voters="household",
        majority="simple",
        topic=topic,
        closes_at=timezone.now() + dt.timedelta(days=7),
    )
    decision = Decision.objects.create(
        title="清理楼道堆物",
        topic=topic,
        meeting=meeting,
        owner_name="物业",
        deadline=timezone.localdate() + dt.timedelta(days=30),
        created_by=coordinator,
    )
    return {
        "rules": rules,
        "delegate": delegate,
        "topic": topic,
        "comment": comment,
        "meeting": meeting,
        "agenda_item": agenda_item,
        "attendee": attendee,
        "vote": vote,
        "voter": EligibleVoter.objects.filter(vote=vote).first(),
        "decision": decision,
    }
