"""Background work for activities, run by `kuihua worker` (huey).

Every task works across communities (a periodic task has none in force) and
can run twice without doing anything twice.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kuihua.activities.attendance import CLOSE_EVERY_MINUTES

logger = logging.getLogger("kuihua.activities")


@db_periodic_task(crontab(minute="20", hour="2"))
def series_extend() -> None:
    """Daily at 02:20: keep every recurring series generated 8 weeks ahead."""
    from kuihua.activities.series import series_extend_all

    created = series_extend_all()
    if created:
        logger.info("series occurrences generated: %s", created)


@db_periodic_task(crontab(minute=f"*/{CLOSE_EVERY_MINUTES}"))
def attendances_close() -> None:
    """Every CLOSE_EVERY_MINUTES (15): close check-outs nobody made at the activity's end;
    record no-shows. The manage page tells the organizer this interval."""
    from kuihua.activities.attendance import attendances_close as close

    closed = close()
    if closed:
        logger.info("attendances closed at the activity's end: %s", closed)


@db_periodic_task(crontab(minute="*"))
def signup_offers_expire() -> None:
    """Every minute: offers not accepted in time pass on; places left free go to the queue."""
    from kuihua.activities.signups.services import offers_expire, waitlists_fill

    expired = offers_expire()
    if expired:
        logger.info("waitlist offers expired: %s", expired)
    filled = waitlists_fill()
    if filled:
        logger.info("free places filled from waitlists: %s", filled)


@db_periodic_task(crontab(minute="*/10"))
def send_activity_reminders() -> None:
    """Every 10 minutes: remind confirmed people of activities starting within 24 hours."""
    from kuihua.activities.reminders import reminders_send

    count = reminders_send()
    if count:
        logger.info("activity reminders written: %s", count)
