"""Council over JSON: votes (mounted at /api/council; docs/adr/0012-ballots.md).

Everyone of the community sees its votes; a coordinator opens and closes them; a
signed-in resident casts the ballot of their own voter on the roll (themselves, their
household, their owners' group), and a coordinator or steward records a paper ballot
for a named voter. A vote, or a voter, the user may not see is 404; a broken rule of
the vote (closed, already voted, no change allowed, a wrong token) is 400 with the
service's message. The result is shown only when `selectors.result_visible` says so.
"""

from django.db.models import (
    OuterRef,
    Subquery,
)
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from kuihua.core.api_support import ServiceError, body_ref, error_responses, paginated, require
from kuihua.council import selectors, services
from kuihua.council.models import BallotReceipt, EligibleVoter, Vote
from kuihua.council.vote_schemas import (
    BallotIn,
    BallotOut,
    PaperBallotIn,
    RollVoterOut,
    VoteDetailOut,
    VoteIn,
    VoteOut,
    choice_counts,
)
from kuihua.registry.schemas import area_text
from kuihua.registry.selectors import access_compound

router = Router(tags=["council"])


# --- reading -------------------------------------------------------------------------------


def _detail(user, vote: Vote) -> Vote:
    """`vote` with the user's part in it and, when it may be shown, its result."""
    voter = selectors.voter_of(user, vote)
    vote.is_open = selectors.is_open(vote)
    vote.on_roll = voter is not None
    vote.voted = voter is not None and selectors.has_voted(vote, voter) is not None
    vote.may_vote = vote.is_open and vote.on_roll and (not vote.voted or vote.allow_change)
    vote.result = None
    if selectors.result_visible(user, vote):
        result = services.vote_result(vote)
        vote.result = {
            "choices": choice_counts(result.by_choice),
            "eligible_heads": result.tally.eligible_heads,
            "eligible_area": area_text(result.tally.eligible_area),
            "voting_heads": result.tally.voting_heads,
            "voting_area": area_text(result.tally.voting_area),
            "quorum_met": result.quorum_met,
            "passed": result.passed,
            "rule": selectors.rule_in_words(vote, result),
        }
    return vote


@router.get(
    "/votes",
    response={200: list[VoteOut], **error_responses(422)},
    summary="The community's votes, newest first, with whether I have voted and may vote",
)
@paginated
def list_votes(request):
    votes = selectors.votes_with_my_part(selectors.votes_for(request.user), request.user)
    return votes.order_by("-opened_at", "-id")


@router.get(
    "/votes/{int:vote_id}",
    response={200: VoteDetailOut, **error_responses(404)},
    summary="One vote; its result (per choice heads and area, quorum, passed, the rule in "
    "words) once it may be shown",
)
def get_vote(request, vote_id: int):
    return _detail(request.user, selectors.access_vote(request.user, vote_id))


@router.get(
    "/votes/{int:vote_id}/voters",
    response={200: list[RollVoterOut], **error_responses(404, 422)},
    summary="The roll: each voter, their area, whether and how they voted, never what "
    "(coordinators and stewards)",
)
@paginated
def list_voters(request, vote_id: int):
    user = request.user
    vote = selectors.access_vote(user, vote_id)
    if not (user.has_perm("council.manage") or user.has_perm("council.record_paper_ballot")):
        raise Http404
    method = BallotReceipt.objects.filter(vote=vote, voter=OuterRef("pk")).values("method")[:1]
    return (
        EligibleVoter.objects.filter(vote=vote)
        .annotate(method=Subquery(method))
        .only("id", "label", "area")
        .order_by("id")
    )


# --- writing -------------------------------------------------------------------------------


@router.post(
    "/votes",
    response={201: VoteDetailOut, **error_responses(400, 404, 422)},
    summary="Open a vote under the rules of procedure in force (coordinators); a Civil "
    "Code matter makes it an owners' vote of the compound",
)
def open_vote(request, payload: VoteIn):
    user = request.user
    require(user, "council.manage")
    compound = None
    if payload.compound_id is not None:
        compound = body_ref(
            access_compound, user, payload.compound_id, "compound_id", _("找不到该小区")
        )
    vote = services.vote_open(
        actor=user,
        title=payload.title,
        closes_at=payload.closes_at,
        compound=compound,
        matter=payload.matter.value if payload.matter else "",
    )
    return Status(201, _detail(user, selectors.access_vote(user, vote.pk)))


@router.post(
    "/votes/{int:vote_id}/ballot",
    response={200: BallotOut, **error_responses(400, 403, 404, 422)},
    summary="Cast (or, where allowed, change) my own ballot; a secret ballot answers a "
    "token to keep for a change",
)
def cast_ballot(request, vote_id: int, payload: BallotIn):
    user = request.user
    vote = selectors.access_vote(user, vote_id)
    voter = selectors.voter_of(user, vote)
    if voter is None:
        raise ServiceError(_("您不在本次表决的投票人名单上，不能投票"), status=403)
    cast = services.ballot_cast(
        actor=user, vote=vote, voter=voter, choice=payload.choice.value, token=payload.token
    )
    return {"changed": cast.changed, "token": cast.token}


@router.post(
    "/votes/{int:vote_id}/paper-ballots",
    response={200: BallotOut, **error_responses(400, 404, 422)},
    summary="Record a paper ballot for a voter on the roll (coordinators and stewards); "
    "who recorded it is kept",
)
def record_paper_ballot(request, vote_id: int, payload: PaperBallotIn):
    user = request.user
    vote = selectors.access_vote(user, vote_id)
    require(user, "council.record_paper_ballot")
    voter = body_ref(
        lambda u, pk: selectors.access_voter(u, vote, pk),
        user,
        payload.voter_id,
        "voter_id",
        _("这个投票人不在本次表决的名单上"),
    )
    cast = services.ballot_cast(
        actor=user,
        vote=vote,
        voter=voter,
        choice=payload.choice.value,
        method=BallotReceipt.Method.PAPER,
    )
    return {"changed": cast.changed, "token": ""}


@router.post(
    "/votes/{int:vote_id}/close",
    response={200: VoteDetailOut, **error_responses(404)},
    summary="Close a vote now (coordinators); its result is then shown to everyone",
)
def close_vote(request, vote_id: int):
    user = request.user
    vote = selectors.access_vote(user, vote_id)
    require(user, "council.manage")
    services.vote_close(actor=user, vote=vote)
    return _detail(user, selectors.access_vote(user, vote.pk))
