"""Forms of the needs and services pages. They parse input only; the rules live in services.

Days and parts of the day are ticked one by one and sent to the services as
the bit masks the models keep (Monday = bit 0 … Sunday = bit 6; 上午/下午/晚上).
A need asks: nothing comes ticked, and at least one day and one part of the day
must be (an untouched form would otherwise say "每天·全天" for the person). An
offer comes with everything ticked; a mask with nothing ticked is passed on as 0,
so the service's own message ("请至少选择一天") is the one shown on the field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kuihua.core.attribution import project_choices, project_field
from kuihua.matching.models import (
    ALL_DAYS,
    ALL_SLOTS,
    DAY_NAMES,
    SLOT_NAMES,
    WEEKDAYS,
    Need,
    ProviderType,
)

DAY_CHOICES = [(1 << i, name) for i, name in enumerate(DAY_NAMES)]
SLOT_CHOICES = [(1 << i, name) for i, name in enumerate(SLOT_NAMES)]
STAR_CHOICES = [
    (1, _("★ 很不满意")),
    (2, _("★★ 不满意")),
    (3, _("★★★ 一般")),
    (4, _("★★★★ 满意")),
    (5, _("★★★★★ 非常满意")),
]
ACTING_CHANNELS = [
    (Need.Channel.COORDINATOR, Need.Channel.COORDINATOR.label),
    (Need.Channel.VOLUNTEER, Need.Channel.VOLUNTEER.label),
]


def bits(mask: int, size: int) -> list[int]:
    return [1 << i for i in range(size) if mask & (1 << i)]


def mask_of(values) -> int:
    return sum(set(values or ()))


def days_text(mask: int) -> str:
    """周一、周三 — or 每天 / 工作日 for the common masks."""
    if mask == ALL_DAYS:
        return gettext("每天")
    if mask == WEEKDAYS:
        return gettext("工作日")
    # Translators: the separator between items of a short list (周一、周三).
    return gettext("、").join(str(DAY_NAMES[i]) for i in range(7) if mask & (1 << i))


def slots_text(mask: int) -> str:
    if mask == ALL_SLOTS:
        return gettext("全天")
    return gettext("、").join(str(SLOT_NAMES[i]) for i in range(3) if mask & (1 << i))


def _days_field(label, *, asked: str = "") -> forms.TypedMultipleChoiceField:
    """Every day ticked; or, with `asked` (the message when none is), nothing ticked."""
    return forms.TypedMultipleChoiceField(
        label=label,
        choices=DAY_CHOICES,
        coerce=int,
        required=bool(asked),
        initial=[] if asked else bits(ALL_DAYS, 7),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": asked} if asked else None,
    )


def _slots_field(label, *, asked: str = "") -> forms.TypedMultipleChoiceField:
    """Every part of the day ticked; or, with `asked`, nothing ticked."""
    return forms.TypedMultipleChoiceField(
        label=label,
        choices=SLOT_CHOICES,
        coerce=int,
        required=bool(asked),
        initial=[] if asked else bits(ALL_SLOTS, 3),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": asked} if asked else None,
    )


def initial_from(form_class: type[forms.Form], data) -> dict:
    """What a GET of the form (the no-script "查找" button) carried, as initial values."""
    initial = {}
    for name, field in form_class.base_fields.items():
        if name not in data:
            continue
        multiple = isinstance(field, forms.MultipleChoiceField)
        initial[name] = data.getlist(name) if multiple else data.get(name)
    if "find" in data:
        # An unticked box is not sent at all: the GET says "not ticked".
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.BooleanField):
                initial[name] = name in data
            elif isinstance(field, forms.MultipleChoiceField):
                initial.setdefault(name, [])
    return initial


def _category_choices(categories) -> list[tuple[str, str]]:
    return [("", _("请选择"))] + [(str(c.pk), c.name) for c in categories]


class NeedFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部状态")), *Need.Status.choices], required=False
    )
    category = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("全部类别"))] + [
            (str(c.pk), c.name) for c in categories
        ]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            "status": self.cleaned_data.get("status") or "",
            "category_id": self.cleaned_data.get("category"),
        }


class NeedForm(forms.Form):
    """A need: a resident's own on a phone, or one a coordinator records for a resident."""

    resident = forms.IntegerField(
        label=_("居民"), widget=forms.Select, error_messages={"required": _("请选择居民")}
    )
    channel = forms.ChoiceField(
        label=_("来源"), choices=ACTING_CHANNELS, initial=Need.Channel.COORDINATOR
    )
    category = forms.TypedChoiceField(
        label=_("需要什么服务"),
        coerce=int,
        error_messages={"required": _("请选择需要的服务")},
    )
    description = forms.CharField(
        label=_("具体说说"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("用平常话说就行，如：腿脚不便，想每周有人送两次午饭"),
    )
    urgency = forms.TypedChoiceField(
        label=_("急不急"),
        choices=Need.Urgency.choices,
        coerce=int,
        initial=Need.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    days = _days_field(_("哪几天方便"), asked=_("请选择哪几天需要服务"))
    slots = _slots_field(_("什么时段方便"), asked=_("请选择什么时段需要服务"))
    recurrence = forms.ChoiceField(
        label=_("多久一次"),
        choices=Need.Recurrence.choices,
        initial=Need.Recurrence.ONCE,
        widget=forms.RadioSelect,
    )
    consent_to_share = forms.BooleanField(
        label=_("同意把我的姓名、地址、电话提供给服务方"),
        required=False,
        help_text=_("不同意也可以：社区会安排社会组织或单位为您服务，不把联系方式给个人。"),
    )

    project = project_field()

    def __init__(self, *args, categories=(), for_self: bool = True, visit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories}
        self.fields["category"].choices = _category_choices(categories)
        if for_self:
            del self.fields["resident"]
            del self.fields["channel"]
            del self.fields["project"]
        else:
            if visit:
                # A volunteer's visit: the channel follows from whom it is for; projects
                # are the coordinators' to name.
                del self.fields["channel"]
                del self.fields["project"]
            else:
                self.fields["project"].choices = project_choices()
            self.fields["consent_to_share"].label = _("居民同意把姓名、地址、电话提供给服务方")
            self.fields["consent_to_share"].help_text = _("请当面或电话征得居民本人同意后再勾选。")

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            "category": self.categories[data["category"]],
            "description": data.get("description") or "",
            "urgency": data["urgency"],
            "days": mask_of(data.get("days")),
            "slots": mask_of(data.get("slots")),
            "recurrence": data["recurrence"],
            "consent_to_share": bool(data.get("consent_to_share")),
        }
        if "channel" in self.fields:
            values["channel"] = data["channel"]
        if "project" in self.fields:
            values["project"] = data.get("project")
        return values


class OfferForm(forms.Form):
    """One provider's offer; only the picker of the chosen provider type is kept."""

    provider_type = forms.ChoiceField(choices=ProviderType.choices, widget=forms.HiddenInput)
    organization = forms.TypedChoiceField(
        label=_("社会组织"), coerce=int, error_messages={"required": _("请选择社会组织")}
    )
    volunteer = forms.IntegerField(
        label=_("志愿者"), widget=forms.Select, error_messages={"required": _("请选择志愿者")}
    )
    partner = forms.TypedChoiceField(
        label=_("共建单位"), coerce=int, error_messages={"required": _("请选择共建单位")}
    )
    name = forms.CharField(
        label=_("服务名称"), max_length=100, help_text=_("如：夕阳红助餐队·每日送餐")
    )
    main_category = forms.TypedChoiceField(label=_("主要类别"), coerce=int)
    categories = forms.TypedMultipleChoiceField(
        label=_("还能提供的其他类别"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    capacity_per_week = forms.IntegerField(
        label=_("可同时接单数"),
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1", "max": "500"}),
        help_text=_("已派单和服务中的服务单都占名额；一张单可以每周多次上门"),
    )
    serves_all = forms.BooleanField(label=_("服务全社区"), required=False, initial=True)
    compounds = forms.TypedMultipleChoiceField(
        label=_("或只服务这些小区"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = _days_field(_("可服务日"))
    slots = _slots_field(_("可服务时段"))
    is_free = forms.BooleanField(label=_("免费"), required=False, initial=True)
    price_note = forms.CharField(
        label=_("收费说明"),
        max_length=100,
        required=False,
        help_text=_("不免费时填写，如：理发每次 10 元"),
    )
    project = project_field(help_text=_("服务方为某个公益项目提供的服务，完成的服务计入该项目"))

    PICKERS = {
        ProviderType.ORGANIZATION: "organization",
        ProviderType.VOLUNTEER: "volunteer",
        ProviderType.GOVERNMENT: "partner",
        ProviderType.ENTERPRISE: "partner",
        ProviderType.INSTITUTION: "partner",
    }

    def __init__(
        self,
        *args,
        provider_type: str,
        categories=(),
        organizations=(),
        partners=(),
        compounds=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.provider_type = provider_type
        self.fields["provider_type"].initial = provider_type
        self.categories = {c.pk: c for c in categories}
        self.organizations = {o.pk: o for o in organizations}
        self.partners = {p.pk: p for p in partners}
        self.compounds = {c.pk: c for c in compounds}
        self.fields["main_category"].choices = _category_choices(categories)
        self.fields["categories"].choices = [(str(c.pk), c.name) for c in categories]
        self.fields["organization"].choices = [("", _("请选择"))] + [
            (str(o.pk), o.name) for o in organizations
        ]
        self.fields["partner"].choices = [("", _("请选择"))] + [
            (str(p.pk), p.name) for p in partners
        ]
        self.fields["compounds"].choices = [(str(c.pk), c.name) for c in compounds]
        self.fields["project"].choices = project_choices()
        self.picker = self.PICKERS.get(provider_type, "organization")
        for name in {"organization", "volunteer", "partner"} - {self.picker}:
            del self.fields[name]

    def values(self) -> dict:
        """Everything but the provider itself (the view fetches it through its selector)."""
        data = self.cleaned_data
        return {
            "provider_type": self.provider_type,
            "name": data["name"],
            "main_category": self.categories[data["main_category"]],
            "categories": [self.categories[pk] for pk in data.get("categories") or ()],
            "capacity_per_week": data["capacity_per_week"],
            "serves_all": bool(data.get("serves_all")),
            "compounds": [self.compounds[pk] for pk in data.get("compounds") or ()],
            "days": mask_of(data.get("days")),
            "slots": mask_of(data.get("slots")),
            "is_free": bool(data.get("is_free")),
            "price_note": data.get("price_note") or "",
            "project": data.get("project"),
        }

    def provider_values(self) -> dict:
        """The chosen organization or partner unit (the volunteer is fetched by the view)."""
        data = self.cleaned_data
        if self.picker == "organization":
            return {"organization": self.organizations[data["organization"]]}
        if self.picker == "partner":
            return {"partner": self.partners[data["partner"]]}
        return {}


class CategoryForm(forms.Form):
    name = forms.CharField(
        label=_("类别名称"), max_length=40, help_text=_("如：助浴、代购、上门测血压")
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=200,
        error_messages={"required": _("请填写原因")},
        widget=forms.TextInput(attrs={"placeholder": _("如：已由家人照顾")}),
    )


class AssignForm(forms.Form):
    offer = forms.TypedChoiceField(
        label=_("服务方"), coerce=int, error_messages={"required": _("请选择服务方")}
    )

    def __init__(self, *args, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = [("", _("请选择"))] + [
            (
                str(o.pk),
                gettext("%(name)s（%(type)s，已接 %(held)s/%(cap)s）")
                % {
                    "name": o.name,
                    "type": o.get_provider_type_display(),
                    "held": o.holding,
                    "cap": o.capacity_per_week,
                },
            )
            for o in offers
        ]


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("打分"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选几颗星")},
    )
    comment = forms.CharField(
        label=_("说几句（可不填）"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
