"""The council's part of a resident's export and erasure (registry/personal_data.py).

A resident may cast the vote of an eligible voter (themselves, their household, their
owners' group). The export lists those votes and whether a ballot was recorded, never a
secret choice. Erasure removes the person from the voters' rolls and scrubs their name
out of the voters' labels; the counts stay, as the vote's result must.
"""

from __future__ import annotations

from kuihua.council.models import BallotReceipt, EligibleVoter, VoterMember
from kuihua.registry.personal_data import Erasure


def council_export(resident) -> list[dict]:
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
