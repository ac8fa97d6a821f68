"""Council pages: votes (表决), paper ballots, and the rules of procedure (议事规则)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.pages import apply_service_error, post_only, require
from kuihua.council import procedure, selectors, services
from kuihua.council.models import (
    BallotReceipt,
    EligibleVoter,
    RulesOfProcedure,
    Topic,
)
from kuihua.council.services import CouncilError
from kuihua.council.vote_forms import (
    BallotForm,
    PaperBallotForm,
    RulesForm,
    RulesProposalForm,
    VoteOpenForm,
)
from kuihua.registry.models import Compound

# A secret voter's token (to change their vote) stays with them, in an HttpOnly cookie
# per vote on their own phone: never in the session table, where it would sit beside
# their account (docs/adr/0012-ballots.md).
TOKEN_COOKIE = "kuihua_ballot_%s"  # noqa: S105 - a cookie name


@login_required
def vote_list(request):
    require(request.user, "council.take_part")
    votes = selectors.votes_with_my_part(selectors.votes_for(request.user), request.user)
    votes = votes.order_by("-is_open", "-opened_at", "-id")
    context = {"votes": votes, "can_manage": request.user.has_perm("council.manage")}
    return render(request, "council/vote_list.html", context)


def _result(user, vote):
    if not selectors.result_visible(user, vote):
        return None
    result = services.vote_result(vote)
    return {
        "result": result,
        "rows": [
            {
                "label": label,
                "heads": result.by_choice.get(value, (0, 0))[0],
                "area": result.by_choice.get(value, (0, 0))[1],
            }
            for value, label in services.Choice.choices
        ],
        "words": selectors.rule_in_words(vote, result),
    }


@login_required
def vote_detail(request, vote_id: int):
    user = request.user
    vote = selectors.access_vote(user, vote_id)
    voter = selectors.voter_of(user, vote)
    receipt = selectors.has_voted(vote, voter) if voter else None
    cookie = TOKEN_COOKIE % vote.pk
    form = BallotForm()
    if request.method == "POST":
        require(user, "council.take_part")
        form = BallotForm(request.POST)
        if voter is None:
            messages.error(request, _("您不在本次表决的投票人名单上"))
            return redirect("council:vote_detail", vote_id=vote.pk)
        if form.is_valid():
            choice = form.cleaned_data["choice"]
            try:
                cast = services.ballot_cast(
                    actor=user,
                    vote=vote,
                    voter=voter,
                    choice=choice,
                    token=request.COOKIES.get(cookie, ""),
                )
            except CouncilError as exc:
                messages.error(request, str(exc))
                return redirect("council:vote_detail", vote_id=vote.pk)
            else:
                label = dict(services.Choice.choices)[choice]
                if vote.secret:
                    messages.success(request, _("投票成功。无记名投票，谁投了什么不会被记录。"))
                elif cast.changed:
                    messages.success(request, _("已改为：%(c)s") % {"c": label})
                else:
                    messages.success(request, _("投票成功：%(c)s") % {"c": label})
                response = redirect("council:vote_detail", vote_id=vote.pk)
                if cast.token:
                    response.set_cookie(
                        cookie,
                        cast.token,
                        max_age=int((vote.closes_at - timezone.now()).total_seconds()) + 86400,
                        path=reverse("council:vote_detail", args=[vote.pk]),
                        secure=request.is_secure(),
                        httponly=True,
                        samesite="Lax",
                    )
                return response
    context = {
        "vote": vote,
        "voter": voter,
        "receipt": receipt,
        "open": selectors.is_open(vote),
        "may_vote": voter is not None
        and selectors.is_open(vote)
        and (receipt is None or vote.allow_change),
        "form": form,
        "result": _result(user, vote),
        "my_choice": receipt.get_choice_display() if receipt and receipt.choice else "",
        "can_manage": user.has_perm("council.manage"),
        "can_record_paper": user.has_perm("council.record_paper_ballot"),
        "choices": services.Choice.choices,
    }
    return render(request, "council/vote_detail.html", context)


@login_required
def vote_create(request):
    require(request.user, "council.manage")
    form = VoteOpenForm(
        request.POST if request.method == "POST" else None,
        compounds=Compound.objects.order_by("name"),
        topics=Topic.objects.exclude(status__in=[Topic.Status.MERGED, Topic.Status.ANSWERED]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            vote = services.vote_open(actor=request.user, **form.cleaned_data)
        except CouncilError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("表决已发起，%(n)s 位（户）有表决权") % {"n": vote.eligible_heads},
            )
            return redirect("council:vote_detail", vote_id=vote.pk)
    rules = procedure.rules_values(procedure.rules_in_force())
    return render(request, "council/vote_form.html", {"form": form, "rules": rules})


@login_required
def vote_close(request, vote_id: int):
    vote = selectors.access_vote(request.user, vote_id)
    require(request.user, "council.manage")
    if (refused := post_only(request)) is not None:
        return refused
    services.vote_close(actor=request.user, vote=vote)
    messages.success(request, _("表决已截止，结果已公布"))
    return redirect("council:vote_detail", vote_id=vote.pk)


@login_required
def vote_roll(request, vote_id: int):
    """The roll, to record paper ballots (coordinators and stewards)."""
    vote = selectors.access_vote(request.user, vote_id)
    require(request.user, "council.record_paper_ballot")
    if request.method == "POST":
        form = PaperBallotForm(request.POST)
        if form.is_valid():
            voter = selectors.access_voter(request.user, vote, form.cleaned_data["voter"])
            try:
                services.ballot_cast(
                    actor=request.user,
                    vote=vote,
                    voter=voter,
                    choice=form.cleaned_data["choice"],
                    method=BallotReceipt.Method.PAPER,
                )
            except CouncilError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已录入 %(v)s 的纸质选票") % {"v": voter.label})
        else:
            messages.error(request, _("请选择选票上的意见"))
        return redirect(f"{request.path}?q={request.POST.get('q', '')}")
    q = request.GET.get("q", "").strip()
    voters = EligibleVoter.objects.filter(vote=vote).order_by("label", "id")
    if q:
        voters = voters.filter(Q(label__contains=q) | Q(members__resident__name__contains=q))
    receipts = {
        r.voter_id: r for r in BallotReceipt.objects.filter(vote=vote).select_related("recorded_by")
    }
    rows = [{"voter": v, "receipt": receipts.get(v.pk)} for v in voters.distinct()[:50]]
    context = {
        "vote": vote,
        "rows": rows,
        "q": q,
        "open": selectors.is_open(vote),
        "choices": services.Choice.choices,
        "counted": len(receipts),
    }
    return render(request, "council/vote_roll.html", context)


@login_required
def rules(request):
    """议事规则: the version in force, its history; a coordinator writes the first one
    from the template or proposes a change, which a vote decides."""
    require(request.user, "council.view")
    current = procedure.rules_in_force()
    can_manage = request.user.has_perm("council.manage")
    form = None
    if can_manage:
        form_class = RulesForm if current is None else RulesProposalForm
        initial = procedure.rules_values(current)
        form = form_class(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                if current is None:
                    procedure.rules_adopt_first(actor=request.user, **form.cleaned_data)
                    messages.success(request, _("议事规则已制定，从现在起执行"))
                else:
                    proposal = procedure.rules_propose(actor=request.user, **form.cleaned_data)
                    messages.success(request, _("规则修改已提交表决，通过后生效"))
                    return redirect("council:vote_detail", vote_id=proposal.decided_by_id)
            except procedure.ProcedureError as exc:
                apply_service_error(form, exc)
            except CouncilError as exc:
                apply_service_error(form, exc)
            else:
                return redirect("council:rules")
    context = {
        "current": current,
        "versions": RulesOfProcedure.objects.select_related("decided_by").order_by("-version"),
        "form": form,
    }
    return render(request, "council/rules.html", context)


urlpatterns = [
    path("votes/", vote_list, name="vote_list"),
    path("votes/new/", vote_create, name="vote_create"),
    path("votes/<int:vote_id>/", vote_detail, name="vote_detail"),
    path("votes/<int:vote_id>/close/", vote_close, name="vote_close"),
    path("votes/<int:vote_id>/roll/", vote_roll, name="vote_roll"),
    path("rules/", rules, name="rules"),
]
