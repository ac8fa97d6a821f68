"""Every write of the council's votes (docs/adr/0012-ballots.md): opening a vote with its
electorate fixed, casting and changing ballots, closing. Views, API and commands call
these."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.crypto import decrypt, encrypt
from kuihua.core.errors import ApplicationError
from kuihua.core.identity import age_on
from kuihua.council.counting import Matter, Outcome, Tally, decide
from kuihua.council.models import (
    BallotReceipt,
    Choice,
    ChoiceTally,
    EligibleVoter,
    Vote,
    VoterMember,
)
from kuihua.registry.models import Compound, Household, Ownership, Resident
from kuihua.registry.selectors import compound_electorate

ADULT_AGE = 18


class CouncilError(ApplicationError):
    """A rule of the council was broken; the message is for the user, translated."""


@transaction.atomic
def vote_open(
    *,
    actor,
    title: str,
    closes_at: dt.datetime,
    voters: str | None = None,
    majority: str | None = None,
    compound: Compound | None = None,
    matter: str = "",
    secret: bool | None = None,
    allow_change: bool | None = None,
    results_before_close: bool | None = None,
    topic=None,
    meeting=None,
) -> Vote:
    """Open a vote and fix who may vote in it, with their areas, from today's registry.

    It runs under the rules of procedure in force now (procedure.rules_in_force),
    copied onto the vote; an argument given here overrides one rule (commands and
    tests). An owners' vote on a Civil Code matter (`matter`) is counted by art. 278,
    whatever the rules say. An owners' vote is one compound's, and opens only when every
    owned home there has its area: a count is never silently short.
    """
    from kuihua.council.procedure import rules_in_force, rules_values

    rules = rules_in_force()
    defaults = rules_values(rules)
    if matter:
        # A matter of art. 278 is the owners' and counted by the Civil Code, always.
        voters, majority = Vote.Voters.OWNER, Vote.Majority.CIVIL_CODE
    voters = voters or defaults["voters"]
    majority = majority or defaults["majority"]
    secret = defaults["secret"] if secret is None else secret
    allow_change = defaults["allow_change"] if allow_change is None else allow_change
    if results_before_close is None:
        results_before_close = defaults["results_before_close"]
    if secret:
        # A running count beside a roll that fills up would tell who voted what.
        results_before_close = False
    if voters not in Vote.Voters.values:
        raise CouncilError(_("请选择谁来投票"), field="voters")
    if majority not in Vote.Majority.values:
        raise CouncilError(_("请选择通过要求"), field="majority")
    title = (title or "").strip()
    if not title:
        raise CouncilError(_("请填写表决事项"), field="title")
    if closes_at is None:
        raise CouncilError(_("请填写截止时间"), field="closes_at")
    if timezone.is_naive(closes_at):
        closes_at = timezone.make_aware(closes_at)
    if closes_at <= timezone.now():
        raise CouncilError(_("截止时间必须晚于现在"), field="closes_at")
    if voters == Vote.Voters.OWNER:
        if compound is None:
            raise CouncilError(_("业主表决须选定小区"), field="compound")
        if majority == Vote.Majority.CIVIL_CODE and matter not in Matter.values:
            raise CouncilError(_("请选择《民法典》第二百七十八条的事项类别"), field="matter")
    elif majority == Vote.Majority.CIVIL_CODE:
        raise CouncilError(_("《民法典》第二百七十八条只适用于业主表决"), field="majority")
    vote = Vote.objects.create(
        title=title[:200],
        compound=compound,
        matter=matter,
        voters=voters,
        majority=majority,
        secret=secret,
        allow_change=allow_change,
        results_before_close=results_before_close,
        quorum_percent=defaults["quorum_percent"],
        rules=rules,
        topic=topic,
        meeting=meeting,
        closes_at=closes_at,
        opened_by=actor if getattr(actor, "pk", None) else None,
    )
    heads, area = _fix_electorate(vote)
    if heads == 0:
        raise CouncilError(_("没有有表决权的人，无法发起表决"), field="voters")
    vote.eligible_heads, vote.eligible_area = heads, area
    vote.save(update_fields=["eligible_heads", "eligible_area"])
    ChoiceTally.objects.bulk_create(
        ChoiceTally(community_id=vote.community_id, vote=vote, choice=c) for c in Choice.values
    )
    audit(
        actor=actor,
        community_id=vote.community_id,
        action="council.vote.open",
        obj=vote,
        new={"title": vote.title, "voters": voters, "heads": heads, "area": str(area)},
    )
    return vote


def _fix_electorate(vote: Vote) -> tuple[int, Decimal]:
    """Write the vote's EligibleVoter and VoterMember rows; return (heads, area)."""
    groups: list[tuple[str, str, Decimal, list[int]]] = []
    if vote.voters == Vote.Voters.OWNER:
        electorate = compound_electorate(vote.compound)
        if electorate.homes_without_owner:
            raise CouncilError(
                _("还有 %(n)s 套房屋没有登记业主（未售出的登记建设单位），补全后才能发起业主表决")
                % {"n": len(electorate.homes_without_owner)},
                field="compound",
            )
        if electorate.homes_without_area:
            raise CouncilError(
                _("还有 %(n)s 套有业主的房屋没有登记面积，补全后才能发起业主表决")
                % {"n": len(electorate.homes_without_area)},
                field="compound",
            )
        residents = dict(
            Ownership.objects.filter(
                pk__in=[pk for v in electorate.voters for pk in v.ownerships]
            ).values_list("pk", "resident_id")
        )
        for v in electorate.voters:
            members = sorted({residents[pk] for pk in v.ownerships if residents[pk]})
            groups.append((f"owners:{min(v.ownerships)}", "、".join(v.names), v.area, members))
    else:
        homes = Household.objects.all()
        if vote.compound is not None:
            homes = homes.filter(building__compound=vote.compound)
        today = timezone.localdate()
        people = Resident.objects.filter(household__in=homes).order_by("id")
        adults = [
            r
            for r in people.only("id", "name", "household_id", "birth_date")
            if r.birth_date is None or age_on(r.birth_date, today) >= ADULT_AGE
        ]
        if vote.voters == Vote.Voters.RESIDENT:
            groups = [(f"resident:{r.pk}", r.name, Decimal("0"), [r.pk]) for r in adults]
        else:
            by_home: dict[int, list[Resident]] = {}
            for r in adults:
                by_home.setdefault(r.household_id, []).append(r)
            labels = {h.pk: h.address for h in homes.select_related("building")}
            groups = [
                (f"household:{pk}", labels[pk], Decimal("0"), [r.pk for r in members])
                for pk, members in by_home.items()
            ]
    voters = EligibleVoter.objects.bulk_create(
        EligibleVoter(
            community_id=vote.community_id, vote=vote, key=key, label=label[:200], area=area
        )
        for key, label, area, _members in groups
    )
    VoterMember.objects.bulk_create(
        VoterMember(community_id=vote.community_id, voter=voter, resident_id=resident_id)
        for voter, (_k, _l, _a, members) in zip(voters, groups, strict=True)
        for resident_id in members
    )
    return len(groups), sum((g[2] for g in groups), Decimal("0"))


def _token_for(vote: Vote, choice: str) -> str:
    """The secret voter's token: the choice, sealed with a nonce, for them to keep."""
    payload = json.dumps({"vote": vote.pk, "choice": choice, "nonce": secrets.token_hex(16)})
    return encrypt(payload)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Cast:
    """What a cast did: `changed` when it replaced an earlier choice; `token` for the voter
    of a secret ballot to keep (needed to change the vote later); "" otherwise."""

    changed: bool
    token: str = ""


def _move(vote: Vote, choice: str, *, heads: int, area: Decimal) -> None:
    ChoiceTally.objects.filter(vote=vote, choice=choice).update(
        heads=F("heads") + heads, area=F("area") + area
    )


@transaction.atomic
def ballot_cast(
    *,
    actor,
    vote: Vote,
    voter: EligibleVoter,
    choice: str,
    method: str = BallotReceipt.Method.ONLINE,
    token: str = "",
    now: dt.datetime | None = None,
) -> Cast:
    """Record `voter`'s choice once, whatever the number of simultaneous requests.

    A second cast is refused, or, where the vote allows changes, replaces the first:
    in an open ballot from the receipt, in a secret one from the voter's token.
    """
    now = now or timezone.now()
    if choice not in Choice.values:
        raise CouncilError(_("请选择同意、反对或弃权"), field="choice")
    if voter.vote_id != vote.pk:
        raise CouncilError(_("这个投票人不在本次表决的名单上"), field="voter")
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.closed_at is not None or now >= vote.closes_at:
        raise CouncilError(_("表决已经截止"))
    receipt = BallotReceipt(
        vote=vote,
        voter=voter,
        method=method,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        choice="" if vote.secret else choice,
    )
    result = Cast(changed=False)
    if vote.secret and method == BallotReceipt.Method.ONLINE:
        result.token = _token_for(vote, choice)
        receipt.token_digest = _digest(result.token)
    try:
        with transaction.atomic():
            receipt.save()
    except IntegrityError:
        if method == BallotReceipt.Method.PAPER:
            raise CouncilError(
                _("%(voter)s 已经投过票，不能再录入纸质选票") % {"voter": voter.label}
            ) from None
        return _change(actor=actor, vote=vote, voter=voter, choice=choice, token=token)
    _move(vote, choice, heads=1, area=voter.area)
    audit(
        actor=actor,
        community_id=vote.community_id,
        action="council.ballot.cast",
        obj=vote,
        # What was voted stays out of the audit log of a secret ballot.
        new={"voter": voter.pk, "method": method, **({} if vote.secret else {"choice": choice})},
    )
    return result


def _change(*, actor, vote: Vote, voter: EligibleVoter, choice: str, token: str) -> Cast:
    if not vote.allow_change:
        raise CouncilError(_("%(voter)s 已经投过票，本次表决不能改票") % {"voter": voter.label})
    receipt = BallotReceipt.objects.select_for_update().get(vote=vote, voter=voter)
    if receipt.method == BallotReceipt.Method.PAPER:
        raise CouncilError(
            _("%(voter)s 的纸质选票已经录入，不能在网上改票") % {"voter": voter.label}
        )
    result = Cast(changed=True)
    if vote.secret:
        if not token or _digest(token) != receipt.token_digest:
            raise CouncilError(_("无记名投票改票需要投票时保存的凭证；凭证不对或已失效"))
        try:
            old = json.loads(decrypt(token))["choice"]
        except (ValueError, KeyError):
            raise CouncilError(_("无记名投票改票需要投票时保存的凭证；凭证不对或已失效")) from None
        result.token = _token_for(vote, choice)
        receipt.token_digest = _digest(result.token)
    else:
        old = receipt.choice
        receipt.choice = choice
    receipt.changes += 1
    receipt.save(update_fields=["choice", "token_digest", "changes"])
    if old != choice:
        _move(vote, old, heads=-1, area=-voter.area)
        _move(vote, choice, heads=1, area=voter.area)
    audit(
        actor=actor,
        community_id=vote.community_id,
        action="council.ballot.change",
        obj=vote,
        new={"voter": voter.pk, **({} if vote.secret else {"choice": choice})},
    )
    return result


@transaction.atomic
def vote_close(*, actor, vote: Vote) -> Vote:
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.closed_at is None:
        vote.closed_at = timezone.now()
        vote.save(update_fields=["closed_at"])
        audit(actor=actor, community_id=vote.community_id, action="council.vote.close", obj=vote)
        from kuihua.council.procedure import rules_settle

        rules_settle(vote)  # a vote on a change of the rules of procedure settles it
    return vote


@dataclass
class Result:
    tally: Tally
    by_choice: dict[str, tuple[int, Decimal]]
    quorum_met: bool
    passed: bool
    outcome: Outcome | None  # the Civil Code's reading, for owners' matters


MAJORITIES = {
    Vote.Majority.SIMPLE: (1, 2, False),  # more than half
    Vote.Majority.TWO_THIRDS: (2, 3, True),  # at least (以上: inclusive)
    Vote.Majority.THREE_QUARTERS: (3, 4, True),
}


def vote_result(vote: Vote) -> Result:
    """The counts as they stand. Participating: everyone who voted, abstaining included."""
    by_choice = {t.choice: (t.heads, t.area) for t in ChoiceTally.objects.filter(vote=vote)}
    voting_heads = sum(h for h, _a in by_choice.values())
    voting_area = sum((a for _h, a in by_choice.values()), Decimal("0"))
    yes_heads, yes_area = by_choice.get(Choice.AGREE, (0, Decimal("0")))
    tally = Tally(
        eligible_heads=vote.eligible_heads,
        eligible_area=vote.eligible_area,
        voting_heads=voting_heads,
        voting_area=voting_area,
        yes_heads=yes_heads,
        yes_area=yes_area,
    )
    if vote.majority == Vote.Majority.CIVIL_CODE:
        outcome = decide(vote.matter, tally)
        return Result(tally, by_choice, outcome.quorum_met, outcome.passed, outcome)
    num, den, inclusive = MAJORITIES[Vote.Majority(vote.majority)]
    # More than the rules' share take part (half, by the template).
    quorum = voting_heads * 100 > vote.quorum_percent * vote.eligible_heads
    if inclusive:
        agreed = yes_heads * den >= num * voting_heads
    else:
        agreed = yes_heads * den > num * voting_heads
    return Result(tally, by_choice, quorum, quorum and agreed and voting_heads > 0, None)


def votes_close_due(*, now: dt.datetime | None = None) -> int:
    """Close every vote of every community whose closing time has come (the worker runs
    it each minute), so results are final and a rules change is settled on time."""
    from kuihua.core.tenancy import for_each_community

    now = now or timezone.now()
    closed = 0
    for _community in for_each_community():
        for vote in Vote.objects.filter(closed_at__isnull=True, closes_at__lte=now):
            vote_close(actor=None, vote=vote)
            closed += 1
    return closed
