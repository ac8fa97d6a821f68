"""Background work for notifications, run by `kuihua worker` (huey).

`deliver_message` is queued by `notify` after the business transaction commits;
it retries a failed channel with growing delays (30 s, 1, 2, 4, 8 min). A
periodic task picks up deliveries whose task was lost (activity reminders are
activities' own task). Every task can run twice without telling anyone twice.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kuihua.notifications import delivery

logger = logging.getLogger("kuihua.notifications")

RETRIES = 5
RETRY_DELAY_S = 30
RETRY_BACKOFF = 2


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_S, retry_backoff=RETRY_BACKOFF, context=True)
def deliver_message(message_id: int, task=None) -> None:
    """Send the pending outside copies of one message (each at most once)."""
    last_attempt = task is not None and not task.retries
    delivery.message_deliver(message_id=message_id, last_attempt=last_attempt)


@db_periodic_task(crontab(minute="5-59/10"))
def requeue_lost_deliveries() -> None:
    """Every 10 minutes: queue again the deliveries whose task never ran."""
    for message_id in delivery.deliveries_requeue_lost():
        deliver_message(message_id)
