"""Forms of the council's meeting and delegate pages: they parse; meetings.py decides."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.council.models import Delegate


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    room = forms.ModelChoiceField(
        label=_("会议室"),
        queryset=None,
        required=False,
        empty_label=_("不预约会议室（在下面填写地点）"),
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    compound = forms.ModelChoiceField(
        label=_("小区"), queryset=None, required=False, empty_label=_("全社区")
    )
    agenda = forms.CharField(
        label=_("议程"),
        required=False,
        help_text=_("每行一项"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    guests = forms.CharField(
        label=_("列席人员"),
        required=False,
        help_text=_("每行一位，如物业经理、街道干部；不计入法定人数"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, rooms, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["compound"].queryset = compounds

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    def clean_agenda(self) -> list[str]:
        return self._lines(self.cleaned_data["agenda"])

    def clean_guests(self) -> list[str]:
        return self._lines(self.cleaned_data["guests"])


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("议程内容"), max_length=200)


class DecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("处理"),
        choices=[("1", _("列入议程")), ("0", _("不采纳"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("不采纳理由"), required=False, max_length=1000)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), required=False, max_length=200)


class MinutesForm(forms.Form):
    body = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 10}))


class DelegateForm(forms.Form):
    # Chosen with the registry's resident picker (registry/picker.py), which posts the id.
    resident = forms.IntegerField(label=_("居民"), min_value=1, max_value=2**63 - 1)
    kind = forms.ChoiceField(label=_("代表身份"), choices=Delegate.Kind.choices)
    since = forms.DateField(
        label=_("担任日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("不填为今天"),
    )


class DelegateTrainingForm(forms.Form):
    delegate = forms.ModelChoiceField(label=_("议事代表"), queryset=None)
    completed_on = forms.DateField(
        label=_("培训完成日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, delegates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = delegates
        self.fields["delegate"].label_from_instance = lambda d: d.resident.name
        self.fields["completed_on"].initial = timezone.localdate()
