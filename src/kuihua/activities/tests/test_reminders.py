"""Confirmed people are reminded once before their activity, whoever runs the task."""

from __future__ import annotations

import datetime as dt

import pytest

from kuihua.activities.models import Activity, ReminderSent, Signup
from kuihua.activities.reminders import reminder_send, reminders_send
from kuihua.activities.tasks import send_activity_reminders
from kuihua.notifications.models import Message
from kuihua.notifications.services import ACTIVITY_REMINDER
from kuihua.notifications.tests.factories import activity, signup, volunteer
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

HOURS = dt.timedelta(hours=1)


def reminders_of(user) -> list[str]:
    return list(
        Message.objects.filter(recipient=user, kind=ACTIVITY_REMINDER).values_list(
            "title", flat=True
        )
    )


def test_confirmed_people_are_reminded_once_within_24_hours_of_the_start(in_community):
    # given an activity in 3 hours with a confirmed and a waitlisted person,
    # one in two days, a cancelled one and a draft, each with a confirmed person
    soon = activity(in_community, starts_in=3 * HOURS, title="垃圾分类督导")
    confirmed, waiting = volunteer(in_community), volunteer(in_community)
    signup(soon, confirmed)
    signup(soon, waiting, status=Signup.Status.WAITLISTED)
    later = activity(in_community, starts_in=48 * HOURS, title="周末读书会")
    cancelled = activity(in_community, starts_in=2 * HOURS, status=Activity.Status.CANCELLED)
    draft = activity(in_community, starts_in=2 * HOURS, status=Activity.Status.DRAFT)
    other = volunteer(in_community)
    for act in (later, cancelled, draft):
        signup(act, other)

    # when the periodic task runs twice
    send_activity_reminders.call_local()
    send_activity_reminders.call_local()

    # then only the confirmed person of the activity starting soon has one reminder
    assert reminders_of(confirmed) == ["活动提醒：垃圾分类督导"]
    message = Message.objects.get(recipient=confirmed)
    assert "翠苑一区北门" in message.body
    assert reminders_of(waiting) == []
    assert reminders_of(other) == []
    assert ReminderSent.objects.count() == 1


def test_an_activity_that_has_begun_is_not_reminded(in_community):
    started = activity(in_community, starts_in=-HOURS)
    signup(started, volunteer(in_community))

    assert reminders_send() == 0


def test_the_next_day_s_activity_is_reminded_when_it_comes_within_24_hours(in_community):
    act = activity(in_community, starts_in=30 * HOURS)
    person = volunteer(in_community)
    signup(act, person)

    assert reminders_send() == 0
    assert reminders_send(now=act.starts_at - 23 * HOURS) == 1
    assert len(reminders_of(person)) == 1


def test_a_second_worker_reminding_the_same_sign_up_writes_nothing(in_community):
    # given two workers that both read the sign-up as not yet reminded
    act = activity(in_community, starts_in=2 * HOURS)
    person = volunteer(in_community)
    booked = signup(act, person)
    seen_by_first = Signup.objects.select_related("activity", "resident__account").get(pk=booked.pk)
    seen_by_second = Signup.objects.select_related("activity", "resident__account").get(
        pk=booked.pk
    )

    # when both send
    first = reminder_send(signup=seen_by_first)
    second = reminder_send(signup=seen_by_second)

    # then the unique sign-up lets one through
    assert (first, second) == (1, 0)
    assert len(reminders_of(person)) == 1


def test_a_person_without_an_account_is_recorded_and_not_retried(in_community):
    act = activity(in_community, starts_in=2 * HOURS)
    resident = ResidentFactory(household__building__compound__community=in_community)
    Signup.objects.create(
        community=in_community, activity=act, resident=resident, status=Signup.Status.CONFIRMED
    )

    assert reminders_send() == 1
    assert reminders_send() == 0
    assert ReminderSent.objects.get().message is None
    assert not Message.objects.exists()


def test_every_community_is_reminded_in_its_own_scope(community, other_community):
    from kuihua.core.tenancy import use_community

    people = []
    for c in (community, other_community):
        with use_community(c):
            person = volunteer(c)
            signup(activity(c, starts_in=2 * HOURS), person)
            people.append(person)

    assert reminders_send() == 2
    for c, person in zip((community, other_community), people, strict=True):
        with use_community(c):
            assert Message.objects.get().recipient_id == person.pk


def test_a_postponed_activity_is_reminded_again_before_its_new_time(in_community):
    from django.utils import timezone

    from kuihua.accounts.models import Role
    from kuihua.accounts.tests.factories import UserFactory
    from kuihua.activities import services as activity_services

    soon = activity(in_community, starts_in=3 * HOURS, title="义诊")
    person = volunteer(in_community)
    signup(soon, person)
    now = timezone.now()
    reminders_send(now=now)
    coordinator = UserFactory(role=Role.COORDINATOR, community=in_community)

    week = dt.timedelta(days=7)
    activity_services.activity_update(
        actor=coordinator,
        activity=soon,
        starts_at=soon.starts_at + week,
        ends_at=soon.ends_at + week,
    )

    assert reminders_send(now=now) == 0  # not yet: a week to go
    assert reminders_send(now=now + week) == 1
    assert reminders_of(person) == ["活动提醒：义诊", "活动提醒：义诊"]
