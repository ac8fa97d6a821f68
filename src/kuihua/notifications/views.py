"""The inbox pages (站内信): one's own messages; opening one marks it read.

HTMX: the list's rows open in place, and each change tells the top bar's
unread badge to refresh itself (the `inbox-changed` event).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django_htmx.http import trigger_client_event

from kuihua.core.pages import post_only, render_page, wants_partial
from kuihua.notifications import services
from kuihua.notifications.selectors import access_message, messages_visible_to, unread_count

PAGE_SIZE = 30
CHANGED = "inbox-changed"


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    messages = messages_visible_to(request.user)
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "unread_only": unread_only, "unread": unread_count(request.user)}
    return render_page(
        request, "notifications/inbox.html", "notifications/_inbox_rows.html", context
    )


@login_required
def message_open(request, message_id: int):
    message = access_message(request.user, message_id)  # 404 first, then the method
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    was_unread = message.read_at is None
    services.message_mark_read(user=request.user, message=message)
    response = render_page(
        request,
        "notifications/message.html",
        "notifications/_message.html",
        {"message": message},
    )
    if was_unread:
        trigger_client_event(response, CHANGED)
    return response


@login_required
def mark_all_read(request):
    if (refused := post_only(request)) is not None:
        return refused
    services.messages_mark_all_read(user=request.user)
    if wants_partial(request):
        response = inbox(request)
        trigger_client_event(response, CHANGED)
        return response
    return redirect("notifications:inbox")


@login_required
def badge(request):
    return render(request, "notifications/_badge.html", {"unread": unread_count(request.user)})
