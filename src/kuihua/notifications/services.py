"""Telling people things.

Call `notify` inside the business transaction. The inbox message and one
pending `Delivery` per outside channel are written in that same transaction,
so they exist exactly when the change they report exists; the worker is asked
to deliver only after the commit (`transaction.on_commit`), and a rolled-back
change tells nobody anything. See docs/adr/0005-notifications.md.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from kuihua.notifications.channels import outside_channels
from kuihua.notifications.models import Delivery, Message
from kuihua.notifications.tasks import deliver_message

logger = logging.getLogger("kuihua.notifications")

ACTIVITY_REMINDER = "activity_reminder"


def recipients_language():
    """Write texts for other people in the platform's language, not the actor's.

    A coordinator reading the pages in English who cancels an activity must not send
    the residents an English notice. Accounts carry no language of their own, so
    every message is written in LANGUAGE_CODE, as the reminders are.
    """
    return translation.override(settings.LANGUAGE_CODE)


def notify(*, recipient, kind: str, title: str, body: str = "", link: str = "") -> Message | None:
    """Put a message in `recipient`'s inbox (no-op without an account or with a closed one).

    Outside copies (log, e-mail, SMS …) are written as pending deliveries in the
    same transaction and sent by the worker once the caller's transaction commits.
    """
    if recipient is None or not getattr(recipient, "pk", None) or not recipient.community_id:
        return None
    if not recipient.is_active:
        return None  # a closed account (e.g. an erased person) is told nothing
    message = Message.objects.create(
        community_id=recipient.community_id,
        recipient_id=recipient.pk,
        kind=kind,
        title=title,
        body=body,
        link=link,
    )
    channels = outside_channels()
    if channels:
        Delivery.objects.bulk_create(
            [
                Delivery(community_id=message.community_id, message=message, channel=c.name)
                for c in channels
            ]
        )
        # robust: the business change is committed whatever the queue says; a task
        # that could not be queued is found again by `deliveries_requeue_lost`.
        transaction.on_commit(partial(_enqueue, message.pk), robust=True)
    return message


def _enqueue(message_id: int) -> None:
    deliver_message(message_id)


# --- the inbox ----------------------------------------------------------------------


def message_mark_read(*, user, message: Message) -> Message:
    """Mark one of `user`'s own messages read (once; a second call changes nothing).

    Not audited: reading one's own inbox changes no community data.
    """
    if message.recipient_id != user.pk:
        raise PermissionError("only the recipient marks a message read")
    if message.read_at is None:
        now = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        message.read_at = now
    return message


def messages_mark_all_read(*, user) -> int:
    """Mark every unread message of `user` read; returns how many were unread."""
    return Message.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
