"""The votes API: the list and a vote with my part in it, opening and closing, my own
ballot (once, changed where allowed, secret with a token), paper ballots, the roll."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.council import services
from kuihua.council.models import BallotReceipt, ChoiceTally, EligibleVoter, Vote
from kuihua.council.procedure import rules_adopt_first
from kuihua.registry import services as registry
from kuihua.registry.tests.factories import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db


def post(client, path, data=None):
    return client.post(f"/api/council{path}", data or {}, "application/json")


def get(client, path, params=None):
    return client.get(f"/api/council{path}", params or {})


def in_a_week() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=7)


@pytest.fixture
def owners(in_community, compound, coordinator):
    """Four homes of 100 m²: a couple co-owning 101, and three single owners."""
    building = BuildingFactory(compound=compound, name="2幢")
    people = {}
    for room, names in (
        ("101", ["王强", "赵丽"]),
        ("102", ["钱多"]),
        ("201", ["孙悦"]),
        ("202", ["李四"]),
    ):
        home = HouseholdFactory(building=building, room=room)
        registry.home_area_set(actor=coordinator, household=home, area="100")
        for name in names:
            person = ResidentFactory(household=home, name=name)
            registry.owner_add(actor=coordinator, household=home, resident=person)
            people[name] = person
    return people


@pytest.fixture
def wang(in_community, owners):
    return UserFactory(
        username="wangqiang", role=Role.RESIDENT, community=in_community, resident=owners["王强"]
    )


@pytest.fixture
def zhao(in_community, owners):
    return UserFactory(
        username="zhaoli", role=Role.RESIDENT, community=in_community, resident=owners["赵丽"]
    )


@pytest.fixture
def steward(in_community):
    return UserFactory(username="steward", role=Role.STEWARD, community=in_community)


def owners_vote(coordinator, compound, **rules) -> Vote:
    return services.vote_open(
        actor=coordinator,
        title="增设电动车充电桩",
        voters=Vote.Voters.OWNER,
        majority=Vote.Majority.CIVIL_CODE,
        matter="8",
        compound=compound,
        closes_at=in_a_week(),
        **rules,
    )


def heads(vote) -> dict:
    return dict(ChoiceTally.objects.filter(vote=vote).values_list("choice", "heads"))


# --- reading -------------------------------------------------------------------------------


def test_the_list_says_for_each_vote_whether_i_voted_and_may_vote(
    client, coordinator, compound, owners, wang
):
    changeable = owners_vote(coordinator, compound, allow_change=True)
    once = owners_vote(coordinator, compound, allow_change=False)
    for vote in (changeable, once):
        services.ballot_cast(
            actor=wang,
            vote=vote,
            voter=EligibleVoter.objects.get(vote=vote, members__resident=owners["王强"]),
            choice="agree",
        )
    closed = owners_vote(coordinator, compound)
    services.vote_close(actor=coordinator, vote=closed)
    client.force_login(wang)

    listed = get(client, "/votes")

    assert listed.status_code == 200, listed.content
    rows = {row["id"]: row for row in listed.json()["items"]}
    assert listed.json()["count"] == 3
    assert (rows[changeable.pk]["voted"], rows[changeable.pk]["may_vote"]) == (True, True)
    assert (rows[once.pk]["voted"], rows[once.pk]["may_vote"]) == (True, False)
    assert (rows[closed.pk]["is_open"], rows[closed.pk]["may_vote"]) == (False, False)
    row = rows[once.pk]
    assert row["compound"]["name"] == compound.name
    assert row["voters"] == "owner" and row["majority"] == "civil_code"
    assert row["eligible_heads"] == 4 and row["eligible_area"] == "400.00"


def test_the_list_costs_the_same_queries_for_one_vote_or_ten(
    client, coordinator, compound, owners, wang
):
    owners_vote(coordinator, compound)
    client.force_login(wang)
    get(client, "/votes")
    with CaptureQueriesContext(connection) as one:
        get(client, "/votes")
    for _ in range(9):
        owners_vote(coordinator, compound)

    with CaptureQueriesContext(connection) as ten:
        listed = get(client, "/votes")

    assert len(listed.json()["items"]) == 10
    assert len(ten) == len(one)


def test_a_vote_of_another_community_is_not_found(client, other_community, wang):
    client.force_login(wang)

    assert get(client, "/votes/999999").status_code == 404
    assert post(client, "/votes/999999/ballot", {"choice": "agree"}).status_code == 404


def test_the_result_is_hidden_before_the_close_and_shown_after(
    client, coordinator, compound, owners, wang
):
    vote = owners_vote(coordinator, compound, results_before_close=False)
    client.force_login(wang)
    post(client, f"/votes/{vote.pk}/ballot", {"choice": "agree"})

    before = get(client, f"/votes/{vote.pk}").json()
    services.vote_close(actor=coordinator, vote=vote)
    after = get(client, f"/votes/{vote.pk}").json()

    assert before["result"] is None
    result = after["result"]
    assert result["choices"][0] == {
        "choice": "agree",
        "label": "同意",
        "heads": 1,
        "area": "100.00",
    }
    assert (result["voting_heads"], result["voting_area"]) == (1, "100.00")
    assert (result["eligible_heads"], result["eligible_area"]) == (4, "400.00")
    assert result["quorum_met"] is False and result["passed"] is False
    assert "1/4 人" in result["rule"] and "表决无效" in result["rule"]


def test_a_coordinator_sees_the_running_count(client, coordinator, compound, owners):
    vote = owners_vote(coordinator, compound, results_before_close=False)
    client.force_login(coordinator)

    shown = get(client, f"/votes/{vote.pk}").json()

    assert shown["result"]["voting_heads"] == 0


# --- opening and closing -------------------------------------------------------------------


def test_a_coordinator_opens_a_vote_under_the_rules_in_force(client, coordinator, owners):
    rules_adopt_first(actor=coordinator, voters="household", secret=True, allow_change=False)
    client.force_login(coordinator)

    opened = post(
        client, "/votes", {"title": "周六上午楼道清洁", "closes_at": in_a_week().isoformat()}
    )

    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert (body["voters"], body["secret"], body["allow_change"]) == ("household", True, False)
    assert body["eligible_heads"] == 4  # four homes
    assert body["is_open"] is True


def test_a_civil_code_matter_opens_an_owners_vote_of_the_compound(
    client, coordinator, compound, owners
):
    client.force_login(coordinator)

    opened = post(
        client,
        "/votes",
        {
            "title": "续聘物业服务企业",
            "closes_at": in_a_week().isoformat(),
            "compound_id": compound.pk,
            "matter": "4",
        },
    )

    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert (body["voters"], body["majority"], body["matter"]) == ("owner", "civil_code", "4")
    assert body["eligible_heads"] == 4 and body["eligible_area"] == "400.00"


def test_a_compound_of_another_community_is_an_error_on_its_field(
    client, coordinator, other_community, owners
):
    from kuihua.core.tenancy import use_community

    with use_community(other_community):
        theirs = CompoundFactory(community=other_community, name="文新小区")
    client.force_login(coordinator)

    refused = post(
        client,
        "/votes",
        {
            "title": "续聘物业",
            "closes_at": in_a_week().isoformat(),
            "compound_id": theirs.pk,
            "matter": "4",
        },
    )

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "compound_id"
    assert not Vote.objects.exists()


def test_a_vote_closing_in_the_past_is_refused_with_a_message(client, coordinator, owners):
    client.force_login(coordinator)

    refused = post(
        client,
        "/votes",
        {"title": "楼道清洁", "closes_at": (timezone.now() - dt.timedelta(hours=1)).isoformat()},
    )

    assert refused.status_code == 400
    assert refused.json()["errors"][0] == {"field": "closes_at", "message": "截止时间必须晚于现在"}


def test_only_a_coordinator_opens_and_closes(client, coordinator, compound, owners, wang):
    vote = owners_vote(coordinator, compound)
    client.force_login(wang)

    assert (
        post(
            client, "/votes", {"title": "楼道清洁", "closes_at": in_a_week().isoformat()}
        ).status_code
        == 404
    )
    assert post(client, f"/votes/{vote.pk}/close").status_code == 404
    vote.refresh_from_db()
    assert vote.closed_at is None


def test_closing_a_vote_shows_its_result(client, coordinator, compound, owners):
    vote = owners_vote(coordinator, compound)
    client.force_login(coordinator)

    closed = post(client, f"/votes/{vote.pk}/close")

    assert closed.status_code == 200
    assert closed.json()["is_open"] is False and closed.json()["closed_at"]
    assert closed.json()["result"]["passed"] is False


# --- my ballot -----------------------------------------------------------------------------


def test_i_cast_the_ballot_of_my_owners_group_once(
    client, coordinator, compound, owners, wang, zhao
):
    vote = owners_vote(coordinator, compound, allow_change=False)
    client.force_login(wang)

    cast = post(client, f"/votes/{vote.pk}/ballot", {"choice": "agree"})
    client.force_login(zhao)  # the co-owner of the same home
    again = post(client, f"/votes/{vote.pk}/ballot", {"choice": "against"})

    assert cast.status_code == 200 and cast.json() == {"changed": False, "token": ""}
    assert again.status_code == 400
    assert "已经投过票" in again.json()["message"]
    assert heads(vote) == {"agree": 1, "against": 0, "abstain": 0}


def test_i_change_my_open_ballot_where_the_vote_allows_it(
    client, coordinator, compound, owners, wang
):
    vote = owners_vote(coordinator, compound, allow_change=True)
    client.force_login(wang)

    post(client, f"/votes/{vote.pk}/ballot", {"choice": "agree"})
    changed = post(client, f"/votes/{vote.pk}/ballot", {"choice": "abstain"})

    assert changed.status_code == 200 and changed.json()["changed"] is True
    assert heads(vote) == {"agree": 0, "against": 0, "abstain": 1}


def test_a_secret_ballot_answers_a_token_and_is_changed_only_with_it(
    client, coordinator, compound, owners, wang
):
    vote = owners_vote(coordinator, compound, secret=True, allow_change=True)
    client.force_login(wang)

    first = post(client, f"/votes/{vote.pk}/ballot", {"choice": "agree"})
    without = post(client, f"/votes/{vote.pk}/ballot", {"choice": "against"})
    changed = post(
        client, f"/votes/{vote.pk}/ballot", {"choice": "against", "token": first.json()["token"]}
    )

    assert first.status_code == 200 and first.json()["token"]
    assert without.status_code == 400 and "凭证" in without.json()["message"]
    assert changed.status_code == 200 and changed.json()["changed"] is True
    assert changed.json()["token"] not in ("", first.json()["token"])
    assert heads(vote) == {"agree": 0, "against": 1, "abstain": 0}
    assert BallotReceipt.objects.get(vote=vote).choice == ""


def test_no_ballot_after_the_close(client, coordinator, compound, owners, wang):
    vote = owners_vote(coordinator, compound)
    services.vote_close(actor=coordinator, vote=vote)
    client.force_login(wang)

    refused = post(client, f"/votes/{vote.pk}/ballot", {"choice": "agree"})

    assert refused.status_code == 400 and refused.json()["message"] == "表决已经截止"
    assert not BallotReceipt.objects.exists()


def test_someone_not_on_the_roll_is_told_so(client, in_community, coordinator, compound, owners):
    vote = owners_vote(coordinator, compound)
    tenant = ResidentFactory(household=owners["李四"].household, name="周租")  # not an owner
    user = UserFactory(
        username="tenant", role=Role.RESIDENT, community=in_community, resident=tenant
    )
    client.force_login(user)

    refused = post(client, f"/votes/{vote.pk}/ballot", {"choice": "agree"})

    assert refused.status_code == 403
    assert "不在本次表决的投票人名单上" in refused.json()["message"]
    assert get(client, f"/votes/{vote.pk}").json()["may_vote"] is False


# --- paper ballots and the roll ------------------------------------------------------------


def test_a_steward_records_a_paper_ballot_and_who_recorded_it_is_kept(
    client, coordinator, compound, owners, steward
):
    vote = owners_vote(coordinator, compound, secret=True)
    voter = EligibleVoter.objects.get(vote=vote, members__resident=owners["李四"])
    client.force_login(steward)

    recorded = post(
        client, f"/votes/{vote.pk}/paper-ballots", {"voter_id": voter.pk, "choice": "agree"}
    )

    assert recorded.status_code == 200, recorded.content
    receipt = BallotReceipt.objects.get(vote=vote, voter=voter)
    assert (receipt.method, receipt.recorded_by) == ("paper", steward)
    assert heads(vote)["agree"] == 1


def test_a_paper_ballot_for_a_voter_of_another_vote_is_an_error_on_its_field(
    client, coordinator, compound, owners
):
    vote = owners_vote(coordinator, compound)
    other = owners_vote(coordinator, compound)
    stranger = EligibleVoter.objects.filter(vote=other).first()
    client.force_login(coordinator)

    refused = post(
        client, f"/votes/{vote.pk}/paper-ballots", {"voter_id": stranger.pk, "choice": "agree"}
    )

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "voter_id"
    assert not BallotReceipt.objects.exists()


def test_a_resident_records_no_paper_ballot(client, coordinator, compound, owners, wang):
    vote = owners_vote(coordinator, compound)
    voter = EligibleVoter.objects.get(vote=vote, members__resident=owners["李四"])
    client.force_login(wang)

    refused = post(
        client, f"/votes/{vote.pk}/paper-ballots", {"voter_id": voter.pk, "choice": "agree"}
    )

    assert refused.status_code == 404
    assert not BallotReceipt.objects.exists()


def test_the_roll_says_who_voted_and_how_never_what(
    client, coordinator, compound, owners, wang, steward
):
    vote = owners_vote(coordinator, compound)
    client.force_login(wang)
    post(client, f"/votes/{vote.pk}/ballot", {"choice": "against"})
    li = EligibleVoter.objects.get(vote=vote, members__resident=owners["李四"])
    services.ballot_cast(actor=steward, vote=vote, voter=li, choice="agree", method="paper")
    client.force_login(steward)

    roll = get(client, f"/votes/{vote.pk}/voters")

    assert roll.status_code == 200
    assert roll.json()["count"] == 4
    rows = {row["label"]: row for row in roll.json()["items"]}
    assert (rows["李四"]["voted"], rows["李四"]["method"], rows["李四"]["area"]) == (
        True,
        "paper",
        "100.00",
    )
    assert rows["李四"]["method_label"] == "纸质选票"
    assert rows["钱多"]["voted"] is False
    voted_online = [r for r in rows.values() if r["method"] == "online"]
    assert len(voted_online) == 1
    assert "against" not in roll.content.decode() and "agree" not in roll.content.decode()


def test_a_resident_does_not_read_the_roll(client, coordinator, compound, owners, wang):
    vote = owners_vote(coordinator, compound)
    client.force_login(wang)

    assert get(client, f"/votes/{vote.pk}/voters").status_code == 404
