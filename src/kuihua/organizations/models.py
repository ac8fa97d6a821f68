from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kuihua.core.crypto import EncryptedTextField
from kuihua.core.tenancy import CommunityOwned


class Category(models.TextChoices):
    """The five categories; each is grouped under one party branch (支部)."""

    GOVERNANCE = "governance", _("治理型")
    CULTURE_SPORTS = "culture", _("文体型")
    SERVICE = "service", _("服务型")
    WELFARE = "welfare", _("公益志愿型")
    LEARNING = "learning", _("学习型")


class Stage(models.TextChoices):
    """Filing (备案) and growth lifecycle, in order."""

    INCUBATING = "incubating", _("孵化中")
    FILED = "filed", _("已备案")
    REGISTERED = "registered", _("已登记")
    BRAND = "brand", _("品牌组织")


STAGE_ORDER = [Stage.INCUBATING, Stage.FILED, Stage.REGISTERED, Stage.BRAND]


class Branch(CommunityOwned):
    """A party branch (支部) under which one category of organizations is grouped."""

    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    name = models.CharField(_("支部名称"), max_length=100)
    secretary = models.CharField(_("支部书记"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("支部")
        verbose_name_plural = _("支部")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "category"], name="branch_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Organization(CommunityOwned):
    """A volunteer-run social organization (社会组织): a petal of the sunflower."""

    name = models.CharField(_("组织名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("所属支部")
    )
    stage = models.CharField(
        _("发展阶段"), max_length=16, choices=Stage.choices, default=Stage.INCUBATING
    )
    description = models.TextField(_("简介"), blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    incubated_on = models.DateField(_("孵化日期"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    branded_on = models.DateField(_("品牌认定日期"), null=True, blank=True)
    leader = models.ForeignKey(
        "registry.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_organizations",
        verbose_name=_("负责人"),
    )
    funds_note = models.CharField(_("自有资金说明"), max_length=200, blank=True)
    # The organization's own fund (自有资金): its ledger, opened with its first income.
    fund_ledger = models.OneToOneField(
        "ledger.Ledger",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organization",
        verbose_name=_("自有资金账本"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="organization_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(CommunityOwned):
    """A resident's membership of an organization, with a role."""

    class Role(models.TextChoices):
        LEADER = "leader", _("负责人")
        DEPUTY = "deputy", _("副负责人")
        BACKBONE = "backbone", _("骨干")
        MEMBER = "member", pgettext_lazy("one person", "成员")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("组织")
    )
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=pgettext_lazy("one person", "成员"),
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("组织成员")
        verbose_name_plural = _("组织成员")
        ordering = ["organization_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "resident"], name="membership_once_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.organization}"


class StageChange(CommunityOwned):
    """One step of an organization through the lifecycle: dated and attributed."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("原阶段"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=16, choices=Stage.choices)
    on = models.DateField(_("日期"))
    by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("发展阶段变更")
        verbose_name_plural = _("发展阶段变更")
        ordering = ["organization_id", "on", "id"]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.from_stage} → {self.to_stage}"


class PartnerUnit(CommunityOwned):
    """A unit that also provides services: government department, enterprise, institution.

    Its contact account (`contact_user`, an account of the same community) acts for the
    unit on the orders given to its service offers.
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("政府部门")
        ENTERPRISE = "enterprise", _("企业")
        INSTITUTION = "institution", _("事业单位/机构")

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    services = models.TextField(_("提供的服务"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True)
    # The unit's account in Kuihua: sees and serves the orders of the unit's service
    # offers (matching), as a volunteer does their own. Named by a coordinator.
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_units",
        verbose_name=_("接单人账号"),
    )

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="partner_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
