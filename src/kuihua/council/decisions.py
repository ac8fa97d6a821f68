"""Decisions of the council as tasks tracked to done, and the notice board (公示).

A decision has an owner (a person or unit by name, and the account that reports, if
any) and a deadline; progress notes move it from 待落实 to 落实中 to 已办结, or end
it as 已终止 with the note as the reason. Nothing moves it after that. Overdue is
computed from today's date, never stored, so it is never stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.council.models import Decision, DecisionProgress, Topic

Status = Decision.Status
FINISHED = (Status.DONE, Status.DROPPED)
# Where a status may go next (a note may also leave it where it is, except when finished).
NEXT = {
    Status.TODO: {Status.TODO, Status.IN_PROGRESS, Status.DONE, Status.DROPPED},
    Status.IN_PROGRESS: {Status.IN_PROGRESS, Status.DONE, Status.DROPPED},
}


class DecisionError(ApplicationError):
    """A decision cannot be recorded or moved so; the message is for the user."""


def _notify_owner(decision: Decision) -> None:
    from kuihua.notifications.services import notify

    if decision.owner_id is None:
        return
    notify(
        recipient=decision.owner,
        kind="council.decision",
        title=_("议事会交给您一项决议：%(title)s") % {"title": decision.title},
        body=_("请在 %(deadline)s 前落实，并在决议页面填写进展。")
        % {"deadline": decision.deadline.isoformat()},
        link=reverse("council:decision_detail", args=[decision.pk]),
    )


@transaction.atomic
def decision_record(
    *,
    actor,
    title: str,
    owner_name: str,
    deadline: dt.date | None,
    body: str = "",
    owner=None,
    topic: Topic | None = None,
    meeting=None,
    vote=None,
    compound=None,
    review_on: dt.date | None = None,
) -> Decision:
    """Record what the council decided, as a task; the topic it settles becomes 已形成决议."""
    title, owner_name = (title or "").strip(), (owner_name or "").strip()
    if not title:
        raise DecisionError(_("请填写决议事项"), field="title")
    if not owner_name:
        raise DecisionError(_("请填写责任人或责任单位"), field="owner_name")
    if deadline is None:
        raise DecisionError(_("请填写完成期限"), field="deadline")
    if deadline < timezone.localdate():
        raise DecisionError(_("完成期限不能早于今天"), field="deadline")
    if review_on is not None and review_on < deadline:
        raise DecisionError(_("复查日期应在完成期限之后"), field="review_on")
    if owner is not None and owner.community_id != getattr(actor, "community_id", None):
        raise DecisionError(_("负责账号须是本社区的账号"), field="owner")
    decision = Decision.objects.create(
        title=title[:200],
        body=(body or "").strip(),
        owner_name=owner_name[:100],
        owner=owner,
        deadline=deadline,
        review_on=review_on,
        topic=topic,
        meeting=meeting,
        vote=vote,
        compound=compound,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if topic is not None and topic.status in (Topic.Status.OPEN, Topic.Status.SCHEDULED):
        Topic.objects.filter(pk=topic.pk).update(status=Topic.Status.DECIDED)
    audit(
        actor=actor,
        community_id=decision.community_id,
        action="council.decision.record",
        obj=decision,
        new={"title": decision.title, "owner": owner_name, "deadline": deadline.isoformat()},
    )
    transaction.on_commit(lambda: _notify_owner(decision))
    return decision


@transaction.atomic
def decision_progress(*, actor, decision: Decision, note: str, status: str) -> DecisionProgress:
    """Add a progress note and move the status; a finished decision takes no more."""
    note = (note or "").strip()
    if not note:
        raise DecisionError(_("请写明进展情况"), field="note")
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status in FINISHED:
        raise DecisionError(
            _("这项决议已%(status)s，不能再填写进展") % {"status": decision.get_status_display()}
        )
    if status not in Status.values or status not in NEXT[Status(decision.status)]:
        raise DecisionError(_("请选择正确的状态"), field="status")
    old = decision.status
    decision.status = status
    decision.done_on = timezone.localdate() if status == Status.DONE else None
    decision.save(update_fields=["status", "done_on"])
    progress = DecisionProgress.objects.create(
        decision=decision,
        note=note,
        status=status,
        author=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor=actor,
        community_id=decision.community_id,
        action="council.decision.progress",
        obj=decision,
        old={"status": old},
        new={"status": status, "note": note},
    )
    return progress


# --- reads ----------------------------------------------------------------------------------


@dataclass
class BoardRow:
    decision: Decision
    overdue_days: int  # 0 when not overdue
    review_due: bool
    latest: DecisionProgress | None


def decisions_for(user) -> QuerySet[Decision]:
    if not user.has_perm("council.view"):
        return Decision.objects.none()
    return Decision.objects.select_related("topic", "meeting", "vote", "compound", "owner")


def access_decision(user, decision_id: int) -> Decision:
    decision = decisions_for(user).filter(pk=decision_id).first()
    if decision is None:
        raise Http404
    return decision


def overdue_days(decision: Decision, today: dt.date) -> int:
    if decision.status in FINISHED or decision.deadline >= today:
        return 0
    return (today - decision.deadline).days


def notice_board(user, *, today: dt.date | None = None) -> list[BoardRow]:
    """Every decision: the overdue first (most overdue on top), then open ones by
    deadline, then the finished ones, latest first."""
    today = today or timezone.localdate()
    decisions = decisions_for(user).prefetch_related(
        Prefetch("progress", queryset=DecisionProgress.objects.order_by("-created_at", "-id"))
    )
    rows = []
    for d in decisions:
        notes = list(d.progress.all())
        rows.append(
            BoardRow(
                decision=d,
                overdue_days=overdue_days(d, today),
                review_due=bool(d.review_on and d.review_on <= today),
                latest=notes[0] if notes else None,
            )
        )

    def order(row: BoardRow):
        finished = row.decision.status in FINISHED
        return (
            finished,
            -row.overdue_days,
            row.decision.deadline if not finished else dt.date.max - row.decision.deadline,
        )

    return sorted(rows, key=order)


def overdue_count(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return Decision.objects.exclude(status__in=FINISHED).filter(deadline__lt=today).count()


def council_overview(user, *, now: dt.datetime | None = None) -> dict:
    """What the council home shows `user`: the votes they can cast now, meetings ahead,
    recent topics, overdue decisions; for a coordinator, what waits for them."""
    from kuihua.council import selectors
    from kuihua.council.models import AgendaItem, Meeting, Vote

    now = now or timezone.now()
    today = timezone.localdate(now)
    open_votes = selectors.votes_with_my_part(selectors.votes_for(user), user).filter(
        closed_at__isnull=True, closes_at__gt=now
    )
    mine = [{"vote": v, "voted": v.voted} for v in open_votes.filter(on_roll=True)]
    overview = {
        "my_votes": mine,
        "open_votes": open_votes.count(),
        "meetings": list(
            Meeting.objects.filter(starts_at__gte=now, status=Meeting.Status.PLANNED).order_by(
                "starts_at"
            )[:3]
        ),
        "topics": list(
            Topic.objects.exclude(status=Topic.Status.MERGED).order_by("-raised_at", "-id")[:5]
        ),
        "overdue": [r for r in notice_board(user, today=today) if r.overdue_days][:5],
        "closed_votes": list(
            Vote.objects.filter(closed_at__isnull=False).order_by("-closed_at")[:3]
        ),
    }
    if user.has_perm("council.manage"):
        overview["waiting"] = {
            "topics_open": Topic.objects.filter(status=Topic.Status.OPEN).count(),
            "proposals": AgendaItem.objects.filter(status=AgendaItem.Status.PROPOSED).count(),
            "overdue": overdue_count(today=today),
        }
    return overview
