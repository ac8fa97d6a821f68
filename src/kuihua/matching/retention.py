"""How long a run's proposals are kept (docs/adr/0006-matching.md, "Retention").

Every run writes one proposal per open need, and the next run supersedes the
pending ones: without a limit they pile up, a year of weekly runs over a
thousand needs is fifty thousand rows nobody reads. Kept for good: the
proposals a coordinator accepted or overrode (what a need's order came from),
with their run. Kept while pending: the newest run's proposals (the coordinator's
list to decide) and the newest run of each community. Dropped once their run
started more than `KUIHUA_MATCH_PROPOSAL_RETENTION_DAYS` days ago (default 90):
the superseded ones; then a run left with no proposal at all, which nothing
else refers to. The run's own figures (needs, matched, cost, timings) go with it.

The worker runs `proposals_purge` daily (`matching.tasks`); each community in
turn, in batches of `BATCH` rows, each batch its own transaction, so a long
backlog never holds a lock for long; a day's run stops after `MAX_BATCHES`
batches a community and the next day goes on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from kuihua.core.tenancy import for_each_community
from kuihua.matching.models import MatchRun, Proposal

BATCH = 5000
MAX_BATCHES = 100
# What stays whatever its age: what a coordinator decided, and what is still to decide.
KEPT = (Proposal.Status.ACCEPTED, Proposal.Status.OVERRIDDEN, Proposal.Status.PROPOSED)


@dataclasses.dataclass
class Purged:
    proposals: int = 0
    runs: int = 0

    def __bool__(self) -> bool:
        return bool(self.proposals or self.runs)


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Proposals of runs started before this moment may go."""
    days = int(settings.KUIHUA_MATCH_PROPOSAL_RETENTION_DAYS)
    if days < 1:
        raise ValueError("KUIHUA_MATCH_PROPOSAL_RETENTION_DAYS must be at least 1")
    return (now or timezone.now()) - dt.timedelta(days=days)


def _delete_in_batches(model, queryset, budget: int) -> tuple[int, int]:
    """Delete the rows of `queryset` BATCH at a time; (rows deleted, batches left)."""
    deleted = 0
    while budget > 0:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        with transaction.atomic():
            model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
        budget -= 1
    return deleted, budget


def community_proposals_purge(*, cutoff: dt.datetime) -> Purged:
    """The purge in the community in force (see the module's docstring)."""
    budget = MAX_BATCHES
    old = Proposal.objects.filter(run__started_at__lt=cutoff).exclude(status__in=KEPT)
    proposals, budget = _delete_in_batches(Proposal, old, budget)
    newest = MatchRun.objects.order_by("-started_at", "-pk").values("pk")[:1]
    empty = (
        MatchRun.objects.filter(started_at__lt=cutoff)
        .exclude(pk__in=newest)
        .exclude(Exists(Proposal.objects.filter(run=OuterRef("pk"))))
    )
    runs, _budget = _delete_in_batches(MatchRun, empty, budget)
    return Purged(proposals=proposals, runs=runs)


def proposals_purge(*, now: dt.datetime | None = None) -> Purged:
    """Every community's proposals past retention, and the runs they leave empty."""
    cutoff = retention_cutoff(now)
    total = Purged()
    for _community_id in for_each_community():
        done = community_proposals_purge(cutoff=cutoff)
        total.proposals += done.proposals
        total.runs += done.runs
    return total
