"""Background work of the care programme, run by `kuihua worker` (huey).

Every minute: raise the alerts of windows that closed, escalate what nobody
acknowledged in time, and tell people. Each step is derived from the database
and marks what it did in the same transaction: run twice, killed, or restarted
after an outage, every alert is raised once and told once.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger("kuihua.care")


@db_periodic_task(crontab(minute="*"))
def care_sweep() -> None:
    """Every minute: missed windows → alerts; late acknowledgements → escalation; notify."""
    from kuihua.care.alarms import alerts_escalate, alerts_notify, contacts_tell
    from kuihua.care.sweep import windows_sweep

    raised = windows_sweep()
    escalated = alerts_escalate()
    told = alerts_notify() + contacts_tell()
    if raised or escalated or told:
        logger.info("care: %s alerts raised, %s escalated, %s told", raised, escalated, told)


@db_periodic_task(crontab(minute="0", hour="9"))
def care_birthdays() -> None:
    """Daily at 09:00: birthdays a week ahead, so a visit can be planned."""
    from kuihua.care.services import birthdays_remind

    told = birthdays_remind()
    if told:
        logger.info("care: %s birthdays reminded", told)
