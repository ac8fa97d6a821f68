"""Council pages: topics (议题) — the list, raising one, and one topic with its comments,
support and (for coordinators) scheduling, merging and answering."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from kuihua.core.errors import ApplicationError
from kuihua.core.pages import apply_service_error, require
from kuihua.council import topics as svc
from kuihua.council.models import AgendaItem, Topic
from kuihua.council.topic_forms import (
    AnswerForm,
    CommentForm,
    MergeForm,
    ScheduleForm,
    TopicForm,
)
from kuihua.organizations.selectors import organizations_led_by, partner_units_visible_to
from kuihua.registry.models import Compound


@login_required
def topic_list(request):
    require(request.user, "council.view")
    status = request.GET.get("status", "")
    rows = svc.topics_for(request.user).order_by("-raised_at", "-id")
    if status in Topic.Status.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    rows = list(rows[:200])
    for topic in rows:
        topic.raiser = svc.raiser_label(topic)
    context = {
        "rows": rows,
        "status": status,
        "statuses": Topic.Status.choices,
        "may_raise": request.user.has_perm("council.raise_topic"),
    }
    return render(request, "council/topic_list.html", context)


def _topic_form(request, data=None) -> TopicForm:
    user = request.user
    return TopicForm(
        data,
        compounds=Compound.objects.order_by("name"),
        organizations=organizations_led_by(user).order_by("name"),
        partners=partner_units_visible_to(user).order_by("name"),
        may_record_for_units=user.has_perm("council.manage"),
    )


@login_required
def topic_create(request):
    require(request.user, "council.raise_topic")
    form = _topic_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = svc.topic_raise(actor=request.user, **form.cleaned_data)
        except svc.TopicError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("议题已提出，大家可以发表意见和附议了"))
            return redirect("council:topic_detail", topic_id=topic.pk)
    return render(request, "council/topic_form.html", {"form": form})


def _forms(request, topic, bound=None, data=None) -> dict:
    user = request.user
    forms = {"comment_form": CommentForm(data if bound == "comment" else None)}
    if user.has_perm("council.manage"):
        forms["schedule_form"] = ScheduleForm(
            data if bound == "schedule" else None, meetings=svc.planned_meetings(user)
        )
        forms["merge_form"] = MergeForm(
            data if bound == "merge" else None, topics=svc.merge_targets(user, topic)
        )
        forms["answer_form"] = AnswerForm(
            data if bound == "answer" else None, initial={"answer": topic.answer}
        )
    return forms


SUCCESS = {
    "comment": _("意见已发表"),
    "schedule": _("议题已列入会议议程"),
    "merge": _("议题已合并，附议人已一并转过去"),
    "answer": _("已答复，提议人会收到通知"),
}


def _act(request, topic, action: str, form) -> bool:
    """Run the act a bound form asks for; False (with the error on the form) if refused."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if action == "comment":
            svc.topic_comment_add(actor=request.user, topic=topic, body=data["body"])
        elif action == "schedule":
            svc.topic_schedule(actor=request.user, topic=topic, meeting=data["meeting"])
        elif action == "merge":
            svc.topic_merge(actor=request.user, topic=topic, into=data["into"])
        elif action == "answer":
            svc.topic_answer(actor=request.user, topic=topic, answer=data["answer"])
    except ApplicationError as exc:
        apply_service_error(form, exc)
        return False
    messages.success(request, SUCCESS[action])
    return True


@login_required
def topic_detail(request, topic_id: int):
    user = request.user
    topic = svc.access_topic(user, topic_id)
    bound = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("support", "withdraw"):
            require(user, "council.take_part")
            try:
                if action == "support":
                    counted = svc.topic_support(actor=user, topic=topic)
                    messages.success(
                        request, _("已附议") if counted else _("您已经附议过了，不会重复计数")
                    )
                else:
                    svc.topic_support_withdraw(actor=user, topic=topic)
                    messages.success(request, _("已撤回附议"))
            except svc.TopicError as exc:
                messages.error(request, str(exc))
            return redirect("council:topic_detail", topic_id=topic.pk)
        if action == "comment":
            require(user, "council.take_part")
        elif action in ("schedule", "merge", "answer"):
            require(user, "council.manage")
        else:
            messages.error(request, _("没有这项操作"))
            return redirect("council:topic_detail", topic_id=topic.pk)
        bound = action
        forms = _forms(request, topic, bound, request.POST)
        if _act(request, topic, action, forms[f"{action}_form"]):
            return redirect("council:topic_detail", topic_id=topic.pk)
        messages.error(request, _("没有办成，请看下面的提示"))
    else:
        forms = _forms(request, topic)
    topic.raiser = svc.raiser_label(topic)
    context = {
        "topic": topic,
        "comments": svc.comments_of(topic),
        "merged_here": topic.merged.order_by("-raised_at"),
        "agenda": topic.agenda_items.filter(status=AgendaItem.Status.ACCEPTED).select_related(
            "meeting"
        ),
        "supported": svc.supported_by(user, topic),
        "closed": topic.status in svc.CLOSED,
        "can_take_part": user.has_perm("council.take_part"),
        "can_manage": user.has_perm("council.manage"),
        **forms,
    }
    return render(request, "council/topic_detail.html", context)


urlpatterns = [
    path("topics/", topic_list, name="topic_list"),
    path("topics/new/", topic_create, name="topic_create"),
    path("topics/<int:topic_id>/", topic_detail, name="topic_detail"),
]
