"""The council's part of a resident's export and erasure (registry/personal_data.py).

A resident may cast the vote of an eligible voter (themselves, their household, their
owners' group). The export lists those votes and whether a ballot was recorded, never a
secret choice, with the topics they raised, their comments, meetings and delegate
terms. Erasure removes the person from the voters' rolls and the delegates, scrubs
their name out of voters' labels, topics, comments and attendance lists; the counts
stay, as a vote's result and a meeting's quorum must.
"""

from __future__ import annotations

from kuihua.council.models import (
    AgendaItem,
    Attendee,
    BallotReceipt,
    Decision,
    DecisionProgress,
    Delegate,
    EligibleVoter,
    Minutes,
    Topic,
    TopicComment,
    VoterMember,
)
from kuihua.registry.personal_data import Erasure


def council_export(resident) -> dict:
    return {
        "votes": _votes(resident),
        "delegate": [
            {"kind": d.kind, "since": d.since.isoformat(), "until": d.until and d.until.isoformat()}
            for d in Delegate.objects.filter(resident=resident).order_by("since")
        ],
        "topics_raised": [
            {"title": t.title, "body": t.body, "raised_at": t.raised_at.isoformat()}
            for t in Topic.objects.filter(resident=resident).order_by("raised_at")
        ],
        "comments": [
            {"topic": c.topic.title, "body": c.body, "at": c.created_at.isoformat()}
            for c in TopicComment.objects.filter(author__resident=resident)
            .select_related("topic")
            .order_by("created_at")
        ],
        "meetings": [
            {
                "meeting": a.meeting.title,
                "attended_at": a.attended_at and a.attended_at.isoformat(),
            }
            for a in Attendee.objects.filter(resident=resident)
            .select_related("meeting")
            .order_by("meeting__starts_at")
        ],
    }


def _votes(resident) -> list[dict]:
    rows = []
    memberships = VoterMember.objects.filter(resident=resident).select_related("voter__vote")
    for m in memberships.order_by("voter__vote__opened_at"):
        vote = m.voter.vote
        receipt = BallotReceipt.objects.filter(vote=vote, voter=m.voter).first()
        rows.append(
            {
                "vote": vote.title,
                "voter": m.voter.label,
                "voted": receipt is not None,
                "method": receipt.method if receipt else None,
                # An open ballot's choice is the person's own; a secret one is nowhere.
                "choice": (receipt.choice or None) if receipt and not vote.secret else None,
            }
        )
    return rows


def council_erase(erasure: Erasure) -> None:
    voters = EligibleVoter.objects.filter(members__resident=erasure.resident)
    erasure.scrub_rows(voters, "label")
    VoterMember.objects.filter(resident=erasure.resident).delete()
    Delegate.objects.filter(resident=erasure.resident).delete()
    # A topic, a comment, an attendance stays the council's record; the person leaves it.
    Topic.objects.filter(resident=erasure.resident).update(resident=None)
    erasure.scrub_rows(Topic.objects.all(), "title", "body", "answer", "on_behalf_name")
    erasure.scrub_rows(TopicComment.objects.all(), "author_name", "body")
    erasure.scrub_rows(Decision.objects.all(), "title", "body", "owner_name")
    erasure.scrub_rows(DecisionProgress.objects.all(), "note")
    erasure.scrub_rows(Minutes.objects.all(), "body")
    erasure.scrub_rows(AgendaItem.objects.all(), "title", "reason")
    attendees = Attendee.objects.filter(resident=erasure.resident)
    attendees.update(name="***", resident=None)
