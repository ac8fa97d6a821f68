"""Telling people things.

Call `notify` inside the business transaction. The inbox message and one
pending `Delivery` per outside channel are written in that same transaction,
so they exist exactly when the change they report exists; the worker is asked
to deliver only after the commit (`transaction.on_commit`), and a rolled-back
change tells nobody anything. See docs/adr/0005-notifications.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from kuihua.core.tenancy import community_of, for_each_community, use_community
from kuihua.notifications.channels import get_channels, outside_channels
from kuihua.notifications.models import Delivery, Message

logger = logging.getLogger("kuihua.notifications")

ACTIVITY_REMINDER = "activity_reminder"
# How long before an activity its confirmed people are reminded.
# A copy claimed for sending this long ago by a worker that never finished is tried again.
STALE_CLAIM = dt.timedelta(minutes=10)
# A copy never tried this long after its message was written lost its task: queue it again.
LOST_AFTER = dt.timedelta(minutes=5)


class DeliveryFailed(Exception):
    """Some copies of a message could not be sent this time; the worker retries later."""


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
    from kuihua.notifications.tasks import deliver_message

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


# --- delivery (run by the worker) ----------------------------------------------------


def message_deliver(*, message_id: int, last_attempt: bool = False) -> None:
    """Send every pending copy of one message through its channel, each at most once.

    Each copy is claimed by a conditional UPDATE (pending → sending) before it is
    sent, so two workers, a retry and a duplicate task cannot both send it. A
    copy that fails goes back to pending (or to failed on the last attempt) and
    DeliveryFailed asks the worker to retry. Logs name ids, never people.
    """
    community_id = community_of(Message, pk=message_id)
    if community_id is None:
        return  # erased since: nothing left to tell
    with use_community(community_id):
        message = Message.objects.select_related("recipient", "recipient__resident").get(
            pk=message_id
        )
        channels = get_channels()
        failed = []
        for delivery in Delivery.objects.filter(
            message_id=message_id, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
        ):
            if not _claim(delivery):
                continue
            channel = channels.get(delivery.channel)
            try:
                if channel is None:
                    raise LookupError(f"channel {delivery.channel} is no longer configured")
                address = channel.address_for(message.recipient)
                if address is None:
                    _finish(delivery, Delivery.Status.SKIPPED)
                    continue
                channel.send(message, address)
            except Exception as exc:  # any channel failure is retried
                logger.warning(
                    "delivery %s of message %s via %s failed: %s",
                    delivery.pk,
                    message_id,
                    delivery.channel,
                    type(exc).__name__,
                )
                status = Delivery.Status.FAILED if last_attempt else Delivery.Status.PENDING
                _finish(delivery, status, error=type(exc).__name__)
                failed.append(delivery.pk)
            else:
                _finish(delivery, Delivery.Status.SENT)
        if failed:
            raise DeliveryFailed(f"message {message_id}: deliveries {failed} failed")


def _claim(delivery: Delivery) -> bool:
    now = timezone.now()
    claimable = Q(status=Delivery.Status.PENDING) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    return bool(
        Delivery.objects.filter(claimable, pk=delivery.pk).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _finish(delivery: Delivery, status: str, *, error: str = "") -> None:
    changes = {"status": status, "last_error": error[:100]}
    if status == Delivery.Status.SENT:
        changes["sent_at"] = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(**changes)


def deliveries_requeue_lost(*, now: dt.datetime | None = None) -> list[int]:
    """Message ids whose copies were never tried (task lost) or were left mid-send.

    Copies waiting for a retry (attempted, back to pending) are left to the
    worker's schedule.
    """
    now = now or timezone.now()
    lost = Q(status=Delivery.Status.PENDING, attempts=0, created_at__lt=now - LOST_AFTER) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    found: set[int] = set()
    for _community_id in for_each_community():
        found.update(Delivery.objects.filter(lost).values_list("message_id", flat=True))
    return sorted(found)
