"""Background work of the council, run by `kuihua worker` (huey)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger("kuihua.council")


@db_periodic_task(crontab(minute="*"))
def council_votes_close() -> None:
    """Every minute: close the votes whose time is up (and settle a rules change)."""
    from kuihua.council.services import votes_close_due

    closed = votes_close_due()
    if closed:
        logger.info("council: %s votes closed", closed)
