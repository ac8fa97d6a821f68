"""爱心集市 forms: they parse what a person types (yuan to whole fen through `core.money`,
points as decimals) and leave every rule (stock, balance, the market being open) to the
services."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kuihua.core.money import MoneyFormField, yuan
from kuihua.market.models import Sale, StallItem


def new_idempotency_key() -> str:
    """A fresh key for one sale form as it is rendered: a double tap or a resubmit of that
    form sends the same key, so the sale is recorded once."""
    return secrets.token_urlsafe(18)


def points_text(points: Decimal | None) -> str:
    """20 积分 rather than 20.00."""
    if points is None:
        return ""
    return f"{points.normalize():f}"


def price_text(item: StallItem) -> str:
    """¥12.00 / 20 积分: what the item costs, in what it may be paid."""
    parts = []
    if item.price_fen is not None:
        parts.append(f"¥{yuan(item.price_fen)}")
    if item.price_points is not None:
        parts.append(_("%(points)s 积分") % {"points": points_text(item.price_points)})
    return " / ".join(str(p) for p in parts)


def methods_for(item: StallItem) -> list[tuple[str, str]]:
    """The ways this item may be paid: money when it has a yuan price, points when it has
    a points price."""
    choices = []
    if item.price_fen is not None:
        choices += [
            (Sale.Method.CASH, Sale.Method.CASH.label),
            (Sale.Method.TRANSFER, Sale.Method.TRANSFER.label),
        ]
    if item.price_points is not None:
        choices.append((Sale.Method.POINTS, Sale.Method.POINTS.label))
    return choices


class SaleForm(forms.Form):
    """One sale at a stall, on a phone: how many, how paid, and for points who pays.

    `buyer` takes the resident's code (scanned or typed) or part of a name; a name
    search offers `buyer_id` choices, which the view fills from the community's residents
    found for what was typed.
    """

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    quantity = forms.IntegerField(
        label=_("数量"),
        min_value=1,
        max_value=999,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "qty"}),
    )
    method = forms.ChoiceField(label=_("怎么付"), widget=forms.RadioSelect)
    buyer = forms.CharField(
        label=_("居民码或姓名"),
        max_length=60,
        required=False,
        help_text=_("用积分付时填：扫居民的码，或输入居民码、姓名后点“查找”。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "search"}),
    )
    buyer_id = forms.TypedChoiceField(
        label=_("是哪一位"), coerce=int, required=False, widget=forms.RadioSelect, choices=()
    )

    def __init__(self, *args, item: StallItem, buyers=(), **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", new_idempotency_key())
        super().__init__(*args, **kwargs)
        methods = methods_for(item)
        self.fields["method"].choices = methods
        self.fields["method"].initial = methods[0][0]
        self.fields["buyer_id"].choices = [(b.pk, buyer_label(b)) for b in buyers]


def buyer_label(resident) -> str:
    """张秀英（3 栋 2 单元 301）: enough to tell two of the same name apart."""
    household = getattr(resident, "household", None)
    address = getattr(household, "address", "") if household is not None else ""
    return f"{resident.name}（{address}）" if address else resident.name


class DayOpenForm(forms.Form):
    activity = forms.ModelChoiceField(
        label=_("哪一次集市"),
        queryset=None,
        empty_label=_("请选择"),
        help_text=_("固定活动里已发布、还没开始的场次；场地在活动里预约。"),
    )

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities
        self.fields["activity"].label_from_instance = activity_label


def activity_label(activity) -> str:
    room = f" · {activity.room}" if activity.room_id else ""
    return f"{activity.starts_at:%Y-%m-%d %H:%M} {activity.title}{room}"


class StallForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("摆摊组织"), queryset=None, empty_label=_("请选择")
    )
    name = forms.CharField(label=_("摊位名称"), max_length=60)
    number = forms.IntegerField(label=_("摊位号"), min_value=0, max_value=999, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ItemForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=StallItem.Kind.choices,
        initial=StallItem.Kind.GOODS,
        widget=forms.RadioSelect,
    )
    price_fen = MoneyFormField(label=_("价格（元）"), required=False)
    price_points = forms.DecimalField(
        label=_("积分价格"),
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    stock = forms.IntegerField(
        label=_("库存"),
        min_value=0,
        required=False,
        help_text=_("服务或不计数的空着。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("price_fen") is None and data.get("price_points") is None:
            raise forms.ValidationError(_("请至少填一个价格：元或积分。"))
        return data


class RuleForm(forms.Form):
    organization_percent = forms.IntegerField(
        label=_("组织自有资金比例（%）"),
        min_value=0,
        max_value=100,
        help_text=_("每笔现金、转账收入中归摆摊组织的比例，其余进公益金。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
