"""Forms of the registry pages. They parse input only; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kuihua.core.masking import mask_id_number, mask_phone
from kuihua.core.pages import valid_data
from kuihua.registry.models import Compound, Consent, Resident, Tag

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResidentFilterForm(forms.Form):
    """The search box and the filters above the resident list (GET, all optional)."""

    PARTY_CHOICES = [("", _("全部")), ("1", _("党员")), ("0", _("非党员"))]

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("姓名、拼音（如 zs）、手机后四位"),
                "autocomplete": "off",
            }
        ),
    )
    tag = forms.ChoiceField(label=_("标签"), required=False)
    compound = forms.TypedChoiceField(label=_("小区"), required=False, coerce=int, empty_value=None)
    party = forms.ChoiceField(label=_("政治面貌"), required=False, choices=PARTY_CHOICES)

    def __init__(self, *args, tags=(), compounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("全部标签"))] + [(t.code, t.label) for t in tags]
        self.fields["compound"].choices = [("", _("全部小区"))] + [
            (c.pk, c.name) for c in compounds
        ]

    def filters(self) -> dict:
        """Keyword arguments for selectors.resident_list; an invalid filter is left out alone."""
        data = valid_data(self)
        party = data.get("party", "")
        return {
            "query": data.get("q", ""),
            "tag": data.get("tag", ""),
            "compound_id": data.get("compound"),
            "party_member": None if party == "" else party == "1",
        }


class ResidentForm(forms.Form):
    """Create or edit a resident. On edit, empty ID/phone/health fields mean "unchanged".

    The rules of a resident are validation.py's (through the services); the form
    only says the empty name in the same words.
    """

    name = forms.CharField(
        label=_("姓名"), max_length=40, error_messages={"required": _("姓名不能为空")}
    )
    sex = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", _("按身份证号码")), *Resident.Sex.choices]
    )
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False, initial="汉族")
    birth_date = forms.DateField(
        label=_("出生日期"), required=False, widget=DATE_WIDGET, help_text=_("有身份证号码时可不填")
    )
    id_number = forms.CharField(label=_("身份证号码"), max_length=30, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    compound = forms.TypedChoiceField(label=_("小区"), required=False, coerce=int, empty_value=None)
    building = forms.CharField(label=_("楼栋"), max_length=40, required=False)
    unit = forms.CharField(label=_("单元"), max_length=20, required=False)
    room = forms.CharField(label=_("室"), max_length=20, required=False)
    relation_to_head = forms.ChoiceField(
        label=_("与户主关系"), choices=Resident.Relation.choices, initial=Resident.Relation.HEAD
    )
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=Resident.Political.choices, initial=Resident.Political.MASSES
    )
    category = forms.CharField(label=_("人员类别"), max_length=40, required=False)
    health_conditions = forms.CharField(
        label=_("健康状况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tags = forms.MultipleChoiceField(
        label=_("标签"), required=False, widget=forms.CheckboxSelectMultiple
    )

    # Values a page never pre-fills in whole: an edit leaves them empty.
    SENSITIVE = ("id_number", "phone", "health_conditions")
    ADDRESS = ("compound", "building", "unit", "room")

    def __init__(self, *args, resident: Resident | None = None, **kwargs):
        self.resident = resident
        super().__init__(*args, **kwargs)
        self.compounds = {c.pk: c for c in Compound.objects.order_by("name")}
        self.fields["compound"].choices = [("", _("（未入户）"))] + [
            (pk, c.name) for pk, c in self.compounds.items()
        ]
        self.tag_objects = {str(t.pk): t for t in Tag.objects.order_by("id")}
        self.fields["tags"].choices = [(pk, t.label) for pk, t in self.tag_objects.items()]
        if resident is not None:
            del self.fields["tags"]  # tags are edited on the resident's page
            hints = {
                "id_number": mask_id_number(resident.id_number),
                "phone": mask_phone(resident.phone),
                "health_conditions": _("已登记") if resident.health_conditions else "",
            }
            for name, hint in hints.items():
                field = self.fields[name]
                field.widget.attrs["placeholder"] = hint
                field.help_text = _("留空表示不修改")

    @classmethod
    def initial_for(cls, resident: Resident) -> dict:
        initial = {
            "name": resident.name,
            "sex": resident.sex,
            "ethnicity": resident.ethnicity,
            "birth_date": resident.birth_date,
            "relation_to_head": resident.relation_to_head,
            "political_status": resident.political_status,
            "category": resident.category,
            "notes": resident.notes,
        }
        household = resident.household
        if household is not None:
            initial.update(
                compound=household.building.compound_id,
                building=household.building.name,
                unit=household.unit,
                room=household.room,
            )
        return initial

    def clean(self):
        data = super().clean()
        if data.get("compound") and not (data.get("building") and data.get("room")):
            raise forms.ValidationError(_("请填写完整住址：小区、楼栋和室号"))
        if not data.get("compound") and (data.get("building") or data.get("room")):
            self.add_error("compound", _("请选择小区"))
        return data

    def address(self) -> dict | None:
        """Arguments for services.household_get_or_create, or None for no household."""
        data = self.cleaned_data
        if not data.get("compound"):
            return None
        return {
            "compound_name": self.compounds[data["compound"]].name,
            "building_name": data["building"].strip(),
            "unit": data.get("unit", "").strip(),
            "room": data["room"].strip(),
        }

    def address_changed(self) -> bool:
        return any(name in self.changed_data for name in self.ADDRESS)

    def values(self) -> dict:
        """Keyword arguments for resident_create (all) or resident_update (what changed)."""
        data = self.cleaned_data
        plain = [
            "name",
            "sex",
            "ethnicity",
            "birth_date",
            "relation_to_head",
            "political_status",
            "category",
            "notes",
        ]
        if self.resident is None:
            values = {name: data[name] for name in plain}
            values.update({name: data[name] for name in self.SENSITIVE})
            values["tags"] = [self.tag_objects[pk] for pk in data.get("tags", [])]
            return values
        values = {name: data[name] for name in plain if name in self.changed_data}
        values.update({name: data[name] for name in self.SENSITIVE if data[name]})
        return values

    def selected_tags(self) -> list[Tag]:
        return [self.tag_objects[pk] for pk in self.cleaned_data.get("tags", [])]


class ConsentForm(forms.Form):
    GRANTED_CHOICES = [("1", _("同意")), ("0", _("不同意 / 撤回"))]

    purpose = forms.ChoiceField(label=_("用途"), choices=Consent.Purpose.choices)
    granted = forms.TypedChoiceField(
        label=_("意愿"),
        choices=GRANTED_CHOICES,
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(label=_("方式"), choices=Consent.Method.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ResidentTagsForm(forms.Form):
    tags = forms.MultipleChoiceField(
        label=_("标签"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tag_objects = {str(t.pk): t for t in Tag.objects.order_by("id")}
        self.fields["tags"].choices = [(pk, t.label) for pk, t in self.tag_objects.items()]

    def selected_tags(self) -> list[Tag]:
        return [self.tag_objects[pk] for pk in self.cleaned_data.get("tags", [])]


class TagForm(forms.Form):
    name = forms.CharField(label=_("标签名称"), max_length=40)
    is_sensitive = forms.BooleanField(label=_("涉及健康（敏感）"), required=False)


class EmergencyContactForm(forms.Form):
    name = forms.CharField(label=_("联系人"), max_length=40)
    relation = forms.CharField(label=_("关系"), max_length=20, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30)


class SensitiveViewForm(forms.Form):
    purpose = forms.CharField(
        label=_("查看原因"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：上门走访核对信息（选填）")}),
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("删除原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(
        label=_("我确认要永久删除该居民的全部个人信息，此操作不能撤销"),
        error_messages={"required": _("请勾选确认")},
    )


class AccessLogFilterForm(forms.Form):
    subject_id = forms.IntegerField(label=_("对象编号"), required=False, min_value=1)
    action = forms.ChoiceField(label=_("操作"), required=False)

    def __init__(self, *args, **kwargs):
        from kuihua.core.models import AccessLog

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部操作")), *AccessLog.Action.choices]


class HomeAreaForm(forms.Form):
    exclusive_area = forms.CharField(
        label=_("专有面积（㎡）"),
        max_length=20,
        required=False,
        help_text=_("房产证上的专有部分面积，如 89.50；不知道可以先空着"),
    )


class OwnerForm(forms.Form):
    """An owner: one of the household's members, or someone who lives elsewhere."""

    member = forms.ChoiceField(label=_("本户居民"), required=False)
    name = forms.CharField(label=_("或：不住在本户的业主姓名"), max_length=40, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("请选择"))] + [(str(m.pk), m.name) for m in members]

    def clean(self):
        data = super().clean()
        if not data.get("member") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("请选择本户居民，或填写不住在本户的业主姓名"))
        return data
