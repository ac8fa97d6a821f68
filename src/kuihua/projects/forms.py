"""Forms of the project pages. They read what people type; the rules are the services'
(kuihua.projects.services)."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.core.money import MoneyFormField
from kuihua.ledger.evidence import EvidenceFormMixin, evidence_field
from kuihua.organizations.models import Organization, PartnerUnit
from kuihua.projects.models import BudgetLine, Funding, OutcomeIndicator, Project, ProjectDomain
from kuihua.registry.models import Resident, Tag

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResidentNumbersField(forms.CharField):
    """Residents by their numbers (居民编号), separated by commas or spaces."""

    def clean(self, value):
        text = super().clean(value) or ""
        parts = [p for p in re.split(r"[\s,，、;；]+", text.strip()) if p]
        bad = [p for p in parts if not p.isdigit()]
        if bad:
            raise forms.ValidationError(
                _("居民编号只能是数字：%(bad)s") % {"bad": "、".join(bad[:5])}
            )
        ids = list(dict.fromkeys(int(p) for p in parts))
        found = {r.pk: r for r in Resident.objects.filter(pk__in=ids)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise forms.ValidationError(
                _("没有这些编号的居民：%(ids)s") % {"ids": "、".join(missing[:5])}
            )
        return [found[i] for i in ids]


class ProjectForm(forms.Form):
    """新建或修改项目: what it is, who leads it with whom, whom it serves, its targets."""

    name = forms.CharField(label=_("项目名称"), max_length=100)
    domain = forms.ModelChoiceField(label=_("项目领域"), queryset=ProjectDomain.objects.none())
    summary = forms.CharField(
        label=_("项目简介"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("做什么、为谁做、怎么做，几句话说清楚。"),
    )
    lead_organization = forms.ModelChoiceField(
        label=_("牵头组织"), queryset=Organization.objects.none()
    )
    partner_organizations = forms.ModelMultipleChoiceField(
        label=_("合作组织"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partner_units = forms.ModelMultipleChoiceField(
        label=_("共建单位"),
        queryset=PartnerUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    beneficiary_tags = forms.ModelMultipleChoiceField(
        label=_("服务人群"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    beneficiaries = ResidentNumbersField(
        label=_("服务对象（居民编号）"),
        required=False,
        help_text=_("点名服务的居民，填居民编号，多个用逗号或空格隔开；按人群服务的可以不填。"),
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)
    target_person_times = forms.IntegerField(label=_("计划服务人次"), required=False, min_value=0)
    target_people = forms.IntegerField(label=_("计划服务人数"), required=False, min_value=0)
    target_hours = forms.DecimalField(
        label=_("计划志愿服务时长（小时）"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )

    def __init__(self, *args, project: Project | None = None, **kwargs):
        if project is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": project.name,
                    "domain": project.domain_id,
                    "summary": project.summary,
                    "lead_organization": project.lead_organization_id,
                    "partner_organizations": list(
                        project.partner_organizations.values_list("pk", flat=True)
                    ),
                    "partner_units": list(project.partner_units.values_list("pk", flat=True)),
                    "beneficiary_tags": list(project.beneficiary_tags.values_list("pk", flat=True)),
                    "beneficiaries": " ".join(
                        str(pk) for pk in project.beneficiaries.values_list("pk", flat=True)
                    ),
                    "starts_on": project.starts_on,
                    "ends_on": project.ends_on,
                    "target_person_times": project.target_person_times,
                    "target_people": project.target_people,
                    "target_hours": project.target_hours,
                },
            )
        else:
            today = timezone.localdate()
            kwargs.setdefault("initial", {"starts_on": today})
        super().__init__(*args, **kwargs)
        organizations = Organization.objects.order_by("name")
        self.fields["domain"].queryset = ProjectDomain.objects.all()
        self.fields["lead_organization"].queryset = organizations
        self.fields["partner_organizations"].queryset = organizations
        self.fields["partner_units"].queryset = PartnerUnit.objects.order_by("name")
        self.fields["beneficiary_tags"].queryset = Tag.objects.order_by("id")


class DomainForm(forms.Form):
    name = forms.CharField(
        label=_("领域名称"), max_length=40, help_text=_("如“关爱独居老人”“青少年成长”。")
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("项目状态"), choices=Project.Status.choices)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("计划事项"), max_length=200)
    due_on = forms.DateField(label=_("计划完成日期"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("实际完成日期"), widget=DATE_WIDGET, required=False)


class BudgetLineForm(forms.Form):
    name = forms.CharField(
        label=_("预算科目"),
        max_length=40,
        help_text=_("如“志愿者交通补贴”“活动物料”；已有的科目再填一次就是修改金额。"),
    )
    amount = MoneyFormField(label=_("预算金额（元）"), allow_zero=True)


class FundingForm(EvidenceFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("资金类型"), choices=Funding.Kind.choices)
    source = forms.CharField(
        label=_("资金来源"), max_length=200, help_text=_("如“区民政局公益创投”“某某超市捐赠”。")
    )
    amount = MoneyFormField(label=_("金额（元）"))
    received_on = forms.DateField(label=_("到账日期"), widget=DATE_WIDGET)
    conditions = forms.CharField(
        label=_("使用条件"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("补贴、资助的要求，如“专款专用”“年底前结项验收”。"),
    )
    evidence = evidence_field(_("凭据（拨款通知、捐赠收据的照片或 PDF）"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ExpenseForm(EvidenceFormMixin, forms.Form):
    budget_line = forms.ModelChoiceField(label=_("预算科目"), queryset=BudgetLine.objects.none())
    amount = MoneyFormField(label=_("金额（元）"))
    spent_on = forms.DateField(label=_("支出日期"), widget=DATE_WIDGET)
    memo = forms.CharField(
        label=_("摘要"), max_length=200, help_text=_("写清楚这笔钱花在哪里，如“三月探访交通费”。")
    )
    evidence = evidence_field(_("凭据（发票或收据的照片、PDF）"))

    def __init__(self, *args, project: Project, **kwargs):
        kwargs.setdefault("initial", {"spent_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = BudgetLine.objects.filter(
            project=project
        ).select_related("account")
        self.fields["budget_line"].label_from_instance = lambda line: line.account.name


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("冲销原因"),
        max_length=200,
        help_text=_("例如：金额记错了、重复记了一笔。原凭证保留，账上会多一笔冲销。"),
    )


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=100)
    source = forms.ChoiceField(
        label=_("数据来源"),
        choices=OutcomeIndicator.Source.choices,
        help_text=_("“系统计算”的指标由平台按实际记录算出，不用手填；单位是 %。"),
    )
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    baseline = forms.DecimalField(label=_("基线值"), max_digits=12, decimal_places=4)
    target = forms.DecimalField(label=_("目标值"), max_digits=12, decimal_places=4)
    lower_is_better = forms.BooleanField(label=_("越低越好（如意外发生率）"), required=False)


class MeasureForm(forms.Form):
    measured = forms.DecimalField(label=_("实测值"), max_digits=12, decimal_places=4)
    measured_on = forms.DateField(label=_("测量日期"), widget=DATE_WIDGET)
    method = forms.CharField(
        label=_("测量方法"), max_length=200, required=False, help_text=_("如“入户问卷 50 份”。")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"measured_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
