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
    # Copied from the rules in force at opening (RulesOfProcedure), as the rest above.
    quorum_percent = models.PositiveSmallIntegerField(_("参与比例（超过%）"), default=50)
    rules = models.ForeignKey(
        "council.RulesOfProcedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用的议事规则"),
    )
    topic = models.ForeignKey(
        "council.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="votes",
        verbose_name=_("议题"),
    )
    meeting = models.ForeignKey(
        "council.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="votes",
        verbose_name=_("会议"),
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


# --- Rules of procedure (赋制) ------------------------------------------------------------


class RulesOfProcedure(CommunityOwned):
    """One version of a community's rules of procedure (议事规则).

    The first version is written from a template by a coordinator and is in force at
    once; every later version is proposed and put to a vote (`decided_by`), and comes
    into force only when that vote passes. A vote copies the rules in force when it
    opens, so a later change never reaches it.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待表决")
        IN_FORCE = "in_force", _("现行")
        SUPERSEDED = "superseded", _("已废止")
        REJECTED = "rejected", _("未通过")

    class Raisers(models.TextChoices):
        EVERYONE = "everyone", _("居民、社会组织和共建单位都可以提议题")
        DELEGATES = "delegates", _("只有议事代表和社区工作者可以提议题")

    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    who_may_raise = models.CharField(
        _("谁可以提议题"), max_length=12, choices=Raisers.choices, default=Raisers.EVERYONE
    )
    notice_days = models.PositiveSmallIntegerField(_("会议提前通知天数"), default=7)
    # Quorum: more than this share of those entitled take part (meetings: delegates
    # present; votes: voters who vote). Owners' votes on a compound matter follow the
    # Civil Code's own quorum instead.
    quorum_percent = models.PositiveSmallIntegerField(_("到会/参与比例（超过%）"), default=50)
    voters = models.CharField(
        _("谁来投票"), max_length=12, choices=Vote.Voters.choices, default=Vote.Voters.HOUSEHOLD
    )
    majority = models.CharField(
        _("通过要求"), max_length=16, choices=Vote.Majority.choices, default=Vote.Majority.SIMPLE
    )
    secret = models.BooleanField(_("无记名投票"), default=False)
    results_before_close = models.BooleanField(_("截止前公布结果"), default=False)
    allow_change = models.BooleanField(_("截止前可改票"), default=True)
    text = models.TextField(_("规则全文"), blank=True)
    reason = models.TextField(_("修改理由"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.OneToOneField(
        Vote,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rules_change",
        verbose_name=_("表决"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    in_force_from = models.DateTimeField(_("生效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议事规则")
        verbose_name_plural = _("议事规则")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["community", "version"], name="rules_version_unique"),
            # One version in force per community, whatever the race.
            models.UniqueConstraint(
                fields=["community"],
                condition=models.Q(status="in_force"),
                name="rules_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


# --- Delegates and topics -------------------------------------------------------------------


class OnBehalfOf(models.TextChoices):
    PROPERTY_MANAGER = "property_manager", _("物业服务企业")
    PARTNER = "partner", _("共建单位")
    DEPARTMENT = "department", _("政府部门")


class Delegate(CommunityOwned):
    """A council delegate (议事代表): invited to every meeting, counted for its quorum."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("居民代表")
        PROPERTY_MANAGER = "property_manager", _("物业代表")
        PARTNER = "partner", _("驻区单位代表")
        DEPARTMENT = "department", _("政府部门代表")

    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.CASCADE, related_name="+", verbose_name=_("居民")
    )
    kind = models.CharField(_("身份"), max_length=20, choices=Kind.choices, default=Kind.RESIDENT)
    since = models.DateField(_("担任日期"))
    until = models.DateField(_("卸任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("议事代表")
        verbose_name_plural = _("议事代表")
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(until__isnull=True),
                name="delegate_one_current",
            )
        ]

    def __str__(self) -> str:
        return str(self.resident)


class Topic(CommunityOwned):
    """A matter raised for the council: consulted on, then scheduled, answered or merged."""

    class Status(models.TextChoices):
        OPEN = "open", _("征求意见中")
        SCHEDULED = "scheduled", _("已列入议程")
        DECIDED = "decided", _("已形成决议")
        ANSWERED = "answered", _("已答复")
        MERGED = "merged", _("已合并")

    title = models.CharField(_("议题"), max_length=200)
    body = models.TextField(_("说明"), blank=True)
    compound = models.ForeignKey(
        "registry.Compound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小区（空为全社区）"),
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    # Who raised it: a resident, an organization, or someone on behalf of a unit.
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出居民"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出组织"),
    )
    on_behalf_of = models.CharField(
        _("代表"), max_length=20, choices=OnBehalfOf.choices, blank=True
    )
    on_behalf_name = models.CharField(_("单位名称"), max_length=100, blank=True)
    partner = models.ForeignKey(
        "organizations.PartnerUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("共建单位"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    supporters = models.PositiveIntegerField(_("附议人数"), default=0)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("合并到"),
    )

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["community", "status"], name="topic_status")]

    def __str__(self) -> str:
        return self.title


class TopicComment(CommunityOwned):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(_("发言人"), max_length=100)
    body = models.TextField(_("意见"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("意见")
        verbose_name_plural = _("意见")
        ordering = ["created_at", "id"]


class TopicSupport(CommunityOwned):
    """One person's support (附议) of a topic: unique, so it counts once."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="topic_support_unique")
        ]


# --- Meetings -------------------------------------------------------------------------------


class Meeting(CommunityOwned):
    """A council meeting: called by the committee, in a room booked through venues."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("已安排")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    title = models.CharField(_("会议名称"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    booking = models.OneToOneField(
        "venues.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_meeting",
        verbose_name=_("会议室预约"),
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    compound = models.ForeignKey(
        "registry.Compound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小区（空为全社区）"),
    )
    rules = models.ForeignKey(
        RulesOfProcedure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用的议事规则"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    # The secret in the QR code at the door: whoever scans it and signs in checks in.
    checkin_code = models.CharField(max_length=32, unique=True)
    invitations_sent_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事会议")
        verbose_name_plural = _("议事会议")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(CommunityOwned):
    """An item on a meeting's agenda, or one proposed for it by a resident and waiting."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审核")
        ACCEPTED = "accepted", _("已列入")
        DECLINED = "declined", _("未采纳")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    title = models.CharField(_("议程"), max_length=200)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ACCEPTED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("未采纳理由"), blank=True)

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering = ["position", "id"]


class Attendee(CommunityOwned):
    """Someone invited to a meeting; `attended_at` set when they are checked in.

    Delegates count for the quorum; guests (a property manager, a department) do not.
    Unique per meeting and resident, so a check-in at the door and one from the list
    count once.
    """

    class Method(models.TextChoices):
        QR = "qr", _("扫码签到")
        LIST = "list", _("名单签到")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("居民"),
    )
    name = models.CharField(_("姓名"), max_length=100)
    counts_for_quorum = models.BooleanField(_("计入法定人数"), default=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    method = models.CharField(_("签到方式"), max_length=8, choices=Method.choices, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("参会人")
        verbose_name_plural = _("参会人")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "resident"],
                condition=models.Q(resident__isnull=False),
                name="attendee_unique",
            )
        ]


class Minutes(CommunityOwned):
    """A meeting's minutes: written, then approved, and only then shown to residents."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    body = models.TextField(_("会议纪要"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")


# --- Decisions ------------------------------------------------------------------------------


class Decision(CommunityOwned):
    """What the council decided, as a task with an owner and a deadline, tracked to done
    and shown on the notice board (公示)."""

    class Status(models.TextChoices):
        TODO = "todo", _("待落实")
        IN_PROGRESS = "in_progress", _("落实中")
        DONE = "done", _("已办结")
        DROPPED = "dropped", _("已终止")

    title = models.CharField(_("决议事项"), max_length=200)
    body = models.TextField(_("决议内容"), blank=True)
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    vote = models.ForeignKey(
        Vote, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    compound = models.ForeignKey(
        "registry.Compound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小区（空为全社区）"),
    )
    # Who carries it out: a named person or unit, and the account that reports, if any.
    owner_name = models.CharField(_("责任人/单位"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("负责账号"),
    )
    deadline = models.DateField(_("完成期限"))
    review_on = models.DateField(_("复查日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.TODO)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["community", "status", "deadline"], name="decision_due")]

    def __str__(self) -> str:
        return self.title


class DecisionProgress(CommunityOwned):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="progress")
    note = models.TextField(_("进展"))
    status = models.CharField(_("状态"), max_length=12, choices=Decision.Status.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("决议进展")
        verbose_name_plural = _("决议进展")
        ordering = ["created_at", "id"]
