"""Forms of the organization pages. They parse input only; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kuihua.core.pages import valid_data
from kuihua.organizations.models import Category, Membership, PartnerUnit, Stage

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *Category.choices]
    )

    def filters(self) -> dict:
        data = valid_data(self)
        return {"query": data.get("q", ""), "category": data.get("category", "")}


class OrganizationCreateForm(forms.Form):
    name = forms.CharField(label=_("组织名称"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DATE_WIDGET)
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OrganizationEditForm(forms.Form):
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DATE_WIDGET)
    funds_note = forms.CharField(label=_("自有资金说明"), max_length=200, required=False)


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("进入阶段"), choices=Stage.choices)
    on = forms.DateField(label=_("日期"), required=False, widget=DATE_WIDGET)


class MemberAddForm(forms.Form):
    resident_id = forms.IntegerField(
        label=_("居民"),
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": _("请先搜索并选择一位居民")},
    )
    # The leader is set with LeaderForm; a deputy only by coordinators (the service says so).
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[c for c in Membership.Role.choices if c[0] != Membership.Role.LEADER],
        initial=Membership.Role.MEMBER,
    )


class LeaderForm(forms.Form):
    membership = forms.TypedChoiceField(label=_("新负责人"), coerce=int)

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {m.pk: m for m in memberships}
        self.fields["membership"].choices = [("", _("请选择成员"))] + [
            (m.pk, m.resident.name) for m in memberships
        ]


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=PartnerUnit.Kind.choices)
    services = forms.CharField(
        label=_("提供的服务"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)


class PartnerContactForm(forms.Form):
    username = forms.CharField(
        label=_("接单人账号"),
        max_length=150,
        required=False,
        help_text=_("填写该单位联系人在本系统的登录名；留空则取消"),
    )
