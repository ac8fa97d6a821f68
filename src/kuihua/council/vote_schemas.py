"""What the council's votes API reads and writes (mounted at /api/council).

Areas are decimal strings with two places ("89.50"), never floats. A vote's result is
present only when it may be shown (`selectors.result_visible`); a voter on the roll
shows whether and how they voted (online, on paper), never what they chose.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from kuihua.core.api_support import RowId
from kuihua.council.counting import Matter
from kuihua.council.models import BallotReceipt, Choice
from kuihua.registry.schemas import AREA_DESCRIPTION, area_text


class CompoundRef(Schema):
    id: int
    name: str


class VoteOut(Schema):
    """A vote as a list shows it, with what the requesting user may do in it."""

    id: int
    title: str
    compound: CompoundRef | None
    topic_id: int | None
    matter: str = Field(description='Civil Code art. 278 item ("1"–"9"), "" for none')
    matter_label: str
    voters: str
    voters_label: str = Field(description="who votes: each adult, each household, owners")
    majority: str
    majority_label: str
    secret: bool
    allow_change: bool
    results_before_close: bool
    opened_at: dt.datetime
    closes_at: dt.datetime
    closed_at: dt.datetime | None
    is_open: bool
    eligible_heads: int
    eligible_area: str = Field(description=AREA_DESCRIPTION)
    voted: bool = Field(
        description="the requesting user's voter (them, their household or owners' group) has voted"
    )
    may_vote: bool = Field(description="the requesting user may cast (or change) a ballot now")

    @staticmethod
    def resolve_matter_label(obj) -> str:
        return str(obj.get_matter_display()) if obj.matter else ""

    @staticmethod
    def resolve_voters_label(obj) -> str:
        return str(obj.get_voters_display())

    @staticmethod
    def resolve_majority_label(obj) -> str:
        return str(obj.get_majority_display())

    @staticmethod
    def resolve_eligible_area(obj) -> str:
        return area_text(obj.eligible_area)


class ChoiceCount(Schema):
    choice: str
    label: str
    heads: int
    area: str = Field(description=AREA_DESCRIPTION)


class ResultOut(Schema):
    """The counts as they stand (final once the vote is closed), and the rule applied."""

    choices: list[ChoiceCount]
    eligible_heads: int
    eligible_area: str = Field(description=AREA_DESCRIPTION)
    voting_heads: int
    voting_area: str = Field(description=AREA_DESCRIPTION)
    quorum_met: bool
    passed: bool
    rule: str = Field(description="the counts and the rule applied, in words")


class VoteDetailOut(VoteOut):
    result: ResultOut | None = Field(
        description="null while the result may not be shown (before the close, unless the "
        "rules publish it, or to a coordinator)"
    )


class VoteIn(Schema):
    """Open a vote. Who votes, the majority, secrecy, changes and early results come from
    the rules of procedure in force; a Civil Code `matter` makes it an owners' vote of
    `compound_id`, counted by art. 278."""

    title: str = Field(..., min_length=1, max_length=200)
    closes_at: dt.datetime
    compound_id: RowId | None = None
    matter: Matter | None = Field(None, description='Civil Code art. 278 item, "1"–"9"')


class BallotIn(Schema):
    choice: Choice
    token: str = Field(
        "",
        max_length=2000,
        description="a secret ballot's token from the earlier cast, to change the vote",
    )


class BallotOut(Schema):
    changed: bool = Field(description="it replaced an earlier choice")
    token: str = Field(
        description="secret ballot: keep it, it is needed to change the vote (shown once); "
        '"" otherwise'
    )


class PaperBallotIn(Schema):
    voter_id: RowId
    choice: Choice


class RollVoterOut(Schema):
    """A voter on a vote's roll: whether and how they voted, never what."""

    id: int
    label: str
    area: str = Field(description=AREA_DESCRIPTION)
    voted: bool
    method: str = Field(description='"online", "paper", or "" when not voted')
    method_label: str

    @staticmethod
    def resolve_area(obj) -> str:
        return area_text(obj.area)

    @staticmethod
    def resolve_voted(obj) -> bool:
        return bool(obj.method)

    @staticmethod
    def resolve_method(obj) -> str:
        return obj.method or ""

    @staticmethod
    def resolve_method_label(obj) -> str:
        return str(BallotReceipt.Method(obj.method).label) if obj.method else ""


def choice_counts(by_choice: dict[str, tuple[int, Decimal]]) -> list[dict]:
    """The tallies in the order of the ballot (agree, against, abstain)."""
    return [
        {
            "choice": c.value,
            "label": str(c.label),
            "heads": by_choice.get(c.value, (0, Decimal("0")))[0],
            "area": area_text(by_choice.get(c.value, (0, Decimal("0")))[1]),
        }
        for c in Choice
    ]
