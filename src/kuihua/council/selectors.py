"""Reads of the council's votes that need care: which votes a user sees, which voter on
a roll a user may cast for, and whether a result may be shown yet.

Every fetch of a vote or voter by id goes through `access_vote` / `access_voter`; the
managers are scoped to the current community (core.tenancy), and anything a user may
not see answers 404.
"""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.council.models import BallotReceipt, Decision, EligibleVoter, Topic, Vote
from kuihua.council.services import Result


def votes_for(user) -> QuerySet[Vote]:
    """Votes `user` may see: all of the community's for those taking part or managing."""
    if not user.has_perm("council.view"):
        return Vote.objects.none()
    return Vote.objects.select_related("compound", "topic")


def access_vote(user, vote_id: int) -> Vote:
    vote = votes_for(user).filter(pk=vote_id).first()
    if vote is None:
        raise Http404
    return vote


def access_voter(user, vote: Vote, voter_id: int) -> EligibleVoter:
    """A voter on `vote`'s roll, for someone who records paper ballots or manages."""
    if not (user.has_perm("council.manage") or user.has_perm("council.record_paper_ballot")):
        raise Http404
    voter = EligibleVoter.objects.filter(vote=vote, pk=voter_id).first()
    if voter is None:
        raise Http404
    return voter


def voter_of(user, vote: Vote) -> EligibleVoter | None:
    """The voter on `vote`'s roll whose vote `user` casts (themselves, their household,
    their owners' group), or None when they are not on it."""
    if not user.is_authenticated or not user.resident_id:
        return None
    return EligibleVoter.objects.filter(vote=vote, members__resident_id=user.resident_id).first()


def is_open(vote: Vote, *, now=None) -> bool:
    now = now or timezone.now()
    return vote.closed_at is None and now < vote.closes_at


def result_visible(user, vote: Vote, *, now=None) -> bool:
    """After the close, to everyone who sees the vote; before it, only where the rules
    allow (`results_before_close`), and coordinators see the running count of an open
    ballot. A secret ballot's count shows to nobody before the close."""
    if not is_open(vote, now=now):
        return True
    if vote.secret:
        return False  # a count moving as the roll fills would tell who voted what
    return vote.results_before_close or user.has_perm("council.manage")


def has_voted(vote: Vote, voter: EligibleVoter) -> BallotReceipt | None:
    return BallotReceipt.objects.filter(vote=vote, voter=voter).first()


def votes_with_my_part(votes: QuerySet[Vote], user) -> QuerySet[Vote]:
    """Each vote with `is_open`, and `on_roll`, `voted`, `may_vote` for `user`'s own voter
    (selectors.voter_of, is_open): subqueries in the one list query, whatever the number
    of votes."""
    votes = votes.annotate(
        is_open=ExpressionWrapper(
            Q(closed_at__isnull=True, closes_at__gt=timezone.now()), output_field=BooleanField()
        )
    )
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        no = Value(False, output_field=BooleanField())
        return votes.annotate(on_roll=no, voted=no, may_vote=no)
    mine = EligibleVoter.objects.filter(vote=OuterRef("pk"), members__resident_id=resident_id)
    voted = BallotReceipt.objects.filter(
        vote=OuterRef("pk"), voter__members__resident_id=resident_id
    )
    return votes.annotate(on_roll=Exists(mine), voted=Exists(voted)).annotate(
        may_vote=ExpressionWrapper(
            Q(is_open=True, on_roll=True) & (Q(voted=False) | Q(allow_change=True)),
            output_field=BooleanField(),
        )
    )


def rule_in_words(vote: Vote, result: Result) -> str:
    if result.outcome is not None:
        return result.outcome.explain()
    t = result.tally
    parts = [
        _("参与表决：%(vh)s/%(eh)s 人（须超过 %(q)s%%）")
        % {"vh": t.voting_heads, "eh": t.eligible_heads, "q": vote.quorum_percent},
        _("同意：%(yh)s/%(vh)s 人（%(rule)s）")
        % {"yh": t.yes_heads, "vh": t.voting_heads, "rule": vote.get_majority_display()},
    ]
    if not result.quorum_met:
        verdict = _("参与表决的人数不足，表决无效")
    elif result.passed:
        verdict = _("通过")
    else:
        verdict = _("未通过")
    return "；".join(parts) + "。" + verdict


# --- the workbench (dashboard.workbench): what waits for a user today --------------------


def topics_to_answer(user) -> QuerySet[Topic]:
    """Topics still open for comment (征求意见中) that a coordinator answers, schedules
    or merges: the most supported first, then the oldest."""
    if not user.has_perm("council.manage"):
        return Topic.objects.none()
    return Topic.objects.filter(status=Topic.Status.OPEN).order_by("-supporters", "raised_at", "id")


def decisions_overdue(user, *, today) -> QuerySet[Decision]:
    """Decisions past their deadline (完成期限) and neither done nor dropped: every one
    for a coordinator, else those `user` is the named owner of; the most overdue first."""
    if not user.is_authenticated:
        return Decision.objects.none()
    decisions = Decision.objects.exclude(
        status__in=(Decision.Status.DONE, Decision.Status.DROPPED)
    ).filter(deadline__lt=today)
    if not user.has_perm("council.manage"):
        decisions = decisions.filter(owner=user)
    return decisions.order_by("deadline", "id")


def votes_open_to(user, *, now) -> QuerySet[Vote]:
    """Open votes `user` is on the roll of and may still cast (or change), closing first."""
    if not user.has_perm("council.take_part"):
        return Vote.objects.none()
    votes = votes_with_my_part(votes_for(user), user)
    return votes.filter(closed_at__isnull=True, closes_at__gt=now, may_vote=True).order_by(
        "closes_at", "id"
    )
