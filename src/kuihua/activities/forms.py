"""Forms of the activity pages. They parse input; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.activities.models import Activity
from kuihua.core.attribution import project_choices, project_field
from kuihua.core.dates import validate_within_reach

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

KIND_CHOICES = [
    ("", _("全部类型")),
    ("single", _("单次活动")),
    ("series", _("固定活动")),
    ("shift", _("招募班次")),
]
FREQUENCY_CHOICES = [
    ("weekly", _("每周")),
    ("daily", _("每天")),
    ("monthly", _("每月（同一日期）")),
]
WEEKDAY_CHOICES = [
    (0, _("周一")),
    (1, _("周二")),
    (2, _("周三")),
    (3, _("周四")),
    (4, _("周五")),
    (5, _("周六")),
    (6, _("周日")),
]


def _org_choices(organizations) -> list[tuple[str, str]]:
    return [(str(o.pk), o.name) for o in organizations]


def _room_choices(rooms) -> list[tuple[str, str]]:
    return [("", _("不使用活动室（填写地点）")), *((str(r.pk), str(r)) for r in rooms)]


class ActivityFilterForm(forms.Form):
    organization = forms.TypedChoiceField(
        label=_("组织"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(label=_("类型"), choices=KIND_CHOICES, required=False)
    mine = forms.BooleanField(label=_("只看我能报名的"), required=False)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("全部组织")), *_org_choices(organizations)]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "organization_id": data.get("organization"),
            "kind": data.get("kind") or "",
            "open_to_me": bool(data.get("mine")),
        }


class SuggestingInput(forms.TextInput):
    """A text input offering known values (an HTML datalist); any other text is allowed."""

    template_name = "activities/widgets/suggesting_input.html"

    def __init__(self, attrs=None, *, list_id: str):
        super().__init__({**(attrs or {}), "list": list_id, "autocomplete": "off"})
        self.suggestions: list[str] = []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["suggestions"] = self.suggestions
        return context


class _PlaceMixin(forms.Form):
    """Room or address, places, who may sign up, requirements, hours."""

    room = forms.TypedChoiceField(label=_("活动室"), required=False, coerce=int, empty_value=None)
    address = forms.CharField(label=_("地点"), max_length=200, required=False)
    places = forms.IntegerField(
        label=_("名额"), min_value=1, required=False, help_text=_("空表示不限")
    )
    audience = forms.ChoiceField(
        label=_("报名范围"), choices=Activity.Audience.choices, initial="volunteers"
    )
    hours_credited = forms.DecimalField(
        label=_("计入服务时长（小时）"),
        min_value=0,
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("空表示按活动时长"),
    )
    min_age = forms.IntegerField(label=_("最小年龄"), min_value=0, max_value=150, required=False)
    max_age = forms.IntegerField(label=_("最大年龄"), min_value=0, max_value=150, required=False)
    required_skill = forms.CharField(label=_("技能要求"), max_length=100, required=False)
    required_training = forms.CharField(
        label=_("需完成的培训"),
        max_length=100,
        required=False,
        widget=SuggestingInput(list_id="training-courses"),
        help_text=_("空表示不需要培训；填写培训内容，与培训记录中的名称一致"),
    )
    confirm_within_hours = forms.IntegerField(
        label=_("候补转正后需在几小时内确认"),
        min_value=1,
        max_value=168,
        required=False,
        help_text=_("空表示自动转正"),
    )
    description = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def set_courses(self, courses) -> None:
        """Offer the course names recorded in the community (the check compares names)."""
        self.fields["required_training"].widget.suggestions = list(courses)

    def set_rooms(self, rooms, rooms_by_id: dict) -> None:
        self.fields["room"].choices = _room_choices(rooms)
        self.rooms_by_id = rooms_by_id

    def place_values(self) -> dict:
        data = self.cleaned_data
        return {
            "room": self.rooms_by_id.get(data.get("room")) if data.get("room") else None,
            "address": data.get("address") or "",
            "places": data.get("places"),
            "audience": data["audience"],
            "hours_credited": data.get("hours_credited"),
            "min_age": data.get("min_age"),
            "max_age": data.get("max_age"),
            "required_skill": data.get("required_skill") or "",
            "required_training": data.get("required_training") or "",
            "confirm_within_hours": data.get("confirm_within_hours"),
            "description": data.get("description") or "",
        }


class ActivityForm(_PlaceMixin):
    organization = forms.TypedChoiceField(label=_("组织"), coerce=int)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME_WIDGET)
    signup_closes_at = forms.DateTimeField(
        label=_("报名截止"),
        widget=DATETIME_WIDGET,
        required=False,
        help_text=_("空表示开始前均可报名"),
    )
    publish = forms.BooleanField(label=_("立即发布"), required=False, initial=True)
    project = project_field()

    field_order = ["organization", "title", "starts_at", "ends_at", "room", "address", "places"]

    def __init__(
        self,
        *args,
        organizations=(),
        rooms=(),
        editing: bool = False,
        project=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.organizations = {o.pk: o for o in organizations}
        self.fields["organization"].choices = _org_choices(organizations)
        self.fields["project"].choices = project_choices(project)
        rooms = list(rooms)
        self.set_rooms(rooms, {r.pk: r for r in rooms})
        if editing:
            del self.fields["organization"]
            del self.fields["publish"]

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            "title": data["title"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "signup_closes_at": data.get("signup_closes_at"),
            "project": data.get("project"),
            **self.place_values(),
        }
        if "publish" in self.fields:
            values["status"] = (
                Activity.Status.PUBLISHED if data.get("publish") else Activity.Status.DRAFT
            )
        return values

    @classmethod
    def initial_from(cls, activity: Activity) -> dict:
        return {
            "title": activity.title,
            "starts_at": timezone.localtime(activity.starts_at),
            "ends_at": timezone.localtime(activity.ends_at),
            "signup_closes_at": (
                timezone.localtime(activity.signup_closes_at) if activity.signup_closes_at else None
            ),
            "room": activity.room_id,
            "address": activity.address,
            "places": activity.places,
            "audience": activity.audience,
            "hours_credited": activity.hours_credited,
            "min_age": activity.min_age,
            "max_age": activity.max_age,
            "required_skill": activity.required_skill,
            "required_training": activity.required_training,
            "confirm_within_hours": activity.confirm_within_hours,
            "description": activity.description,
            "project": activity.project_id,
        }


class SeriesForm(_PlaceMixin):
    organization = forms.TypedChoiceField(label=_("组织"), coerce=int)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    first_day = forms.DateField(label=_("第一次日期"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("开始时间"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("结束时间"), widget=TIME_WIDGET)
    frequency = forms.ChoiceField(label=_("重复"), choices=FREQUENCY_CHOICES)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("每周哪几天"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则与第一次同一天"),
    )
    working_days_only = forms.BooleanField(
        label=_("仅工作日（按国家法定节假日安排）"), required=False
    )
    project = project_field(help_text=_("每一次活动都计入这个公益项目"))

    field_order = [
        "organization",
        "title",
        "first_day",
        "start_time",
        "end_time",
        "frequency",
        "weekdays",
        "working_days_only",
    ]

    def __init__(self, *args, organizations=(), rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {o.pk: o for o in organizations}
        self.fields["organization"].choices = _org_choices(organizations)
        self.fields["project"].choices = project_choices()
        rooms = list(rooms)
        self.set_rooms(rooms, {r.pk: r for r in rooms})

    def values(self) -> dict:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        first = timezone.make_aware(dt.datetime.combine(data["first_day"], data["start_time"]), tz)
        end = timezone.make_aware(dt.datetime.combine(data["first_day"], data["end_time"]), tz)
        return {
            "title": data["title"],
            "first_starts_at": first,
            "first_ends_at": end,
            "rule": data["frequency"],
            "weekdays": data.get("weekdays") or None,
            "working_days_only": bool(data.get("working_days_only")),
            "project": data.get("project"),
            **self.place_values(),
        }


class DriveForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("组织"), coerce=int)
    title = forms.CharField(label=_("名称"), max_length=200)
    description = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    project = project_field(help_text=_("每个班次都计入这个公益项目"))

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {o.pk: o for o in organizations}
        self.fields["organization"].choices = _org_choices(organizations)
        self.fields["project"].choices = project_choices()


class ShiftsForm(forms.Form):
    first_day = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    last_day = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("班次开始"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("班次结束"), widget=TIME_WIDGET)
    second_start_time = forms.TimeField(label=_("第二班开始"), widget=TIME_WIDGET, required=False)
    second_end_time = forms.TimeField(label=_("第二班结束"), widget=TIME_WIDGET, required=False)
    places = forms.IntegerField(label=_("每班名额"), min_value=1)
    address = forms.CharField(label=_("地点"), max_length=200)

    def clean(self):
        data = super().clean()
        one, two = data.get("second_start_time"), data.get("second_end_time")
        if bool(one) != bool(two):
            raise forms.ValidationError(_("第二班请同时填写开始和结束时间"))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        times = [(data["start_time"], data["end_time"])]
        if data.get("second_start_time"):
            times.append((data["second_start_time"], data["second_end_time"]))
        return {
            "first_day": data["first_day"],
            "last_day": data["last_day"],
            "times": times,
            "places": data["places"],
            "address": data["address"],
        }


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200, required=False)


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("月份"),
        required=False,
        validators=[validate_within_reach],
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
