"""Volunteer service records (志愿服务记录), their corrections, certificates and points.

Follows the national rules for volunteer records (志愿服务记录与证明出具办法):
the organization that organized a service records it and verifies it
(谁组织谁记录，谁记录谁证明); hours are the actual service time without travel;
a record is never edited silently: every change after the fact goes through a
correction and leaves a revision row.

The volunteer's personal facts (name, sex, birth date, ID number, contact) are
the registry's; only what the registry does not hold (the volunteer number and
skills) lives here, on VolunteerProfile.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kuihua.core.tenancy import CommunityOwned


class VolunteerProfile(CommunityOwned):
    """What makes a resident a registered volunteer: a volunteer number and skills."""

    resident = models.OneToOneField(
        "registry.Resident",
        on_delete=models.CASCADE,
        related_name="volunteer_profile",
        verbose_name=_("居民"),
    )
    # Set right after the insert from the row's id ("KH-<community code>-000123"), so
    # two volunteers registering at once never race for a number.
    number = models.CharField(_("志愿者编号"), max_length=80, null=True, blank=True)
    skills = models.TextField(_("技能特长"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿者档案")
        verbose_name_plural = _("志愿者档案")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="volunteer_number_unique")
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class ServiceRecord(CommunityOwned):
    """One piece of service by one volunteer (志愿服务记录).

    From attendance (one record per attendance at most, by the one-to-one link,
    and one per volunteer and activity unless rejected) or entered by hand with
    evidence and a reason. Pending until the recording
    organization verifies it; only verified records count in totals, earn
    points and go on certificates.
    """

    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("签到签退")
        MANUAL = "manual", _("手工补录")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        VERIFIED = "verified", _("已审核")
        REJECTED = "rejected", _("已驳回")

    class Quality(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        QUALIFIED = "qualified", _("合格")
        UNQUALIFIED = "unqualified", _("不合格")

    # Empty once the volunteer is erased: a verified record stays in the community's
    # and the organization's hours, by nobody (docs/privacy.md).
    volunteer = models.ForeignKey(
        "registry.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_records",
        verbose_name=_("志愿者"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="service_records",
        verbose_name=_("记录组织"),
    )
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_records",
        verbose_name=_("活动"),
    )
    attendance = models.OneToOneField(
        "activities.Attendance",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_record",
        verbose_name=_("签到记录"),
    )
    # What the service was (服务项目 in the record rules: an activity's title,
    # "助老送餐"): free text, on the record and the certificate.
    service_item = models.CharField(_("服务事项"), max_length=200)
    # The public-welfare project the service was part of, whose hours it counts in
    # (kuihua.projects.outputs; an attendance's record takes its activity's).
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_records",
        verbose_name=_("所属公益项目"),
    )
    date = models.DateField(_("服务日期"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("服务地点"), max_length=200, blank=True)
    recipients = models.CharField(_("服务对象"), max_length=200, blank=True)
    content = models.TextField(_("服务内容"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=7, decimal_places=2)
    quality = models.CharField(
        _("服务质量评价"), max_length=16, choices=Quality.choices, blank=True
    )
    person_in_charge = models.CharField(_("负责人"), max_length=40, blank=True)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    evidence = models.TextField(_("证明材料"), blank=True)
    reason = models.TextField(_("补录原因"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    verified_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reject_reason = models.CharField(_("驳回原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["community", "volunteer", "status", "date"]),
            models.Index(fields=["community", "organization", "status", "date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="service_hours_positive"),
            # A record entered by hand says why and on what evidence.
            models.CheckConstraint(
                condition=Q(source="attendance") | (~Q(reason="") & ~Q(evidence="")),
                name="service_manual_has_reason_and_evidence",
            ),
            # One volunteer, one activity, one record that counts (pending or verified).
            # A rejected record steps aside so the organization can record it again;
            # a record of no activity (entered by hand) is not limited.
            models.UniqueConstraint(
                fields=["volunteer", "activity"],
                condition=Q(activity__isnull=False) & ~Q(status="rejected"),
                name="service_record_once_per_volunteer_activity",
                violation_error_message=_("该志愿者在这次活动已有服务记录，不能重复登记"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.date} {self.hours}h"


class CorrectionRequest(CommunityOwned):
    """A request to change a record's hours or content (更正申请), decided by the organizer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("未同意")

    record = models.ForeignKey(
        ServiceRecord,
        on_delete=models.CASCADE,
        related_name="corrections",
        verbose_name=_("服务记录"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    hours = models.DecimalField(
        _("更正后时长（小时）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    content = models.TextField(_("更正后内容"), blank=True)
    reason = models.TextField(_("更正理由"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("更正申请")
        verbose_name_plural = _("更正申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open request per record: the organizer decides one thing at a time.
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(status="pending"),
                name="correction_one_pending_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.status}"


class RecordRevision(CommunityOwned):
    """One change to a record after it was made: old and new values, who and why."""

    record = models.ForeignKey(
        ServiceRecord,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name=_("服务记录"),
    )
    correction = models.OneToOneField(
        CorrectionRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revision",
        verbose_name=_("更正申请"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("修改人"),
    )
    reason = models.TextField(_("修改原因"))
    old = models.JSONField(_("原值"), default=dict)
    new = models.JSONField(_("新值"), default=dict)
    created_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("记录修改痕迹")
        verbose_name_plural = _("记录修改痕迹")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.old} → {self.new}"


class PointsRule(CommunityOwned):
    """How many incentive points (爱心积分) one verified hour earns in this community."""

    points_per_hour = models.DecimalField(
        _("每小时积分"), max_digits=6, decimal_places=2, default=1
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        constraints = [
            models.UniqueConstraint(fields=["community"], name="points_rule_once_per_community"),
            models.CheckConstraint(
                condition=Q(points_per_hour__gte=0), name="points_rate_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return str(self.points_per_hour)


class PointsEntry(CommunityOwned):
    """One line of a volunteer's points ledger. Append-only: the balance is the sum.

    A posted entry is never changed or deleted; a correction posts an adjusting
    entry and a purchase at the charity market a negative one.
    """

    class Kind(models.TextChoices):
        EARN = "earn", _("服务获得")
        ADJUST = "adjust", _("更正调整")
        SPEND = "spend", _("兑换使用")

    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.CASCADE,
        related_name="points_entries",
        verbose_name=_("志愿者"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    points = models.DecimalField(_("积分"), max_digits=10, decimal_places=2)
    # The hours and rate an earned or adjusted entry was computed from.
    hours = models.DecimalField(
        _("时长（小时）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(
        _("每小时积分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    record = models.ForeignKey(
        ServiceRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="points_entries",
        verbose_name=_("服务记录"),
    )
    correction = models.ForeignKey(
        CorrectionRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="points_entries",
        verbose_name=_("更正申请"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "resident", "created_at"])]
        constraints = [
            # A record earns once, whatever the race between two verifiers.
            models.UniqueConstraint(
                fields=["record"], condition=Q(kind="earn"), name="points_earned_once_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}: {self.points}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("points entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("points entries are append-only")


class Certificate(CommunityOwned):
    """A certificate of service (志愿服务证明) as issued: a snapshot, verifiable by its code.

    The holder's name and ID number are kept masked only; the PDF takes the
    name from the registry when it is rendered.
    """

    number = models.CharField(_("证明编号"), max_length=80, unique=True, null=True, blank=True)
    code = models.CharField(_("验证码"), max_length=64, unique=True, null=True, blank=True)
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.CASCADE,
        related_name="certificates",
        verbose_name=_("志愿者"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("出具组织"),
    )
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=9, decimal_places=2)
    record_count = models.PositiveIntegerField(_("服务次数"), default=0)
    content_summary = models.TextField(_("服务内容"), blank=True)
    holder_masked_name = models.CharField(_("姓名（脱敏）"), max_length=40)
    holder_masked_id = models.CharField(_("身份证号（脱敏）"), max_length=40, blank=True)
    volunteer_number = models.CharField(_("志愿者编号"), max_length=80, blank=True)
    person_in_charge = models.CharField(_("负责人"), max_length=40, blank=True)
    handler = models.CharField(_("经办人"), max_length=40, blank=True)
    contact = models.CharField(_("联系方式"), max_length=60, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("出具人"),
    )
    issued_at = models.DateTimeField(_("出具时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="certificate_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"
