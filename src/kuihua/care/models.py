"""The care programme 幸福来敲门: daily check-ins, alarms never lost.

Each enrolled person has check-in windows (by default 08:00–10:00 and
16:00–18:00). The sweep (`sweep.py`) reads, through an index, only the people
whose current window has closed (`next_closes_at <= now`); a window closed
without a check-in becomes an `Alert`, one per person and window by a unique
constraint, written in the same transaction that moves the person's cursor to
the next window — so a sweep killed at any moment raises each alert exactly
once after a restart. Who is trained to visit: kuihua.training.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kuihua.core.crypto import EncryptedTextField
from kuihua.core.tenancy import CommunityOwned

DEFAULT_WINDOWS = [["08:00", "10:00"], ["16:00", "18:00"]]


class CareRecipient(CommunityOwned):
    """A frail, ill or lone elderly resident enrolled in the programme."""

    class Risk(models.TextChoices):
        LOW = "low", _("一般")
        MEDIUM = "medium", _("较高")
        HIGH = "high", _("高")

    resident = models.OneToOneField(
        "registry.Resident",
        on_delete=models.CASCADE,
        related_name="care",
        verbose_name=_("居民"),
    )
    risk = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices, default=Risk.MEDIUM)
    conditions = EncryptedTextField(_("健康状况"), blank=True)
    # [["08:00", "10:00"], ["16:00", "18:00"]]: local times, each window within one day.
    windows = models.JSONField(_("签到时段"), default=list)
    paused_until = models.DateField(_("暂停至"), null=True, blank=True)
    pause_reason = models.CharField(_("暂停原因"), max_length=100, blank=True)
    active = models.BooleanField(_("在册"), default=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="care_recipients",
        verbose_name=_("所属公益项目"),
    )
    primary_visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="care_primary",
        verbose_name=_("主要探访人"),
    )
    backup_visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="care_backup",
        verbose_name=_("备用探访人"),
    )
    # The sweep's cursor: the window being watched now.
    next_opens_at = models.DateTimeField(null=True, editable=False)
    next_closes_at = models.DateTimeField(null=True, editable=False)
    last_check_in_at = models.DateTimeField(_("最近签到"), null=True, blank=True)
    self_token_digest = models.CharField(max_length=64, blank=True, editable=False)
    birthday_reminded_year = models.PositiveSmallIntegerField(null=True, editable=False)
    enrolled_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关爱对象")
        verbose_name_plural = _("关爱对象")
        ordering = ["id"]
        indexes = [
            # What the sweep reads: due windows only, across communities.
            models.Index(
                fields=["next_closes_at"], condition=Q(active=True), name="care_window_due"
            ),
            models.Index(fields=["self_token_digest"], name="care_self_token"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class CheckIn(CommunityOwned):
    """One sign of life: a volunteer's knock, the person's own tap, or a phone call."""

    class Channel(models.TextChoices):
        VISIT = "visit", _("上门探访")
        SELF = "self", _("本人签到")
        CALL = "call", _("电话")

    class Result(models.TextChoices):
        WELL = "well", _("平安")
        NO_ANSWER = "no_answer", _("无人应答")
        CONCERN = "concern", _("有异常")

    recipient = models.ForeignKey(CareRecipient, on_delete=models.CASCADE, related_name="check_ins")
    at = models.DateTimeField(_("时间"))
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    result = models.CharField(_("情况"), max_length=12, choices=Result.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["recipient", "at"], name="care_check_in_at")]


class Alert(CommunityOwned):
    """A missed window, a door nobody answered, or a concern: handled by named people."""

    class Kind(models.TextChoices):
        MISSED = "missed", _("未按时签到")
        NO_ANSWER = "no_answer", _("敲门无人应答")
        CONCERN = "concern", _("探访发现异常")

    class Outcome(models.TextChoices):
        FOUND_WELL = "found_well", _("确认平安")
        VISITED = "visited", _("已上门处理")
        HOSPITAL = "hospital", _("已送医")
        INCIDENT = "incident", _("发生意外")

    recipient = models.ForeignKey(CareRecipient, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    window_opens_at = models.DateTimeField(_("时段开始"), null=True, blank=True)
    window_closes_at = models.DateTimeField(_("时段结束"), null=True, blank=True)
    check_in = models.OneToOneField(
        CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="alert"
    )
    while_down = models.BooleanField(_("系统停机期间错过"), default=False)
    raised_at = models.DateTimeField(_("报警时间"))
    level = models.PositiveSmallIntegerField(_("级别"), default=1)
    escalate_at = models.DateTimeField(_("升级时间"))
    notified_level = models.PositiveSmallIntegerField(default=0, editable=False)
    # Escalated and still unacknowledged: the emergency contacts are told one
    # after another, in order, every CONTACT_EVERY (see alarms.contacts_tell).
    contacts_told = models.PositiveSmallIntegerField(default=0, editable=False)
    contact_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理完毕"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.CharField(_("处理结果"), max_length=12, choices=Outcome.choices, blank=True)
    note = models.CharField(_("处理说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("报警")
        verbose_name_plural = _("报警")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "window_closes_at"],
                condition=Q(kind="missed"),
                name="care_alert_once_per_window",
            ),
            models.CheckConstraint(
                condition=Q(kind="missed", window_closes_at__isnull=False)
                | ~Q(kind="missed") & Q(check_in__isnull=False),
                name="care_alert_has_its_cause",
            ),
        ]
        indexes = [
            models.Index(
                fields=["escalate_at"],
                condition=Q(acknowledged_at__isnull=True, level=1),
                name="care_alert_to_escalate",
            ),
            models.Index(
                fields=["raised_at"], condition=Q(notified_level=0), name="care_alert_to_notify"
            ),
        ]


class SweepMark(models.Model):
    """When the sweep last finished (one row): windows that closed long before were missed
    while the system was down, and their alerts say so."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M}"


class DutyPreference(CommunityOwned):
    """When a volunteer can take the duty phone line, and how much."""

    class Days(models.TextChoices):
        ANY = "any", _("每天都可以")
        WORKDAYS = "workdays", _("只在工作日")
        RESTDAYS = "restdays", _("只在休息日")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_preference"
    )
    days = models.CharField(_("可值班日"), max_length=10, choices=Days.choices, default=Days.ANY)
    unavailable = models.JSONField(_("不能值班的日期"), default=list, blank=True)
    max_shifts_per_month = models.PositiveSmallIntegerField(_("每月最多班次"), default=6)
    max_consecutive_days = models.PositiveSmallIntegerField(_("最多连续天数"), default=2)

    class Meta:
        verbose_name = _("值班意愿")
        verbose_name_plural = _("值班意愿")


class DutyShift(CommunityOwned):
    """One shift of the 12-hour duty phone line (08:00–20:00), and who holds it."""

    day = models.DateField(_("日期"))
    index = models.PositiveSmallIntegerField(_("班次"))
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duty_shifts",
        verbose_name=_("值班人"),
    )

    class Meta:
        verbose_name = _("值班班次")
        verbose_name_plural = _("值班表")
        ordering = ["day", "index"]
        constraints = [
            models.UniqueConstraint(fields=["community", "day", "index"], name="duty_shift_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.starts:%H:%M}–{self.ends:%H:%M}"


class SwapRequest(CommunityOwned):
    """A volunteer asks to hand a shift to another; a coordinator approves or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("未同意")

    shift = models.ForeignKey(DutyShift, on_delete=models.CASCADE, related_name="swaps")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("换班申请")
        verbose_name_plural = _("换班申请")
        ordering = ["-created_at"]


class Incident(CommunityOwned):
    """A fall, an accident or a hospital admission of an enrolled person."""

    class Kind(models.TextChoices):
        FALL = "fall", _("跌倒")
        ACCIDENT = "accident", _("其他意外")
        HOSPITAL = "hospital", _("住院")

    recipient = models.ForeignKey(CareRecipient, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(_("发生日期"))
    alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    note = models.CharField(_("经过"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("意外事件")
        verbose_name_plural = _("意外事件")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["community", "occurred_on"], name="care_incident_day")]
