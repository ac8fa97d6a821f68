from django import forms
from django.utils.translation import gettext_lazy as _

from kuihua.council.models import Decision


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("决议事项"), max_length=200)
    body = forms.CharField(
        label=_("决议内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    owner_name = forms.CharField(label=_("责任人/单位"), max_length=100)
    owner = forms.ModelChoiceField(
        label=_("负责账号（可不选）"),
        queryset=None,
        required=False,
        help_text=_("选了账号，对方会收到通知，并可以自己填写进展。"),
    )
    deadline = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))
    review_on = forms.DateField(
        label=_("复查日期（可不填）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    topic = forms.ModelChoiceField(label=_("来自议题（可不选）"), queryset=None, required=False)

    def __init__(self, *args, owners, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["topic"].queryset = topics


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Decision.Status.choices)
    note = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))
