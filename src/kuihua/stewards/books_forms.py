"""Forms of the books pages: an income or expense with its evidence, a reversal, a
budget line, a month to close. They read what people type; the rules are the
services' (kuihua.stewards.services, kuihua.ledger.services)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.core.money import MoneyFormField
from kuihua.ledger.models import Account
from kuihua.stewards.models import Payment

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Evidence: a photo of the receipt or a PDF, recognised by its first bytes (a name can
# lie), and small enough for a phone's upload.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_KINDS = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF-", "pdf"),
)
EVIDENCE_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "pdf": "application/pdf",
}


def evidence_kind(head: bytes) -> str | None:
    """ "jpg", "png", "webp", "heic" or "pdf" from a file's first bytes; None otherwise."""
    for magic, kind in EVIDENCE_KINDS:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "heic"
    return None


class EntryForm(forms.Form):
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
    evidence = forms.FileField(
        label=_("凭据（发票或收据的照片、PDF）"),
        required=False,
        help_text=_("拍照上传即可，JPG、PNG 或 PDF，不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )

    def __init__(self, *args, accounts, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("date", timezone.localdate())
        kwargs["initial"].setdefault("method", Payment.Method.CASH)
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["account"].label_from_instance = lambda a: f"{a.get_kind_display()} · {a.name}"

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        if upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("凭据文件太大了（不能超过 10 MB），请压缩照片后再传。"))
        head = upload.read(16)
        upload.seek(0)
        kind = evidence_kind(head)
        if kind is None:
            raise forms.ValidationError(
                _("凭据只能是照片（JPG、PNG、WEBP、HEIC）或 PDF 文件，请重新选择。")
            )
        # Stored under a name of our own: the phone's file name says nothing useful.
        upload.name = f"{uuid.uuid4().hex}.{kind}"
        return upload


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
