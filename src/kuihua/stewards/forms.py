"""The stewards' forms: they parse what a person types (amounts in yuan to whole fen,
through `core.money`) and leave every rule to the services."""

import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kuihua.core.money import MoneyFormField
from kuihua.stewards.models import FeeSchedule, Payment


def new_idempotency_key() -> str:
    """A fresh key for one payment form as it is rendered: a double tap or a resubmit
    of that form sends the same key, so the payment is recorded once."""
    return secrets.token_urlsafe(18)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BooksOpenForm(forms.Form):
    opening_cash_fen = MoneyFormField(
        label=_("现金结余（元）"),
        allow_zero=True,
        required=False,
        help_text=_("原来账本上的现金余额，没有就空着。"),
    )
    opening_bank_fen = MoneyFormField(label=_("银行存款（元）"), allow_zero=True, required=False)


class AssignForm(forms.Form):
    steward = forms.ModelChoiceField(
        label=pgettext_lazy("role", "义管家"),
        queryset=None,
        empty_label=_("请选择"),
        help_text=_("只列出角色是“义管家”的账号；新的义管家请先在账号管理里开账号。"),
    )

    def __init__(self, *args, stewards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steward"].queryset = stewards


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("收费项目"), max_length=40, initial="物业服务费")
    basis = forms.ChoiceField(
        label=_("计费方式"), choices=FeeSchedule.Basis.choices, widget=forms.RadioSelect
    )
    monthly_rate_fen = MoneyFormField(
        label=_("每月单价（元）"),
        help_text=_("按户：每户每月多少元；按面积：每平方米每月多少元。"),
    )
    frequency = forms.ChoiceField(
        label=_("收费周期"), choices=FeeSchedule.Frequency.choices, widget=forms.RadioSelect
    )
    starts_on = forms.DateField(
        label=_("从哪天起执行"),
        widget=DateInput(),
        help_text=_(
            "要是一个周期的第一天：按月为 1 日，按季为 1、4、7、10 月 1 日，按年为 1 月 1 日。"
        ),
    )
    hardship_reduction_percent = forms.IntegerField(
        label=_("困难家庭减免（%）"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_("0 表示不减免，100 表示全免。"),
    )
    due_days = forms.IntegerField(
        label=_("开单后几天内缴清"), min_value=0, max_value=366, initial=30
    )


class HardshipForm(forms.Form):
    is_hardship = forms.TypedChoiceField(
        label=_("认定"),
        choices=[("1", _("按困难家庭减免")), ("0", _("不按困难家庭减免"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("理由"), max_length=200)


class BillingForm(forms.Form):
    period_start = forms.TypedChoiceField(label=_("账期"), choices=(), coerce=str)

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_start"].choices = [(d.isoformat(), label) for d, label in periods]


class BillAdjustForm(forms.Form):
    amount_fen = MoneyFormField(label=_("改为应缴（元）"), allow_zero=True)
    reason = forms.CharField(label=_("修改理由"), max_length=200)


class _KeyedForm(forms.Form):
    """A form that records money carries the key it was rendered with."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", new_idempotency_key())
        super().__init__(*args, **kwargs)


class PaymentForm(_KeyedForm):
    amount_fen = MoneyFormField(label=_("收款金额（元）"))
    method = forms.ChoiceField(
        label=_("收款方式"),
        choices=Payment.Method.choices,
        initial=Payment.Method.CASH,
        widget=forms.RadioSelect,
    )
    received_on = forms.DateField(label=_("收款日期"), widget=DateInput())
    payer_name = forms.CharField(label=_("交款人"), max_length=40, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class RefundForm(_KeyedForm):
    amount_fen = MoneyFormField(label=_("退款金额（元）"))
    method = forms.ChoiceField(
        label=_("退款方式"),
        choices=Payment.Method.choices,
        initial=Payment.Method.CASH,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("退款原因"), max_length=200)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)
