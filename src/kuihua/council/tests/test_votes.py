"""Votes: the electorate fixed at opening, one ballot per voter, changes where allowed,
secret ballots that keep no choice beside a voter, results by the rule applied."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.models import AuditLog
from kuihua.council import procedure, selectors, services
from kuihua.council.models import BallotReceipt, ChoiceTally, EligibleVoter, Vote
from kuihua.council.services import CouncilError
from kuihua.registry import services as registry
from kuihua.registry.tests.factories import BuildingFactory, HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners(in_community, compound, coordinator):
    """Four homes of 100 m² each: a couple co-owning 101, and three single owners."""
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


def owners_vote(coordinator, compound, **rules) -> Vote:
    return services.vote_open(
        actor=coordinator,
        title="增设电动车充电桩",
        voters=Vote.Voters.OWNER,
        majority=Vote.Majority.CIVIL_CODE,
        matter="8",
        compound=compound,
        closes_at=timezone.now() + dt.timedelta(days=7),
        **rules,
    )


def voter_of(vote, resident) -> EligibleVoter:
    return EligibleVoter.objects.get(vote=vote, members__resident=resident)


def test_an_owners_vote_fixes_its_electorate_co_owners_as_one(coordinator, compound, owners):
    vote = owners_vote(coordinator, compound)

    assert vote.eligible_heads == 4
    assert vote.eligible_area == Decimal("400.00")
    assert voter_of(vote, owners["王强"]) == voter_of(vote, owners["赵丽"])


def test_an_owners_vote_does_not_open_while_an_owned_home_has_no_area(
    coordinator, compound, owners
):
    home = owners["李四"].household
    registry.home_area_set(actor=coordinator, household=home, area="")

    with pytest.raises(CouncilError, match="没有登记面积"):
        owners_vote(coordinator, compound)
    assert not Vote.objects.exists()


def test_one_ballot_per_voter_and_a_second_is_refused(coordinator, compound, owners):
    vote = owners_vote(coordinator, compound, allow_change=False)
    couple = voter_of(vote, owners["王强"])

    services.ballot_cast(actor=coordinator, vote=vote, voter=couple, choice="agree")
    with pytest.raises(CouncilError, match="已经投过票"):
        services.ballot_cast(actor=coordinator, vote=vote, voter=couple, choice="against")

    assert BallotReceipt.objects.filter(vote=vote).count() == 1
    assert ChoiceTally.objects.get(vote=vote, choice="agree").heads == 1
    assert ChoiceTally.objects.get(vote=vote, choice="against").heads == 0


def test_three_quarters_of_owners_and_area_pass_an_item_8_matter(coordinator, compound, owners):
    vote = owners_vote(coordinator, compound)
    for name, choice in (
        ("王强", "agree"),
        ("钱多", "agree"),
        ("孙悦", "agree"),
        ("李四", "against"),
    ):
        services.ballot_cast(
            actor=coordinator, vote=vote, voter=voter_of(vote, owners[name]), choice=choice
        )

    result = services.vote_result(vote)

    assert result.quorum_met and result.passed
    assert "3/4 人" in result.outcome.explain() and "300.00/400.00 ㎡" in result.outcome.explain()


def test_an_open_ballot_may_be_changed_when_the_vote_allows_it(coordinator, compound, owners):
    vote = owners_vote(coordinator, compound, allow_change=True)
    voter = voter_of(vote, owners["钱多"])

    services.ballot_cast(actor=coordinator, vote=vote, voter=voter, choice="agree")
    changed = services.ballot_cast(actor=coordinator, vote=vote, voter=voter, choice="against")

    assert changed.changed
    tallies = dict(ChoiceTally.objects.filter(vote=vote).values_list("choice", "heads"))
    assert tallies == {"agree": 0, "against": 1, "abstain": 0}


def test_a_secret_ballot_keeps_no_choice_beside_a_voter_and_changes_only_with_the_token(
    coordinator, compound, owners
):
    vote = owners_vote(coordinator, compound, secret=True, allow_change=True)
    voter = voter_of(vote, owners["孙悦"])

    first = services.ballot_cast(actor=coordinator, vote=vote, voter=voter, choice="agree")
    with pytest.raises(CouncilError, match="凭证"):
        services.ballot_cast(actor=coordinator, vote=vote, voter=voter, choice="against")
    services.ballot_cast(
        actor=coordinator, vote=vote, voter=voter, choice="against", token=first.token
    )

    receipt = BallotReceipt.objects.get(vote=vote)
    assert receipt.choice == ""
    tallies = dict(ChoiceTally.objects.filter(vote=vote).values_list("choice", "heads"))
    assert tallies == {"agree": 0, "against": 1, "abstain": 0}
    # The old token no longer works: its digest was replaced.
    with pytest.raises(CouncilError, match="凭证"):
        services.ballot_cast(
            actor=coordinator, vote=vote, voter=voter, choice="agree", token=first.token
        )
    # Nothing else holds a choice: no column of the receipt or the audit log names one.
    for row in AuditLog.objects.filter(action__startswith="council.ballot"):
        assert "choice" not in row.new
    tables = [BallotReceipt._meta.db_table, EligibleVoter._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                assert "against" not in [str(v) for v in row]


def test_no_ballot_after_the_close(coordinator, compound, owners):
    vote = owners_vote(coordinator, compound)
    services.vote_close(actor=coordinator, vote=vote)

    with pytest.raises(CouncilError, match="截止"):
        services.ballot_cast(
            actor=coordinator, vote=vote, voter=voter_of(vote, owners["李四"]), choice="agree"
        )


def test_a_household_vote_gives_each_household_one_vote_and_a_simple_majority(
    coordinator, compound, owners
):
    vote = services.vote_open(
        actor=coordinator,
        title="周六上午开展楼道清洁",
        voters=Vote.Voters.HOUSEHOLD,
        majority=Vote.Majority.SIMPLE,
        compound=compound,
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    for name, choice in (("王强", "agree"), ("钱多", "agree"), ("孙悦", "against")):
        services.ballot_cast(
            actor=coordinator, vote=vote, voter=voter_of(vote, owners[name]), choice=choice
        )

    result = services.vote_result(vote)

    assert vote.eligible_heads == 4
    assert result.quorum_met and result.passed  # 3 of 4 took part; 2 of 3 agreed


def test_erasing_a_voter_keeps_the_count_and_leaves_no_name(coordinator, compound, owners):
    vote = owners_vote(coordinator, compound)
    voter = voter_of(vote, owners["李四"])
    services.ballot_cast(actor=coordinator, vote=vote, voter=voter, choice="agree")
    exported = registry.resident_export(actor=coordinator, resident=owners["李四"])

    registry.resident_erase(actor=coordinator, resident=owners["李四"], reason="本人申请删除")

    voter.refresh_from_db()
    assert exported["sections"]["council"]["votes"][0]["voted"] is True
    assert "李四" not in voter.label
    assert services.vote_result(vote).tally.yes_heads == 1


def test_an_owner_of_three_homes_votes_once_with_the_three_areas_added(
    coordinator, compound, owners
):
    building = BuildingFactory(compound=compound, name="3幢")
    # He lives in a flat he rents, and owns three others.
    rented = HouseholdFactory(building=building, room="401")
    registry.home_area_set(actor=coordinator, household=rented, area="70")
    registry.owner_add(actor=coordinator, household=rented, name="吴房东", phone="13900002222")
    landlord = ResidentFactory(household=rented, name="周全")
    for room, area in (("301", "80"), ("302", "90.5"), ("303", "60")):
        home = HouseholdFactory(building=building, room=room)
        registry.home_area_set(actor=coordinator, household=home, area=area)
        registry.owner_add(actor=coordinator, household=home, resident=landlord)

    vote = owners_vote(coordinator, compound)
    voter = voter_of(vote, landlord)
    services.ballot_cast(actor=coordinator, vote=vote, voter=voter, choice="agree")

    assert vote.eligible_heads == 6  # the four of the fixture, his landlord, and him once
    assert voter.area == Decimal("230.50")
    assert vote.eligible_area == Decimal("700.50")
    result = services.vote_result(vote)
    assert (result.tally.yes_heads, result.tally.yes_area) == (1, Decimal("230.50"))


def test_an_owner_who_lives_elsewhere_is_on_the_roll_and_votes_on_paper(
    coordinator, compound, owners
):
    steward = UserFactory(role=Role.STEWARD, community=coordinator.community)
    home = HouseholdFactory(building=owners["钱多"].household.building, room="301")
    registry.home_area_set(actor=coordinator, household=home, area="120")
    registry.owner_add(actor=coordinator, household=home, name="吴外地", phone="13900001111")

    vote = owners_vote(coordinator, compound)
    voter = EligibleVoter.objects.get(vote=vote, label="吴外地")
    services.ballot_cast(actor=steward, vote=vote, voter=voter, choice="against", method="paper")

    assert not voter.members.exists()  # no account, no registry record: a name on the roll
    receipt = BallotReceipt.objects.get(vote=vote, voter=voter)
    assert (receipt.method, receipt.recorded_by) == ("paper", steward)
    assert services.vote_result(vote).by_choice["against"] == (1, Decimal("120.00"))


def test_a_vote_runs_under_the_rules_in_force_when_it_opened(coordinator, compound, owners):
    procedure.rules_adopt_first(actor=coordinator, quorum_percent=75, allow_change=False)
    vote = services.vote_open(
        actor=coordinator,
        title="周六上午开展楼道清洁",
        compound=compound,
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    for name in ("王强", "钱多", "孙悦"):
        services.ballot_cast(
            actor=coordinator, vote=vote, voter=voter_of(vote, owners[name]), choice="agree"
        )

    assert (vote.voters, vote.quorum_percent, vote.allow_change) == ("household", 75, False)
    result = services.vote_result(vote)
    # 3 of 4 households is exactly 75 %: not *more* than the rules' 75 %, so no quorum.
    assert not result.quorum_met and not result.passed


def test_a_paper_ballot_never_overwrites_a_vote_and_a_paper_one_is_not_changed_online(
    coordinator, compound, owners
):
    vote = owners_vote(coordinator, compound, allow_change=True)
    online, paper = voter_of(vote, owners["钱多"]), voter_of(vote, owners["孙悦"])
    services.ballot_cast(actor=coordinator, vote=vote, voter=online, choice="agree")
    services.ballot_cast(actor=coordinator, vote=vote, voter=paper, choice="agree", method="paper")

    with pytest.raises(CouncilError, match="不能再录入纸质选票"):
        services.ballot_cast(
            actor=coordinator, vote=vote, voter=online, choice="against", method="paper"
        )
    with pytest.raises(CouncilError, match="不能在网上改票"):
        services.ballot_cast(actor=coordinator, vote=vote, voter=paper, choice="against")

    tallies = dict(ChoiceTally.objects.filter(vote=vote).values_list("choice", "heads"))
    assert tallies == {"agree": 2, "against": 0, "abstain": 0}


def test_a_secret_count_shows_to_nobody_before_the_close(coordinator, compound, owners):
    vote = owners_vote(coordinator, compound, secret=True, results_before_close=True)

    assert not vote.results_before_close
    assert not selectors.result_visible(coordinator, vote)
    closed = services.vote_close(actor=coordinator, vote=vote)
    assert selectors.result_visible(coordinator, closed)


def test_an_owners_vote_waits_for_every_home_to_have_an_owner(coordinator, compound, owners):
    HouseholdFactory(building=owners["钱多"].household.building, room="501")

    with pytest.raises(CouncilError, match="没有登记业主"):
        owners_vote(coordinator, compound)


def test_two_owners_of_one_name_without_a_phone_are_two_people(coordinator, compound, owners):
    building = owners["钱多"].household.building
    for room in ("601", "602"):
        home = HouseholdFactory(building=building, room=room)
        registry.home_area_set(actor=coordinator, household=home, area="100")
        registry.owner_add(actor=coordinator, household=home, name="张伟")

    vote = owners_vote(coordinator, compound)

    assert vote.eligible_heads == 6
    assert EligibleVoter.objects.filter(vote=vote, label="张伟").count() == 2
