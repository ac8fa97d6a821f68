"""The demo community's council: a year of topics, four meetings, two owners' votes with
the results the model asks for (one passing at three quarters, one failing on quorum),
and decisions in every state, some overdue."""

import pytest
from django.utils import timezone

from kuihua.core.tenancy import use_community
from kuihua.council import services
from kuihua.council.models import Decision, Meeting, Minutes, Topic, Vote
from kuihua.demo.write import generate_community

pytestmark = pytest.mark.django_db


def test_the_demo_council_has_a_year_of_work_and_both_kinds_of_result():
    community = generate_community(index=1, scale=0.05)

    with use_community(community):
        owners_votes = list(Vote.objects.filter(voters="owner").order_by("opened_at"))
        results = [services.vote_result(v) for v in owners_votes]
        statuses = set(Decision.objects.values_list("status", flat=True))
        overdue = Decision.objects.exclude(status__in=["done", "dropped"]).filter(
            deadline__lt=timezone.localdate()
        )
        topic_states = set(Topic.objects.values_list("status", flat=True))
        meetings = Meeting.objects.count()
        held_with_minutes = Minutes.objects.filter(approved_at__isnull=False).count()
        open_now = Vote.objects.filter(closed_at__isnull=True).count()
        topics = Topic.objects.count()

    assert len(owners_votes) == 2
    passing, failing = results
    assert passing.quorum_met and passing.passed
    assert "3/4" in passing.outcome.explain() or "四分之三" in passing.outcome.explain()
    assert not failing.quorum_met and not failing.passed
    assert statuses == {"todo", "in_progress", "done", "dropped"}
    assert overdue.exists()
    assert {"open", "scheduled", "decided", "answered", "merged"} <= topic_states
    assert topics >= 30 and meetings == 4 and held_with_minutes == 3
    assert open_now == 1
