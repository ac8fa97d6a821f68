"""项目化运作: services run as projects "like construction projects".

A `Project` belongs to a `ProjectDomain` (the community's own list), is led by one
organization with partners, names its beneficiaries, and keeps a plan
(`Milestone`), a budget by line (`BudgetLine`, each an expense account of the
project's own ledger), its funding (`Funding`, each posted to that ledger) and its
outcome indicators (`OutcomeIndicator`).

What a project delivered is never typed in: activities, series, drives, needs,
service offers, care enrolments and service records name the project they belong
to (their `project` field), and the outputs are counted from those rows
(kuihua.projects.outputs; "person-time" is defined in docs/person-time.md).
Money goes through the one ledger (kuihua.ledger, docs/adr/0014-ledger.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kuihua.core.money import money_field
from kuihua.core.tenancy import CommunityOwned


class ProjectDomain(CommunityOwned):
    """A field the community's projects work in (关爱独居老人, 青少年成长 …): its own list."""

    name = models.CharField(_("领域名称"), max_length=40)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("项目领域")
        verbose_name_plural = _("项目领域")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="project_domain_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Project(CommunityOwned):
    """A public-welfare project (公益项目) with its lead, partners, plan, money and outcomes."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("筹备中")
        RUNNING = "running", _("实施中")
        FINISHED = "finished", _("已结项")
        CANCELLED = "cancelled", _("已终止")

    domain = models.ForeignKey(
        ProjectDomain, on_delete=models.PROTECT, related_name="projects", verbose_name=_("领域")
    )
    name = models.CharField(_("项目名称"), max_length=100)
    summary = models.TextField(_("项目简介"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PLANNING
    )
    lead_organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("牵头组织"),
    )
    partner_organizations = models.ManyToManyField(
        "organizations.Organization",
        blank=True,
        related_name="partner_projects",
        verbose_name=_("合作组织"),
    )
    partner_units = models.ManyToManyField(
        "organizations.PartnerUnit",
        blank=True,
        related_name="projects",
        verbose_name=_("共建单位"),
    )
    # Who it serves: groups by tag (独居, 高龄 …) and people by name.
    beneficiary_tags = models.ManyToManyField(
        "registry.Tag", blank=True, related_name="projects", verbose_name=_("服务人群")
    )
    beneficiaries = models.ManyToManyField(
        "registry.Resident",
        blank=True,
        related_name="beneficiary_of_projects",
        verbose_name=_("服务对象"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    # The planned outputs, held against what the attributed work counts.
    target_person_times = models.PositiveIntegerField(_("计划服务人次"), null=True, blank=True)
    target_people = models.PositiveIntegerField(_("计划服务人数"), null=True, blank=True)
    target_hours = models.DecimalField(
        _("计划志愿服务时长"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    ledger = models.OneToOneField(
        "ledger.Ledger",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project",
        verbose_name=_("项目账本"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公益项目")
        verbose_name_plural = _("公益项目")
        ordering = ["domain__position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="project_name_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="project_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(CommunityOwned):
    """One step of a project's plan, due on a day and done (or not) on another."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("项目")
    )
    title = models.CharField(_("计划事项"), max_length=200)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("项目计划节点")
        verbose_name_plural = _("项目计划节点")
        ordering = ["project_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class BudgetLine(CommunityOwned):
    """One line of a project's budget: an expense account of its ledger and its amount.

    What was spent on the line is the sum of the posted legs on `account`.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("项目")
    )
    account = models.OneToOneField(
        "ledger.Account",
        on_delete=models.PROTECT,
        related_name="project_budget_line",
        verbose_name=_("支出科目"),
    )
    amount_fen = money_field(_("预算金额（分）"))

    class Meta:
        verbose_name = _("项目预算")
        verbose_name_plural = _("项目预算")
        ordering = ["project_id", "account__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gte=0), name="project_budget_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.account_id}"


class Funding(CommunityOwned):
    """Money that came to a project: a subsidy with its source and conditions, a donation,
    or market proceeds. Each is posted to the project's ledger (`entry`)."""

    class Kind(models.TextChoices):
        SUBSIDY = "subsidy", _("政府补贴/资助")
        DONATION = "donation", _("社会捐赠")
        MARKET = "market", _("集市义卖收入")
        OTHER = "other", _("其他收入")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="fundings", verbose_name=_("项目")
    )
    kind = models.CharField(_("资金类型"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("资金来源"), max_length=200)
    conditions = models.TextField(_("使用条件"), blank=True)
    amount_fen = money_field(_("金额（分）"))
    received_on = models.DateField(_("到账日期"))
    entry = models.OneToOneField(
        "ledger.Entry",
        on_delete=models.PROTECT,
        related_name="project_funding",
        verbose_name=_("记账凭证"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目资金")
        verbose_name_plural = _("项目资金")
        ordering = ["project_id", "received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="project_funding_positive")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.amount_fen}"


class OutcomeIndicator(CommunityOwned):
    """An outcome a project promises (成效指标): a baseline, a target and what was measured.

    Where Kuihua holds the data, the measured value is computed, never typed:
    `source` names the computation (the care programme's accident rate among the
    project's enrolled people). A `manual` indicator carries the value a
    coordinator recorded, with the day and how it was measured.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("人工测量")
        CARE_ACCIDENT_RATE = "care_accident_rate", _("关爱对象意外发生率（系统计算）")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("项目")
    )
    name = models.CharField(_("指标名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    source = models.CharField(
        _("数据来源"), max_length=24, choices=Source.choices, default=Source.MANUAL
    )
    baseline = models.DecimalField(_("基线值"), max_digits=12, decimal_places=4)
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=4)
    lower_is_better = models.BooleanField(_("越低越好"), default=False)
    measured = models.DecimalField(
        _("实测值"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    measured_on = models.DateField(_("测量日期"), null=True, blank=True)
    method = models.CharField(_("测量方法"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("成效指标")
        verbose_name_plural = _("成效指标")
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="project_indicator_unique")
        ]

    def __str__(self) -> str:
        return self.name
