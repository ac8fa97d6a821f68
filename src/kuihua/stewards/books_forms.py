"""Forms of the books pages: an income or expense with its evidence, a reversal, a
budget line, a month to close. They read what people type; the rules are the
services' (kuihua.stewards.services, kuihua.ledger.services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.core.money import MoneyFormField
from kuihua.ledger.evidence import EvidenceFormMixin, evidence_field
from kuihua.ledger.models import Account
from kuihua.stewards.models import Payment

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryForm(EvidenceFormMixin, forms.Form):
    """一笔收入或支出, with the photo or PDF of its receipt."""

    account = forms.ModelChoiceField(label=_("科目"), queryset=Account.objects.none())
    amount = MoneyFormField(label=_("金额（元）"))
    method = forms.ChoiceField(
        label=_("现金还是转账"), choices=Payment.Method.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(label=_("日期"), widget=DATE_WIDGET)
    memo = forms.CharField(
        label=_("摘要"), max_length=200, help_text=_("写清楚这笔钱是什么，如“三月楼道保洁”。")
    )
    evidence = evidence_field(_("凭据（发票或收据的照片、PDF）"))

    def __init__(self, *args, accounts, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("date", timezone.localdate())
        kwargs["initial"].setdefault("method", Payment.Method.CASH)
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["account"].label_from_instance = lambda a: f"{a.get_kind_display()} · {a.name}"


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("冲销原因"),
        max_length=200,
        help_text=_("例如：金额记错了、重复记了一笔。原凭证保留，账上会多一笔冲销。"),
    )


class BudgetForm(forms.Form):
    account = forms.ModelChoiceField(label=_("科目"), queryset=Account.objects.none())
    amount = MoneyFormField(label=_("全年预算（元）"), allow_zero=True)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["account"].label_from_instance = lambda a: f"{a.get_kind_display()} · {a.name}"


class CategoryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("收入还是支出"),
        choices=[(Account.Kind.INCOME, _("收入")), (Account.Kind.EXPENSE, _("支出"))],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("科目名称"), max_length=40, help_text=_("如“电梯维保”“快递柜租金”。")
    )


class CloseForm(forms.Form):
    month = forms.TypedChoiceField(label=_("结账月份"), choices=(), coerce=str)

    def __init__(self, *args, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.strftime("%Y-%m"), m.strftime("%Y-%m")) for m in months]
