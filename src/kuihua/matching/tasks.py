"""Background work of matching, run by `kuihua worker` (huey).

Daily: a run's proposals past retention go (matching/retention.py). Safe to run
twice, or after a day missed: it deletes only what is due, in bounded batches.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger("kuihua.matching")


@db_periodic_task(crontab(minute="40", hour="3"))
def match_proposals_purge() -> None:
    """Daily at 03:40: proposals nobody decided on go once past the retention days."""
    from kuihua.matching.retention import proposals_purge

    purged = proposals_purge()
    if purged:
        logger.info(
            "matching: %s old proposals and %s empty runs deleted", purged.proposals, purged.runs
        )
