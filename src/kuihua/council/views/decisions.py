"""Council pages: decisions and the notice board (公示)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.pages import apply_service_error, require
from kuihua.council import decisions
from kuihua.council.decision_forms import DecisionForm, ProgressForm
from kuihua.council.models import Topic


@login_required
def notice_board(request):
    """决议公示: every decision and how far it has got, overdue ones first."""
    require(request.user, "council.view")
    rows = decisions.notice_board(request.user)
    context = {
        "rows": rows,
        "overdue": sum(1 for r in rows if r.overdue_days),
        "can_manage": request.user.has_perm("council.manage"),
    }
    return render(request, "council/notice_board.html", context)


@login_required
def decision_detail(request, decision_id: int):
    decision = decisions.access_decision(request.user, decision_id)
    can_report = request.user.has_perm("council.report_progress", decision)
    form = ProgressForm(initial={"status": decision.status}) if can_report else None
    if request.method == "POST":
        require(request.user, "council.report_progress", decision)
        form = ProgressForm(request.POST)
        if form.is_valid():
            try:
                decisions.decision_progress(
                    actor=request.user, decision=decision, **form.cleaned_data
                )
            except decisions.DecisionError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("进展已记录，公示栏已更新"))
                return redirect("council:decision_detail", decision_id=decision.pk)
    today = timezone.localdate()
    context = {
        "decision": decision,
        "notes": decision.progress.select_related("author").order_by("created_at", "id"),
        "overdue_days": decisions.overdue_days(decision, today),
        "finished": decision.status in decisions.FINISHED,
        "form": form,
    }
    return render(request, "council/decision_detail.html", context)


@login_required
def decision_create(request):
    require(request.user, "council.manage")
    owners = (
        get_user_model()
        .objects.filter(community_id=request.user.community_id, is_active=True)
        .order_by("display_name", "username")
    )
    topics = Topic.objects.exclude(status__in=[Topic.Status.MERGED, Topic.Status.ANSWERED])
    initial = {}
    if request.GET.get("topic", "").isdigit():
        initial["topic"] = topics.filter(pk=int(request.GET["topic"])).first()
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        owners=owners,
        topics=topics,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = decisions.decision_record(actor=request.user, **form.cleaned_data)
        except decisions.DecisionError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("决议已登记，已在公示栏公示"))
            return redirect("council:decision_detail", decision_id=decision.pk)
    return render(request, "council/decision_form.html", {"form": form})


urlpatterns = [
    path("notice-board/", notice_board, name="notice_board"),
    path("decisions/new/", decision_create, name="decision_create"),
    path("decisions/<int:decision_id>/", decision_detail, name="decision_detail"),
]
