"""Needs and services, precisely matched (需求清单·服务清单·精准对接).

A resident's need (raised by them, by a coordinator, or by a volunteer on a
visit) and a provider's service offer (an organization, a volunteer, a
government department, an enterprise, an institution) are matched by a run of
the solver (`solver.py`); the coordinator accepts or overrides its proposals;
the provider serves; the resident rates. Every completed service leaves a
`ServiceDelivery` with the provider's type, so "share of services delivered by
social organizations" is a computed fact.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kuihua.core.tenancy import CommunityOwned

# Days are a bit mask, Monday = bit 0 … Sunday = bit 6; parts of the day likewise.
ALL_DAYS = 0b1111111
WEEKDAYS = 0b0011111
DAY_NAMES = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]
ALL_SLOTS = 0b111
SLOT_NAMES = [_("上午"), _("下午"), _("晚上")]


class ProviderType(models.TextChoices):
    ORGANIZATION = "organization", _("社会组织")
    VOLUNTEER = "volunteer", _("志愿者个人")
    GOVERNMENT = "government", _("政府部门")
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("事业单位/机构")


class ServiceCategory(CommunityOwned):
    """One kind of service (助餐, 理发, 陪诊 …); presets plus the community's own."""

    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=40)
    is_system = models.BooleanField(_("系统预置"), default=False)

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="service_category_code"),
            models.UniqueConstraint(fields=["community", "name"], name="service_category_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceOffer(CommunityOwned):
    """What one provider offers: categories, weekly capacity, area, availability."""

    provider_type = models.CharField(_("提供方类型"), max_length=16, choices=ProviderType.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_offers",
        verbose_name=_("社会组织"),
    )
    volunteer = models.ForeignKey(
        "registry.Resident",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_offers",
        verbose_name=_("志愿者"),
    )
    partner = models.ForeignKey(
        "organizations.PartnerUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_offers",
        verbose_name=_("共建单位"),
    )
    name = models.CharField(_("服务名称"), max_length=100)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_offers",
        verbose_name=_("所属公益项目"),
    )
    main_category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("主要类别")
    )
    categories = models.ManyToManyField(
        ServiceCategory, related_name="offers", verbose_name=_("可提供的类别")
    )
    capacity_per_week = models.PositiveSmallIntegerField(_("可同时接单数"), default=1)
    serves_all = models.BooleanField(_("服务全社区"), default=False)
    compounds = models.ManyToManyField(
        "registry.Compound", blank=True, related_name="+", verbose_name=_("服务小区")
    )
    base_building = models.ForeignKey(
        "registry.Building",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在楼栋"),
    )
    base_compound = models.ForeignKey(
        "registry.Compound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在小区"),
    )
    days = models.PositiveSmallIntegerField(_("可服务日"), default=ALL_DAYS)
    slots = models.PositiveSmallIntegerField(_("可服务时段"), default=ALL_SLOTS)
    is_free = models.BooleanField(_("免费"), default=True)
    price_note = models.CharField(_("收费说明"), max_length=100, blank=True)
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_offers",
        verbose_name=_("接单人账号"),
    )
    active = models.BooleanField(_("接单中"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务清单")
        verbose_name_plural = _("服务清单")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity_per_week__gte=1), name="offer_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(days__gt=0, days__lte=ALL_DAYS) & Q(slots__gt=0, slots__lte=ALL_SLOTS),
                name="offer_availability_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_institutional(self) -> bool:
        return self.provider_type in (
            ProviderType.ORGANIZATION,
            ProviderType.GOVERNMENT,
            ProviderType.INSTITUTION,
        )


class Need(CommunityOwned):
    """One resident's need, from raised to rated (or cancelled/closed with a reason)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待对接")
        PROPOSED = "proposed", _("已推荐")
        MATCHED = "matched", _("已派单")
        IN_SERVICE = "in_service", _("服务中")
        DONE = "done", _("已完成")
        RATED = "rated", _("已评价")
        CANCELLED = "cancelled", _("已取消")
        CLOSED = "closed", _("已关闭")

    class Urgency(models.IntegerChoices):
        LOW = 1, _("不急")
        NORMAL = 2, _("一般")
        HIGH = 3, _("较急")
        URGENT = 4, _("紧急")

    class Recurrence(models.TextChoices):
        ONCE = "once", _("一次")
        WEEKDAYS = "weekdays", _("工作日每天")
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")

    class Channel(models.TextChoices):
        RESIDENT = "resident", _("居民自己提出")
        COORDINATOR = "coordinator", _("社区工作者代录")
        VOLUNTEER = "volunteer", _("志愿者走访收集")

    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.CASCADE, related_name="needs", verbose_name=_("居民")
    )
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="needs", verbose_name=_("类别")
    )
    description = models.TextField(_("需求说明"), blank=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("所属公益项目"),
    )
    urgency = models.PositiveSmallIntegerField(
        _("紧急程度"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    days = models.PositiveSmallIntegerField(_("希望服务日"), default=ALL_DAYS)
    slots = models.PositiveSmallIntegerField(_("希望时段"), default=ALL_SLOTS)
    recurrence = models.CharField(
        _("频次"), max_length=16, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    # Where: the resident's household when raised (for distance and area).
    building = models.ForeignKey(
        "registry.Building", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    compound = models.ForeignKey(
        "registry.Compound", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent_to_share = models.BooleanField(_("同意向服务方提供联系方式"), default=False)
    channel = models.CharField(_("来源"), max_length=16, choices=Channel.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    provider = models.ForeignKey(
        ServiceOffer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("服务方"),
    )
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_comment = models.CharField(_("评价"), max_length=200, blank=True)
    close_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community", "status"], name="need_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="need_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(days__gt=0, days__lte=ALL_DAYS) & Q(slots__gt=0, slots__lte=ALL_SLOTS),
                name="need_times_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} #{self.pk}"


class NeedEvent(CommunityOwned):
    """One step of a need's life: when, by whom, to which status, with a note."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("状态"), max_length=16, choices=Need.Status.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("需求进展")
        verbose_name_plural = _("需求进展")
        ordering = ["at", "id"]


class MatchRun(CommunityOwned):
    """One run of the matcher over every open need and all free capacity."""

    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    weights = models.JSONField(_("成本参数"), default=dict)
    needs = models.PositiveIntegerField(_("需求数"), default=0)
    providers = models.PositiveIntegerField(_("服务方数"), default=0)
    matched = models.PositiveIntegerField(_("推荐数"), default=0)
    total_cost = models.BigIntegerField(_("总成本"), default=0)
    seconds_solver = models.FloatField(_("求解用时（秒）"), default=0)
    seconds_total = models.FloatField(_("总用时（秒）"), default=0)

    class Meta:
        verbose_name = _("对接运行")
        verbose_name_plural = _("对接运行")
        ordering = ["-id"]


class Proposal(CommunityOwned):
    """What a run proposes for one need: a provider with its cost terms, or why none."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        ACCEPTED = "accepted", _("已采纳")
        OVERRIDDEN = "overridden", _("已改派")
        SUPERSEDED = "superseded", _("已过期")

    class Reason(models.TextChoices):
        NO_CATEGORY = "no_category", _("社区暂无提供该类服务的服务方")
        NO_AREA = "no_area", _("该类服务方都不覆盖居民所在小区")
        NO_TIME = "no_time", _("服务方在居民希望的日期和时段都没空")
        NO_CONSENT = "no_consent", _("居民未同意提供联系方式，只能由组织或机构服务，但附近没有")
        CAPACITY = "capacity", _("合适的服务方本周名额已满")

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="proposals")
    offer = models.ForeignKey(
        ServiceOffer, on_delete=models.CASCADE, null=True, related_name="proposals"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    cost = models.IntegerField(_("成本"), default=0)
    cost_distance = models.IntegerField(_("距离"), default=0)
    cost_fit = models.IntegerField(_("类别匹配"), default=0)
    cost_priority = models.IntegerField(_("紧急与等待"), default=0)
    cost_continuity = models.IntegerField(_("延续上次服务方"), default=0)
    cost_load = models.IntegerField(_("均衡负荷"), default=0)
    reason = models.CharField(_("未匹配原因"), max_length=16, choices=Reason.choices, blank=True)
    candidates = models.PositiveIntegerField(_("可选服务方数"), default=0)

    class Meta:
        verbose_name = _("对接建议")
        verbose_name_plural = _("对接建议")
        ordering = ["id"]
        # Each run supersedes the pending ones: found without reading every old run.
        indexes = [
            models.Index(
                fields=["community"],
                condition=Q(status="proposed"),
                name="proposal_pending",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "need"], name="proposal_once_per_need"),
            models.CheckConstraint(
                condition=Q(offer__isnull=False, reason="") | Q(offer__isnull=True) & ~Q(reason=""),
                name="proposal_offer_or_reason",
            ),
        ]


class ServiceDelivery(CommunityOwned):
    """A service delivered: who delivered what to whom, with the provider's type at the time.

    A need served once has one, made when it is done. A recurring need (weekly
    meals, daily escorts) has one per delivery, recorded as each is made, the last
    when the need is done: each is one person-time (docs/person-time.md).
    """

    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("需求")
    )
    offer = models.ForeignKey(
        ServiceOffer, on_delete=models.SET_NULL, null=True, related_name="deliveries"
    )
    provider_type = models.CharField(_("提供方类型"), max_length=16, choices=ProviderType.choices)
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="deliveries"
    )
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.CASCADE, related_name="service_deliveries"
    )
    delivered_at = models.DateTimeField(_("完成时间"))

    class Meta:
        verbose_name = _("服务完成记录")
        verbose_name_plural = _("服务完成记录")
        ordering = ["-delivered_at"]
        indexes = [models.Index(fields=["community", "delivered_at"], name="delivery_month")]
