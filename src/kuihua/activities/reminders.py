"""Reminders before an activity: every confirmed person once, whoever runs the task.

The periodic task (activities.tasks.send_activity_reminders) calls `reminders_send`;
moving an activity forgets its reminders so that they go again before the new time.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.activities.models import Activity, ReminderSent, Signup
from kuihua.core.tenancy import for_each_community
from kuihua.notifications.services import ACTIVITY_REMINDER, notify, recipients_language

REMINDER_AHEAD = dt.timedelta(hours=24)


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind every confirmed person of a published activity starting within 24 hours.

    Once per sign-up: the ReminderSent row and the message are written in one
    transaction, and its unique sign-up makes a second worker's attempt roll
    back. Returns how many reminders this call wrote.
    """
    now = now or timezone.now()
    sent = 0
    with recipients_language():
        for _community_id in for_each_community():
            for signup in _signups_to_remind(now):
                sent += reminder_send(signup=signup)
    return sent


def _signups_to_remind(now: dt.datetime):
    return (
        Signup.objects.filter(
            status=Signup.Status.CONFIRMED,
            activity__status=Activity.Status.PUBLISHED,
            activity__starts_at__gt=now,
            activity__starts_at__lte=now + REMINDER_AHEAD,
            reminder__isnull=True,
        )
        .select_related("activity", "activity__room", "resident__account")
        .order_by("activity__starts_at", "id")
    )


def reminders_forget(*, activity_id: int) -> int:
    """The activity moved: its sign-ups are reminded again before the new time."""
    return ReminderSent.objects.filter(signup__activity_id=activity_id).delete()[0]


def reminder_send(*, signup) -> int:
    """Remind one confirmed person of their activity unless someone already did: 1 or 0."""
    activity = signup.activity
    account = getattr(signup.resident, "account", None)
    try:
        with transaction.atomic():
            reminder = ReminderSent.objects.create(community_id=signup.community_id, signup=signup)
            message = notify(
                recipient=account,
                kind=ACTIVITY_REMINDER,
                title=_("活动提醒：%(title)s") % {"title": activity.title},
                body=_("您报名的活动将于 %(time)s 开始，地点：%(place)s。请准时参加。")
                % {
                    "time": timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M"),
                    "place": str(activity.room) if activity.room_id else activity.address,
                },
                link=reverse("activities:detail", kwargs={"activity_id": activity.pk}),
            )
            if message is not None:
                reminder.message = message
                reminder.save(update_fields=["message"])
    except IntegrityError:
        return 0  # another worker reminded this person first
    return 1
