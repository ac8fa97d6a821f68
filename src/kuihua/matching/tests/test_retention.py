"""A run's proposals do not pile up: what nobody decided goes after the retention days;
what a coordinator accepted or overrode stays with its run."""

import datetime as dt

import pytest
from django.conf import settings

from kuihua.core.tenancy import use_community
from kuihua.matching import runs, services
from kuihua.matching.models import MatchRun, Proposal
from kuihua.matching.tasks import match_proposals_purge
from kuihua.matching.tests.factories import need, organization_offer, resident_at
from kuihua.registry.tests.factories import BuildingFactory, CompoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def building(in_community):
    return BuildingFactory(compound=CompoundFactory(community=in_community))


def _statuses(run) -> dict[int, str]:
    return dict(Proposal.objects.filter(run=run).values_list("need_id", "status"))


def test_undecided_proposals_go_after_the_retention_days_and_decided_ones_stay(
    building, coordinator, clock, community
):
    days = settings.KUIHUA_MATCH_PROPOSAL_RETENTION_DAYS
    offer = organization_offer(building.community, capacity=10)
    accepted, overridden, cancelled, waiting = (need(resident_at(building)) for _ in range(4))
    # Long ago: a run; one proposal accepted, one overridden by the coordinator's choice,
    # and the rest superseded by a second run, whose own proposals are superseded too.
    first = runs.match_run(actor=coordinator)
    services.proposal_accept(actor=coordinator, proposal=first.proposals.get(need=accepted))
    services.need_assign(actor=coordinator, need=overridden, offer=offer)
    second = runs.match_run(actor=coordinator)
    services.need_cancel(actor=coordinator, need=cancelled, reason="搬走了")
    clock.shift(dt.timedelta(days=days - 1))
    # Inside the window: a run whose proposal a newer run superseded, and the newest run.
    recent = runs.match_run(actor=coordinator)
    clock.shift(dt.timedelta(days=2))
    newest = runs.match_run(actor=coordinator)
    assert _statuses(second) == {cancelled.pk: "superseded", waiting.pk: "superseded"}

    match_proposals_purge.call_local()

    assert _statuses(first) == {accepted.pk: "accepted", overridden.pk: "overridden"}
    assert not MatchRun.objects.filter(pk=second.pk).exists()
    assert _statuses(recent) == {waiting.pk: "superseded"}
    assert _statuses(newest) == {waiting.pk: "proposed"}
    # The coordinator still accepts what the newest run proposes.
    services.proposals_accept(actor=coordinator, run=newest)
    assert _statuses(newest) == {waiting.pk: "accepted"}


def test_the_newest_run_stays_however_old_and_other_communities_are_purged_too(
    building, coordinator, clock, community, other_community
):
    organization_offer(building.community)
    need(resident_at(building))
    only = runs.match_run(actor=coordinator)
    services.need_cancel(actor=coordinator, need=only.proposals.get().need, reason="不需要了")
    with use_community(other_community):
        there = BuildingFactory(compound=CompoundFactory(community=other_community))
        organization_offer(other_community)
        need(resident_at(there))
        elsewhere = runs.match_run(actor=None)
        runs.match_run(actor=None)
    clock.shift(dt.timedelta(days=settings.KUIHUA_MATCH_PROPOSAL_RETENTION_DAYS + 1))

    match_proposals_purge.call_local()

    assert MatchRun.objects.filter(pk=only.pk).exists()
    assert not Proposal.objects.filter(run=only).exists()
    with use_community(other_community):
        assert not MatchRun.objects.filter(pk=elsewhere.pk).exists()
        assert MatchRun.objects.count() == 1


def test_a_retention_of_less_than_a_day_is_refused(settings):
    settings.KUIHUA_MATCH_PROPOSAL_RETENTION_DAYS = 0

    with pytest.raises(ValueError, match="at least 1"):
        match_proposals_purge.call_local()
