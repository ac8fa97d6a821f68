"""Forms of the venues pages. They parse input only; the rules live in services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.core.dates import validate_within_reach
from kuihua.organizations.models import Organization
from kuihua.venues.models import Room

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")

WEEKDAYS = [
    ("MO", _("周一")),
    ("TU", _("周二")),
    ("WE", _("周三")),
    ("TH", _("周四")),
    ("FR", _("周五")),
    ("SA", _("周六")),
    ("SU", _("周日")),
]
WEEKDAY_CODES = [code for code, _label in WEEKDAYS]


class RoomForm(forms.Form):
    centre = forms.CharField(label=_("所在中心"), max_length=100, required=False)
    name = forms.CharField(label=_("名称"), max_length=100)
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=1, max_value=100000)
    equipment = forms.CharField(
        label=_("设施"), max_length=200, required=False, help_text=_("如：投影仪、音响、钢琴")
    )
    is_active = forms.BooleanField(label=_("可预约"), required=False, initial=True)


class BookingForm(forms.Form):
    room = forms.ModelChoiceField(label=_("活动室"), queryset=Room.objects.none())
    organization = forms.ModelChoiceField(
        label=_("预约组织"), queryset=Organization.objects.none(), required=False
    )
    title = forms.CharField(label=_("用途"), max_length=200, help_text=_("如：合唱排练、读书会"))
    day = forms.DateField(label=_("日期"), widget=DATE_WIDGET, validators=[validate_within_reach])
    start_time = forms.TimeField(label=_("开始时间"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("结束时间"), widget=TIME_WIDGET)
    repeat = forms.ChoiceField(
        label=_("重复"),
        required=False,
        choices=[
            ("", _("不重复")),
            ("daily", _("每天")),
            ("weekly", _("每周")),
            ("monthly", _("每月")),
        ],
    )
    weekdays = forms.MultipleChoiceField(
        label=_("每周的哪几天"),
        required=False,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("选“每周”时可选多天，如每周二、周四；不选则为第一次的那一天"),
    )
    until = forms.DateField(
        label=_("重复到"), required=False, widget=DATE_WIDGET, validators=[validate_within_reach]
    )

    # Errors of the service named after its arguments, shown on these fields.
    SERVICE_FIELDS = {"starts_at": "start_time", "ends_at": "end_time", "rule": "repeat"}

    def __init__(self, *args, rooms, organizations, organization_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["organization"].queryset = organizations
        self.fields["organization"].required = organization_required
        if not organization_required:
            self.fields["organization"].empty_label = _("社区（不代表组织）")

    def clean(self):
        data = super().clean()
        if data.get("repeat") and not data.get("until"):
            self.add_error("until", _("请填写重复截止日期"))
        if data.get("weekdays") and data.get("repeat") != "weekly":
            self.add_error("weekdays", _("只有“每周”重复可以选择星期"))
        return data

    def span(self) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        starts_at = timezone.make_aware(dt.datetime.combine(data["day"], data["start_time"]))
        ends_at = timezone.make_aware(dt.datetime.combine(data["day"], data["end_time"]))
        return starts_at, ends_at

    def rule(self) -> str:
        """ "daily", "weekly", "monthly" or an RRULE for several weekdays; "" for once."""
        data = self.cleaned_data
        if data.get("repeat") == "weekly" and data.get("weekdays"):
            days = [code for code in WEEKDAY_CODES if code in data["weekdays"]]
            return "FREQ=WEEKLY;BYDAY=" + ",".join(days)
        return data.get("repeat") or ""
