"""爱心集市: the monthly charity market, its stalls, and what is sold there.

A `MarketDay` is one occurrence (an `Activity`, with its room booking) of the
community's monthly market series. Organizations hold a `Stall` on it; each
`StallItem` (goods or a service) has a price in yuan, in points, or both.

A `Sale` is recorded once per idempotency key (a double tap records once). Paid
in cash or by transfer, its proceeds are split by the community's `MarketRule`
between the organization's own fund and the public-welfare fund and posted to
both ledgers in the sale's transaction. Paid in points, it spends the buyer's
points (爱心积分, kuihua.service_records `PointsEntry`) through
`points_spend`, which locks the buyer's balance first, so the same points are
never spent twice; the spending entry is `Sale.points_entry`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kuihua.core.money import money_field
from kuihua.core.tenancy import CommunityOwned


class MarketRule(CommunityOwned):
    """How a community splits market proceeds: the organization's share, the rest to 公益金."""

    organization_percent = models.PositiveSmallIntegerField(_("组织自有资金比例（%）"), default=70)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("集市收入分配规则")
        verbose_name_plural = _("集市收入分配规则")
        constraints = [
            models.UniqueConstraint(fields=["community"], name="market_rule_once_per_community"),
            models.CheckConstraint(
                condition=Q(organization_percent__lte=100), name="market_rule_percent_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_percent}%"


class MarketDay(CommunityOwned):
    """One market day: an occurrence of the monthly market series, where it was booked."""

    activity = models.OneToOneField(
        "activities.Activity",
        on_delete=models.PROTECT,
        related_name="market_day",
        verbose_name=_("集市活动"),
    )
    date = models.DateField(_("集市日期"))
    closed_at = models.DateTimeField(_("收摊时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("集市日")
        verbose_name_plural = _("集市日")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["community", "date"], name="market_day_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class Stall(CommunityOwned):
    """An organization's stall on a market day."""

    market_day = models.ForeignKey(
        MarketDay, on_delete=models.PROTECT, related_name="stalls", verbose_name=_("集市日")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="market_stalls",
        verbose_name=_("摆摊组织"),
    )
    name = models.CharField(_("摊位名称"), max_length=60)
    number = models.PositiveSmallIntegerField(_("摊位号"), default=0)

    class Meta:
        verbose_name = _("摊位")
        verbose_name_plural = _("摊位")
        ordering = ["market_day_id", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["market_day", "organization"], name="market_stall_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return self.name


class StallItem(CommunityOwned):
    """Something a stall offers: goods (手工拖鞋) or a service (磨剪刀), for yuan and/or points."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("物品")
        SERVICE = "service", _("服务")

    stall = models.ForeignKey(
        Stall, on_delete=models.CASCADE, related_name="items", verbose_name=_("摊位")
    )
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.GOODS)
    price_fen = money_field(_("价格（分）"), null=True, blank=True)
    price_points = models.DecimalField(
        _("积分价格"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    # None: no count kept (a service); otherwise what is left to sell.
    stock = models.PositiveIntegerField(_("库存"), null=True, blank=True)

    class Meta:
        verbose_name = _("摊位商品")
        verbose_name_plural = _("摊位商品")
        ordering = ["stall_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stall", "name"], name="market_item_name_unique"),
            models.CheckConstraint(
                condition=Q(price_fen__isnull=False) | Q(price_points__isnull=False),
                name="market_item_has_a_price",
            ),
            models.CheckConstraint(
                condition=Q(price_fen__isnull=True) | Q(price_fen__gt=0),
                name="market_item_price_positive",
            ),
            models.CheckConstraint(
                condition=Q(price_points__isnull=True) | Q(price_points__gt=0),
                name="market_item_points_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Sale(CommunityOwned):
    """One sale at a stall: what, how many, how it was paid, and where the money went."""

    class Method(models.TextChoices):
        CASH = "cash", _("现金")
        TRANSFER = "transfer", _("转账/扫码")
        POINTS = "points", _("爱心积分")

    stall = models.ForeignKey(
        Stall, on_delete=models.PROTECT, related_name="sales", verbose_name=_("摊位")
    )
    item = models.ForeignKey(
        StallItem, on_delete=models.PROTECT, related_name="sales", verbose_name=_("商品")
    )
    quantity = models.PositiveIntegerField(_("数量"))
    method = models.CharField(_("付款方式"), max_length=10, choices=Method.choices)
    amount_fen = money_field(_("金额（分）"), default=0)
    points = models.DecimalField(_("积分"), max_digits=10, decimal_places=2, default=0)
    buyer = models.ForeignKey(
        "registry.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="market_purchases",
        verbose_name=_("购买居民"),
    )
    # Null again only when the buyer's record is erased (their points go with them).
    points_entry = models.OneToOneField(
        "service_records.PointsEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="market_sale",
        verbose_name=_("积分明细"),
    )
    # The proceeds posted: the organization's share and the public-welfare share.
    organization_fen = money_field(_("组织所得（分）"), default=0)
    welfare_fen = money_field(_("公益金所得（分）"), default=0)
    organization_entry = models.OneToOneField(
        "ledger.Entry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="market_sale_organization",
        verbose_name=_("组织资金凭证"),
    )
    welfare_entry = models.OneToOneField(
        "ledger.Entry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="market_sale_welfare",
        verbose_name=_("公益金凭证"),
    )
    idempotency_key = models.CharField(max_length=64)
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("收款人"),
    )
    sold_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("集市销售")
        verbose_name_plural = _("集市销售")
        ordering = ["-sold_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "idempotency_key"], name="market_sale_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="market_sale_quantity_positive"
            ),
            # Points are paid by a named resident (the service requires the buyer), and
            # money by someone who may stay anonymous. An erased buyer leaves the sale
            # without one, so the database asks only for the points.
            models.CheckConstraint(
                condition=~Q(method="points") | Q(points__gt=0),
                name="market_points_sale_has_points",
            ),
            models.CheckConstraint(
                condition=Q(method="points") | Q(amount_fen__gt=0),
                name="market_money_sale_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(organization_fen__gte=0, welfare_fen__gte=0),
                name="market_sale_shares_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["stall", "sold_at"], name="market_sale_stall")]

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity}"
