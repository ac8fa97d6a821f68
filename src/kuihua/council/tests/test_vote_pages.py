"""Votes on the pages: a resident votes, changes where the rules allow (a secret vote
through the token kept in their session), sees the result only when it may be shown; a
steward records paper ballots; a coordinator opens a vote under the rules in force."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.council import procedure, services
from kuihua.council.models import BallotReceipt, ChoiceTally, EligibleVoter, Vote
from kuihua.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(in_community, compound, community):
    residents = [
        ResidentFactory(household=HouseholdFactory(building__compound=compound), name=name)
        for name in ("王秀英", "刘建国", "陈美华")
    ]
    return [UserFactory(role=Role.RESIDENT, community=community, resident=r) for r in residents]


def open_vote(coordinator, **rules) -> Vote:
    return services.vote_open(
        actor=coordinator,
        title="老年活动室周末开放",
        closes_at=timezone.now() + dt.timedelta(days=3),
        **rules,
    )


def heads(vote) -> dict:
    return dict(ChoiceTally.objects.filter(vote=vote).values_list("choice", "heads"))


def test_a_resident_votes_once_and_the_count_is_hidden_until_the_close(client, coordinator, people):
    vote = open_vote(coordinator, allow_change=False)
    page = reverse("council:vote_detail", args=[vote.pk])
    client.force_login(people[0])

    first = client.post(page, {"choice": "agree"}, follow=True).content.decode()
    second = client.post(page, {"choice": "against"}, follow=True).content.decode()

    assert "投票成功：同意" in first and "✓ 已投票" in first
    assert "不能改票" in second
    assert heads(vote) == {"agree": 1, "against": 0, "abstain": 0}
    assert "表决结果" not in second and "截止后公布结果" in second

    services.vote_close(actor=coordinator, vote=vote)
    closed = client.get(page).content.decode()
    assert "表决结果" in closed and "参与表决：1/3 人" in closed


def test_a_secret_vote_is_changed_with_the_token_kept_in_the_session(client, coordinator, people):
    vote = open_vote(coordinator, secret=True, allow_change=True)
    page = reverse("council:vote_detail", args=[vote.pk])
    client.force_login(people[1])

    client.post(page, {"choice": "agree"})
    changed = client.post(page, {"choice": "abstain"}, follow=True).content.decode()

    assert "投票成功" in changed
    assert heads(vote) == {"agree": 0, "against": 0, "abstain": 1}
    assert BallotReceipt.objects.get(vote=vote).choice == ""


def test_someone_not_on_the_roll_cannot_vote(client, coordinator, people, community):
    vote = open_vote(coordinator)
    client.force_login(UserFactory(role=Role.RESIDENT, community=community))

    response = client.post(
        reverse("council:vote_detail", args=[vote.pk]), {"choice": "agree"}, follow=True
    )

    assert "不在本次表决的投票人名单上" in response.content.decode()
    assert not BallotReceipt.objects.exists()


def test_a_steward_records_a_paper_ballot_once_and_is_named(client, coordinator, people, community):
    vote = open_vote(coordinator, allow_change=False)
    steward = UserFactory(role=Role.STEWARD, community=community, display_name="义管家老周")
    voter = EligibleVoter.objects.get(vote=vote, members__resident=people[2].resident)
    roll = reverse("council:vote_roll", args=[vote.pk])
    client.force_login(steward)

    client.post(roll, {"voter": voter.pk, "choice": "against"})
    again = client.post(roll, {"voter": voter.pk, "choice": "agree"}, follow=True)

    receipt = BallotReceipt.objects.get(vote=vote, voter=voter)
    assert (receipt.method, receipt.recorded_by) == ("paper", steward)
    assert "已经投过票" in again.content.decode()
    assert "义管家老周 录入" in client.get(roll).content.decode()
    assert heads(vote)["against"] == 1


def test_a_resident_may_not_see_the_roll(client, coordinator, people):
    vote = open_vote(coordinator)
    client.force_login(people[0])

    assert client.get(reverse("council:vote_roll", args=[vote.pk])).status_code == 404


def test_a_coordinator_opens_a_vote_under_the_rules_in_force(client, coordinator, people):
    procedure.rules_adopt_first(actor=coordinator, voters="resident", secret=True)
    client.force_login(coordinator)
    closes = (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("council:vote_create"), {"title": "增设休息座椅", "closes_at": closes}, follow=True
    )

    vote = Vote.objects.get()
    assert "表决已发起" in response.content.decode()
    assert (vote.voters, vote.secret, vote.rules.version) == ("resident", True, 1)
