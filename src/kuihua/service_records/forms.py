"""Forms of the service-records pages. They parse input only; the rules live in services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.core.attribution import project_choices, project_field
from kuihua.service_records.models import ServiceRecord

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HOURS_FIELD = {
    "max_digits": 5,
    "decimal_places": 2,
    "min_value": Decimal("0.01"),
    "max_value": Decimal("24"),
    "widget": forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
}


def member_choices(memberships) -> list[tuple[str, str]]:
    """One choice per person (the first organization named), for the member pickers."""
    seen: dict[int, str] = {}
    for m in memberships:
        seen.setdefault(m.resident_id, f"{m.resident.name}（{m.organization.name}）")
    return [("", _("请选择"))] + [(str(pk), label) for pk, label in seen.items()]


def organization_choices(organizations) -> list[tuple[str, str]]:
    return [(str(o.pk), o.name) for o in organizations]


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)

    def chosen_year(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year


class ManualRecordForm(forms.Form):
    organization = forms.ChoiceField(label=_("记录组织"))
    resident = forms.ChoiceField(label=_("志愿者"))
    date = forms.DateField(label=_("服务日期"), widget=DATE_WIDGET)
    hours = forms.DecimalField(label=_("服务时长（小时）"), **HOURS_FIELD)
    service_item = forms.CharField(
        label=_("服务事项"),
        max_length=200,
        required=False,
        help_text=_("如：助老送餐；不填则用服务内容"),
    )
    project = project_field()
    place = forms.CharField(label=_("服务地点"), max_length=200, required=False)
    recipients = forms.CharField(label=_("服务对象"), max_length=200, required=False)
    content = forms.CharField(
        label=_("服务内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.CharField(
        label=_("证明材料"),
        max_length=2000,
        help_text=_("如签到表、照片、服务对象签字的说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("补录原因"),
        max_length=2000,
        help_text=_("如：当天未能扫码签到"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    quality = forms.ChoiceField(
        label=_("服务质量评价"),
        required=False,
        choices=[("", _("暂不评价")), *ServiceRecord.Quality.choices],
    )

    def __init__(self, *args, organizations, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = organization_choices(organizations)
        self.fields["resident"].choices = member_choices(memberships)
        self.fields["project"].choices = project_choices()


class CorrectionForm(forms.Form):
    hours = forms.DecimalField(label=_("更正后时长（小时）"), required=False, **HOURS_FIELD)
    content = forms.CharField(
        label=_("更正后内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("更正理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("驳回原因"), max_length=200)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("处理结果"),
        choices=[("1", _("同意")), ("0", _("不同意"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("处理意见"), max_length=200, required=False)


class CertificateForm(forms.Form):
    resident = forms.ChoiceField(label=_("志愿者"))
    organization = forms.ChoiceField(label=_("出具组织"))
    period_start = forms.DateField(label=_("起始日期"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("截止日期"), widget=DATE_WIDGET)
    contact = forms.CharField(
        label=_("联系方式"),
        max_length=60,
        required=False,
        help_text=_("出具单位的联系电话，印在证明上"),
    )

    def __init__(self, *args, organizations, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = organization_choices(organizations)
        self.fields["resident"].choices = member_choices(memberships)


class PointsRuleForm(forms.Form):
    points_per_hour = forms.DecimalField(
        label=_("每小时积分"), min_value=0, max_value=1000, max_digits=6, decimal_places=2
    )
