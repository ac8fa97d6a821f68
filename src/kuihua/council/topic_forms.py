from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.council.models import OnBehalfOf


class TopicForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=200)
    body = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    compound = forms.ModelChoiceField(
        label=_("小区"), queryset=None, required=False, empty_label=_("全社区")
    )
    organization = forms.ModelChoiceField(
        label=_("以社会组织名义提出（可不选）"), queryset=None, required=False
    )
    on_behalf_of = forms.ChoiceField(
        label=_("代单位登记（可不选）"),
        choices=[("", _("不代登记")), *OnBehalfOf.choices],
        required=False,
    )
    on_behalf_name = forms.CharField(label=_("单位名称"), max_length=100, required=False)
    partner = forms.ModelChoiceField(label=_("共建单位"), queryset=None, required=False)

    def __init__(self, *args, compounds, organizations, partners, may_record_for_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds
        self.fields["organization"].queryset = organizations
        self.fields["partner"].queryset = partners
        if not organizations.exists():
            del self.fields["organization"]
        if not may_record_for_units:
            for name in ("on_behalf_of", "on_behalf_name", "partner"):
                del self.fields[name]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("我的意见"), widget=forms.Textarea(attrs={"rows": 3}))


class ScheduleForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("列入哪次会议"), queryset=None)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda m: (
            f"{m.title}（{timezone.localtime(m.starts_at):%Y-%m-%d %H:%M}）"
        )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("合并到议题"), queryset=None)

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = topics


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 4}))
