"""Delivering a message's outside copies, run by the worker (tasks.py).

Each copy is claimed by a conditional UPDATE before it is sent, so two workers, a
retry and a duplicate task never send it twice; lost tasks are found again by
`deliveries_requeue_lost`. See docs/adr/0005-notifications.md.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import F, Q
from django.utils import timezone

from kuihua.core.tenancy import community_of, for_each_community, use_community
from kuihua.notifications.channels import get_channels
from kuihua.notifications.models import Delivery, Message

logger = logging.getLogger("kuihua.notifications")

# A copy claimed for sending this long ago by a worker that never finished is tried again.
STALE_CLAIM = dt.timedelta(minutes=10)
# A copy never tried this long after its message was written lost its task: queue it again.
LOST_AFTER = dt.timedelta(minutes=5)


class DeliveryFailed(Exception):
    """Some copies of a message could not be sent this time; the worker retries later."""


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
