"""Council topics (议题): raised by residents, organizations or (on their behalf) units,
discussed and supported, then scheduled into a meeting, merged into another, or answered.

Invariants kept here:
- who may raise follows the rules of procedure in force (`council.raise_topic`);
- a person supports a topic once: `TopicSupport` is unique per topic and user, the row
  is inserted in a savepoint and `Topic.supporters` moves with `F()` only when it was;
- merging moves the duplicate's supporters to the target without counting anyone twice,
  and the target's count is recounted from the rows;
- a merged or answered topic takes no more comments, support or scheduling.

The raiser hears of an answer through `notify`, after the commit.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.council import meetings
from kuihua.council.models import AgendaItem, Meeting, OnBehalfOf, Topic, TopicComment, TopicSupport

TITLE_MAX = 200
BODY_MAX = 5000
CLOSED = (Topic.Status.MERGED, Topic.Status.ANSWERED)


class TopicError(ApplicationError):
    """A rule of the council's topics was broken; the message is for the user."""


# --- reads --------------------------------------------------------------------------------


def topics_for(user) -> QuerySet[Topic]:
    """The community's topics, for those who may see the council (none otherwise)."""
    if not user.has_perm("council.view"):
        return Topic.objects.none()
    return Topic.objects.select_related(
        "compound", "resident", "organization", "partner", "raised_by", "merged_into"
    )


def access_topic(user, topic_id: int) -> Topic:
    """A topic of the user's community, else 404."""
    topic = topics_for(user).filter(pk=topic_id).first()
    if topic is None:
        raise Http404
    return topic


def raiser_label(topic: Topic) -> str:
    """Who raised it, as the page shows it."""
    if topic.organization_id:
        return topic.organization.name
    if topic.on_behalf_of:
        kind = topic.get_on_behalf_of_display()
        name = topic.on_behalf_name or (topic.partner.name if topic.partner_id else "")
        return f"{kind}：{name}" if name else kind
    if topic.resident_id:
        return topic.resident.name
    return str(topic.raised_by) if topic.raised_by_id else ""


def supported_by(user, topic: Topic) -> bool:
    return TopicSupport.objects.filter(topic=topic, user_id=user.pk).exists()


def merge_targets(user, topic: Topic) -> QuerySet[Topic]:
    """Topics `topic` may be merged into: the community's others still open or scheduled."""
    return (
        topics_for(user)
        .exclude(pk=topic.pk)
        .exclude(status__in=CLOSED)
        .order_by("-raised_at", "-id")
    )


def planned_meetings(user) -> QuerySet[Meeting]:
    """Meetings a topic may be scheduled into: planned and still to come."""
    return (
        meetings.meetings_for(user)
        .filter(status=Meeting.Status.PLANNED, ends_at__gte=timezone.now())
        .order_by("starts_at", "id")
    )


def comments_of(topic: Topic) -> QuerySet[TopicComment]:
    return TopicComment.objects.filter(topic=topic).order_by("created_at", "id")


def account_of_raiser(topic: Topic):
    """The account to tell about the topic: the raising resident's, else who registered it."""
    if topic.resident_id:
        account = meetings.account_of(topic.resident)
        if account is not None:
            return account
    return topic.raised_by if topic.raised_by_id else None


# --- writes -------------------------------------------------------------------------------


def _locked(topic: Topic) -> Topic:
    return Topic.objects.select_for_update().get(pk=topic.pk)


def _must_be_open(topic: Topic) -> None:
    if topic.status in CLOSED:
        raise TopicError(
            _("议题%(status)s，不能再操作") % {"status": topic.get_status_display()},
            field="topic",
        )


@transaction.atomic
def topic_raise(
    *,
    actor,
    title: str,
    body: str = "",
    compound=None,
    organization=None,
    on_behalf_of: str = "",
    on_behalf_name: str = "",
    partner=None,
) -> Topic:
    """Raise a topic: a resident as themselves, an organization's leader for it, or a
    coordinator on behalf of a property manager, a partner unit or a department."""
    if not actor.has_perm("council.raise_topic"):
        raise TopicError(_("按现行议事规则，只有议事代表可以提议题"), field="title")
    title, body = (title or "").strip(), (body or "").strip()
    on_behalf_name = (on_behalf_name or "").strip()
    if not title:
        raise TopicError(_("请填写议题"), field="title")
    if len(title) > TITLE_MAX:
        raise TopicError(_("议题太长，请控制在两百字以内"), field="title")
    if len(body) > BODY_MAX:
        raise TopicError(_("说明太长"), field="body")
    if compound is not None and compound.community_id != actor.community_id:
        raise TopicError(_("找不到该小区"), field="compound")
    if partner is not None and not on_behalf_of:
        on_behalf_of = OnBehalfOf.PARTNER
    resident = None
    if on_behalf_of:
        if on_behalf_of not in OnBehalfOf.values:
            raise TopicError(_("请选择代表哪一类单位"), field="on_behalf_of")
        if not actor.has_perm("council.manage"):
            raise TopicError(_("只有社区工作者可以代单位登记议题"), field="on_behalf_of")
        if organization is not None:
            raise TopicError(_("代单位登记时不能同时选择社会组织"), field="organization")
        if partner is not None:
            if on_behalf_of != OnBehalfOf.PARTNER:
                raise TopicError(_("选了共建单位，请选择“代表共建单位”"), field="on_behalf_of")
            if partner.community_id != actor.community_id:
                raise TopicError(_("找不到该共建单位"), field="partner")
            on_behalf_name = on_behalf_name or partner.name
        if not on_behalf_name:
            raise TopicError(_("请填写单位名称"), field="on_behalf_name")
    elif organization is not None:
        from kuihua.organizations.selectors import organizations_led_by

        if not organizations_led_by(actor).filter(pk=organization.pk).exists():
            raise TopicError(_("只能以您负责的社会组织名义提议题"), field="organization")
    else:
        resident = actor.resident if actor.resident_id else None
    topic = Topic.objects.create(
        title=title,
        body=body,
        compound=compound,
        resident=resident,
        organization=organization if not on_behalf_of else None,
        on_behalf_of=on_behalf_of,
        on_behalf_name=on_behalf_name[:100],
        partner=partner,
        raised_by=actor,
    )
    audit(
        actor=actor,
        community_id=topic.community_id,
        action="council.topic.raise",
        obj=topic,
        new={
            "title": title,
            "compound": compound.pk if compound else None,
            "organization": topic.organization_id,
            "on_behalf_of": on_behalf_of,
            "on_behalf_name": topic.on_behalf_name,
        },
    )
    return topic


@transaction.atomic
def topic_comment_add(*, actor, topic: Topic, body: str) -> TopicComment:
    body = (body or "").strip()
    if not body:
        raise TopicError(_("请填写意见"), field="body")
    if len(body) > BODY_MAX:
        raise TopicError(_("意见太长"), field="body")
    _must_be_open(_locked(topic))
    comment = TopicComment.objects.create(
        topic=topic, author=actor, author_name=str(actor)[:100], body=body
    )
    audit(
        actor=actor,
        community_id=comment.community_id,
        action="council.topic.comment",
        obj=comment,
        new={"topic": topic.pk},
    )
    return comment


@transaction.atomic
def topic_support(*, actor, topic: Topic) -> bool:
    """Support a topic; True if counted now, False if this person already supported it."""
    _must_be_open(Topic.objects.get(pk=topic.pk))
    try:
        with transaction.atomic():
            support = TopicSupport.objects.create(topic=topic, user=actor)
    except IntegrityError:
        return False
    Topic.objects.filter(pk=topic.pk).update(supporters=F("supporters") + 1)
    audit(
        actor=actor,
        community_id=support.community_id,
        action="council.topic.support",
        obj=topic,
        new={"user": actor.pk},
    )
    return True


@transaction.atomic
def topic_support_withdraw(*, actor, topic: Topic) -> bool:
    """Withdraw one's support; True if there was some to withdraw."""
    _must_be_open(Topic.objects.get(pk=topic.pk))
    removed, _rows = TopicSupport.objects.filter(topic=topic, user=actor).delete()
    if not removed:
        return False
    Topic.objects.filter(pk=topic.pk, supporters__gt=0).update(supporters=F("supporters") - 1)
    audit(
        actor=actor,
        community_id=topic.community_id,
        action="council.topic.support_withdraw",
        obj=topic,
        old={"user": actor.pk},
    )
    return True


@transaction.atomic
def topic_schedule(*, actor, topic: Topic, meeting: Meeting) -> AgendaItem:
    """Put the topic on a planned meeting's agenda; the topic becomes 已列入议程."""
    locked = _locked(topic)
    _must_be_open(locked)
    item = meetings.agenda_item_add(actor=actor, meeting=meeting, title=locked.title, topic=locked)
    old = locked.status
    locked.status = Topic.Status.SCHEDULED
    locked.save(update_fields=["status"])
    audit(
        actor=actor,
        community_id=locked.community_id,
        action="council.topic.schedule",
        obj=locked,
        old={"status": old},
        new={"status": locked.status, "meeting": meeting.pk, "agenda_item": item.pk},
    )
    return item


@transaction.atomic
def topic_merge(*, actor, topic: Topic, into: Topic) -> Topic:
    """Merge a duplicate into another topic; its supporters move there, each counted once."""
    if into is None:
        raise TopicError(_("请选择合并到哪个议题"), field="into")
    if topic.pk == into.pk:
        raise TopicError(_("不能合并到议题本身"), field="into")
    locked = {t.pk: t for t in Topic.objects.select_for_update().filter(pk__in=[topic.pk, into.pk])}
    duplicate, target = locked[topic.pk], locked[into.pk]
    _must_be_open(duplicate)
    if target.status in CLOSED:
        raise TopicError(
            _("目标议题%(status)s，不能合并进去") % {"status": target.get_status_display()},
            field="into",
        )
    already = TopicSupport.objects.filter(topic=target).values("user_id")
    TopicSupport.objects.filter(topic=duplicate, user_id__in=already).delete()
    moved = TopicSupport.objects.filter(topic=duplicate).update(topic=target)
    target.supporters = TopicSupport.objects.filter(topic=target).count()
    target.save(update_fields=["supporters"])
    old = {"status": duplicate.status, "supporters": duplicate.supporters}
    duplicate.status = Topic.Status.MERGED
    duplicate.merged_into = target
    duplicate.supporters = 0
    duplicate.save(update_fields=["status", "merged_into", "supporters"])
    audit(
        actor=actor,
        community_id=duplicate.community_id,
        action="council.topic.merge",
        obj=duplicate,
        old=old,
        new={"status": duplicate.status, "into": target.pk, "moved_supporters": moved},
    )
    return target


def _notify_raiser(topic: Topic, actor) -> None:
    from kuihua.notifications.services import notify

    recipient = account_of_raiser(topic)
    if recipient is None or recipient.pk == getattr(actor, "pk", None):
        return
    notify(
        recipient=recipient,
        kind="council.topic",
        title=_("您提的议题有答复了：%(title)s") % {"title": topic.title},
        body=topic.answer,
        link=reverse("council:topic_detail", args=[topic.pk]),
    )


@transaction.atomic
def topic_answer(*, actor, topic: Topic, answer: str) -> Topic:
    """Answer a topic (已答复); the raiser is told."""
    answer = (answer or "").strip()
    if not answer:
        raise TopicError(_("请填写答复内容"), field="answer")
    if len(answer) > BODY_MAX:
        raise TopicError(_("答复太长"), field="answer")
    locked = _locked(topic)
    if locked.status == Topic.Status.MERGED:
        raise TopicError(_("议题已合并，请在合并后的议题里答复"), field="topic")
    old = {"status": locked.status, "answer": locked.answer}
    locked.status = Topic.Status.ANSWERED
    locked.answer = answer
    locked.answered_by = actor if getattr(actor, "pk", None) else None
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    audit(
        actor=actor,
        community_id=locked.community_id,
        action="council.topic.answer",
        obj=locked,
        old=old,
        new={"status": locked.status, "answer": answer},
    )
    transaction.on_commit(lambda: _notify_raiser(locked, actor))
    return locked
