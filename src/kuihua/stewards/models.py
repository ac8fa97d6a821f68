"""义管家: the fees, bills, payments and books of compounds without a property company.

Stewards are assigned to compounds (`StewardAssignment`); a compound's fees follow
its `FeeSchedule`; a billing run issues one `Bill` per home and period (a unique
constraint, so a repeated or concurrent run never bills twice); a `Payment` is
recorded once per idempotency key and takes the compound's next receipt number
from `CompoundBooks`, a counter moved inside the payment's own transaction, so
numbers have no gaps and no repeats. Money received is posted to the compound's
ledger (kuihua.ledger) in the same transaction. See docs/adr/0014-ledger.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kuihua.core.money import money_field
from kuihua.core.tenancy import CommunityOwned
from kuihua.ledger.models import Entry, Ledger
from kuihua.registry.models import Compound, Household


class StewardAssignment(CommunityOwned):
    """A steward (义管家) keeping one compound's books, from one day until another."""

    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        related_name="steward_assignments",
        verbose_name=_("小区"),
    )
    steward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="steward_assignments",
        verbose_name=pgettext_lazy("role", "义管家"),
    )
    since = models.DateField(_("开始日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("指派人"),
    )

    class Meta:
        verbose_name = _("义管家分工")
        verbose_name_plural = _("义管家分工")
        ordering = ["compound_id", "since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "steward"],
                condition=models.Q(until__isnull=True),
                name="steward_assignment_active_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.steward} @ {self.compound_id}"


class CompoundBooks(CommunityOwned):
    """A self-managed compound's books: its ledger and its receipt counter."""

    compound = models.OneToOneField(
        Compound, on_delete=models.PROTECT, related_name="books", verbose_name=_("小区")
    )
    ledger = models.OneToOneField(
        Ledger, on_delete=models.PROTECT, related_name="compound_books", verbose_name=_("账本")
    )
    # The last receipt number given. Moved by `UPDATE … SET last = last + 1` in the
    # payment's transaction: a rolled-back payment gives its number back.
    last_receipt_no = models.PositiveIntegerField(_("最后收据号"), default=0)
    receipt_prefix = models.CharField(_("收据号前缀"), max_length=10)

    class Meta:
        verbose_name = _("小区账簿")
        verbose_name_plural = _("小区账簿")

    def __str__(self) -> str:
        return str(self.compound_id)


class FeeSchedule(CommunityOwned):
    """What a compound's homes pay (收费标准): per home or per m² of exclusive area,
    billed monthly, quarterly or yearly, with the hardship reduction."""

    class Basis(models.TextChoices):
        PER_HOME = "per_home", _("按户")
        PER_M2 = "per_m2", _("按专有面积（每平方米）")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("按月")
        QUARTERLY = "quarterly", _("按季")
        YEARLY = "yearly", _("按年")

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="fee_schedules", verbose_name=_("小区")
    )
    name = models.CharField(_("收费项目"), max_length=40, default="物业服务费")
    basis = models.CharField(_("计费方式"), max_length=10, choices=Basis.choices)
    # Per home per month, or per m² per month, in fen.
    monthly_rate_fen = money_field(_("月单价（分）"))
    frequency = models.CharField(_("收费周期"), max_length=10, choices=Frequency.choices)
    # 0: hardship households pay in full; 100: they are exempt.
    hardship_reduction_percent = models.PositiveSmallIntegerField(_("困难家庭减免（%）"), default=0)
    due_days = models.PositiveSmallIntegerField(_("缴费期限（天）"), default=30)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("设定人"),
    )
    created_at = models.DateTimeField(_("设定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收费标准")
        verbose_name_plural = _("收费标准")
        ordering = ["compound_id", "-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_rate_fen__gt=0), name="fee_schedule_rate_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(hardship_reduction_percent__lte=100),
                name="fee_schedule_reduction_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HardshipDecision(CommunityOwned):
    """A coordinator's word on whether a home counts as a hardship household, overriding
    the 困难家庭 tag of its members, with the reason kept."""

    household = models.OneToOneField(
        Household,
        on_delete=models.CASCADE,
        related_name="hardship_decision",
        verbose_name=_("房屋"),
    )
    is_hardship = models.BooleanField(_("按困难家庭减免"))
    reason = models.CharField(_("理由"), max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), auto_now=True)

    class Meta:
        verbose_name = _("困难家庭认定")
        verbose_name_plural = _("困难家庭认定")

    def __str__(self) -> str:
        return f"{self.household_id} {self.is_hardship}"


class BillingRun(CommunityOwned):
    """One run of billing for a compound and a period: who started it and what it made."""

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="billing_runs", verbose_name=_("小区")
    )
    schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.PROTECT, related_name="runs", verbose_name=_("收费标准")
    )
    period_start = models.DateField(_("账期开始"))
    period_end = models.DateField(_("账期结束"))
    created = models.PositiveIntegerField(_("新开账单"), default=0)
    skipped = models.PositiveIntegerField(_("已有账单"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("开单人"),
    )
    started_at = models.DateTimeField(_("开单时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("开单记录")
        verbose_name_plural = _("开单记录")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.period_start}"


class Bill(CommunityOwned):
    """One home's bill (账单) for one period. `paid_fen` moves only with payments
    (under the compound's receipt lock, with F())."""

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="bills", verbose_name=_("小区")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="bills", verbose_name=_("房屋")
    )
    schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.PROTECT, related_name="bills", verbose_name=_("收费标准")
    )
    run = models.ForeignKey(
        BillingRun,
        on_delete=models.SET_NULL,
        null=True,
        related_name="bills",
        verbose_name=_("开单记录"),
    )
    period_start = models.DateField(_("账期开始"))
    period_end = models.DateField(_("账期结束"))
    due_date = models.DateField(_("缴费期限"))
    gross_fen = money_field(_("应收（分）"))
    reduction_fen = money_field(_("减免（分）"), default=0)
    reduction_reason = models.CharField(_("减免理由"), max_length=200, blank=True)
    amount_fen = money_field(_("应缴（分）"))
    paid_fen = money_field(_("已缴（分）"), default=0)
    issued_at = models.DateTimeField(_("开单时间"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("账单")
        verbose_name_plural = _("账单")
        ordering = ["household_id", "period_start"]
        constraints = [
            # One bill per home and period: a repeated or concurrent run skips it.
            models.UniqueConstraint(
                fields=["household", "period_start"], name="bill_home_period_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_fen__gte=0, paid_fen__gte=0, reduction_fen__gte=0),
                name="bill_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(paid_fen__lte=models.F("amount_fen")),
                name="bill_not_overpaid",
            ),
        ]
        indexes = [
            models.Index(fields=["compound", "period_start"], name="bill_compound_period_idx"),
            models.Index(fields=["compound", "due_date"], name="bill_compound_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.period_start}"

    @property
    def outstanding_fen(self) -> int:
        return self.amount_fen - self.paid_fen


class BillChange(CommunityOwned):
    """A bill changed after it was issued: what it was, what it became, why, by whom."""

    bill = models.ForeignKey(
        Bill, on_delete=models.CASCADE, related_name="changes", verbose_name=_("账单")
    )
    old_amount_fen = money_field(_("原应缴（分）"))
    new_amount_fen = money_field(_("新应缴（分）"))
    reason = models.CharField(_("理由"), max_length=200)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("修改人"),
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("账单修改记录")
        verbose_name_plural = _("账单修改记录")
        ordering = ["bill_id", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.bill_id}: {self.old_amount_fen} → {self.new_amount_fen}"


class Payment(CommunityOwned):
    """Money received from a home (or, as a refund, paid back to it), with its receipt.

    The idempotency key is the last word against a double tap, a retry or a replayed
    request: the same key in a community is one payment.
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("收款")
        REFUND = "refund", _("退款")

    class Method(models.TextChoices):
        CASH = "cash", _("现金")
        TRANSFER = "transfer", _("转账")

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="payments", verbose_name=_("小区")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="payments", verbose_name=_("房屋")
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    amount_fen = money_field(_("金额（分）"))
    receipt_no = models.PositiveIntegerField(_("收据号"))
    idempotency_key = models.CharField(_("防重复码"), max_length=64)
    payer_name = models.CharField(_("交款人"), max_length=40, blank=True)
    received_on = models.DateField(_("收款日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    entry = models.OneToOneField(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        related_name="payment",
        verbose_name=_("记账凭证"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("经手人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # A payment recorded in error is voided (作废) by reversing its entry; its receipt
    # number stays used, so the sequence keeps no gap.
    reversal_entry = models.OneToOneField(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="voided_payment",
        verbose_name=_("冲销凭证"),
    )
    reversal_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("收款")
        verbose_name_plural = _("收款")
        ordering = ["compound_id", "receipt_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "receipt_no"], name="payment_receipt_no_unique"
            ),
            models.UniqueConstraint(
                fields=["community", "idempotency_key"], name="payment_idempotency_key_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="payment_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["household", "received_on"], name="payment_home_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no}"

    @property
    def is_voided(self) -> bool:
        return self.reversal_entry_id is not None


class Allocation(CommunityOwned):
    """The part of a payment (or of a home's credit) that settled one bill."""

    # None: settled from the home's credit (预存), not from a payment at the time.
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("收款"),
    )
    bill = models.ForeignKey(
        Bill, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("账单")
    )
    amount_fen = money_field(_("金额（分）"))
    entry = models.ForeignKey(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("记账凭证"),
    )

    class Meta:
        verbose_name = _("收款分配")
        verbose_name_plural = _("收款分配")
        ordering = ["payment_id", "bill_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="allocation_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.bill_id}"


class HomeCredit(CommunityOwned):
    """What a home has paid beyond its bills (预存), held for its next bills or refunded.
    Moved only under the compound's receipt lock, with F()."""

    household = models.OneToOneField(
        Household, on_delete=models.CASCADE, related_name="credit", verbose_name=_("房屋")
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    balance_fen = money_field(_("预存余额（分）"), default=0)

    class Meta:
        verbose_name = _("预存余额")
        verbose_name_plural = _("预存余额")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance_fen__gte=0), name="home_credit_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.balance_fen}"


class Reminder(CommunityOwned):
    """A reminder of arrears sent to a home: how, to whom (masked), for how much."""

    class Channel(models.TextChoices):
        NOTIFICATION = "notification", _("站内通知")
        SMS = "sms", _("短信")
        NONE = "none", _("无法联系")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="fee_reminders", verbose_name=_("房屋")
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    channel = models.CharField(_("方式"), max_length=16, choices=Channel.choices)
    arrears_fen = money_field(_("欠费（分）"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("发送人"),
    )
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("催缴提醒")
        verbose_name_plural = _("催缴提醒")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.sent_at}"
