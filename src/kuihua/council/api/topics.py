"""Council over JSON: topics (mounted at /api/council).

Everyone taking part reads topics, comments on them and supports them; raising one
follows the rules of procedure in force; coordinators schedule, merge and answer. What a
user may not see or do is 404. The rules are in council/topics.py; a broken one is 400.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from kuihua.core.api_support import (
    ServiceError,
    body_ref,
    error_responses,
    paginated,
    require,
)
from kuihua.council import meetings
from kuihua.council import topics as svc
from kuihua.council.models import Topic
from kuihua.council.topic_schemas import (
    TopicAnswerIn,
    TopicCommentIn,
    TopicDetailOut,
    TopicIn,
    TopicMergeIn,
    TopicOut,
    TopicScheduledOut,
    TopicScheduleIn,
)
from kuihua.organizations.selectors import access_organization, access_partner_unit
from kuihua.registry.selectors import access_compound

router = Router(tags=["council"])


class TopicFilter(Schema):
    status: str | None = None


def _out(topic: Topic) -> Topic:
    topic.status_label = topic.get_status_display()
    topic.raised_by_label = svc.raiser_label(topic)
    return topic


def _detail(user, topic_id: int) -> dict:
    topic = _out(svc.access_topic(user, topic_id))
    data = TopicOut.from_orm(topic).dict()
    data["supported"] = svc.supported_by(user, topic)
    data["comments"] = [
        {"id": c.pk, "author_name": c.author_name, "body": c.body, "created_at": c.created_at}
        for c in svc.comments_of(topic)
    ]
    return data


@router.get(
    "/topics",
    response={200: list[TopicOut], **error_responses(404, 422)},
    summary="The community's topics, latest first (filter by status)",
)
@paginated
def list_topics(request, filters: Query[TopicFilter]):
    require(request.user, "council.view")
    rows = svc.topics_for(request.user).order_by("-raised_at", "-id")
    if filters.status:
        rows = rows.filter(status=filters.status)
    return [_out(t) for t in rows]


@router.post(
    "/topics",
    response={201: TopicDetailOut, **error_responses(400, 404, 422)},
    summary="Raise a topic (as oneself, for an organization one leads, or — coordinators — "
    "on behalf of a unit)",
)
def raise_topic(request, payload: TopicIn):
    user = request.user
    require(user, "council.take_part")
    compound = organization = partner = None
    if payload.compound_id:
        compound = body_ref(
            access_compound, user, payload.compound_id, "compound_id", _("找不到该小区")
        )
    if payload.organization_id:
        organization = body_ref(
            access_organization,
            user,
            payload.organization_id,
            "organization_id",
            _("找不到该社会组织"),
        )
    if payload.partner_id:
        partner = body_ref(
            access_partner_unit, user, payload.partner_id, "partner_id", _("找不到该共建单位")
        )
    topic = svc.topic_raise(
        actor=user,
        title=payload.title,
        body=payload.body,
        compound=compound,
        organization=organization,
        on_behalf_of=payload.on_behalf_of,
        on_behalf_name=payload.on_behalf_name,
        partner=partner,
    )
    return Status(201, _detail(user, topic.pk))


@router.get(
    "/topics/{int:topic_id}",
    response={200: TopicDetailOut, **error_responses(404)},
    summary="One topic with its comments and whether I support it",
)
def get_topic(request, topic_id: int):
    return _detail(request.user, topic_id)


@router.post(
    "/topics/{int:topic_id}/comments",
    response={201: TopicDetailOut, **error_responses(400, 404, 422)},
    summary="Comment on a topic",
)
def comment_topic(request, topic_id: int, payload: TopicCommentIn):
    topic = svc.access_topic(request.user, topic_id)
    require(request.user, "council.take_part")
    svc.topic_comment_add(actor=request.user, topic=topic, body=payload.body)
    return Status(201, _detail(request.user, topic_id))


@router.post(
    "/topics/{int:topic_id}/support",
    response={200: TopicDetailOut, **error_responses(400, 404)},
    summary="Support a topic (a repeat changes nothing)",
)
def support_topic(request, topic_id: int):
    topic = svc.access_topic(request.user, topic_id)
    require(request.user, "council.take_part")
    svc.topic_support(actor=request.user, topic=topic)
    return _detail(request.user, topic_id)


@router.delete(
    "/topics/{int:topic_id}/support",
    response={200: TopicDetailOut, **error_responses(400, 404)},
    summary="Withdraw one's support",
)
def withdraw_support(request, topic_id: int):
    topic = svc.access_topic(request.user, topic_id)
    require(request.user, "council.take_part")
    svc.topic_support_withdraw(actor=request.user, topic=topic)
    return _detail(request.user, topic_id)


@router.post(
    "/topics/{int:topic_id}/answer",
    response={200: TopicDetailOut, **error_responses(400, 404, 422)},
    summary="Answer a topic; the raiser is told (coordinators)",
)
def answer_topic(request, topic_id: int, payload: TopicAnswerIn):
    topic = svc.access_topic(request.user, topic_id)
    require(request.user, "council.manage")
    svc.topic_answer(actor=request.user, topic=topic, answer=payload.answer)
    return _detail(request.user, topic_id)


@router.post(
    "/topics/{int:topic_id}/merge",
    response={200: TopicDetailOut, **error_responses(400, 404, 422)},
    summary="Merge a duplicate into another topic, its supporters counted once (coordinators)",
)
def merge_topic(request, topic_id: int, payload: TopicMergeIn):
    user = request.user
    topic = svc.access_topic(user, topic_id)
    require(user, "council.manage")
    into = body_ref(
        svc.access_topic, user, payload.into_topic_id, "into_topic_id", _("找不到该议题")
    )
    try:
        target = svc.topic_merge(actor=user, topic=topic, into=into)
    except svc.TopicError as exc:
        field = "into_topic_id" if exc.field == "into" else exc.field
        raise ServiceError(str(exc), field=field) from None
    return _detail(user, target.pk)


@router.post(
    "/topics/{int:topic_id}/schedule",
    response={201: TopicScheduledOut, **error_responses(400, 404, 422)},
    summary="Put a topic on a planned meeting's agenda (coordinators)",
)
def schedule_topic(request, topic_id: int, payload: TopicScheduleIn):
    user = request.user
    topic = svc.access_topic(user, topic_id)
    require(user, "council.manage")
    meeting = body_ref(
        meetings.access_meeting, user, payload.meeting_id, "meeting_id", _("找不到该会议")
    )
    item = svc.topic_schedule(actor=user, topic=topic, meeting=meeting)
    return Status(
        201,
        {"topic": _detail(user, topic_id), "agenda_item_id": item.pk, "meeting_id": meeting.pk},
    )
