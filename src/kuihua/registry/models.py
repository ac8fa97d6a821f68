from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuihua.core.crypto import EncryptedTextField
from kuihua.core.tenancy import CommunityOwned


class Compound(CommunityOwned):
    """A residential compound (小区); some have no property company and are run by stewards."""

    name = models.CharField(_("小区名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    has_property_company = models.BooleanField(_("有物业公司"), default=True)
    property_company = models.CharField(_("物业公司"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="compound_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Building(CommunityOwned):
    """A building (楼栋) in a compound."""

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("小区")
    )
    name = models.CharField(_("楼栋"), max_length=40)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["compound_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="building_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.compound.name}{self.name}"


class Household(CommunityOwned):
    """A household (户) at one address: building, unit (单元) and room (室)."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("楼栋")
    )
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("室"), max_length=20)
    notes = models.TextField(_("备注"), blank=True)
    # The home's exclusive floor area (专有部分面积, m²): with the owners, what owners' votes
    # and fees per m² count. Unknown until entered.
    exclusive_area = models.DecimalField(
        _("专有面积（㎡）"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["building_id", "unit", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"], name="household_address_unique"
            )
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.building}{unit}{self.room}室"


# How the preset tags read in the UI language; the stored name stays Chinese,
# as the sheets and the community's own records have it.
SYSTEM_TAG_LABELS = {
    "living_alone": _("独居"),
    "advanced_age": _("高龄"),
    "ill_disabled": _("病残"),
    "low_income": _("困难家庭"),
    "disabled_child": _("残疾儿童"),
    "youth": _("青少年"),
}


class Tag(CommunityOwned):
    """A label that drives services (独居, 高龄, 病残 …). Coordinators can add their own.

    Tags marked sensitive describe health or disability: masked in lists and
    shown only to roles that need them.
    """

    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=40)
    is_sensitive = models.BooleanField(_("涉及健康（敏感）"), default=False)
    is_system = models.BooleanField(_("系统预置"), default=False)

    class Meta:
        verbose_name = _("人员标签")
        verbose_name_plural = _("人员标签")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="tag_code_unique"),
            models.UniqueConstraint(fields=["community", "name"], name="tag_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name to show: a preset tag in the user's language, a community's own as typed."""
        if self.is_system and self.code in SYSTEM_TAG_LABELS:
            return str(SYSTEM_TAG_LABELS[self.code])
        return self.name


class Resident(CommunityOwned):
    """A person registered in the community (居民).

    ID number, phone and health conditions are encrypted at rest; the `*_index`
    columns are keyed hashes for exact search (see kuihua.core.crypto).
    """

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        SIBLING = "sibling", _("兄弟姐妹")
        OTHER = "other", _("其他")

    class Political(models.TextChoices):
        MASSES = "masses", _("群众")
        PARTY_MEMBER = "party", _("中共党员")
        PROBATIONARY = "probationary", _("中共预备党员")
        LEAGUE = "league", _("共青团员")
        DEMOCRATIC = "democratic", _("民主党派")

    name = models.CharField(_("姓名"), max_length=40, db_index=True)
    # Up to six letters a syllable for a 40-character name.
    name_pinyin = models.CharField(_("姓名全拼"), max_length=240, db_index=True, editable=False)
    name_initials = models.CharField(_("姓名首字母"), max_length=40, db_index=True, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True, default="汉族")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    id_number_index = models.CharField(max_length=64, blank=True, editable=False)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, editable=False)
    phone_last4_index = models.CharField(max_length=64, blank=True, editable=False)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("户"),
    )
    relation_to_head = models.CharField(
        _("与户主关系"), max_length=16, choices=Relation.choices, default=Relation.HEAD
    )
    political_status = models.CharField(
        _("政治面貌"), max_length=16, choices=Political.choices, default=Political.MASSES
    )
    category = models.CharField(_("人员类别"), max_length=40, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="residents", verbose_name=_("标签"))
    health_conditions = EncryptedTextField(_("健康状况"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["name_pinyin", "id"]
        indexes = [
            models.Index(fields=["community", "id_number_index"], name="resident_id_idx"),
            models.Index(fields=["community", "phone_last4_index"], name="resident_phone4_idx"),
            models.Index(fields=["community", "name_initials"], name="resident_initials_idx"),
            models.Index(fields=["community", "birth_date"], name="resident_birth_idx"),
        ]
        constraints = [
            # An ID number is registered once per community; empty means "not given".
            models.UniqueConstraint(
                fields=["community", "id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="resident_id_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_party_member(self) -> bool:
        return self.political_status in (self.Political.PARTY_MEMBER, self.Political.PROBATIONARY)


class EmergencyContact(CommunityOwned):
    """Whom to call, in order, when something happens to a resident."""

    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="emergency_contacts",
        verbose_name=_("居民"),
    )
    name = models.CharField(_("联系人"), max_length=40)
    relation = models.CharField(_("关系"), max_length=20, blank=True)
    phone = EncryptedTextField(_("联系电话"))
    priority = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("紧急联系人")
        verbose_name_plural = _("紧急联系人")
        ordering = ["resident_id", "priority", "id"]

    def __str__(self) -> str:
        return self.name


class Ownership(CommunityOwned):
    """One owner (业主) of one home (a household's address). A home may have several
    co-owners; a person may own several homes.

    The owner is a registered resident, or a named person who lives elsewhere
    (name and phone only; the phone's keyed index recognises the same person at
    another home). How owners count in a vote: `selectors.compound_electorate`.
    """

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="ownerships", verbose_name=_("房屋")
    )
    # Erasing a resident erases their ownership rows with them (docs/privacy.md).
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ownerships",
        verbose_name=_("居民"),
    )
    name = models.CharField(_("业主姓名"), max_length=40)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("业主")
        verbose_name_plural = _("业主")
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "resident"],
                condition=models.Q(resident__isnull=False),
                name="ownership_resident_unique",
            ),
            models.UniqueConstraint(
                fields=["household", "name", "phone_index"],
                condition=models.Q(resident__isnull=True),
                name="ownership_outside_owner_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def person_key(self) -> str:
        """The same person at every home they own: a resident by record, anyone else by
        name and phone. Without a phone a name alone is no proof (two 张伟 are two
        people): such an owner is their own person, at this home only."""
        if self.resident_id:
            return f"resident:{self.resident_id}"
        if not self.phone_index:
            return f"ownership:{self.pk}"
        return f"named:{self.name}:{self.phone_index}"


class Consent(CommunityOwned):
    """A resident's consent (or its withdrawal) to one use of their data: who, when, what for."""

    class Purpose(models.TextChoices):
        REGISTRY = "registry", _("社区登记与服务")
        CARE = "care", _("关爱服务（幸福来敲门）")
        SHARE_WITH_PROVIDER = "share", _("向服务提供方提供联系方式")
        PUBLICITY = "publicity", _("活动照片宣传")
        SENSITIVE = "sensitive", _("处理健康等敏感信息")

    class Method(models.TextChoices):
        PAPER = "paper", _("纸质签字")
        VERBAL = "verbal", _("口头（工作人员记录）")
        ONLINE = "online", _("线上确认")

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="consents", verbose_name=_("居民")
    )
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    granted = models.BooleanField(_("同意"), default=True)
    method = models.CharField(_("方式"), max_length=16, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("授权同意记录")
        verbose_name_plural = _("授权同意记录")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.granted}"
