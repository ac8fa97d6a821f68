from django import forms
from django.utils.translation import gettext_lazy as _

from kuihua.council.counting import Matter
from kuihua.council.models import Choice, RulesOfProcedure, Vote


class VoteOpenForm(forms.Form):
    title = forms.CharField(label=_("表决事项"), max_length=200)
    compound = forms.ModelChoiceField(label=_("小区（空为全社区）"), queryset=None, required=False)
    matter = forms.ChoiceField(
        label=_("业主表决事项（《民法典》第二百七十八条）"),
        choices=[("", _("不是业主共有事项，按议事规则表决")), *Matter.choices],
        required=False,
        help_text=_("选了事项，就由该小区业主按人数和面积表决，须选定小区。"),
    )
    topic = forms.ModelChoiceField(label=_("来自议题（可不选）"), queryset=None, required=False)
    closes_at = forms.DateTimeField(
        label=_("截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, compounds, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds
        self.fields["topic"].queryset = topics


class BallotForm(forms.Form):
    choice = forms.ChoiceField(label=_("您的意见"), choices=Choice.choices)


class PaperBallotForm(forms.Form):
    voter = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(label=_("选票上的意见"), choices=Choice.choices)


class RulesForm(forms.Form):
    who_may_raise = forms.ChoiceField(
        label=_("谁可以提议题"), choices=RulesOfProcedure.Raisers.choices
    )
    notice_days = forms.IntegerField(label=_("会议提前通知天数"), min_value=0, max_value=60)
    quorum_percent = forms.IntegerField(
        label=_("到会/参与比例（超过%）"), min_value=0, max_value=99
    )
    voters = forms.ChoiceField(
        label=_("谁来投票"),
        choices=[c for c in Vote.Voters.choices if c[0] != Vote.Voters.OWNER],
    )
    majority = forms.ChoiceField(
        label=_("通过要求"),
        choices=[c for c in Vote.Majority.choices if c[0] != Vote.Majority.CIVIL_CODE],
    )
    secret = forms.BooleanField(label=_("无记名投票"), required=False)
    results_before_close = forms.BooleanField(label=_("截止前公布结果"), required=False)
    allow_change = forms.BooleanField(label=_("截止前可改票"), required=False)
    text = forms.CharField(
        label=_("规则全文"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class RulesProposalForm(RulesForm):
    reason = forms.CharField(label=_("修改理由"), widget=forms.Textarea(attrs={"rows": 3}))
    closes_at = forms.DateTimeField(
        label=_("表决截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
