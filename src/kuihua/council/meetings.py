"""Council meetings and delegates: who is a delegate, calling a meeting in a booked room,
its agenda, attendance at the door and from the list, the quorum, and the minutes.

Invariants kept here:
- a meeting copies the rules of procedure in force when it is called (`Meeting.rules`)
  and is refused with less notice than they ask;
- a person is checked in once, whatever the number of taps: the check-in is a
  conditional `UPDATE … WHERE attended_at IS NULL`, and `Attendee` is unique per
  meeting and resident;
- the quorum is counted live from the rows, never stored: delegates present against
  delegates invited, met when present × 100 > quorum_percent × invited;
- minutes are shown to residents only once approved, and are not edited after.

Invitations and answers to proposers leave through `notify` after the commit.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.accounts.models import User
from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.council.models import AgendaItem, Attendee, Delegate, Meeting, Minutes
from kuihua.council.procedure import rules_in_force, rules_values
from kuihua.notifications.services import notify
from kuihua.training.models import TrainingRecord
from kuihua.training.services import training_record
from kuihua.venues.services import booking_cancel, booking_create

# The course a delegate's training (赋能) is recorded under, in the shared training records.
DELEGATE_COURSE = "议事代表培训"
# The door's QR code is taken from this long before the start until this long after the end.
CHECKIN_MARGIN = dt.timedelta(hours=2)
TITLE_MAX = 200


class MeetingError(ApplicationError):
    """A rule of the council's meetings was broken; the message is for the user."""


# --- reads --------------------------------------------------------------------------------


def meetings_for(user) -> QuerySet[Meeting]:
    """The community's meetings, for those taking part in the council (404 otherwise)."""
    if not user.has_perm("council.take_part"):
        return Meeting.objects.none()
    return Meeting.objects.select_related("booking__room", "compound", "rules")


def access_meeting(user, meeting_id: int, action: str = "view") -> Meeting:
    """A meeting of the user's community; `action="manage"` also asks council.manage and
    `"attendance"` council.take_attendance. Anything else is 404."""
    meeting = meetings_for(user).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    needed = {"manage": "council.manage", "attendance": "council.take_attendance"}.get(action)
    if needed and not user.has_perm(needed):
        raise Http404
    return meeting


def access_agenda_item(user, meeting: Meeting, agenda_item_id: int) -> AgendaItem:
    """An item of `meeting`'s agenda, for someone who manages the council."""
    if not user.has_perm("council.manage"):
        raise Http404
    item = AgendaItem.objects.filter(meeting=meeting, pk=agenda_item_id).first()
    if item is None:
        raise Http404
    return item


def access_attendee(user, meeting: Meeting, attendee_id: int) -> Attendee:
    """One invitee of `meeting`, for someone who takes attendance."""
    if not user.has_perm("council.take_attendance"):
        raise Http404
    attendee = Attendee.objects.filter(meeting=meeting, pk=attendee_id).first()
    if attendee is None:
        raise Http404
    return attendee


def meeting_by_code(user, code: str) -> Meeting:
    """The meeting whose door code is `code`, in the user's community, else 404."""
    code = (code or "").strip()
    if not user.has_perm("council.take_part") or not code or len(code) > 32:
        raise Http404
    meeting = Meeting.objects.filter(checkin_code=code).first()
    if meeting is None:
        raise Http404
    return meeting


def upcoming_and_past(user, *, now=None) -> tuple[list[Meeting], list[Meeting]]:
    """Meetings still to end (soonest first) and those ended or cancelled (latest first)."""
    now = now or timezone.now()
    rows = meetings_for(user)
    upcoming = rows.filter(ends_at__gte=now, status=Meeting.Status.PLANNED).order_by(
        "starts_at", "id"
    )
    past = rows.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at", "-id")
    return list(upcoming), list(past[:50])


def agenda_of(user, meeting: Meeting) -> list[AgendaItem]:
    """The accepted items, in order; coordinators also see what waits and what was declined."""
    rows = meeting.agenda.select_related("topic", "proposed_by")
    if not user.has_perm("council.manage"):
        rows = rows.filter(status=AgendaItem.Status.ACCEPTED)
    return list(rows)


def proposals_of(user, meeting: Meeting) -> list[AgendaItem]:
    """What `user` proposed for `meeting`, with its status and any reason it was declined."""
    if not user.is_authenticated:
        return []
    return list(meeting.agenda.filter(proposed_by=user).order_by("id"))


def minutes_visible(user, meeting: Meeting) -> Minutes | None:
    """The minutes: a draft to coordinators, approved ones to everyone taking part."""
    minutes = Minutes.objects.filter(meeting=meeting).select_related("approved_by").first()
    if minutes is None:
        return None
    if minutes.approved_at is None and not user.has_perm("council.manage"):
        return None
    return minutes


def attendees_of(meeting: Meeting) -> list[Attendee]:
    return list(
        meeting.attendees.select_related("checked_in_by").order_by(
            "-counts_for_quorum", "name", "id"
        )
    )


@dataclass(frozen=True)
class Quorum:
    invited: int
    present: int
    percent: int
    guests_present: int

    @property
    def needed(self) -> int:
        """The fewest delegates present that make a quorum (present × 100 > percent × invited)."""
        return self.percent * self.invited // 100 + 1

    @property
    def met(self) -> bool:
        return self.invited > 0 and self.present * 100 > self.percent * self.invited

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.present)


def meeting_quorum(meeting: Meeting) -> Quorum:
    """Counted live (one query): delegates present against delegates invited."""
    counts = Attendee.objects.filter(meeting=meeting).aggregate(
        invited=Count("pk", filter=Q(counts_for_quorum=True)),
        present=Count("pk", filter=Q(counts_for_quorum=True, attended_at__isnull=False)),
        guests=Count("pk", filter=Q(counts_for_quorum=False, attended_at__isnull=False)),
    )
    percent = meeting.rules.quorum_percent if meeting.rules_id else _template_quorum()
    return Quorum(
        invited=counts["invited"],
        present=counts["present"],
        percent=percent,
        guests_present=counts["guests"],
    )


def _template_quorum() -> int:
    return int(rules_values(None)["quorum_percent"])


def current_delegates(*, today: dt.date | None = None) -> QuerySet[Delegate]:
    today = today or timezone.localdate()
    return Delegate.objects.filter(Q(until__isnull=True) | Q(until__gt=today))


def delegates_for(user) -> QuerySet[Delegate]:
    """Every delegate, current first, with `has_account` and `trained` (one query)."""
    if not user.has_perm("council.take_part"):
        return Delegate.objects.none()
    accounts = User.objects.filter(resident_id=OuterRef("resident_id"), is_active=True)
    trained = TrainingRecord.objects.filter(
        user__resident_id=OuterRef("resident_id"), course=DELEGATE_COURSE
    )
    return (
        Delegate.objects.select_related("resident")
        .annotate(has_account=Exists(accounts), trained=Exists(trained))
        .order_by(F("until").desc(nulls_first=True), "resident__name_pinyin", "id")
    )


def access_delegate(user, delegate_id: int) -> Delegate:
    """A delegate of the user's community, for someone who manages the council."""
    if not user.has_perm("council.manage"):
        raise Http404
    delegate = delegates_for(user).filter(pk=delegate_id).first()
    if delegate is None:
        raise Http404
    return delegate


def account_of(resident) -> User | None:
    return User.objects.filter(resident_id=resident.pk, is_active=True).first()


# --- delegates ----------------------------------------------------------------------------


@transaction.atomic
def delegate_appoint(*, actor, resident, kind: str = Delegate.Kind.RESIDENT, since=None):
    """Make `resident` a delegate from `since` (today by default)."""
    if kind not in Delegate.Kind.values:
        raise MeetingError(_("请选择代表身份"), field="kind")
    since = since or timezone.localdate()
    if current_delegates().filter(resident=resident).exists():
        raise MeetingError(_("%(name)s 已经是议事代表") % {"name": resident.name}, field="resident")
    try:
        with transaction.atomic():
            delegate = Delegate.objects.create(resident=resident, kind=kind, since=since)
    except IntegrityError:
        raise MeetingError(
            _("%(name)s 已经是议事代表") % {"name": resident.name}, field="resident"
        ) from None
    audit(
        actor=actor,
        community_id=delegate.community_id,
        action="council.delegate.appoint",
        obj=delegate,
        new={"resident": resident.pk, "kind": kind, "since": since.isoformat()},
    )
    return delegate


@transaction.atomic
def delegate_end(*, actor, delegate: Delegate, until=None) -> Delegate:
    """End a delegate's term (today by default); later meetings no longer invite them."""
    locked = Delegate.objects.select_for_update().get(pk=delegate.pk)
    if locked.until is not None:
        raise MeetingError(
            _("%(name)s 已于 %(day)s 卸任")
            % {"name": delegate.resident.name, "day": locked.until.isoformat()},
            field="until",
        )
    until = until or timezone.localdate()
    if until < locked.since:
        raise MeetingError(_("卸任日期不能早于担任日期"), field="until")
    locked.until = until
    locked.save(update_fields=["until"])
    delegate.until = until
    audit(
        actor=actor,
        community_id=locked.community_id,
        action="council.delegate.end",
        obj=locked,
        old={"until": None},
        new={"until": until.isoformat()},
    )
    return delegate


@transaction.atomic
def delegate_training_record(*, actor, delegate: Delegate, completed_on: dt.date):
    """Record a delegate's training (赋能) in the shared training records."""
    account = account_of(delegate.resident)
    if account is None:
        raise MeetingError(
            _("%(name)s 还没有账号，无法登记培训") % {"name": delegate.resident.name},
            field="delegate",
        )
    return training_record(
        actor=actor, user=account, course=DELEGATE_COURSE, completed_on=completed_on
    )


# --- meetings -----------------------------------------------------------------------------


def _link(meeting: Meeting) -> str:
    return reverse("council:meeting_detail", args=[meeting.pk])


def _notify_all(user_ids: list[int], *, title: str, body: str, link: str) -> None:
    """After the commit: one inbox message each (accounts closed since are skipped)."""
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        notify(recipient=user, kind="council.meeting", title=title, body=body, link=link)


def _when(meeting: Meeting) -> str:
    starts = timezone.localtime(meeting.starts_at)
    return starts.strftime("%Y-%m-%d %H:%M")


def _where(meeting: Meeting) -> str:
    if meeting.booking_id:
        return str(meeting.booking.room)
    return meeting.place


@transaction.atomic
def meeting_call(
    *,
    actor,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room=None,
    place: str = "",
    compound=None,
    agenda: list[str] | None = None,
    guests: list | None = None,
) -> Meeting:
    """Call a council meeting: book its room, copy the rules in force, invite every
    current delegate (and any guests, who do not count for the quorum) and tell the
    delegates with an account once the meeting is saved.

    `guests` are residents or names. Nothing is created when a rule refuses it.
    """
    title = (title or "").strip()
    place = (place or "").strip()
    if not title:
        raise MeetingError(_("请填写会议名称"), field="title")
    if len(title) > TITLE_MAX:
        raise MeetingError(_("会议名称太长"), field="title")
    if starts_at is None or ends_at is None:
        raise MeetingError(_("请填写会议时间"), field="starts_at")
    if ends_at <= starts_at:
        raise MeetingError(_("结束时间须晚于开始时间"), field="ends_at")
    if room is None and not place:
        raise MeetingError(_("请选择会议室或填写地点"), field="room")
    rules = rules_in_force()
    notice_days = rules.notice_days if rules else int(rules_values(None)["notice_days"])
    today = timezone.localdate()
    if timezone.localtime(starts_at).date() < today + dt.timedelta(days=notice_days):
        raise MeetingError(
            _("按议事规则，会议须提前 %(days)s 天通知，最早可安排在 %(day)s")
            % {"days": notice_days, "day": (today + dt.timedelta(days=notice_days)).isoformat()},
            field="starts_at",
        )
    booking = None
    if room is not None:
        booking = booking_create(
            actor=actor,
            room=room,
            organization=None,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
        )
    now = timezone.now()
    meeting = Meeting.objects.create(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        booking=booking,
        place=place if room is None else (place or str(room)),
        compound=compound,
        rules=rules,
        checkin_code=secrets.token_urlsafe(16),
        invitations_sent_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    items = [t.strip()[:TITLE_MAX] for t in (agenda or []) if t and t.strip()]
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(community_id=meeting.community_id, meeting=meeting, title=t, position=i)
            for i, t in enumerate(items, start=1)
        ]
    )
    delegates = list(current_delegates().select_related("resident"))
    invitees = [
        Attendee(
            community_id=meeting.community_id,
            meeting=meeting,
            resident=d.resident,
            name=d.resident.name,
            counts_for_quorum=True,
            invited_at=now,
        )
        for d in delegates
    ]
    seen = {d.resident_id for d in delegates}
    for guest in guests or []:
        if isinstance(guest, str):
            name = guest.strip()[:100]
            if name:
                invitees.append(
                    Attendee(
                        community_id=meeting.community_id,
                        meeting=meeting,
                        name=name,
                        counts_for_quorum=False,
                        invited_at=now,
                    )
                )
        elif guest.pk not in seen:
            seen.add(guest.pk)
            invitees.append(
                Attendee(
                    community_id=meeting.community_id,
                    meeting=meeting,
                    resident=guest,
                    name=guest.name,
                    counts_for_quorum=False,
                    invited_at=now,
                )
            )
    Attendee.objects.bulk_create(invitees)
    accounts = list(
        User.objects.filter(
            resident_id__in=[d.resident_id for d in delegates], is_active=True
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(
        partial(
            _notify_all,
            accounts,
            title=_("议事会会议通知：%(t)s") % {"t": title},
            body=_("时间：%(when)s；地点：%(where)s。请准时参加，到场扫码签到。")
            % {"when": _when(meeting), "where": _where(meeting)},
            link=_link(meeting),
        )
    )
    audit(
        actor=actor,
        community_id=meeting.community_id,
        action="council.meeting.call",
        obj=meeting,
        new={
            "title": title,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "booking": booking.pk if booking else None,
            "rules": rules.pk if rules else None,
            "invited": len(invitees),
        },
    )
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a planned meeting, give its room back and tell the delegates invited."""
    locked = _locked(meeting)
    if locked.status != Meeting.Status.PLANNED:
        raise MeetingError(
            _("会议%(status)s，不能取消") % {"status": locked.get_status_display()},
            field="status",
        )
    locked.status = Meeting.Status.CANCELLED
    locked.save(update_fields=["status"])
    if locked.booking_id and locked.booking.cancelled_at is None:
        booking_cancel(actor=actor, booking=locked.booking)
    accounts = list(
        User.objects.filter(
            resident__in=Attendee.objects.filter(meeting=locked, resident__isnull=False).values(
                "resident_id"
            ),
            is_active=True,
        ).values_list("pk", flat=True)
    )
    reason = (reason or "").strip()[:200]
    transaction.on_commit(
        partial(
            _notify_all,
            accounts,
            title=_("会议取消：%(t)s") % {"t": locked.title},
            body=_("原定 %(when)s 的会议已取消。%(reason)s")
            % {"when": _when(locked), "reason": reason},
            link=_link(locked),
        )
    )
    audit(
        actor=actor,
        community_id=locked.community_id,
        action="council.meeting.cancel",
        obj=locked,
        old={"status": Meeting.Status.PLANNED},
        new={"status": locked.status, "reason": reason},
    )
    meeting.status = locked.status
    return meeting


@transaction.atomic
def meeting_mark_held(*, actor, meeting: Meeting, now=None) -> Meeting:
    """Record that a planned meeting took place (once it has started)."""
    now = now or timezone.now()
    locked = _locked(meeting)
    if locked.status != Meeting.Status.PLANNED:
        raise MeetingError(
            _("会议%(status)s，不能再标记为已召开") % {"status": locked.get_status_display()},
            field="status",
        )
    if locked.starts_at > now:
        raise MeetingError(_("会议还没有开始"), field="status")
    locked.status = Meeting.Status.HELD
    locked.save(update_fields=["status"])
    audit(
        actor=actor,
        community_id=locked.community_id,
        action="council.meeting.held",
        obj=locked,
        old={"status": Meeting.Status.PLANNED},
        new={"status": locked.status},
    )
    meeting.status = locked.status
    return meeting


# --- agenda -------------------------------------------------------------------------------


def _clean_item_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise MeetingError(_("请填写议程内容"), field="title")
    if len(title) > TITLE_MAX:
        raise MeetingError(_("议程内容太长"), field="title")
    return title


def _next_position(meeting: Meeting) -> int:
    top = AgendaItem.objects.filter(meeting=meeting).aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


def _must_be_planned(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.PLANNED:
        raise MeetingError(
            _("会议%(status)s，议程不能再改") % {"status": meeting.get_status_display()},
            field="meeting",
        )


@transaction.atomic
def agenda_item_add(*, actor, meeting: Meeting, title: str, topic=None) -> AgendaItem:
    """A coordinator puts an item on the agenda, last."""
    title = _clean_item_title(title)
    meeting = _locked(meeting)
    _must_be_planned(meeting)
    item = AgendaItem.objects.create(
        meeting=meeting,
        topic=topic,
        title=title,
        position=_next_position(meeting),
        status=AgendaItem.Status.ACCEPTED,
        proposed_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor=actor,
        community_id=item.community_id,
        action="council.agenda.add",
        obj=item,
        new={"meeting": meeting.pk, "title": title},
    )
    return item


@transaction.atomic
def agenda_item_propose(*, actor, meeting: Meeting, title: str) -> AgendaItem:
    """A resident proposes an item; it waits for a coordinator to accept or decline it."""
    title = _clean_item_title(title)
    meeting = _locked(meeting)
    _must_be_planned(meeting)
    item = AgendaItem.objects.create(
        meeting=meeting,
        title=title,
        position=0,
        status=AgendaItem.Status.PROPOSED,
        proposed_by=actor,
    )
    audit(
        actor=actor,
        community_id=item.community_id,
        action="council.agenda.propose",
        obj=item,
        new={"meeting": meeting.pk, "title": title},
    )
    return item


@transaction.atomic
def agenda_item_decide(*, actor, item: AgendaItem, accept: bool, reason: str = "") -> AgendaItem:
    """Accept a proposed item (it goes last on the agenda) or decline it with a reason the
    proposer sees on the meeting's page and in their inbox."""
    locked = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if locked.status != AgendaItem.Status.PROPOSED:
        raise MeetingError(
            _("该议程已处理（%(status)s）") % {"status": locked.get_status_display()},
            field="status",
        )
    _must_be_planned(locked.meeting)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise MeetingError(_("请写明不采纳的理由，提议人会看到"), field="reason")
    if accept:
        locked.status = AgendaItem.Status.ACCEPTED
        locked.position = _next_position(locked.meeting)
        locked.reason = ""
    else:
        locked.status = AgendaItem.Status.DECLINED
        locked.reason = reason[:1000]
    locked.save(update_fields=["status", "position", "reason"])
    if locked.proposed_by_id:
        title = (_("您提议的议程已列入：%(t)s") if accept else _("您提议的议程未被采纳：%(t)s")) % {
            "t": locked.title
        }
        transaction.on_commit(
            partial(
                _notify_all,
                [locked.proposed_by_id],
                title=title,
                body=locked.reason,
                link=_link(locked.meeting),
            )
        )
    audit(
        actor=actor,
        community_id=locked.community_id,
        action="council.agenda.decide",
        obj=locked,
        old={"status": AgendaItem.Status.PROPOSED},
        new={"status": locked.status, "reason": locked.reason},
    )
    item.status, item.position, item.reason = locked.status, locked.position, locked.reason
    return item


# --- attendance ---------------------------------------------------------------------------


@transaction.atomic
def attendee_check_in(
    *, actor, attendee: Attendee, method: str = Attendee.Method.LIST, now=None
) -> tuple[Attendee, bool]:
    """Check `attendee` in; returns (attendee, True) the first time and (attendee, False)
    for every later tap, which changes nothing."""
    if method not in Attendee.Method.values:
        raise MeetingError(_("签到方式不正确"), field="method")
    meeting = Meeting.objects.get(pk=attendee.meeting_id)
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError(_("会议已取消，不能签到"), field="meeting")
    now = now or timezone.now()
    by = actor if method == Attendee.Method.LIST and getattr(actor, "pk", None) else None
    done = Attendee.objects.filter(pk=attendee.pk, attended_at__isnull=True).update(
        attended_at=now, method=method, checked_in_by=by
    )
    fresh = Attendee.objects.select_related("checked_in_by").get(pk=attendee.pk)
    if done:
        audit(
            actor=actor,
            community_id=fresh.community_id,
            action="council.attendee.check_in",
            obj=fresh,
            old={"attended_at": None},
            new={"attended_at": now.isoformat(), "method": method},
        )
    return fresh, bool(done)


@transaction.atomic
def attendee_check_in_by_code(*, actor, meeting: Meeting, now=None) -> tuple[Attendee, bool]:
    """A signed-in invitee scanned the door's QR code: check themselves in."""
    now = now or timezone.now()
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError(_("会议已取消，不能签到"), field="meeting")
    if now < meeting.starts_at - CHECKIN_MARGIN:
        raise MeetingError(
            _("签到在会议开始前两小时开放（会议 %(when)s 开始）") % {"when": _when(meeting)},
            field="meeting",
        )
    if now > meeting.ends_at + CHECKIN_MARGIN:
        raise MeetingError(_("会议已经结束，不能再签到"), field="meeting")
    resident_id = getattr(actor, "resident_id", None)
    attendee = (
        Attendee.objects.filter(meeting=meeting, resident_id=resident_id).first()
        if resident_id
        else None
    )
    if attendee is None:
        raise MeetingError(_("您不在本次会议的邀请名单中，请到签到台找工作人员"), field="meeting")
    return attendee_check_in(actor=actor, attendee=attendee, method=Attendee.Method.QR, now=now)


# --- minutes ------------------------------------------------------------------------------


@transaction.atomic
def minutes_write(*, actor, meeting: Meeting, body: str) -> Minutes:
    """Write or rewrite a meeting's minutes, until they are approved."""
    body = (body or "").strip()
    if not body:
        raise MeetingError(_("请填写会议纪要"), field="body")
    meeting = _locked(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError(_("会议已取消，没有纪要"), field="body")
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    old = None
    if minutes is None:
        minutes = Minutes.objects.create(
            meeting=meeting, body=body, written_by=actor if getattr(actor, "pk", None) else None
        )
    else:
        if minutes.approved_at is not None:
            raise MeetingError(_("会议纪要已审定发布，不能再修改"), field="body")
        old = {"body_length": len(minutes.body)}
        minutes.body = body
        minutes.written_by = actor if getattr(actor, "pk", None) else None
        minutes.save(update_fields=["body", "written_by", "updated_at"])
    audit(
        actor=actor,
        community_id=minutes.community_id,
        action="council.minutes.write",
        obj=minutes,
        old=old,
        new={"body_length": len(body)},
    )
    return minutes


@transaction.atomic
def minutes_approve(*, actor, meeting: Meeting) -> Minutes:
    """Approve the minutes: from now on residents read them, and nobody edits them."""
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        raise MeetingError(_("还没有会议纪要，请先填写"), field="body")
    if minutes.approved_at is not None:
        raise MeetingError(_("会议纪要已经审定"), field="body")
    minutes.approved_by = actor if getattr(actor, "pk", None) else None
    minutes.approved_at = timezone.now()
    minutes.save(update_fields=["approved_by", "approved_at"])
    audit(
        actor=actor,
        community_id=minutes.community_id,
        action="council.minutes.approve",
        obj=minutes,
        new={"approved_at": minutes.approved_at.isoformat()},
    )
    return minutes
