"""The one double-entry ledger (账本) of compounds, organizations' funds and projects.

What the database itself holds, on SQLite and PostgreSQL alike (triggers in
migrations/0002_guards.py, docs/adr/0014-ledger.md):

- an entry is written unposted, its legs added, then posted by one UPDATE; the
  database refuses to post an entry whose legs do not add up to zero or that has
  fewer than two legs, and refuses an entry dated in a closed period;
- a posted entry and its legs are never changed or deleted; a mistake is
  corrected by a reversing entry that names it and gives the reason;
- amounts are whole fen (kuihua.core.money): debits positive, credits negative.

Posted entries of a ledger are numbered 1, 2, 3 … and chained: each carries the
SHA-256 of its content and of the entry before it, so a changed past shows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuihua.core.money import money_field
from kuihua.core.tenancy import CommunityOwned


def evidence_storage():
    from django.core.files.storage import storages

    return storages["private"]


class Ledger(CommunityOwned):
    """One set of books: a compound's, an organization's own fund, a project's."""

    class Kind(models.TextChoices):
        COMPOUND = "compound", _("小区账目")
        ORGANIZATION = "organization", _("组织自有资金")
        PROJECT = "project", _("项目资金")
        PUBLIC_WELFARE = "public_welfare", _("公益金")

    name = models.CharField(_("账本名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    # Entries dated on or before this day are refused (the periods closed so far).
    closed_through = models.DateField(_("已结账至"), null=True, blank=True)
    # The chain's head: the number and hash of the last posted entry.
    last_number = models.PositiveIntegerField(_("最后凭证号"), default=0)
    last_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("建账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("账本")
        verbose_name_plural = _("账本")
        ordering = ["id"]
        constraints = [
            # A community has one public-welfare fund (公益金), whoever opens it first.
            models.UniqueConstraint(
                fields=["community"],
                condition=models.Q(kind="public_welfare"),
                name="ledger_one_public_welfare_fund",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Account(CommunityOwned):
    """A line of a ledger's chart (科目): cash, the bank, fee income, cleaning …

    Income and expense accounts are the categories people post to; the others are
    kept by the system (owners' prepaid credit, the opening balance).
    """

    class Kind(models.TextChoices):
        ASSET = "asset", _("资产")
        LIABILITY = "liability", _("负债")
        EQUITY = "equity", _("结余")
        INCOME = "income", _("收入")
        EXPENSE = "expense", _("支出")

    ledger = models.ForeignKey(
        Ledger, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("账本")
    )
    code = models.CharField(_("科目代码"), max_length=20)
    name = models.CharField(_("科目名称"), max_length=40)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    is_system = models.BooleanField(_("系统科目"), default=False)

    class Meta:
        verbose_name = _("科目")
        verbose_name_plural = _("科目")
        ordering = ["ledger_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["ledger", "code"], name="ledger_account_code_unique"),
            models.UniqueConstraint(fields=["ledger", "name"], name="ledger_account_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Entry(CommunityOwned):
    """One posting (记账凭证): a date, what it was, its legs, who posted it, and evidence."""

    ledger = models.ForeignKey(
        Ledger, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账本")
    )
    number = models.PositiveIntegerField(_("凭证号"), null=True, blank=True)
    date = models.DateField(_("日期"))
    memo = models.CharField(_("摘要"), max_length=200)
    # What produced it, for a reader and for reconciliation ("payment:42").
    source = models.CharField(_("来源"), max_length=40, blank=True, db_index=True)
    evidence = models.FileField(
        _("凭据"), upload_to="ledger/%Y/%m/", storage=evidence_storage, blank=True
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲销的凭证"),
    )
    reason = models.CharField(_("冲销原因"), max_length=200, blank=True)
    posted = models.BooleanField(_("已过账"), default=False)
    # Who posted an entry is part of the books (会计档案): kept, never nulled.
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("记账人"),
    )
    posted_at = models.DateTimeField(_("记账时间"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["ledger_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ledger", "number"], name="ledger_entry_number_unique"),
        ]
        indexes = [models.Index(fields=["ledger", "date"], name="ledger_entry_date_idx")]

    def __str__(self) -> str:
        return f"#{self.number} {self.memo}"


class Leg(CommunityOwned):
    """One side of an entry: an account and an amount in fen (debit +, credit −)."""

    entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="legs", verbose_name=_("凭证")
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="legs", verbose_name=_("科目")
    )
    amount_fen = money_field(_("金额（分）"))

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        ordering = ["entry_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount_fen=0), name="ledger_leg_amount_not_zero"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_fen}"


class PeriodClose(CommunityOwned):
    """A month closed (结账): who closed it, when, and the balance it closed with."""

    ledger = models.ForeignKey(
        Ledger, on_delete=models.PROTECT, related_name="closes", verbose_name=_("账本")
    )
    month = models.DateField(_("月份"))  # the first day of the month
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("结账人"),
    )
    closed_at = models.DateTimeField(_("结账时间"), auto_now_add=True)
    chain_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("结账记录")
        verbose_name_plural = _("结账记录")
        ordering = ["ledger_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["ledger", "month"], name="ledger_close_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ledger_id} {self.month:%Y-%m}"


class Budget(CommunityOwned):
    """The budget (预算) of one income or expense account for one year."""

    ledger = models.ForeignKey(
        Ledger, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("账本")
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("科目")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount_fen = money_field(_("预算金额（分）"))

    class Meta:
        verbose_name = _("预算")
        verbose_name_plural = _("预算")
        ordering = ["ledger_id", "year", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "account", "year"], name="ledger_budget_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_fen__gte=0), name="ledger_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.account_id}"
