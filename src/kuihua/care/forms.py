"""Forms of the care programme's pages: they parse; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.care.models import CareRecipient, CheckIn, DutyPreference, Incident
from kuihua.core.attribution import project_choices, project_field

WINDOWS_HELP = _("每行一个时段，如 08:00-10:00；默认上午、下午各一次")


class EnrolForm(forms.Form):
    resident = forms.IntegerField(label=_("居民编号"), min_value=1)
    risk = forms.ChoiceField(label=_("风险等级"), choices=CareRecipient.Risk.choices)
    conditions = forms.CharField(label=_("健康状况"), required=False, widget=forms.Textarea)
    windows = forms.CharField(
        label=_("签到时段"),
        required=False,
        help_text=WINDOWS_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    primary_visitor = forms.ModelChoiceField(label=_("主要探访人"), queryset=None, required=False)
    backup_visitors = forms.ModelMultipleChoiceField(
        label=_("备用探访人"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    project = project_field(help_text=_("对这位老人的探访和电话计入这个公益项目"))

    def __init__(self, *args, visitors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_visitor"].queryset = visitors
        self.fields["backup_visitors"].queryset = visitors
        self.fields["project"].choices = project_choices()

    def clean_windows(self) -> list[list[str]] | None:
        text = self.cleaned_data["windows"].strip()
        if not text:
            return None
        pairs = []
        for line in text.replace("，", "\n").splitlines():
            line = line.strip().replace("–", "-").replace("—", "-").replace("～", "-")
            if line:
                start, _sep, end = line.partition("-")
                pairs.append([start.strip(), end.strip()])
        return pairs


class CallForm(forms.Form):
    result = forms.ChoiceField(label=_("情况"), choices=CheckIn.Result.choices)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class PauseForm(forms.Form):
    until = forms.DateField(
        label=_("暂停至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("暂停原因"), required=False, max_length=100)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Incident.Kind.choices)
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("经过"), required=False, max_length=300)


class RotaForm(forms.Form):
    year = forms.IntegerField(label=_("年"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月"), min_value=1, max_value=12)


class TrainingForm(forms.Form):
    user = forms.ModelChoiceField(label=_("志愿者"), queryset=None)
    course = forms.CharField(label=_("培训内容"), max_length=100)
    completed_on = forms.DateField(
        label=_("完成日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = volunteers


class RegularServiceForm(forms.Form):
    """A regular service of the care plan, ordered through the matching."""

    category = forms.ModelChoiceField(label=_("服务"), queryset=None)
    recurrence = forms.ChoiceField(label=_("频次"), choices=())
    description = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        from kuihua.matching.models import Need, ServiceCategory

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ServiceCategory.objects.order_by("id")
        self.fields["recurrence"].choices = Need.Recurrence.choices


class DutyPreferenceForm(forms.Form):
    """When a volunteer can take the duty line; dates off as YYYY-MM-DD, one a line.

    The example date in the help is a week from today, so it never reads as stale.
    """

    days = forms.ChoiceField(label=_("可值班日"), choices=DutyPreference.Days.choices)
    unavailable = forms.CharField(
        label=_("不能值班的日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    max_shifts_per_month = forms.IntegerField(label=_("每月最多班次"), min_value=0, max_value=31)
    max_consecutive_days = forms.IntegerField(label=_("最多连续天数"), min_value=1, max_value=31)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.example = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
        self.fields["unavailable"].help_text = _("每行一个日期，如 %(day)s") % {"day": self.example}

    def clean_unavailable(self) -> list[str]:
        days = []
        for line in self.cleaned_data["unavailable"].replace("，", "\n").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                days.append(dt.date.fromisoformat(line).isoformat())
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s”不是日期，请写成 %(day)s 这样"),
                    params={"value": line, "day": self.example},
                ) from None
        return sorted(set(days))
