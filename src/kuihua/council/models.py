"""Votes of the residents' council (docs/adr/0012-ballots.md).

Who may vote is fixed when a vote opens (`EligibleVoter`, with the residents each
one stands for); that someone voted is a `BallotReceipt`, unique per voter; what was
voted is counted on `ChoiceTally` rows, and in a secret ballot nowhere else.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuihua.core.tenancy import CommunityOwned
from kuihua.council.counting import Matter


class Vote(CommunityOwned):
    """One question put to a vote, with the rules it runs under copied at opening."""

    class Voters(models.TextChoices):
        RESIDENT = "resident", _("每位成年居民一票")
        HOUSEHOLD = "household", _("每户一票")
        OWNER = "owner", _("业主按人数和面积")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("过半数同意")
        TWO_THIRDS = "two_thirds", _("三分之二以上同意")
        THREE_QUARTERS = "three_quarters", _("四分之三以上同意")
        CIVIL_CODE = "civil_code", _("按《民法典》第二百七十八条")

    title = models.CharField(_("表决事项"), max_length=200)
    compound = models.ForeignKey(
        "registry.Compound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小区"),
    )
    matter = models.CharField(_("事项类别"), max_length=2, choices=Matter.choices, blank=True)
    voters = models.CharField(_("谁来投票"), max_length=12, choices=Voters.choices)
    majority = models.CharField(_("通过要求"), max_length=16, choices=Majority.choices)
    secret = models.BooleanField(_("无记名投票"), default=False)
    allow_change = models.BooleanField(_("截止前可改票"), default=False)
    results_before_close = models.BooleanField(_("截止前公布结果"), default=False)
    opened_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    closes_at = models.DateTimeField(_("截止时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    eligible_heads = models.PositiveIntegerField(_("有表决权人数"), default=0)
    eligible_area = models.DecimalField(
        _("有表决权面积（㎡）"), max_digits=12, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Choice(models.TextChoices):
    AGREE = "agree", _("同意")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class EligibleVoter(CommunityOwned):
    """One head with a vote, fixed at opening: a resident, a household, or a group of
    owners who count as one (registry.selectors.compound_electorate)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="eligible")
    key = models.CharField(max_length=40)
    label = models.CharField(_("投票人"), max_length=200)
    area = models.DecimalField(_("面积（㎡）"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("有表决权的人")
        verbose_name_plural = _("有表决权的人")
        constraints = [
            models.UniqueConstraint(fields=["vote", "key"], name="eligible_voter_unique")
        ]

    def __str__(self) -> str:
        return self.label


class VoterMember(CommunityOwned):
    """A resident who may cast the vote of an eligible voter (a household's members,
    an owners' group's registered residents)."""

    voter = models.ForeignKey(EligibleVoter, on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey("registry.Resident", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["voter", "resident"], name="voter_member_unique")
        ]


class BallotReceipt(CommunityOwned):
    """That a voter voted. Unique per voter: the last word against counting anyone twice.

    `choice` is kept only in an open ballot. In a secret one the receipt holds the
    SHA-256 of the voter's token instead (ADR 0012), and the choice is only a count.
    """

    class Method(models.TextChoices):
        ONLINE = "online", _("网上投票")
        PAPER = "paper", _("纸质选票")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="receipts")
    voter = models.ForeignKey(EligibleVoter, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    choice = models.CharField(max_length=8, choices=Choice.choices, blank=True)
    token_digest = models.CharField(max_length=64, blank=True)
    changes = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("投票记录")
        verbose_name_plural = _("投票记录")
        constraints = [
            models.UniqueConstraint(fields=["vote", "voter"], name="ballot_receipt_unique")
        ]


class ChoiceTally(CommunityOwned):
    """How many heads and how much area chose one answer: moved with F() as ballots come."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="tallies")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    heads = models.PositiveIntegerField(default=0)
    area = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "choice"], name="choice_tally_unique")
        ]
