"""Council meetings: called with notice in a booked room, delegates invited and told,
checked in once however many taps, the quorum at its edge, minutes shown only once
approved, residents' agenda proposals answered, delegates appointed, trained, ended."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.council import meetings as svc
from kuihua.council.models import AgendaItem, Attendee, Meeting, Minutes
from kuihua.council.procedure import rules_adopt_first
from kuihua.notifications.models import Message
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.training.selectors import has_training
from kuihua.venues.models import Booking
from kuihua.venues.services import BookingClash
from kuihua.venues.tests.factories import BookingFactory, RoomFactory

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 19) -> dt.datetime:
    """A local time `days` from today on the test's clock."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def delegates(in_community, compound, coordinator):
    """Four delegates; the first two have accounts."""
    people = [
        ResidentFactory(household__building__compound=compound, name=name)
        for name in ("王秀英", "刘建国", "陈美华", "赵德明")
    ]
    for person in people:
        svc.delegate_appoint(actor=coordinator, resident=person, kind="resident")
    for i, person in enumerate(people[:2]):
        UserFactory(
            username=f"delegate{i}", role=Role.RESIDENT, community=in_community, resident=person
        )
    return people


@pytest.fixture
def room(in_community):
    return RoomFactory(community=in_community, name="议事厅")


def call(coordinator, room=None, days: int = 10, **kwargs) -> Meeting:
    values = {
        "title": "第三季度议事会",
        "starts_at": at(days),
        "ends_at": at(days, 21),
        "room": room,
        "place": "" if room else "社区会议室",
        "agenda": ["加装电梯方案", "", "停车位划线"],
    }
    values.update(kwargs)
    return svc.meeting_call(actor=coordinator, **values)


def test_a_meeting_books_its_room_copies_the_rules_and_invites_every_delegate(
    coordinator, delegates, room, django_capture_on_commit_callbacks
):
    rules = rules_adopt_first(actor=coordinator, notice_days=7)

    with django_capture_on_commit_callbacks(execute=True):
        meeting = call(coordinator, room=room, guests=["物业周经理"])

    assert meeting.rules == rules
    assert meeting.booking.room == room and meeting.booking.organization is None
    assert len(meeting.checkin_code) >= 16
    assert [i.title for i in meeting.agenda.all()] == ["加装电梯方案", "停车位划线"]
    invited = meeting.attendees.filter(counts_for_quorum=True)
    assert sorted(a.name for a in invited) == sorted(p.name for p in delegates)
    assert meeting.attendees.get(counts_for_quorum=False).name == "物业周经理"
    # the two delegates with accounts are told, with a link to the meeting
    told = Message.objects.filter(kind="council.meeting")
    assert told.count() == 2
    assert all("第三季度议事会" in m.title and str(meeting.pk) in m.link for m in told)


def test_invitations_leave_only_after_the_commit(coordinator, delegates, room):
    with pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            call(coordinator, room=room)
            raise RuntimeError("rolled back")

    assert not Message.objects.exists()
    assert not Meeting.objects.exists()


def test_a_meeting_with_less_notice_than_the_rules_ask_is_refused(coordinator, delegates, room):
    rules_adopt_first(actor=coordinator, notice_days=7)

    with pytest.raises(svc.MeetingError, match="提前 7 天") as refused:
        call(coordinator, room=room, days=6)

    assert refused.value.field == "starts_at"
    assert not Meeting.objects.exists()
    assert not Booking.objects.exists()
    call(coordinator, room=room, days=7)  # exactly the notice asked is enough


def test_a_room_already_booked_refuses_the_meeting_and_creates_nothing(
    in_community, coordinator, delegates, room
):
    BookingFactory(room=room, title="合唱排练", starts_at=at(10, 18), ends_at=at(10, 20))

    with pytest.raises(BookingClash, match="合唱排练"):
        call(coordinator, room=room)

    assert not Meeting.objects.exists()
    assert not Attendee.objects.exists()
    assert Booking.objects.count() == 1


def test_cancelling_gives_the_room_back(coordinator, delegates, room):
    meeting = call(coordinator, room=room)

    svc.meeting_cancel(actor=coordinator, meeting=meeting, reason="台风")

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.booking.cancelled_at is not None
    with pytest.raises(svc.MeetingError):
        svc.meeting_cancel(actor=coordinator, meeting=meeting)


def test_a_meeting_is_marked_held_only_once_it_has_started(coordinator, delegates):
    meeting = call(coordinator)
    with pytest.raises(svc.MeetingError, match="还没有开始"):
        svc.meeting_mark_held(actor=coordinator, meeting=meeting)

    svc.meeting_mark_held(actor=coordinator, meeting=meeting, now=meeting.starts_at)

    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.HELD


def test_two_taps_check_someone_in_once(coordinator, delegates):
    meeting = call(coordinator)
    wang = meeting.attendees.get(resident=delegates[0])

    first, fresh = svc.attendee_check_in(actor=coordinator, attendee=wang)
    again, fresh_again = svc.attendee_check_in(actor=coordinator, attendee=wang)

    assert fresh and not fresh_again
    assert again.attended_at == first.attended_at
    assert again.checked_in_by == coordinator and again.method == "list"
    assert svc.meeting_quorum(meeting).present == 1


def test_the_door_code_checks_in_the_invitee_who_scanned_it(coordinator, delegates):
    meeting = call(coordinator)
    wang = UserFactory._meta.model.objects.get(resident=delegates[0])
    outsider = UserFactory(role=Role.RESIDENT, community=coordinator.community)
    at_the_door = meeting.starts_at - dt.timedelta(minutes=10)

    attendee, fresh = svc.attendee_check_in_by_code(actor=wang, meeting=meeting, now=at_the_door)
    _again, fresh_again = svc.attendee_check_in_by_code(
        actor=wang, meeting=meeting, now=at_the_door
    )

    assert fresh and not fresh_again and attendee.method == "qr"
    with pytest.raises(svc.MeetingError, match="不在本次会议的邀请名单"):
        svc.attendee_check_in_by_code(actor=outsider, meeting=meeting, now=at_the_door)
    with pytest.raises(svc.MeetingError, match="开始前两小时开放"):
        svc.attendee_check_in_by_code(
            actor=wang, meeting=meeting, now=meeting.starts_at - dt.timedelta(hours=3)
        )


def test_exactly_half_present_is_no_quorum_one_more_is(coordinator, delegates):
    rules_adopt_first(actor=coordinator, quorum_percent=50)
    meeting = call(coordinator)
    invitees = list(meeting.attendees.filter(counts_for_quorum=True))
    guest = Attendee.objects.create(meeting=meeting, name="街道干部", counts_for_quorum=False)
    svc.attendee_check_in(actor=coordinator, attendee=guest)

    for person in invitees[:2]:
        svc.attendee_check_in(actor=coordinator, attendee=person)
    half = svc.meeting_quorum(meeting)
    svc.attendee_check_in(actor=coordinator, attendee=invitees[2])
    more = svc.meeting_quorum(meeting)

    assert (half.invited, half.present, half.met, half.missing) == (4, 2, False, 1)
    assert (more.present, more.met, more.missing) == (3, True, 0)
    assert more.guests_present == 1


def test_the_quorum_follows_the_rules_the_meeting_was_called_under(coordinator, delegates):
    rules_adopt_first(actor=coordinator, quorum_percent=66)
    meeting = call(coordinator)
    for person in list(meeting.attendees.all())[:3]:
        svc.attendee_check_in(actor=coordinator, attendee=person)

    assert svc.meeting_quorum(meeting).met  # 3 of 4 is 75%, more than 66%


def test_minutes_are_hidden_from_residents_until_approved_then_frozen(
    coordinator, delegates, in_community
):
    meeting = call(coordinator)
    resident = UserFactory(role=Role.RESIDENT, community=in_community)
    svc.minutes_write(actor=coordinator, meeting=meeting, body="一、通过加装电梯方案。")

    assert svc.minutes_visible(resident, meeting) is None
    assert svc.minutes_visible(coordinator, meeting).body.startswith("一、")

    svc.minutes_approve(actor=coordinator, meeting=meeting)

    shown = svc.minutes_visible(resident, meeting)
    assert shown.approved_by == coordinator and shown.approved_at is not None
    with pytest.raises(svc.MeetingError, match="不能再修改"):
        svc.minutes_write(actor=coordinator, meeting=meeting, body="改过的纪要")
    assert Minutes.objects.get(meeting=meeting).body == "一、通过加装电梯方案。"


def test_a_residents_proposal_waits_then_is_accepted_or_declined_with_a_reason(
    coordinator, delegates, in_community, django_capture_on_commit_callbacks
):
    meeting = call(coordinator)
    proposer = UserFactory._meta.model.objects.get(resident=delegates[0])

    first = svc.agenda_item_propose(actor=proposer, meeting=meeting, title="小区路灯维修")
    second = svc.agenda_item_propose(actor=proposer, meeting=meeting, title="广场舞噪音")
    assert first.status == AgendaItem.Status.PROPOSED
    assert first not in svc.agenda_of(proposer, meeting)

    with pytest.raises(svc.MeetingError, match="理由"):
        svc.agenda_item_decide(actor=coordinator, item=second, accept=False)
    with django_capture_on_commit_callbacks(execute=True):
        svc.agenda_item_decide(actor=coordinator, item=first, accept=True)
        svc.agenda_item_decide(actor=coordinator, item=second, accept=False, reason="已转物业处理")

    assert [i.title for i in svc.agenda_of(proposer, meeting)][-1] == "小区路灯维修"
    mine = {p.title: p for p in svc.proposals_of(proposer, meeting)}
    assert mine["广场舞噪音"].status == "declined"
    assert mine["广场舞噪音"].reason == "已转物业处理"
    told = Message.objects.filter(recipient=proposer).exclude(title__contains="会议通知")
    assert {m.title for m in told} == {
        "您提议的议程已列入：小区路灯维修",
        "您提议的议程未被采纳：广场舞噪音",
    }


def test_a_delegate_is_appointed_once_ended_and_no_longer_invited(coordinator, delegates):
    with pytest.raises(svc.MeetingError, match="已经是议事代表"):
        svc.delegate_appoint(actor=coordinator, resident=delegates[0])
    zhao = svc.access_delegate(coordinator, svc.current_delegates().get(resident=delegates[3]).pk)

    svc.delegate_end(actor=coordinator, delegate=zhao)
    meeting = call(coordinator)

    assert meeting.attendees.filter(counts_for_quorum=True).count() == 3
    with pytest.raises(svc.MeetingError, match="已于"):
        svc.delegate_end(actor=coordinator, delegate=zhao)
    svc.delegate_appoint(actor=coordinator, resident=delegates[3])  # appointed again later


def test_a_delegates_training_goes_to_the_shared_records(coordinator, delegates):
    wang = svc.current_delegates().get(resident=delegates[0])
    chen = svc.current_delegates().get(resident=delegates[2])

    svc.delegate_training_record(
        actor=coordinator, delegate=wang, completed_on=timezone.localdate()
    )

    account = UserFactory._meta.model.objects.get(resident=delegates[0])
    assert has_training(account, svc.DELEGATE_COURSE)
    trained = {d.resident.name: d.trained for d in svc.delegates_for(coordinator)}
    assert trained["王秀英"] and not trained["刘建国"]
    with pytest.raises(svc.MeetingError, match="还没有账号"):
        svc.delegate_training_record(
            actor=coordinator, delegate=chen, completed_on=timezone.localdate()
        )
