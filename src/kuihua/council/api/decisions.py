"""Council over JSON: decisions and their progress (mounted at /api/council).

Every role of the community reads the notice board; a coordinator records decisions;
the decision's owner or a coordinator reports progress. A broken rule is a 400 with
the message on its field; what the user may not see is a 404.
"""

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from kuihua.core.api_support import body_ref, error_responses, paginated, require
from kuihua.council import decisions
from kuihua.council.decision_schemas import (
    DecisionDetailOut,
    DecisionIn,
    DecisionOut,
    ProgressIn,
)
from kuihua.council.models import Decision, Topic

router = Router(tags=["council"])


class DecisionFilter(Schema):
    status: str | None = None
    overdue: bool = False


def _out(decision: Decision, *, with_progress: bool = False) -> Decision:
    decision.status_label = decision.get_status_display()
    decision.overdue_days = decisions.overdue_days(decision, timezone.localdate())
    if with_progress:
        decision.progress_rows = list(decision.progress.order_by("created_at", "id"))
    return decision


def _detail(decision: Decision) -> dict:
    out = _out(decision, with_progress=True)
    data = DecisionOut.from_orm(out).dict()
    data["progress"] = [
        {"status": p.status, "note": p.note, "created_at": p.created_at} for p in out.progress_rows
    ]
    return data


@router.get(
    "/decisions",
    response={200: list[DecisionOut], **error_responses(404, 422)},
    summary="The notice board: every decision, overdue first (filter by status or overdue)",
)
@paginated
def list_decisions(request, filters: Query[DecisionFilter]):
    require(request.user, "council.view")
    rows = decisions.notice_board(request.user)
    if filters.status:
        rows = [r for r in rows if r.decision.status == filters.status]
    if filters.overdue:
        rows = [r for r in rows if r.overdue_days]
    return [_out(r.decision) for r in rows]


def _owner(user, owner_id: int):
    found = (
        get_user_model()
        .objects.filter(pk=owner_id, community_id=user.community_id, is_active=True)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _topic(user, topic_id: int):
    found = Topic.objects.filter(pk=topic_id).first()
    if found is None:
        raise Http404
    return found


@router.post(
    "/decisions",
    response={201: DecisionDetailOut, **error_responses(400, 404, 422)},
    summary="Record a decision as a task with an owner and a deadline (coordinators)",
)
def create_decision(request, payload: DecisionIn):
    user = request.user
    require(user, "council.manage")
    owner = (
        body_ref(_owner, user, payload.owner_id, "owner_id", _("找不到该账号"))
        if payload.owner_id
        else None
    )
    topic = (
        body_ref(_topic, user, payload.topic_id, "topic_id", _("找不到该议题"))
        if payload.topic_id
        else None
    )
    decision = decisions.decision_record(
        actor=user,
        title=payload.title,
        owner_name=payload.owner_name,
        deadline=payload.deadline,
        body=payload.body,
        owner=owner,
        topic=topic,
        review_on=payload.review_on,
    )
    return Status(201, _detail(decisions.access_decision(user, decision.pk)))


@router.get(
    "/decisions/{int:decision_id}",
    response={200: DecisionDetailOut, **error_responses(404)},
    summary="One decision with its progress notes",
)
def get_decision(request, decision_id: int):
    return _detail(decisions.access_decision(request.user, decision_id))


@router.post(
    "/decisions/{int:decision_id}/progress",
    response={201: DecisionDetailOut, **error_responses(400, 404, 422)},
    summary="Report progress and move the status (the decision's owner or coordinators)",
)
def report_progress(request, decision_id: int, payload: ProgressIn):
    decision = decisions.access_decision(request.user, decision_id)
    require(request.user, "council.report_progress", decision)
    decisions.decision_progress(
        actor=request.user, decision=decision, note=payload.note, status=payload.status
    )
    return Status(201, _detail(decisions.access_decision(request.user, decision_id)))
